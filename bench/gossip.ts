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
import { runSwarm, simWireCodecs, type ProtocolName, type SwarmScenario } from '../src/sim/radio/swarm.js';
import { decodeControl, recordSize } from '../src/gossip/control.js';
import { factKey, type Fact } from '../src/wire/facts.js';
import { gossipPlotSvg } from './gossip-plot.js';
import { projectRoot } from '../src/core/project-root.js';

type Row = { protocol: ProtocolName; n: number } & SwarmFigures;

export function scenario(protocol: ProtocolName, n: number, seed: number, durationS: number, durableFacts: number): SwarmScenario {
  const r = seededRandom(`bench-gossip/${seed}/${n}`);
  const facts = Array.from({ length: durableFacts }, () => ({
    at: r.range(60, durationS - 300),
    node: 1 + r.int(n),
    kind: r.chance(0.5) ? ('victim' as const) : ('road' as const),
  }));
  const crashes = [{ node: 1 + r.int(n), at: durationS * 0.2 }];
  return { protocol, seed: `${seed}/${n}`, n, durationS, extraLoss: 0.2, facts, crashes, statusEveryS: 30 };
}

/**
 * Every packet sent from `from` on, as an observer holding the swarm key reads it: its facts, and the bytes of
 * its digest and HAVE records (the anti-entropy control).
 */
function antiEntropyLog(n: number, from: number) {
  const observer = simWireCodecs(n, [999])(999);
  const sent: { id: number; at: number; facts: Fact[]; aeControl: number }[] = [];
  const onTransmit = (id: number, bytes: Uint8Array, at: number) => {
    if (at < from) return;
    const o = observer.open(bytes);
    if (!o.ok) return;
    let aeControl = 0;
    const c = o.value.payload.control ? decodeControl(o.value.payload.control) : undefined;
    if (c?.ok) for (const rec of c.value) if (rec.type === 'odg' || rec.type === 'have') aeControl += recordSize(rec);
    sent.push({ id, at, facts: [...o.value.payload.facts], aeControl });
  };
  return { observer, sent, onTransmit };
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
  for (const c of res.created) {
    if (c.fact.kind === 'status' || c.at >= healAt) continue;
    const other = side(c.fact.origin) === 0 ? [9, 10, 11, 12, 13, 14, 15, 16] : [1, 2, 3, 4, 5, 6, 7, 8];
    const learned = res.learned.get(factKey(c.fact));
    if (!other.some((id) => (learned?.get(id) ?? Infinity) >= healAt)) continue;
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
  for (const c of res.created) {
    if (c.fact.kind === 'status' || c.at >= upAt) continue;
    missing.set(factKey(c.fact), observer.sizeOfFact(c.fact));
    const t = res.learned.get(factKey(c.fact))?.get(5);
    if (t === undefined || t < upAt) {
      if (!res.gossip.get(5)!.knows(c.fact)) stillMissing++;
    } else caughtUpAt = Math.max(caughtUpAt, t);
  }
  return {
    catch_up_s: stillMissing === 0 ? +(caughtUpAt - upAt).toFixed(1) : null,
    still_missing: stillMissing,
    ...antiEntropyFigures(sent, missing, caughtUpAt),
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
  for (const c of res.created) {
    if (c.fact.kind === 'status' || c.at >= backAt) continue;
    const lacking = c.fact.origin === away ? [1, 2, 3, 4, 6, 7, 8, 9] : [away];
    const learned = res.learned.get(factKey(c.fact));
    if (!lacking.some((id) => (learned?.get(id) ?? Infinity) >= backAt)) continue;
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
  };
}

const round = (row: Row): Row => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'number' ? +v.toFixed(k === 'delivery_ratio' ? 6 : 4) : v;
  return out as unknown as Row;
};

export const benchmark: Benchmark = {
  summary: 'gossip vs Meshtastic-style managed flooding: delivery, latency, airtime, duty cycle, failure detection',
  async run(opts: BenchOptions) {
    const sizes = opts.quick ? [10, 50] : [10, 50, 100];
    const durationS = opts.quick ? 1200 : 3600;
    const durable = opts.quick ? 60 : 200;
    const rows: Row[] = [];
    const t0 = Date.now();
    for (const n of sizes) {
      for (const protocol of ['murmur', 'flooding'] as const) {
        const started = Date.now();
        const res = runSwarm(scenario(protocol, n, opts.seed, durationS, durable));
        const row = round({ protocol, n, ...figures(res) });
        rows.push(row);
        opts.log(`  ${protocol.padEnd(8)} N=${String(n).padEnd(3)} ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
    const part = partition(opts.seed);
    const boot = reboot(opts.seed);
    const back = returning(opts.seed);
    const table = [
      '| protocol | N | delivery (victims+roads) | latency p50 / p95 (s) | airtime per fact (s) | airtime per delivered (fact, node) (s) | max duty cycle | dead detection p95 (s) | false deaths |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.protocol} | ${r.n} | ${(r.delivery_ratio * 100).toFixed(2)}% | ${fmt(r.latency_p50_s)} / ${fmt(r.latency_p95_s)} | ${r.airtime_s_per_fact.toFixed(3)} | ${r.airtime_s_per_delivered_pair === null ? '–' : r.airtime_s_per_delivered_pair.toFixed(3)} | ${r.max_duty_cycle_pct.toFixed(2)}% | ${r.dead_detect_p95_s === null ? '–' : fmt(r.dead_detect_p95_s)}${r.undetected_deaths ? ` (${r.undetected_deaths} undetected)` : ''} | ${r.false_deaths} |`,
      ),
    ];
    for (const l of table) opts.log(l);
    opts.log(`partition heal: ${part.heal_s} s, anti-entropy ${part.antientropy_bytes} B for ${part.missing_bytes} B missing (×${part.antientropy_bytes_over_missing_bytes})`);
    opts.log(`one node back from a partition: ${back.heal_s} s, anti-entropy ${back.antientropy_bytes} B for ${back.missing_bytes} B missing (×${back.antientropy_bytes_over_missing_bytes})`);
    opts.log(`reboot catch-up: ${boot.catch_up_s} s, anti-entropy ${boot.antientropy_bytes} B for ${boot.missing_bytes} B missing (×${boot.antientropy_bytes_over_missing_bytes})`);
    opts.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!opts.quick) {
      const svg = join(projectRoot(import.meta.url), 'docs', 'img', 'gossip.svg');
      mkdirSync(dirname(svg), { recursive: true });
      writeFileSync(svg, gossipPlotSvg(rows));
      opts.log(`plot written to ${svg}`);
    }
    const murmur50 = rows.find((r) => r.protocol === 'murmur' && r.n === 50);
    const flood50 = rows.find((r) => r.protocol === 'flooding' && r.n === 50);
    return {
      setting: { area_m: [5000, 5000], median_range_m: 1500, extra_loss: 0.2, lora: 'SF9/125kHz/CR4:5', duty_cycle: 'EU868 1%/h', duration_s: durationS, status_every_s: 30, victim_road_facts: durable, seed: opts.seed },
      rows,
      partition: part,
      reboot: boot,
      returning: back,
      airtime_ratio_at_50: murmur50 && flood50 ? +(murmur50.airtime_s_per_fact / flood50.airtime_s_per_fact).toFixed(3) : null,
      table: table.join('\n'),
    };
  },
};

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '–';
}
