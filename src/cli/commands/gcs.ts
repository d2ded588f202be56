/** `murmur gcs`: run a ground station (mesh node that never flies + live web map). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MISSION_RADIO, MissionFileError, parsePlan, type MissionPlan } from '../../mission/mission-file.js';
import type { GeoPolygon, Scenario } from '../../mission/types.js';
import type { BandSettings } from '../../agent/gossip-settings.js';
import type { Link } from '../../links/link.js';
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import type { AreaFrame } from '../../wire/frame-of-reference.js';
import type { TakeOffInput } from '../../sectors/index.js';
import { localMetres } from '../../wire/frame-of-reference.js';
import { LoopbackHub, type MeshPort } from '../../gcs/mesh-port.js';
import { projectRoot } from '../../core/project-root.js';
import { checkPort, listenError } from '../output.js';

const usage = `Usage: murmur gcs --radio <link> [--port 8080] --area <area.json> | --origin <lat,lon> [options]

Runs a ground station: joins the mesh as a node that never flies, keeps the situational map on disk,
and serves a live web map (works offline: every script and style is served locally).

  --radio <link>      mesh link: udp://<group-or-broadcast>:<port>, modem:<serial path> (LoRa modem
                      firmware), meshtastic:<serial path>, or "loopback" (in-process, for trying it out)
  --keys <file>       this station's provisioning file (murmur keys); required for a radio link
  --node <id>         node id with --radio loopback (a radio link takes it from --keys)
  --port <n>          web port (default 8080)
  --host <addr>       address to listen on (default 127.0.0.1; 0.0.0.0 to serve other devices)
  --allow-host <name> a name (not an IP) browsers reach the station by, e.g. gcs.local (repeatable);
                      requests for any other name are refused (DNS rebinding)
  --data <dir>        data directory: map document, sequence numbers, sync storage (default .murmur/gcs)
  --plan <file>       mission plan (murmur mission create): its frame, and its areas, zones and launch
                      points published as the mission's first version when the map holds no mission yet
  --area <file>       area frame JSON: {"originLat","originLon","epoch","cellSize","cols"}
  --origin <lat,lon>  area origin instead of --area (with --epoch, --cell, --cols)
  --epoch <s>         mission epoch, Unix seconds (default: today 00:00 UTC)
  --cell <m>          coverage cell side in metres (default 55, as the shipped scenarios)
  --cols <n>          coverage cell columns (default 200)
  --basemap <path>    a .pmtiles file or a {z}/{x}/{y} tile folder shown under the layers
  --maps <dir>        folder of GeoJSON layers of the area (roads, buildings, boundary)
  --mission <name>    share the map with other ground stations of this mission over IP
  --peer <ws-url>     another station to sync with, with that station's operator token:
                      ws://10.0.0.2:8080/sync?token=<token> (repeatable)
  --tak <target>      stream CoT to tcp://host:8087 (TAK server) or udp://239.2.3.1:6969 (ATAK multicast)
  --status-every <s>  own status heartbeat period, seconds (default 30)
  --demo <n>          with --radio loopback: n simulated drones fly the area (to try the station out)
  --authorship        sign the station's facts and use the drones' only once proven (docs/wire.md); the
                      drones run with "authorship": true alike

At start the station prints two addresses: the operator's (may act) and a viewer's (can only look). Each
carries its token after "#token="; give them only to the people meant to use them. The tokens derive from
the station's key file (--keys), or without one from a secret made once in the data directory.`;

/** A file a user named on the command line, or a one-line error saying which flag and why. */
function readUserFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder, not a file' : (err as Error).message}`);
  }
}

function readFrame(values: Record<string, unknown>, plan: MissionPlan | undefined): AreaFrame {
  if (plan) return plan.frame;
  if (typeof values.area === 'string') {
    let f: Partial<AreaFrame>;
    try {
      f = JSON.parse(readUserFile(values.area, 'area')) as Partial<AreaFrame>;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--area ${values.area}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof f !== 'object' || f === null) throw new UsageError(`--area ${values.area}: expected a JSON object {"originLat","originLon","epoch","cellSize","cols"}`);
    for (const k of ['originLat', 'originLon', 'epoch', 'cellSize', 'cols'] as const)
      if (typeof f[k] !== 'number') throw new UsageError(`${values.area}: "${k}" must be a number`);
    return f as AreaFrame;
  }
  if (typeof values.origin !== 'string') throw new UsageError(`give --area <file> or --origin <lat,lon>\n\n${usage}`);
  const [lat, lon] = values.origin.split(',').map(Number);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) throw new UsageError(`--origin expects lat,lon, got "${values.origin}"`);
  const today = Math.floor(Date.now() / 86_400_000) * 86_400;
  return {
    originLat: lat!, originLon: lon!,
    epoch: numberFlag(values.epoch as string | undefined, 'epoch', today),
    cellSize: numberFlag(values.cell as string | undefined, 'cell', 55),
    cols: numberFlag(values.cols as string | undefined, 'cols', 200),
  };
}

/**
 * The station's seat in the mesh: the loopback (with demo drones) or a gossip node on a radio link, run with
 * the station's gossip settings for the mission's band (`band`), as the simulator runs its station.
 */
export async function openMesh(
  radio: string, keysFile: string | undefined, dataDir: string, frame: AreaFrame, loopbackNode: number, demo: number, authorship: boolean, band: BandSettings,
): Promise<{ mesh: MeshPort; node: number; stop?: () => void; secret?: Uint8Array; swarm?: string; factSequence?: { take(): number } }> {
  if (radio === 'loopback') {
    if (authorship) throw new UsageError('--authorship needs a radio link and --keys (loopback has no identities)');
    const hub = new LoopbackHub();
    const mesh = hub.port(loopbackNode);
    if (demo <= 0) return { mesh, node: loopbackNode };
    const { startDemoDrone } = await import('../../gcs/demo-drone.js');
    const stops = Array.from({ length: demo }, (_, i) => startDemoDrone(hub.port(100 + i), frame, 100 + i, i + 1));
    return { mesh, node: loopbackNode, stop: () => stops.forEach((s) => s()) };
  }
  if (demo > 0) throw new UsageError('--demo only goes with --radio loopback');
  if (authorship && !keysFile) throw new UsageError('--authorship needs --keys <provisioning file> (the station signs with its identity)');
  if (!keysFile) throw new UsageError(`--radio ${radio} needs --keys <provisioning file>`);
  const { loadProvisioning } = await import('../../wire/keyring.js');
  const { openNodeSequences } = await import('../../wire/sequence-file.js');
  const { GossipNode } = await import('../../gossip/engine.js');
  const { stationGossipConfig } = await import('../../agent/gossip-settings.js');
  const { Authorship, memberAuthorship } = await import('../../gossip/authorship.js');
  const { ownChain } = await import('../../wire/tesla.js');
  const { signingKeyOf } = await import('../../wire/keyring.js');
  const { wireCodec } = await import('../../gossip/wire-codec.js');
  const { GossipLink } = await import('../../agent/gossip-link.js');
  const { GossipMeshPort } = await import('../../gcs/gossip-mesh-port.js');
  const { systemClock } = await import('../../core/clock.js');
  const { seededRandom } = await import('../../core/random.js');
  if (!existsSync(keysFile)) throw new UsageError(`--keys ${keysFile}: no such file (make one with murmur keys export)`);
  const { keyring, self, swarm, keyEpoch } = loadProvisioning(keysFile);
  // Agents act on commands from operators only: a drone's identity would command nothing.
  if (self.role !== 'operator') throw new UsageError(`${keysFile}: node ${self.id} is a ${self.role}; a ground station needs an operator identity (murmur keys add --role operator)`);
  const { linkFromSpec, LinkSpecError, LINK_SPEC_HELP } = await import('../../links/open.js');
  let link: Link;
  try {
    link = await linkFromSpec(radio);
  } catch (err) {
    if (err instanceof LinkSpecError) throw new UsageError(`--radio ${radio}: expected ${LINK_SPEC_HELP} or loopback`);
    throw err;
  }
  // The device's state, said at once on the terminal and shown on the page: a radio that cannot be opened
  // is retried, but the operator must know that nothing is going out.
  const health: { up: boolean; error?: string; lastHeardMs?: number } = { up: false };
  link.on('state', (e) => {
    const was = health.error;
    health.up = e.to === 'up';
    if (health.up) delete health.error;
    else health.error = e.reason;
    // said once per new reason, not at every retry
    if (e.to === 'up' && was) console.error(`radio ${link.name}: up`);
    else if (e.to === 'down' && e.reason !== was) console.error(`radio ${link.name}: cannot use the device: ${e.reason} (retrying in the background)`);
  });
  link.on('packet', (p) => (health.lastHeardMs = p.receivedAt));
  await link.open();
  if (link.state !== 'up' && !health.error) console.error(`radio ${link.name}: not up (${link.state})`);
  mkdirSync(dataDir, { recursive: true });
  // one sequence per file: the station's facts and its attestations share the fact sequence
  const seqs = openNodeSequences(dataDir, undefined, { keyEpoch });
  const packetCounter = seqs.packets;
  // The station is one more gossip node: it relays, repairs and tracks membership like a drone.
  const epochMs = frame.epoch * 1000;
  const nowS = () => (Date.now() - epochMs) / 1000;
  // heartbeats, failure detection and order repeats paced to the band, as the drones' (gossip-settings.ts)
  const gossipCfg = stationGossipConfig(self.id, band, keyring.members.length);
  const node = new GossipNode(
    gossipCfg,
    wireCodec({ self: self.id, keyring, nextCounter: () => packetCounter.take(), maxPacketBytes: link.mtu }),
    seededRandom(`${self.id}/${Date.now()}`),
    nowS(),
    authorship
      ? new Authorship(
          self.id,
          keyring,
          // key chains count from the swarm key's epoch: without one in the file, signatures only
          { signingKey: signingKeyOf(self), nextAttestSeq: () => seqs.facts.take(), ...(keyEpoch !== undefined && epochMs / 1000 >= keyEpoch ? { chain: ownChain(self, keyring) } : {}) },
          memberAuthorship(gossipCfg, keyEpoch !== undefined ? epochMs / 1000 - keyEpoch : 0),
          nowS(),
        )
      : undefined,
  );
  let port: InstanceType<typeof GossipMeshPort> | undefined;
  const runner = new GossipLink({ node, link, clock: systemClock, epochMs, onActions: (a) => port?.heard(a.learned) });
  port = new GossipMeshPort(self.id, node, (f) => runner.publish(f), nowS, link.name, async () => {
    runner.close();
    await link.close();
  }, () => ({ ...health }), (id) => runner.resend(id));
  return { mesh: port, node: self.id, secret: self.secretKey, swarm, factSequence: seqs.facts };
}

/**
 * A data directory belongs to one mission (one area frame): started again with another, the station would
 * show the old mission's facts at the wrong places. The first start records the frame; a later start with
 * another frame is refused.
 */
function bindDataDir(dataDir: string, frame: AreaFrame, epochDefaulted: boolean): AreaFrame {
  const file = join(dataDir, 'frame.json');
  const same = (a: AreaFrame, b: AreaFrame) =>
    Math.abs(a.originLat - b.originLat) < 1e-9 && Math.abs(a.originLon - b.originLon) < 1e-9 && a.epoch === b.epoch && a.cellSize === b.cellSize && a.cols === b.cols;
  if (existsSync(file)) {
    let held: AreaFrame;
    try {
      held = JSON.parse(readFileSync(file, 'utf8')) as AreaFrame;
    } catch {
      throw new UsageError(`${file} is damaged: move the data directory aside or give another --data`);
    }
    if (epochDefaulted && same(held, { ...frame, epoch: held.epoch })) return held;
    if (!same(held, frame))
      throw new UsageError(
        `data directory ${dataDir} belongs to another mission (origin ${held.originLat},${held.originLon}, epoch ${held.epoch}, ${held.cellSize} m cells × ${held.cols}): give another --data for this one`,
      );
    return held;
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(frame) + '\n');
  return frame;
}

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values } = parseFlags(
      args,
      {
        radio: { type: 'string' }, keys: { type: 'string' }, node: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
        data: { type: 'string' }, area: { type: 'string' }, origin: { type: 'string' }, epoch: { type: 'string' },
        cell: { type: 'string' }, cols: { type: 'string' }, basemap: { type: 'string' }, maps: { type: 'string' },
        mission: { type: 'string' }, peer: { type: 'string', multiple: true }, tak: { type: 'string' },
        'status-every': { type: 'string' }, demo: { type: 'string' }, authorship: { type: 'boolean' }, plan: { type: 'string' }, 'allow-host': { type: 'string', multiple: true },
      },
      usage,
    );
    if (!values.radio) throw new UsageError(`--radio is required\n\n${usage}`);
    const port = checkPort(numberFlag(values.port, 'port', 8080));
    const demo = numberFlag(values.demo, 'demo', 0);
    let mapsDir = values.maps;
    let plan: MissionPlan | undefined;
    /** The plan as every drone's mission: search and radio settings, and the roster when it names one. */
    let mission: Scenario | undefined;
    if (values.plan) {
      const text = readUserFile(values.plan, 'plan');
      const { parseScenario, ScenarioError } = await import('../../mission/index.js');
      try {
        plan = parsePlan(text, values.plan);
        mission = parseScenario(JSON.parse(text), values.plan);
      } catch (err) {
        throw err instanceof MissionFileError || err instanceof ScenarioError ? new UsageError(err.message) : err;
      }
    }
    let frame: AreaFrame;
    let band: BandSettings = mission?.radio ?? DEFAULT_MISSION_RADIO;
    if (demo > 0 && values.area === undefined && values.origin === undefined && !plan) {
      // Trying the station out: the demo town's area and its streets, as `murmur demo` flies.
      const root = projectRoot(import.meta.url);
      const { loadScenario, scenarioFrame } = await import('../../mission/index.js');
      const town = loadScenario(join(root, 'maps', 'scenarios', 'earthquake-town.json'));
      band = town.radio;
      frame = scenarioFrame(town);
      mapsDir ??= join(root, 'maps', 'earthquake-town');
      console.log('no --area: the demo drones fly over the demo town (maps/scenarios/earthquake-town.json)');
    } else frame = readFrame(values, plan);
    const dataDir = values.data ?? '.murmur/gcs';
    // without --epoch (today by default) a restart on another day keeps the mission's own epoch
    frame = bindDataDir(dataDir, frame, !plan && values.area === undefined && values.origin !== undefined && values.epoch === undefined);
    const opened = await openMesh(values.radio, values.keys, dataDir, frame, numberFlag(values.node, 'node', 1), demo, values.authorship === true, band);
    // the sectors the drones fly, when the mission names its drones (murmur mission create --roster)
    let sectors: TakeOffInput | undefined;
    if (mission?.roster) {
      const { missionTakeOff } = await import('../../agent/mission-settings.js');
      sectors = missionTakeOff(mission, frame, mission.roster);
    } else if (mission) console.log(`${values.plan} names no drones: the map shows no sector outlines (make the plan with murmur mission create --roster <ids>)`);
    const node = opened.node;
    const { startGroundStation } = await import('../../gcs/ground-station.js');
    const { MissionMismatchError } = await import('../../gcs/mission-binding.js');
    const { StationSecretError } = await import('../../gcs/access.js');
    const gcs = await startGroundStation({
      nodeId: node,
      frame,
      dataDir,
      mesh: opened.mesh,
      port,
      statusEveryMs: numberFlag(values['status-every'], 'status-every', 30) * 1000,
      position: localMetres(frame, frame.originLat, frame.originLon),
      ...(values.host ? { host: values.host } : {}),
      ...(values.basemap ? { basemap: values.basemap } : {}),
      ...(mapsDir ? { mapsDir } : {}),
      ...(values.mission ? { mission: values.mission } : {}),
      ...(values.peer ? { peers: values.peer } : {}),
      ...(values.tak ? { tak: values.tak } : {}),
      ...(opened.secret ? { secret: opened.secret } : {}),
      ...(opened.swarm ? { swarm: opened.swarm } : {}),
      ...(values['allow-host'] ? { allowedHosts: values['allow-host'] } : {}),
      ...(opened.factSequence ? { factSequence: opened.factSequence } : {}),
      ...(sectors ? { sectors } : {}),
    }).catch(async (err: unknown) => {
      opened.stop?.();
      await opened.mesh.close();
      if (err instanceof MissionMismatchError || err instanceof StationSecretError) throw new UsageError(err.message);
      throw listenError(err, port) ?? err;
    });
    if (plan && !gcs.station.map.state().mission) {
      const ring = (g: GeoPolygon) => g.coordinates.map((r) => r.map(([lon, lat]) => [lon, lat] as [number, number]));
      const facts = gcs.station.publishMission(
        [
          ...plan.area.map((g) => ({ role: 'search' as const, rings: ring(g) })),
          ...plan.nofly.map((g) => ({ role: 'nofly' as const, rings: ring(g) })),
          ...plan.priority.map((p) => ({ role: 'priority' as const, rings: ring(p.polygon), priority: p.weight })),
        ],
        plan.launch.map((l) => [l.lon, l.lat] as [number, number]),
      );
      console.log(`mission "${plan.name}" published: ${facts.length - 1} areas and the mission fact ${facts[facts.length - 1]!.origin}:${facts[facts.length - 1]!.seq}`);
    }
    console.log(`ground station node ${node} (${gcs.station.map.size} facts on disk)`);
    console.log(`  operator (may act): ${gcs.url}`);
    console.log(`  viewer (can only look): ${gcs.viewerUrl}`);
    if (gcs.sync) console.log(`  IP sync for other stations: ${gcs.baseUrl.replace('http', 'ws')}sync?token=${gcs.tokens.operator}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    opened.stop?.();
    await gcs.close();
    return 0;
  },
};
