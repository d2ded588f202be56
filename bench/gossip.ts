/**
 * `murmur bench gossip`: Murmur's gossip against Meshtastic-style managed flooding on the same simulated
 * channel, from the same seeds. N = 10, 50, 100 drones moving in 5 km × 5 km (random waypoint), ~1.5 km
 * median range, 20% extra random loss, SF9 / 125 kHz, EU868 1% duty cycle, one simulated hour, one status
 * fact per node every 30 s plus 200 victim/road facts injected at random nodes and times, and one node
 * crashing mid-run (failure detection). Plus a partition scenario (two groups apart for 20 minutes) for
 * heal time and anti-entropy efficiency. `--svg` is not needed: the plot is written to docs/img/gossip.svg
 * when the full (non-quick) run completes.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchOptions } from '../src/cli/commands/bench.js';
import { seededRandom } from '../src/core/random.js';
import { figures, type SwarmFigures } from '../src/sim/radio/metrics.js';
import { fixed } from '../src/sim/radio/mobility.js';
import { runSwarm, type ProtocolName, type SwarmScenario } from '../src/sim/radio/swarm.js';
import { factKey } from '../src/wire/facts.js';
import { provisionalCodec } from '../src/gossip/provisional-codec.js';
import { gossipPlotSvg } from './gossip-plot.js';

type Row = { protocol: ProtocolName; n: number } & SwarmFigures;

function scenario(protocol: ProtocolName, n: number, seed: number, durationS: number, durableFacts: number): SwarmScenario {
  const r = seededRandom(`bench-gossip/${seed}/${n}`);
  const facts = Array.from({ length: durableFacts }, () => ({
    at: r.range(60, durationS - 300),
    node: 1 + r.int(n),
    kind: r.chance(0.5) ? ('victim' as const) : ('road' as const),
  }));
  const crashes = [{ node: 1 + r.int(n), at: durationS * 0.2 }];
  return { protocol, seed: `${seed}/${n}`, n, durationS, extraLoss: 0.2, facts, crashes, statusEveryS: 30 };
}

/** Two groups of 8 out of each other's reach for 20 minutes; they create facts; then links come back. */
function partition(seed: number) {
  const healAt = 1500;
  const side = (id: number) => (id <= 8 ? 0 : 1);
  const r = seededRandom(`bench-gossip-partition/${seed}`);
  const facts = Array.from({ length: 24 }, (_, i) => ({ at: 300 + i * 45, node: 1 + r.int(16), kind: i % 2 ? ('road' as const) : ('victim' as const) }));
  const res = runSwarm({
    protocol: 'murmur', seed: `partition/${seed}`, n: 16, durationS: 3000, extraLoss: 0.2, facts,
    mobility: (id) => fixed({ x: 400 + ((id - 1) % 4) * 650, y: 400 + side(id) * 1300 + (Math.floor((id - 1) / 4) % 2) * 650 }),
    link: (a, b, t) => t >= healAt || side(a) === side(b),
  });
  // Missing at heal time: facts of each side that the other side lacked (each counted once per side).
  const codec = provisionalCodec({ self: 1 });
  let missingBytes = 0;
  let healedAt = healAt;
  const unhealed: string[] = [];
  for (const c of res.created) {
    if (c.fact.kind === 'status' || c.at >= healAt) continue;
    const other = side(c.fact.origin) === 0 ? [9, 10, 11, 12, 13, 14, 15, 16] : [1, 2, 3, 4, 5, 6, 7, 8];
    const learned = res.learned.get(factKey(c.fact));
    const missingThere = other.some((id) => (learned?.get(id) ?? Infinity) >= healAt);
    if (!missingThere) continue;
    missingBytes += codec.sizeOfFact(c.fact);
    for (const id of other) {
      const t = learned?.get(id);
      if (t === undefined) unhealed.push(`${factKey(c.fact)}@${id}`);
      else healedAt = Math.max(healedAt, t);
    }
  }
  let aeBytes = 0;
  let digestBytes = 0;
  for (const g of res.gossip.values()) {
    aeBytes += g.stats.antiEntropyControlBytes + g.stats.repairFactBytes;
    digestBytes += g.stats.digestBytes;
  }
  return {
    heal_s: unhealed.length === 0 ? +(healedAt - healAt).toFixed(1) : null,
    unhealed_pairs: unhealed.length,
    unhealed: unhealed.slice(0, 10),
    missing_bytes: missingBytes,
    antientropy_bytes: aeBytes,
    antientropy_bytes_over_missing_bytes: missingBytes ? +(aeBytes / missingBytes).toFixed(3) : null,
    summary_digest_bytes_whole_run: digestBytes,
    delivered_all: figures(res).delivery_ratio,
  };
}

const round = (row: Row): Row => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'number' ? +v.toFixed(4) : v;
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
    const table = [
      '| protocol | N | delivery (victims+roads) | latency p50 / p95 (s) | airtime per fact (s) | max duty cycle | dead detection p95 (s) | false deaths |',
      '|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.protocol} | ${r.n} | ${(r.delivery_ratio * 100).toFixed(1)}% | ${fmt(r.latency_p50_s)} / ${fmt(r.latency_p95_s)} | ${r.airtime_s_per_fact.toFixed(3)} | ${r.max_duty_cycle_pct.toFixed(2)}% | ${r.dead_detect_p95_s === null ? '–' : fmt(r.dead_detect_p95_s)}${r.undetected_deaths ? ` (${r.undetected_deaths} undetected)` : ''} | ${r.false_deaths} |`,
      ),
    ];
    for (const l of table) opts.log(l);
    opts.log(`partition heal: ${part.heal_s} s, anti-entropy ${part.antientropy_bytes} B for ${part.missing_bytes} B missing (×${part.antientropy_bytes_over_missing_bytes})`);
    opts.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!opts.quick) {
      const here = dirname(fileURLToPath(import.meta.url));
      const svg = join(here, '..', 'docs', 'img', 'gossip.svg');
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
      airtime_ratio_at_50: murmur50 && flood50 ? +(murmur50.airtime_s_per_fact / flood50.airtime_s_per_fact).toFixed(3) : null,
      table: table.join('\n'),
    };
  },
};

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '–';
}
