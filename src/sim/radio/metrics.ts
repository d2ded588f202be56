/** Figures of a swarm run: delivery, latency, airtime, duty cycle, failure detection, and the invariant. */
import { factKey, type Fact, type NodeId } from '../../wire/facts.js';
import type { SwarmResult } from './swarm.js';

export interface SwarmFigures {
  delivery_ratio: number;
  latency_p50_s: number;
  latency_p95_s: number;
  airtime_s_per_fact: number;
  airtime_total_s: number;
  /** All airtime over the (victim/road fact, live node) pairs delivered: the cost of what actually arrived. */
  airtime_s_per_delivered_pair: number | null;
  max_duty_cycle_pct: number;
  dead_detect_p95_s: number | null;
  undetected_deaths: number;
  false_deaths: number;
  facts_created: number;
  durable_facts: number;
  transmissions: number;
  collisions: number;
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

const durable = (f: Fact) => f.kind === 'victim' || f.kind === 'road';

/** Was `id` down at time t? */
function downAt(r: SwarmResult, id: NodeId, t: number): boolean {
  return (r.downtime.get(id) ?? []).some(([a, b]) => t >= a && t < b);
}

/** Nodes that never went down during the run. */
export function steadyNodes(r: SwarmResult): NodeId[] {
  const out: NodeId[] = [];
  for (let id = 1; id <= r.scenario.n; id++) if (!r.downtime.has(id)) out.push(id);
  return out;
}

/**
 * The invariant: every durable fact created by a node that stayed alive is known to every node alive at the
 * end. Returns the missing (fact, node) pairs.
 */
export function invariantViolations(r: SwarmResult): { fact: string; node: NodeId }[] {
  const alive: NodeId[] = [];
  for (let id = 1; id <= r.scenario.n; id++) if (!r.down.has(id)) alive.push(id);
  const stayed = new Set(steadyNodes(r));
  const out: { fact: string; node: NodeId }[] = [];
  for (const c of r.created) {
    if (c.fact.kind === 'status' || !stayed.has(c.fact.origin)) continue;
    for (const id of alive) if (!r.knows(id, c.fact)) out.push({ fact: factKey(c.fact), node: id });
  }
  return out;
}

export function figures(r: SwarmResult): SwarmFigures {
  const end = r.scenario.durationS;
  const alive: NodeId[] = [];
  for (let id = 1; id <= r.scenario.n; id++) if (!r.down.has(id)) alive.push(id);
  let pairs = 0;
  let got = 0;
  const lat: number[] = [];
  for (const c of r.created) {
    if (!durable(c.fact) || r.down.has(c.fact.origin)) continue;
    const m = r.learned.get(factKey(c.fact));
    for (const id of alive) {
      if (id === c.fact.origin) continue;
      pairs++;
      const t = m?.get(id);
      if (t !== undefined && r.knows(id, c.fact)) {
        got++;
        lat.push(t - c.at);
      }
    }
  }
  let air = 0;
  let maxDuty = 0;
  for (let id = 1; id <= r.scenario.n; id++) {
    for (const [, d] of r.medium.txLog(id)) air += d;
    maxDuty = Math.max(maxDuty, r.medium.maxDutyFraction(id));
  }
  // Failure detection: for each crash (not rebooted before the dead timeout could fire), when each steady
  // observer declared it dead.
  const detect: number[] = [];
  let undetected = 0;
  for (const [id, ivs] of r.downtime) {
    for (const [a, b] of ivs) {
      if (b !== Infinity) continue;
      for (const obs of steadyNodes(r)) {
        const c = r.changes.find((x) => x.observer === obs && x.change.id === id && x.change.to === 'dead' && x.change.at >= a);
        if (c) detect.push(c.change.at - a);
        else undetected++;
      }
    }
  }
  // False deaths: a node declared dead while it was up.
  let falseDeaths = 0;
  for (const { observer, change } of r.changes) {
    if (change.to !== 'dead' || downAt(r, observer, change.at)) continue;
    if (!downAt(r, change.id, change.at) && change.id <= r.scenario.n) falseDeaths++;
  }
  return {
    delivery_ratio: pairs ? got / pairs : 1,
    latency_p50_s: lat.length ? quantile(lat, 0.5) : NaN,
    latency_p95_s: lat.length ? quantile(lat, 0.95) : NaN,
    airtime_s_per_fact: air / Math.max(1, r.created.length),
    airtime_total_s: air,
    airtime_s_per_delivered_pair: got ? air / got : null,
    max_duty_cycle_pct: maxDuty * 100,
    dead_detect_p95_s: detect.length ? quantile(detect, 0.95) : null,
    undetected_deaths: undetected,
    false_deaths: falseDeaths,
    facts_created: r.created.length,
    durable_facts: r.created.filter((c) => durable(c.fact)).length,
    transmissions: r.medium.stats.transmissions,
    collisions: r.medium.stats.collisions,
  };
  void end;
}
