/**
 * The composition root of one drone: flight controller (Vehicle over MAVLink), radio (a Link), gossip node,
 * the mission's sectors and the search agent, with an optional external detector. `murmur agent` runs it.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DiskStore, actorFor, type MapDocument } from '../map/index.js';
import type { Fact } from '../wire/facts.js';
import { systemClock, type Clock } from '../core/clock.js';
import { createLogger, type Logger } from '../core/log.js';
import { seededRandom } from '../core/random.js';
import { GossipNode } from '../gossip/engine.js';
import { wireCodec } from '../gossip/wire-codec.js';
import { linkFromSpec } from '../links/open.js';
import type { Link } from '../links/link.js';
import { loadProvisioning, signingKeyOf } from '../wire/keyring.js';
import { Authorship, memberAuthorship } from '../gossip/authorship.js';
import { ownChain } from '../wire/tesla.js';
import { openNodeSequences } from '../wire/sequence-file.js';
import { Vehicle } from '../vehicle/vehicle.js';
import { searchableCells } from '../sectors/index.js';
import { loadScenario, localPolygon, scenarioFrame } from '../mission/index.js';
import type { AgentConfig } from './config.js';
import { AgentConfigError } from './config.js';
import { DetectorSocket } from './detector-socket.js';
import { GossipLink } from './gossip-link.js';
import { searchGossipConfig } from './gossip-settings.js';
import { missionSearchSettings, rosterProblem } from './mission-settings.js';
import { SearchAgent, type Sensor } from './search-agent.js';

export interface RunningDrone {
  readonly agent: SearchAgent;
  readonly vehicle: Vehicle;
  readonly link: Link;
  readonly gossip: GossipNode;
  /** The situational map, on disk in dataDir/map: what this drone knows survives a crash or reboot. */
  readonly map: MapDocument;
  /** Resolves when the sortie ends (home, yielded, or stopped). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function startDrone(cfg: AgentConfig, opts: { clock?: Clock; log?: Logger } = {}): Promise<RunningDrone> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger({ level: cfg.logLevel });
  const mission = loadScenario(cfg.mission);
  const frame = scenarioFrame(mission);
  const { keyring, self, keyEpoch } = loadProvisioning(cfg.provisioning);
  if (!cfg.roster.includes(self.id)) throw new AgentConfigError(`this node (${self.id}) is not in the roster ${cfg.roster.join(',')}`);
  const otherRoster = rosterProblem(cfg.roster, mission, cfg.mission);
  if (otherRoster) throw new AgentConfigError(otherRoster);
  mkdirSync(cfg.dataDir, { recursive: true });
  const seqs = openNodeSequences(cfg.dataDir, undefined, { keyEpoch });
  const searchable = searchableCells(
    frame,
    mission.area.map((p) => localPolygon(frame, p)),
    mission.nofly.map((p) => localPolygon(frame, p)),
  );

  const link = await linkFromSpec(cfg.radio);
  link.on('state', (s) => log.info('radio', { link: link.name, from: s.from, to: s.to, reason: s.reason }));
  await link.open();
  const epochMs = frame.epoch * 1000;
  const gossipCfg = searchGossipConfig(self.id, mission.radio, cfg.roster.length);
  const startS = (clock.now() - epochMs) / 1000;
  // With authorship the drone signs attestations of its own facts; their seqs come from its fact sequence.
  const auth = cfg.authorship
    ? new Authorship(
        self.id,
        keyring,
        // key chains count from the swarm key's epoch: without one in the file, signatures only
        { signingKey: signingKeyOf(self), nextAttestSeq: () => seqs.facts.take(), ...(keyEpoch !== undefined && frame.epoch >= keyEpoch ? { chain: ownChain(self, keyring) } : {}) },
        memberAuthorship(gossipCfg, keyEpoch !== undefined ? frame.epoch - keyEpoch : 0),
        startS,
      )
    : undefined;
  const gossip = new GossipNode(
    gossipCfg,
    wireCodec({ self: self.id, keyring, nextCounter: () => seqs.packets.take(), maxPacketBytes: link.mtu }),
    seededRandom(`${self.id}/${clock.now()}`),
    startS,
    auth,
  );
  const vehicle = new Vehicle({ connection: cfg.fc, clock }).start();
  vehicle.telemetry.onLink((state) => log.info('flight controller', { link: state }));
  // An unreachable flight controller is said within seconds (the agent itself waits up to 2 minutes for it).
  let fcSilent = false;
  const fcWatch = clock.setInterval(() => {
    const up = vehicle.telemetry.state.link === 'connected';
    if (!up && !fcSilent) log.error('flight controller not answering: no heartbeat for 5 s; check the port, the cable and the baud rate (still trying)', { fc: cfg.fc });
    else if (up && fcSilent) log.info('flight controller answering', { fc: cfg.fc });
    fcSilent = !up;
  }, 5000);

  let detector: DetectorSocket | undefined;
  if (cfg.detector) {
    detector = new DetectorSocket(cfg.detector, frame, (why) => log.warn('detector line rejected', { why }));
    await detector.listen();
  }
  const sensor: Sensor = detector ?? { sweep: () => [] };

  // Every fact heard or made goes into the durable map before anything else happens with it.
  const { map, store } = DiskStore.open(join(cfg.dataDir, 'map'), actorFor(self.id, randomBytes(8)));
  const keep = (facts: readonly Fact[]) => {
    if (map.ingest(facts).length) store.flush(map);
  };

  let runner: GossipLink | undefined;
  const agent = new SearchAgent({
    self: self.id,
    roster: cfg.roster,
    frame,
    searchable,
    ...missionSearchSettings(mission, frame, cfg.roster.length),
    redivide: true,
    clock,
    vehicle,
    sensor,
    nextSeq: () => seqs.facts.take(),
    isOperator: (id) => keyring.isOperator(id),
    log: log.child('agent'),
    mesh: {
      publish: (f) => {
        keep([f]);
        runner?.publish(f);
      },
      liveMembers: () => [self.id, ...gossip.membership().filter((m) => m.state !== 'dead').map((m) => m.id)],
      suspectMembers: () => gossip.membership().filter((m) => m.state === 'suspect').map((m) => ({ id: m.id, heardS: m.heartbeat })),
    },
  });
  runner = new GossipLink({
    node: gossip,
    link,
    clock,
    epochMs,
    onActions: (a) => {
      if (a.learned.length) {
        keep(a.learned);
        agent.learn(a.learned);
      }
      if (a.membership.length) {
        agent.membershipChanged();
        for (const m of a.membership) log.info('member', { id: m.id, from: m.from, to: m.to });
      }
      for (const r of a.reports) log.warn('misbehaving sender', { report: r });
    },
    onError: (where, err) => log.error('gossip callback failed', { where, err: err as Error }),
  });
  // After a restart the agent starts from what the map already held (coverage, victims, orders).
  agent.learn([...map.facts()]);
  const done = agent.run().catch((err: unknown) => log.error('agent failed', { err: err as Error }));
  return {
    agent,
    vehicle,
    link,
    gossip,
    map,
    done,
    async stop() {
      clock.clearInterval(fcWatch);
      agent.stop();
      runner?.close();
      detector?.close();
      vehicle.close();
      await link.close();
      store.close();
    },
  };
}
