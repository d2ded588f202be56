/**
 * The end-to-end swarm simulator: N real search agents, each flying an in-process simulated ArduCopter over
 * MAVLink (src/sim/vehicle) and gossiping through a real gossip engine and the wire codec over the simulated
 * LoRa channel (src/sim/radio), in one process on one virtual clock. Seeded: a run is a function of the
 * scenario, the drone count and the seed. Scripted faults come from the scenario.
 */
import { sleep, VirtualClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { seededRandom } from '../../core/random.js';
import { createLogger, type Logger } from '../../core/log.js';
import type { AreaFrame, LocalPoint } from '../../wire/frame-of-reference.js';
import { toLatLon, toLocal } from '../../wire/frame-of-reference.js';
import { factKey, type Fact, type NodeId } from '../../wire/facts.js';
import { GossipNode } from '../../gossip/engine.js';
import { heartbeatEveryS, searchGossipConfig, stationGossipConfig } from '../../agent/gossip-settings.js';
import { missionSearchSettings } from '../../agent/mission-settings.js';
import { RadioMedium } from '../radio/medium.js';
import { DEFAULT_PROPAGATION, DEMOD_SNR_DB } from '../radio/propagation.js';
import { fixed, type Mobility } from '../radio/mobility.js';
import { GossipEndpoint, simIdentity, simKeyChain, simKeyring, simWireCodecs } from '../radio/swarm.js';
import { Authorship, memberAuthorship } from '../../gossip/authorship.js';
import { signingKeyOf } from '../../wire/keyring.js';
import { advance } from '../vehicle/virtual.js';
import { inProcessFleet, type Fleet, type FleetDrone, type FleetHome } from './fleet.js';
import { Vehicle } from '../../vehicle/vehicle.js';
import { SearchAgent } from '../../agent/search-agent.js';
import { SimulatedCamera, type Detection, type GroundVictim } from '../sensors/camera.js';
import type { GroundObservation } from '../../mission/detection.js';
import { launchPointIndex, searchableCells, pointInPolygon, type Polygon } from '../../sectors/index.js';
import { inOrNearZone, NOFLY_CLEARANCE_M } from '../../sectors/grid.js';
import { cellCentre } from '../../wire/frame-of-reference.js';
import { localPolygon, scenarioFrame, type Scenario } from '../scenario/index.js';
import { swarmReport, type SwarmReport, type RunRecord } from './report.js';
import { GossipMeshPort } from '../../gcs/gossip-mesh-port.js';
import { OrderDelivery } from '../../gcs/order-delivery.js';

/** The simulated ground station's node id. */
export const GCS_NODE_ID = 250;

export interface SimOptions {
  readonly scenario: Scenario;
  readonly drones: number;
  readonly seed: number;
  /** false: the pre-flight-plan baseline (sectors planned at take-off, never re-divided). */
  readonly redivide: boolean;
  /** Pace virtual time against wall time K× (undefined: as fast as possible). */
  readonly speedup?: number;
  readonly log?: Logger;
  readonly onProgress?: (simS: number, coveredPct: number) => void;
  /** Extra things to do every step (e.g. feed a ground station). */
  readonly onStep?: (world: SimWorld) => void;
  /**
   * Adds a ground-station node (id GCS_NODE_ID) on the simulated radio at the first launch point; the port
   * is handed over before the run starts, for a ground station to be started on it.
   */
  readonly groundStation?: (port: GossipMeshPort, clockMs: () => number, timers: Clock) => Promise<void> | void;
  /** Run to the scenario's time limit even after the search is done (benchmarks of a whole mission). */
  readonly untilEnd?: boolean;
  /** Receives the raw record of the run before it is summarised (for analysis and tests). */
  readonly inspect?: (record: RunRecord) => void;
  /**
   * External vehicles (ArduPilot SITL, or simulated ArduCopters over TCP) launched at these homes, one per
   * drone in id order; the run then goes in (scaled) real time. Default: in-process vehicles, virtual time.
   */
  readonly fleet?: (homes: readonly FleetHome[], startMs: number) => Promise<Fleet>;
  /**
   * Authorship (gossip/authorship.ts) on every node, as drones and the station run it with it on (agent
   * config "authorship", `murmur gcs --authorship`). Default off: see docs/wire.md for what it costs a swarm.
   */
  readonly authorship?: boolean;
}

export interface SimDrone {
  readonly id: NodeId;
  readonly body: FleetDrone;
  readonly vehicle: Vehicle;
  readonly gossip: GossipNode;
  readonly agent: SearchAgent;
  /** Takes the drone's radio off the air (a crash). */
  silence(): void;
  alive: boolean;
}

export interface SimWorld {
  readonly frame: AreaFrame;
  readonly clock: Clock;
  readonly medium: RadioMedium;
  readonly drones: readonly SimDrone[];
  readonly startMs: number;
}

const STEP_MS = 100;
/** An operator's zone counts against the swarm this long after it was drawn: time for the mesh to carry it and the drones to leave. */
export const OPERATOR_ZONE_GRACE_S = 60;

export async function runSimulation(opts: SimOptions): Promise<SwarmReport> {
  const sc = opts.scenario;
  const frame = scenarioFrame(sc);
  const root = seededRandom(`sim/${sc.name}/${opts.seed}`);
  const log = opts.log ?? createLogger({ level: 'warn' });
  const startMs = sc.frame.epoch * 1000;
  // drones at one launch point stand 6 m apart
  const atPoint = new Map<number, number>();
  const homes = Array.from({ length: opts.drones }, (_, i) => {
    const p = launchPointIndex(i, opts.drones, sc.launch.length);
    const nth = atPoint.get(p) ?? 0;
    atPoint.set(p, nth + 1);
    const launch = toLocal(frame, sc.launch[p]!.lat, sc.launch[p]!.lon);
    return toLatLon(frame, { x: launch.x + 6 * nth, y: launch.y });
  });
  const fleet = opts.fleet ? await opts.fleet(homes, startMs) : inProcessFleet(new VirtualClock(startMs));
  const clock = fleet.clock;
  const area = sc.area.map((p) => localPolygon(frame, p));
  const nofly = sc.nofly.map((p) => localPolygon(frame, p));
  const searchable = searchableCells(frame, area, nofly);
  const roster = Array.from({ length: opts.drones }, (_, i) => i + 1);
  const lora = { sf: sc.radio.sf, bw: sc.radio.bwHz, cr: sc.radio.cr - 4 };
  const medium = new RadioMedium(
    {
      lora,
      propagation: { ...DEFAULT_PROPAGATION, rangeM: sc.radio.medianRangeM, bandwidthHz: sc.radio.bwHz, demodSnrDb: DEMOD_SNR_DB[sc.radio.sf] ?? -12.5 },
      extraLoss: sc.radio.extraLoss,
      duty: { fraction: sc.radio.dutyCyclePct / 100, windowS: 3600 },
      lbtBackoffS: [0.05, 0.6],
    },
    root.fork('medium'),
  );
  // an operator drawing zones needs a station on the air, with or without a station's web map
  const withStation = !!opts.groundStation || sc.faults.some((f) => f.type === 'operator_zone');
  const codecs = simWireCodecs(opts.drones, withStation ? [GCS_NODE_ID] : []);
  // Authorship as drones and the station run it: each node's attestations signed with its simulated identity,
  // their seqs from its own fact sequence; the station is the operator.
  const authKeyring = !opts.authorship ? undefined : simKeyring([...roster, ...(withStation ? [GCS_NODE_ID] : [])], [GCS_NODE_ID]);
  const authorshipOf = (id: NodeId, cfg: ReturnType<typeof searchGossipConfig>, seq: () => number) =>
    authKeyring ? new Authorship(id, authKeyring, { signingKey: signingKeyOf(simIdentity(id)), nextAttestSeq: seq, chain: simKeyChain(id) }, memberAuthorship(cfg), 0) : undefined;
  // blocked roads and hazards the cameras report when they fly over them
  const ground: GroundObservation[] = [
    ...sc.truth.roads.map((r) => ({ kind: 'road' as const, path: r.path.map(([lon, lat]) => toLocal(frame, lat, lon)), severity: r.severity })),
    ...sc.truth.hazards.map((h) => ({ kind: 'hazard' as const, hazard: h.type, pos: toLocal(frame, h.lat, h.lon), radius: h.radiusM })),
  ];
  const victims: GroundVictim[] = sc.truth.victims.map((v, index) => ({ index, pos: toLocal(frame, v.lat, v.lon), count: v.count, condition: v.condition }));

  const rec: RunRecord = {
    frame,
    searchable,
    cellArea: frame.cellSize ** 2,
    sweepWidthM: sc.search.sweepWidthM,
    cruiseSpeedMps: sc.search.cruiseSpeedMps,
    victims: victims.map((v) => ({ index: v.index, pos: v.pos, inArea: area.some((p) => pointInPolygon(v.pos, p)) && !nofly.some((p) => pointInPolygon(v.pos, p)) })),
    area,
    nofly,
    operatorZones: [],
    closed: new Set(),
    priority: sc.priority.map((p) => localPolygon(frame, p.polygon)),
    sweeps: [],
    sweepAtS: [],
    coverage: [],
    detections: [],
    created: new Map(),
    learned: new Map(),
    flyingBySecond: [],
    airborne: new Map(),
    transitSpeedMps: sc.search.transitSpeedMps ?? sc.search.cruiseSpeedMps,
    noflyMs: 0,
    falseDeaths: 0,
    dronesLost: 0,
    endMs: startMs,
    startMs,
  };
  const mission = (ms: number) => (ms - startMs) / 1000;

  const seqs = new Map<NodeId, number>();
  const nextSeq = (id: NodeId) => () => {
    const s = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, s);
    return s;
  };
  const noteLearned = (id: NodeId, f: Fact, atS: number) => {
    if (f.kind === 'status') return;
    const k = factKey(f);
    let m = rec.learned.get(k);
    if (!m) rec.learned.set(k, (m = new Map()));
    if (!m.has(id)) m.set(id, atS);
  };

  const gossipConfig = (id: NodeId) => searchGossipConfig(id, sc.radio, opts.drones + (opts.groundStation ? 1 : 0));
  const drones: SimDrone[] = [];
  const radios: NodeId[] = [];
  let bytesOnAir = 0;
  const countBytes = (bytes: Uint8Array) => {
    bytesOnAir += bytes.length;
  };
  for (const id of roster) {
    const body = fleet.drone(id, homes[id - 1]!, opts.seed * 1000 + id);
    const vehicle = new Vehicle({ connection: body.connection, clock }).start();
    const home = homes[id - 1]!;
    const where = (): LocalPoint => {
      const s = body.truth(vehicle);
      return s ? toLocal(frame, s.lat, s.lon) : toLocal(frame, home.lat, home.lon);
    };
    const ownSeq = nextSeq(id);
    const gossip = new GossipNode(gossipConfig(id), codecs(id), root.fork(`gossip/${id}`), 0, authorshipOf(id, gossipConfig(id), ownSeq));
    const camera = new SimulatedCamera(
      { sweepWidthM: sc.search.sweepWidthM, detectionProbability: sc.search.detectionProbability, falsePositivesPerKm2: sc.search.falsePositivesPerKm2, positionErrorM: 3 },
      victims,
      root.fork(`camera/${id}`),
      ground,
    );
    // the drone's radio: gone (undefined) once it crashes
    let radio: GossipNode | undefined = gossip;
    const agent = new SearchAgent({
      self: id,
      roster,
      frame,
      searchable,
      ...missionSearchSettings(sc, frame, opts.drones),
      redivide: opts.redivide,
      clock,
      vehicle,
      // the camera sees only on search lanes: what it swept is what the report counts as seen
      sensor: { sweep: (a, b) => (rec.sweeps.push([a, b]), rec.sweepAtS.push(mission(clock.now())), camera.sweep(a, b)), observe: (a, b) => camera.observe(a, b) },
      nextSeq: ownSeq,
      isOperator: (o) => o === GCS_NODE_ID,
      log: log.child(`drone${id}`),
      mesh: {
        publish: (f) => {
          if (!radio) return;
          const nowS = mission(clock.now());
          if (f.kind !== 'status') rec.created.set(factKey(f), { fact: f, atS: nowS, origin: id });
          noteLearned(id, f, nowS);
          const a = radio.addLocal(f, nowS);
          for (const x of a.learned) noteLearned(id, x, nowS);
          medium.poke(id);
        },
        liveMembers: () => [id, ...(radio?.membership() ?? []).filter((m) => m.state !== 'dead').map((m) => m.id)],
        suspectMembers: () => (radio?.membership() ?? []).filter((m) => m.state === 'suspect').map((m) => ({ id: m.id, heardS: m.heartbeat })),
      },
      onDetection: (d: Detection, fact) => rec.detections.push({ truth: d.truth, atS: mission(clock.now()), fact: fact ? factKey(fact) : undefined, drone: id }),
      onCovered: (cells, atMs) => {
        for (const c of cells) rec.coverage.push({ cell: c, atS: mission(atMs), drone: id });
      },
    });
    const mobility: Mobility = { at: () => where() };
    const endpoint = new GossipEndpoint(gossip, where, countBytes, (a, nowS) => {
      for (const f of a.learned) noteLearned(id, f, nowS);
      if (a.learned.length) agent.learn(a.learned);
      if (a.membership.length) agent.membershipChanged();
      // a member declared dead while its drone still flies and talks: a false death
      for (const c of a.membership) if (c.to === 'dead' && drones[c.id - 1]?.alive) rec.falseDeaths++;
    });
    radios.push(id);
    medium.addNode(id, mobility, endpoint);
    drones.push({ id, body, vehicle, gossip, agent, alive: true, silence: () => (radio = undefined) });
  }

  let gcs: GossipMeshPort | undefined;
  // the operator's orders given without a station's web map (scripted faults), and how that ends
  let operatorGave: (facts: readonly Fact[]) => void = () => {};
  let stationClose = () => {};
  const stationTimers: TimerHandle[] = [];
  if (withStation) {
    const stationCfg = stationGossipConfig(GCS_NODE_ID, sc.radio, opts.drones + 1);
    const node = new GossipNode(stationCfg, codecs(GCS_NODE_ID), root.fork('gossip/gcs'), 0, authorshipOf(GCS_NODE_ID, stationCfg, nextSeq(GCS_NODE_ID)));
    const at = toLocal(frame, sc.launch[0]!.lat, sc.launch[0]!.lon);
    const port: GossipMeshPort = new GossipMeshPort(
      GCS_NODE_ID,
      node,
      (f) => {
        const nowS = mission(clock.now());
        if (f.kind !== 'status') rec.created.set(factKey(f), { fact: f, atS: nowS, origin: GCS_NODE_ID });
        noteLearned(GCS_NODE_ID, f, nowS);
        node.addLocal(f, nowS);
        medium.poke(GCS_NODE_ID);
      },
      () => mission(clock.now()),
      'simulated LoRa',
      undefined,
      undefined,
      (id) => {
        if (node.resend(id, mission(clock.now()))) medium.poke(GCS_NODE_ID);
      },
    );
    gcs = port;
    const endpoint = new GossipEndpoint(node, () => at, countBytes, (a, nowS) => {
      for (const f of a.learned) noteLearned(GCS_NODE_ID, f, nowS);
      port.heard(a.learned);
    });
    radios.push(GCS_NODE_ID);
    medium.addNode(GCS_NODE_ID, fixed(at), endpoint);
    if (opts.groundStation) await opts.groundStation(port, () => clock.now(), clock);
    else {
      // an operator without the station's web map still has its orders repeated until every drone answers
      const delivery = new OrderDelivery({
        timers: clock,
        resend: (id) => port.resend(id),
        drones: () => {
          const gone = new Set(node.membership().filter((m) => m.state === 'dead').map((m) => m.id));
          return roster.filter((id) => !gone.has(id));
        },
      });
      port.onFacts((facts) => delivery.heard(facts));
      operatorGave = (facts) => delivery.gave(facts);
      stationClose = () => delivery.close();
      // no station's web map, only an operator: the station's heartbeat (its status every 30 s, as Station does)
      const beat = () =>
        port.publish([{ kind: 'status', origin: GCS_NODE_ID, seq: nextSeq(GCS_NODE_ID)(), t: Math.max(0, Math.floor(mission(clock.now()))), pos: { x: Math.round(at.x), y: Math.round(at.y) }, alt: 0, battery: 100, mode: 0, armed: false, activity: 'ground_station', sector: -1, heading: 0 }]);
      beat();
      stationTimers.push(clock.setInterval(beat, 30_000));
    }
  }
  const world: SimWorld = { frame, clock, medium, drones, startMs };
  const kill = (d: SimDrone, why: string) => {
    if (!d.alive) return;
    d.alive = false;
    rec.dronesLost++;
    d.agent.stop();
    d.vehicle.close();
    d.body.crash();
    d.silence();
    medium.setEndpoint(d.id, undefined);
    log.warn('drone lost', { drone: d.id, why });
  };
  const faultTimers: TimerHandle[] = [];
  for (const f of sc.faults) {
    const atMs = 'atS' in f ? startMs + f.atS * 1000 : startMs + f.fromS * 1000;
    if ((f.type === 'crash' || f.type === 'battery_failure' || f.type === 'fc_reboot') && f.drone > opts.drones) continue;
    faultTimers.push(clock.setTimeout(() => {
      switch (f.type) {
        case 'crash':
          kill(drones[f.drone - 1]!, 'crash');
          break;
        case 'battery_failure':
          drones[f.drone - 1]!.body.batteryFailure(drones[f.drone - 1]!.vehicle);
          break;
        case 'fc_reboot':
          if (!drones[f.drone - 1]!.body.fcReboot(f.downS * 1000)) log.warn('flight-controller reboot cannot be injected', { fleet: fleet.kind });
          break;
        case 'radio_partition': {
          const group = new Map<number, number>();
          f.groups.forEach((g, i) => g.forEach((id) => group.set(id, i)));
          medium.linkFilter = (a, b, t) => t < f.fromS || t >= f.toS || group.get(a) === group.get(b) || !group.has(a) || !group.has(b);
          break;
        }
        case 'operator_zone': {
          // what the station publishes when an operator draws a zone on its page (Station.act 'nofly')
          const poly: Polygon = localPolygon(frame, f.polygon).map((ring) => ring.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) })));
          const nowS = mission(clock.now());
          rec.operatorZones.push({ polygon: poly, countFromS: nowS + OPERATOR_ZONE_GRACE_S });
          for (const c of searchable) if (inOrNearZone(cellCentre(frame, c), [poly], NOFLY_CLEARANCE_M)) rec.closed.add(c);
          const fact: Fact = { kind: 'area', origin: GCS_NODE_ID, seq: nextSeq(GCS_NODE_ID)(), t: Math.max(0, Math.floor(nowS)), role: 'nofly', rings: poly, priority: 1 };
          gcs?.publish([fact]);
          operatorGave([fact]);
          break;
        }
        case 'hostile_transmitter': {
          const id = 9000;
          medium.addNode(id, fixed(toLocal(frame, f.lat, f.lon)), undefined, true);
          const rnd = root.fork('hostile');
          const every = 60 / Math.max(0.001, f.packetsPerMin);
          const fire = () => {
            if (medium.now >= f.toS) return;
            medium.sendRaw(id, Uint8Array.from({ length: 20 + rnd.int(150) }, () => rnd.int(256)));
            medium.at(medium.now + every, fire);
          };
          medium.at(Math.max(medium.now, f.fromS), fire);
          break;
        }
      }
    }, atMs - startMs));
  }

  // a drone whose sortie is over (home, yielded, or its agent failed) flies again only if it is still in the air
  const sortieOver = new Set<NodeId>();
  for (const d of drones)
    void d.agent
      .run()
      .catch((err: unknown) => log.error('agent failed', { drone: d.id, err: err as Error }))
      .finally(() => sortieOver.add(d.id));

  // A scenario's zones count from the start, an operator's from OPERATOR_ZONE_GRACE_S after it was drawn.
  const inZone = (p: LocalPoint, nowS: number) =>
    nofly.some((z) => pointInPolygon(p, z)) || rec.operatorZones.some((z) => nowS >= z.countFromS && pointInPolygon(p, z.polygon));
  // Flight time accounting and the end condition: everything searched (or no drone able to fly) and the
  // swarm given a few minutes to spread the last facts, or the scenario's time limit.
  const searchableSet = new Set(searchable);
  const coveredByAnyone = new Set<number>();
  let coverageDoneAt: number | undefined;
  let lastProgress = 0;
  let seen = 0;
  const wallStart = Date.now();
  const endMs = startMs + sc.durationS * 1000;
  const graceMs = Math.max(240, 4 * heartbeatEveryS(sc.radio, opts.drones)) * 1000;
  while (clock.now() < endMs) {
    const next = clock.now() + STEP_MS;
    medium.run(mission(next));
    if (fleet.virtual) await advance(fleet.virtual, STEP_MS);
    else await sleep(clock, STEP_MS);
    for (const d of drones) {
      if (!d.alive) continue;
      const s = d.body.truth(d.vehicle);
      if (s?.flying) {
        const sec = Math.floor(mission(clock.now()));
        // search height reached: from here a drone could fly to the priority ground (priority_bound_s)
        if (!rec.airborne!.has(d.id) && (d.vehicle.telemetry.state.position?.relAlt ?? 0) >= 0.9 * sc.search.altitudeM)
          rec.airborne!.set(d.id, { atS: mission(clock.now()), pos: toLocal(frame, s.lat, s.lon) });
        rec.flyingBySecond[sec] = (rec.flyingBySecond[sec] ?? 0) + STEP_MS;
        if (inZone(toLocal(frame, s.lat, s.lon), mission(clock.now()))) rec.noflyMs += STEP_MS;
      }
    }
    opts.onStep?.(world);
    if (clock.now() - lastProgress >= 10_000) {
      lastProgress = clock.now();
      for (; seen < rec.coverage.length; seen++) {
        const e = rec.coverage[seen]!;
        if (searchableSet.has(e.cell)) coveredByAnyone.add(e.cell);
      }
      // cells an operator's zone closed are no longer to be searched
      const open = searchable.length - rec.closed.size;
      const coveredOpen = rec.closed.size ? [...coveredByAnyone].filter((c) => !rec.closed.has(c)).length : coveredByAnyone.size;
      const pct = (coveredOpen / Math.max(1, open)) * 100;
      opts.onProgress?.(mission(clock.now()), pct);
      // the search is over when every cell still open is covered, or when no drone can fly any more: all lost, or
      // back on the ground with their sorties over (a drone standing by in the air may still be handed a share)
      const canFly = drones.some((d) => d.alive && (!sortieOver.has(d.id) || d.body.truth(d.vehicle)?.flying === true));
      if (coverageDoneAt === undefined && (coveredOpen === open || !canFly)) coverageDoneAt = clock.now();
      // a grace period for the last facts to reach every map, and the drones to land: four heartbeats at least,
      // since a large roster's heartbeats (and the summaries that find a missing fact) come less often
      if (!opts.untilEnd && coverageDoneAt !== undefined && clock.now() - coverageDoneAt >= graceMs) break;
    }
    if (opts.speedup && fleet.virtual) {
      const due = wallStart + (clock.now() - startMs) / opts.speedup;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  rec.endMs = clock.now();
  for (const t of faultTimers) clock.clearTimeout(t);
  for (const t of stationTimers) clock.clearInterval(t);
  stationClose();
  const maxDuty = Math.max(0, ...radios.map((id) => medium.maxDutyFraction(id)));
  const liveIds = [...drones.filter((d) => d.alive).map((d) => d.id), ...(gcs ? [GCS_NODE_ID] : [])];
  for (const d of drones) d.agent.stop();
  for (const d of drones) {
    d.vehicle.close();
    d.body.crash();
  }
  await fleet.stop();
  opts.inspect?.(rec);
  return swarmReport(rec, { liveIds, maxDutyPct: maxDuty * 100, bytesOnAir, drones: opts.drones });
}
