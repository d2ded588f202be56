/**
 * `murmur bench gossip`: Murmur's gossip against Meshtastic-style managed flooding on the same simulated
 * channel, from the same seeds. N = 10, 50, 100 drones moving in 5 km × 5 km (random waypoint), ~1.5 km
 * median range, 20% extra random loss, SF9 / 125 kHz, EU868 1% duty cycle, one simulated hour, one status
 * fact per node every 30 s plus 200 victim/road facts injected at random nodes and times, and one node
 * crashing at 12 minutes (failure detection). Plus a partition scenario (two groups apart for 25 minutes), one
 * node back from a partition, and a reboot scenario, for heal time and anti-entropy efficiency. A full
 * (non-quick) run also writes the plot, docs/img/gossip.svg.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Benchmark, BenchOptions } from '../src/cli/commands/bench.js';
import { seededRandom } from '../src/core/random.js';
import { figures, type SwarmFigures } from '../src/sim/radio/metrics.js';
import { fixed } from '../src/sim/radio/mobility.js';
import { runSwarm, simWireCodecs, type SwarmResult, type SwarmScenario } from '../src/sim/radio/swarm.js';
import { SF9_125, type LoraParams } from '../src/gossip/airtime.js';
import { fairFloodingConfig } from '../src/sim/flooding/managed-flooding.js';
import { LESS_KIND_CHANNEL } from '../src/sim/radio/medium.js';
import { AIRBORNE_PROPAGATION } from '../src/sim/radio/propagation.js';
import { antiEntropyFloor, factAirtimeLog, victimBound } from './gossip-measure.js';
import { decodeControl, recordSize } from '../src/gossip/control.js';
import { factKey, type Fact } from '../src/wire/facts.js';
import { gossipPlotSvg } from './gossip-plot.js';
import { projectRoot } from '../src/core/project-root.js';

/**
 * The protocols compared, all on the same offered load (a status fact per node every 30 s handed to the protocol,
 * the same victims and roads at the same nodes and times, the same crash):
 * - `murmur`: the gossip engine;
 * - `flooding-fair`: Meshtastic's managed flooding with its background-traffic rules (own status at most every
 *   300 s, skipped past half the duty allowance or 25% channel use), slot 2.5·T_sym + 7.6 ms, 16-symbol
 *   preamble, hop limit 3 (the firmware's default); `flooding-fair-hop7`: the same at hop limit 7;
 *   `flooding-fair-10pct`: the same on the 869.4–869.65 MHz sub-band (10% duty cycle);
 * - `flooding-stress`: the earlier baseline, flooding every status offered (every 30 s): it saturates.
 */
export type BenchProtocol = 'murmur' | 'flooding-fair' | 'flooding-fair-hop7' | 'flooding-fair-10pct' | 'flooding-stress';
/** `default`: the channel of the figures so far; `less-kind`: LESS_KIND_CHANNEL; `airborne`: free-space propagation. */
export type BenchChannel = 'default' | 'less-kind' | 'airborne';

type Row = { protocol: BenchProtocol; n: number; channel: BenchChannel; hop_limit: number | null; duty_pct: number } & SwarmFigures & ReturnType<typeof extraFigures>;

const MESHTASTIC_LORA: LoraParams = { ...SF9_125, preamble: 16 };

export function scenario(protocol: BenchProtocol | 'flooding', n: number, seed: number, durationS: number, durableFacts: number, channel: BenchChannel = 'default'): SwarmScenario {
  const r = seededRandom(`bench-gossip/${seed}/${n}`);
  const facts = Array.from({ length: durableFacts }, () => ({
    at: r.range(60, durationS - 300),
    node: 1 + r.int(n),
    kind: r.chance(0.5) ? ('victim' as const) : ('road' as const),
  }));
  const crashes = [{ node: 1 + r.int(n), at: durationS * 0.2 }];
  const base: SwarmScenario = {
    protocol: protocol === 'murmur' ? 'murmur' : 'flooding', seed: `${seed}/${n}`, n, durationS, extraLoss: 0.2, facts, crashes, statusEveryS: 30,
    ...(channel === 'less-kind' ? { harsh: LESS_KIND_CHANNEL } : channel === 'airborne' ? { propagation: AIRBORNE_PROPAGATION } : {}),
  };
  if (protocol === 'murmur' || protocol === 'flooding' || protocol === 'flooding-stress') return base;
  return {
    ...base,
    lora: MESHTASTIC_LORA,
    ...(protocol === 'flooding-fair-10pct' ? { duty: { fraction: 0.1, windowS: 3600 } } : {}),
    floodingConfig: (c) => fairFloodingConfig({ ...c, hopLimit: protocol === 'flooding-fair-hop7' ? 7 : 3 }),
  };
}

/** The figures for one run: airtime per victim/road, its bound, airtime per node-hour. */
function extraFigures(res: SwarmResult, log: ReturnType<typeof factAirtimeLog>, bound: ReturnType<typeof victimBound>) {
  const f = figures(res);
  const a = log.figures(res);
  return {
    airtime_per_victim_fact_s: a.airtime_per_victim_fact_s,
    bound_per_victim_fact_s: bound.bound_per_victim_fact_s,
    airtime_over_bound: bound.bound_per_victim_fact_s ? a.airtime_per_victim_fact_s / bound.bound_per_victim_fact_s : null,
    bound_transmissions_per_victim_fact: bound.bound_transmissions_per_victim_fact,
    packets_per_victim_fact: a.packets_per_victim_fact,
    airtime_per_node_hour_s: f.airtime_total_s / (res.scenario.n * (res.scenario.durationS / 3600)),
  };
}

/**
 * One row: the protocol on the scenario, with the issue's figures. The bound depends on the topology alone (the
 * same seeds give every protocol the same movement, shadowing, facts and crash), so a bound computed from one
 * protocol's run is passed on to the others'.
 */
export function benchRow(protocol: BenchProtocol, n: number, seed: number, durationS: number, durableFacts: number, channel: BenchChannel, bound?: ReturnType<typeof victimBound>) {
  const sc = scenario(protocol, n, seed, durationS, durableFacts, channel);
  const log = factAirtimeLog(n, sc.lora ?? SF9_125);
  const res = runSwarm({ ...sc, onTransmit: log.onTransmit });
  // at N = 100 the bound is the mean over every 4th victim/road (a programme per fact takes ~0.1 s there)
  const b = bound ?? victimBound(res, SF9_125, n > 50 ? 4 : 1);
  const row = round({
    protocol, n, channel,
    hop_limit: protocol === 'murmur' ? null : protocol === 'flooding-fair-hop7' ? 7 : 3,
    duty_pct: (sc.duty?.fraction ?? 0.01) * 100,
    ...figures(res),
    ...extraFigures(res, log, b),
  });
  return { row, bound: b, res };
}

/**
 * Every packet sent from `from` on, as an observer holding the swarm key reads it: its facts, and the bytes of
 * its digest and HAVE records (the anti-entropy control).
 */
function antiEntropyLog(n: number, from: number) {
  const observer = simWireCodecs(n, [999])(999);
  const sent: { id: number; at: number; facts: Fact[]; aeControl: number; bytes: number }[] = [];
  const onTransmit = (id: number, bytes: Uint8Array, at: number) => {
    if (at < from) return;
    const o = observer.open(bytes);
    if (!o.ok) return;
    let aeControl = 0;
    const c = o.value.payload.control ? decodeControl(o.value.payload.control) : undefined;
    if (c?.ok) for (const rec of c.value) if (rec.type === 'odg' || rec.type === 'have') aeControl += recordSize(rec);
    sent.push({ id, at, facts: [...o.value.payload.facts], aeControl, bytes: bytes.length });
  };
  return { observer, sent, onTransmit };
}

/**
 * Every byte of every packet sent because of the repair, until `until`: whole packets (seal, time, every record)
 * that carry a missing fact or a digest or HAVE record.
 */
function wholePacketBytes(sent: ReturnType<typeof antiEntropyLog>['sent'], missing: ReadonlyMap<string, number>, until: number): number {
  let whole = 0;
  for (const p of sent) {
    if (p.at > until) continue;
    if (p.aeControl > 0 || p.facts.some((f) => missing.has(factKey(f)))) whole += p.bytes;
  }
  return whole;
}

/** The measure: whole packets on air over the scenario's floor (`antiEntropyFloor`). */
function overFloor(whole: number, floor: ReturnType<typeof antiEntropyFloor>) {
  return {
    whole_packet_bytes: whole,
    ...floor,
    whole_packets_over_floor: floor.floor_bytes > 0 ? +(whole / floor.floor_bytes).toFixed(3) : null,
  };
}

/** What was missing, and the bytes of the missing facts and of digests and HAVE lists sent until `until`. */
function antiEntropyFigures(sent: ReturnType<typeof antiEntropyLog>['sent'], missing: ReadonlyMap<string, number>, until: number) {
  let bytes = 0;
  for (const p of sent) {
    if (p.at > until) continue;
    for (const f of p.facts) bytes += missing.get(factKey(f)) ?? 0;
    bytes += p.aeControl;
  }
  const missingBytes = [...missing.values()].reduce((a, b) => a + b, 0);
  return {
    missing_facts: missing.size,
    missing_bytes: missingBytes,
    antientropy_bytes: bytes,
    antientropy_bytes_over_missing_bytes: missingBytes ? +(bytes / missingBytes).toFixed(3) : null,
  };
}

/**
 * Two groups of 8 out of each other's reach for 25 minutes, creating facts; then links come back.
 * Anti-entropy bytes are attributed packet by packet after the heal: the bytes of facts that were missing
 * across the partition, plus every digest and HAVE record (ODG, HAVE) sent after the heal. Missing bytes:
 * each fact one side lacked at the heal, counted once for that side.
 */
export function partition(seed: number) {
  const healAt = 1500;
  const side = (id: number) => (id <= 8 ? 0 : 1);
  const r = seededRandom(`bench-gossip-partition/${seed}`);
  const facts = Array.from({ length: 24 }, (_, i) => ({ at: 300 + i * 45, node: 1 + r.int(16), kind: i % 2 ? ('road' as const) : ('victim' as const) }));
  const log = antiEntropyLog(16, healAt);
  const { observer, sent } = log;
  const res = runSwarm({
    protocol: 'murmur', seed: `partition/${seed}`, n: 16, durationS: 3600, extraLoss: 0.2, facts,
    mobility: (id) => fixed({ x: 400 + ((id - 1) % 4) * 650, y: 400 + side(id) * 1300 + (Math.floor((id - 1) / 4) % 2) * 650 }),
    link: (a, b, t) => t >= healAt || side(a) === side(b),
    onTransmit: log.onTransmit,
  });
  const missing = new Map<string, number>(); // fact key → bytes
  let missingBytes = 0;
  let healedAt = healAt;
  const unhealed: string[] = [];
  const sides = [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]];
  const groups = sides.map((holders, i) => ({ holders, lacking: sides[1 - i]!, facts: [] as Fact[] }));
  for (const c of res.created) {
    if (c.fact.kind === 'status' || c.at >= healAt) continue;
    const other = side(c.fact.origin) === 0 ? [9, 10, 11, 12, 13, 14, 15, 16] : [1, 2, 3, 4, 5, 6, 7, 8];
    const learned = res.learned.get(factKey(c.fact));
    if (!other.some((id) => (learned?.get(id) ?? Infinity) >= healAt)) continue;
    groups[side(c.fact.origin)]!.facts.push(c.fact);
    const size = observer.sizeOfFact(c.fact);
    missing.set(factKey(c.fact), size);
    missingBytes += size;
    for (const id of other) {
      const t = learned?.get(id);
      if (t === undefined) unhealed.push(`${factKey(c.fact)}@${id}`);
      else healedAt = Math.max(healedAt, t);
    }
  }
  let aeBytes = 0;
  let repairBytes = 0;
  let crossingBytes = 0;
  let controlBytes = 0;
  for (const p of sent) {
    if (p.at > healedAt) continue;
    for (const f of p.facts) {
      const size = missing.get(factKey(f)) ?? 0;
      repairBytes += size;
      // sent from the side that held it all along: the fact crossing; else spreading inside the side that lacked it
      if (side(p.id) === side(f.origin)) crossingBytes += size;
    }
    controlBytes += p.aeControl;
  }
  aeBytes = repairBytes + controlBytes;
  return {
    heal_s: unhealed.length === 0 ? +(healedAt - healAt).toFixed(1) : null,
    unhealed_pairs: unhealed.length,
    missing_facts: missing.size,
    missing_bytes: missingBytes,
    antientropy_bytes: aeBytes,
    antientropy_fact_bytes: repairBytes,
    antientropy_crossing_fact_bytes: crossingBytes,
    antientropy_spreading_fact_bytes: repairBytes - crossingBytes,
    antientropy_control_bytes: controlBytes,
    antientropy_bytes_over_missing_bytes: missingBytes ? +(aeBytes / missingBytes).toFixed(3) : null,
    /** The same without the spreading inside each side (digests, requests and the facts crossing only). */
    crossing_bytes_over_missing_bytes: missingBytes ? +((crossingBytes + controlBytes) / missingBytes).toFixed(3) : null,
    ...overFloor(wholePacketBytes(sent, missing, healedAt), antiEntropyFloor(res, healAt, groups)),
    delivered_all: figures(res).delivery_ratio,
  };
}

/**
 * A node that reboots with empty memory after 20 minutes down, in a 3 × 3 grid (700 m spacing) at 20% loss:
 * how long until it holds every fact, and the bytes spent on it (facts it lacked, sent by anyone after its
 * reboot, plus digests and HAVE lists) over the bytes of what it lacked.
 */
export function reboot(seed: number) {
  const downAt = 600;
  const upAt = 1800;
  const r = seededRandom(`bench-gossip-reboot/${seed}`);
  const facts = Array.from({ length: 30 }, (_, i) => ({ at: 60 + i * 55, node: [1, 2, 3, 4, 6, 7, 8, 9][r.int(8)]!, kind: i % 2 ? ('road' as const) : ('victim' as const) }));
  const log = antiEntropyLog(9, upAt);
  const { observer, sent } = log;
  const res = runSwarm({
    protocol: 'murmur', seed: `reboot/${seed}`, n: 9, durationS: 3600, extraLoss: 0.2, facts,
    mobility: (id) => fixed({ x: 500 + ((id - 1) % 3) * 700, y: 500 + Math.floor((id - 1) / 3) * 700 }),
    crashes: [{ node: 5, at: downAt, rebootAt: upAt }],
    onTransmit: log.onTransmit,
  });
  const missing = new Map<string, number>();
  let caughtUpAt = upAt;
  let stillMissing = 0;
  const lacked: Fact[] = [];
  for (const c of res.created) {
    if (c.fact.kind === 'status' || c.at >= upAt) continue;
    missing.set(factKey(c.fact), observer.sizeOfFact(c.fact));
    lacked.push(c.fact);
    const t = res.learned.get(factKey(c.fact))?.get(5);
    if (t === undefined || t < upAt) {
      if (!res.gossip.get(5)!.knows(c.fact)) stillMissing++;
    } else caughtUpAt = Math.max(caughtUpAt, t);
  }
  return {
    catch_up_s: stillMissing === 0 ? +(caughtUpAt - upAt).toFixed(1) : null,
    still_missing: stillMissing,
    ...antiEntropyFigures(sent, missing, caughtUpAt),
    ...overFloor(wholePacketBytes(sent, missing, caughtUpAt), antiEntropyFloor(res, upAt, [{ holders: [1, 2, 3, 4, 6, 7, 8, 9], lacking: [5], facts: lacked }])),
  };
}

/**
 * One node out of everyone's reach for 20 minutes (behind a ridge, say), still creating facts, then back: the
 * issue's "node returning from a partition". 3 × 3 grid (700 m spacing), the centre node cut off, 20% loss.
 * Missing: the others' facts created while it was away (lacked by it) and its own facts from that time
 * (lacked by the other eight, counted once). Anti-entropy bytes: those facts sent by anyone after it returned,
 * plus every digest and HAVE record, until every node holds every fact.
 */
export function returning(seed: number) {
  const awayAt = 600;
  const backAt = 1800;
  const away = 5;
  const r = seededRandom(`bench-gossip-returning/${seed}`);
  const facts = Array.from({ length: 30 }, (_, i) => ({ at: 60 + i * 55, node: 1 + r.int(9), kind: i % 2 ? ('road' as const) : ('victim' as const) }));
  const log = antiEntropyLog(9, backAt);
  const { observer, sent } = log;
  const res = runSwarm({
    protocol: 'murmur', seed: `returning/${seed}`, n: 9, durationS: 3600, extraLoss: 0.2, facts,
    mobility: (id) => fixed({ x: 500 + ((id - 1) % 3) * 700, y: 500 + Math.floor((id - 1) / 3) * 700 }),
    link: (a, b, t) => t < awayAt || t >= backAt || (a !== away && b !== away),
    onTransmit: log.onTransmit,
  });
  const missing = new Map<string, number>();
  let healedAt = backAt;
  let unhealed = 0;
  const others = [1, 2, 3, 4, 6, 7, 8, 9];
  const groups = [{ holders: others, lacking: [away], facts: [] as Fact[] }, { holders: [away], lacking: others, facts: [] as Fact[] }];
  for (const c of res.created) {
    if (c.fact.kind === 'status' || c.at >= backAt) continue;
    const lacking = c.fact.origin === away ? [1, 2, 3, 4, 6, 7, 8, 9] : [away];
    const learned = res.learned.get(factKey(c.fact));
    if (!lacking.some((id) => (learned?.get(id) ?? Infinity) >= backAt)) continue;
    groups[c.fact.origin === away ? 1 : 0]!.facts.push(c.fact);
    missing.set(factKey(c.fact), observer.sizeOfFact(c.fact));
    for (const id of lacking) {
      const t = learned?.get(id);
      if (t === undefined) unhealed++;
      else healedAt = Math.max(healedAt, t);
    }
  }
  return {
    heal_s: unhealed === 0 ? +(healedAt - backAt).toFixed(1) : null,
    unhealed_pairs: unhealed,
    ...antiEntropyFigures(sent, missing, healedAt),
    ...overFloor(wholePacketBytes(sent, missing, healedAt), antiEntropyFloor(res, backAt, groups)),
  };
}

const round = (row: Row): Row => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'number' ? +v.toFixed(k === 'delivery_ratio' ? 6 : 4) : v;
  return out as unknown as Row;
};

const ROW_HEAD = [
  '| protocol | channel | N | delivery (victims+roads) | latency p50 / p95 (s) | airtime per victim/road (s) | bound (s) | × bound | airtime per node-hour (s) | max duty cycle | false deaths |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
const rowLine = (r: Row) =>
  `| ${r.protocol} | ${r.channel} | ${r.n} | ${(r.delivery_ratio * 100).toFixed(2)}% | ${fmt(r.latency_p50_s)} / ${fmt(r.latency_p95_s)} | ${r.airtime_per_victim_fact_s.toFixed(2)} | ${r.bound_per_victim_fact_s.toFixed(2)} | ${r.airtime_over_bound === null ? '–' : r.airtime_over_bound.toFixed(2)} | ${r.airtime_per_node_hour_s.toFixed(1)} | ${r.max_duty_cycle_pct.toFixed(2)}% | ${r.false_deaths} |`;

/** The protocols of the main comparison, in the order printed (the first row per protocol and size is the one cited). */
export const PROTOCOLS: readonly BenchProtocol[] = ['murmur', 'flooding-fair', 'flooding-fair-hop7', 'flooding-stress'];

export const benchmark: Benchmark = {
  summary: 'gossip vs Meshtastic flooding (fair and stress) against the bound: delivery, latency, airtime, duty cycle, membership',
  async run(opts: BenchOptions) {
    const sizes = opts.quick ? [10, 50] : [10, 50, 100];
    const durationS = opts.quick ? 1200 : 3600;
    const durable = opts.quick ? 60 : 200;
    const t0 = Date.now();
    // the bound reads the topology only: the less kind channel has the same one as the default
    const bounds = new Map<string, ReturnType<typeof victimBound>>();
    const runAll = (channel: BenchChannel, ns: readonly number[], protocols: readonly BenchProtocol[]) => {
      const out: Row[] = [];
      const topology = channel === 'airborne' ? 'airborne' : 'default';
      for (const n of ns) {
        let bound = bounds.get(`${topology}/${n}`);
        for (const protocol of protocols) {
          const started = Date.now();
          const r = benchRow(protocol, n, opts.seed, durationS, durable, channel, bound);
          bound = r.bound;
          bounds.set(`${topology}/${n}`, bound);
          out.push(r.row);
          opts.log(`  ${protocol.padEnd(19)} ${channel.padEnd(9)} N=${String(n).padEnd(3)} ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        }
      }
      return out;
    };
    // the full set at N = 50 (the acceptance size); Murmur and the fair baseline at the other sizes
    const rows = sizes.flatMap((n) => runAll('default', [n], n === 50 ? PROTOCOLS : ['murmur', 'flooding-fair']));
    const subBand = runAll('default', [50], ['flooding-fair-10pct']);
    const lessKind = runAll('less-kind', [50], ['murmur', 'flooding-fair', 'flooding-stress']);
    const airborne = runAll('airborne', [50], ['murmur', 'flooding-fair']);
    const part = partition(opts.seed);
    const boot = reboot(opts.seed);
    const back = returning(opts.seed);
    const table = [...ROW_HEAD, ...[...rows, ...subBand, ...lessKind, ...airborne].map(rowLine)];
    for (const l of table) opts.log(l);
    const ae = (name: string, x: { whole_packet_bytes: number; floor_bytes: number; whole_packets_over_floor: number | null }, heal: number | null) =>
      `${name}: ${heal} s, whole packets ${x.whole_packet_bytes} B over a floor of ${x.floor_bytes} B (×${x.whole_packets_over_floor})`;
    opts.log(ae('partition heal', part, part.heal_s));
    opts.log(ae('one node back from a partition', back, back.heal_s));
    opts.log(ae('reboot catch-up', boot, boot.catch_up_s));
    opts.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!opts.quick) {
      const svg = join(projectRoot(import.meta.url), 'docs', 'img', 'gossip.svg');
      mkdirSync(dirname(svg), { recursive: true });
      writeFileSync(svg, gossipPlotSvg(rows));
      opts.log(`plot written to ${svg}`);
    }
    return {
      setting: {
        area_m: [5000, 5000], median_range_m: 1500, extra_loss: 0.2, lora: 'SF9/125kHz/CR4:5 (flooding-fair: 16-symbol preamble)', duty_cycle: 'EU868 1%/h',
        duration_s: durationS, status_offered_every_s: 30, victim_road_facts: durable, seed: opts.seed,
        less_kind_channel: LESS_KIND_CHANNEL, airborne_propagation: AIRBORNE_PROPAGATION,
      },
      rows,
      rows_sub_band: subBand,
      rows_less_kind_channel: lessKind,
      rows_airborne: airborne,
      partition: part,
      reboot: boot,
      returning: back,
      table: table.join('\n'),
    };
  },
};

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '–';
}
