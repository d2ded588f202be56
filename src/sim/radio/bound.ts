/**
 * Lower bounds the benchmark prints beside what the protocols spend, computed from the simulator's true
 * topology (positions, per-link shadowing, per-packet fading and extra loss), not from what any node knows.
 *
 * `minExpectedTransmissions`: no protocol, however well informed, can bring one packet from the nodes holding
 * it to every target with fewer expected transmissions than the optimum of this linear programme, over x_i ≥ 0
 * (expected transmissions of node i):
 * - every target j must receive at least once: Σ_i x_i·p_ij ≥ 1 (expected receptions ≥ P(received) = 1);
 * - every set C of nodes not holding the packet and containing a target must first be entered from outside:
 *   Σ_{i∉C} x_i·(1 − Π_{j∈C}(1 − p_ij)) ≥ 1. The sets used are the hop layers "k or more hops from the
 *   holders" (on links that work 10% of the time or more), split into connected parts, which is what forces
 *   relays in every layer of a multi-hop network.
 * Each transmission succeeds at each receiver independently of the history (the loss model's), so the
 * expectations add up whatever the protocol decides. Collisions, half-duplex and duty cycles only add to it.
 * For k packets that all must arrive (or k coded packets, each node needing k innovative ones) the bound is k
 * times this. Solved exactly by the simplex method on the dual (a packing problem).
 */
import type { Propagation } from './propagation.js';

/** Probability that one packet from a reaches b at distance d (fading over the static shadowing, then loss). */
export function linkProbability(prop: Propagation, extraLoss: number, a: number, b: number, d: number): number {
  const margin = prop.meanRxDbm(d) + prop.shadowing(a, b) - prop.sensitivityDbm;
  const f = prop.cfg.fadingDb;
  const pSignal = f > 0 ? normalCdf(margin / f) : margin >= 0 ? 1 : 0;
  return pSignal * (1 - extraLoss);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Minimum expected transmissions to bring one packet from `sources` to every node in `targets`, over the link
 * probabilities p[i][j] (i → j) among nodes 0..n−1. Targets that no chain of links working at least 5% of the
 * time reaches are left out (reaching them through the far tail of the grey zone would dominate the bound with
 * what no protocol achieves); every link, however weak, still counts towards the others. `reached` says how
 * many targets were kept.
 */
export function minExpectedTransmissions(p: readonly (readonly number[])[], sources: readonly number[], targets: readonly number[]): { value: number; reached: number } {
  const n = p.length;
  const isSource = new Array<boolean>(n).fill(false);
  for (const s of sources) isSource[s] = true;
  // reachability over links that work at least 5% of the time
  const reach = new Array<boolean>(n).fill(false);
  const stack = [...sources];
  for (const s of sources) reach[s] = true;
  while (stack.length) {
    const i = stack.pop()!;
    for (let j = 0; j < n; j++) if (!reach[j] && p[i]![j]! >= 0.05) (reach[j] = true), stack.push(j);
  }
  const want = targets.filter((t) => reach[t] && !isSource[t]);
  if (want.length === 0) return { value: 0, reached: 0 };
  const cuts: number[][] = []; // each: coefficient per node
  for (const j of want) cuts.push(Array.from({ length: n }, (_, i) => (i === j ? 0 : p[i]![j]!)));
  // hop layers from the holders, on links that work at least 10% of the time
  const strong = 0.1;
  const hop = new Array<number>(n).fill(Infinity);
  let frontier = [...sources];
  for (const s of sources) hop[s] = 0;
  for (let k = 1; frontier.length; k++) {
    const next: number[] = [];
    for (const i of frontier) for (let j = 0; j < n; j++) if (hop[j] === Infinity && p[i]![j]! >= strong) (hop[j] = k), next.push(j);
    frontier = next;
  }
  const wanted = new Set(want);
  const maxHop = Math.max(...want.map((j) => (Number.isFinite(hop[j]!) ? hop[j]! : 0)));
  for (let k = 1; k <= maxHop; k++) {
    const inLayer = (j: number) => !isSource[j] && reach[j] && hop[j]! >= k;
    const seen = new Set<number>();
    for (let s = 0; s < n; s++) {
      if (!inLayer(s) || seen.has(s)) continue;
      // one connected part of the far region (links of either direction ≥ strong)
      const part: number[] = [];
      const st = [s];
      seen.add(s);
      while (st.length) {
        const i = st.pop()!;
        part.push(i);
        for (let j = 0; j < n; j++) if (!seen.has(j) && inLayer(j) && (p[i]![j]! >= strong || p[j]![i]! >= strong)) seen.add(j), st.push(j);
      }
      if (part.length < 2 || !part.some((j) => wanted.has(j))) continue;
      const inPart = new Set(part);
      cuts.push(
        Array.from({ length: n }, (_, i) => {
          if (inPart.has(i)) return 0;
          let miss = 1;
          for (const j of part) miss *= 1 - p[i]![j]!;
          return 1 - miss;
        }),
      );
    }
  }
  return { value: packingLp(cuts, n), reached: want.length };
}

/**
 * max Σ_k y_k subject to Σ_k a_k[i]·y_k ≤ 1 for every node i, y ≥ 0: the dual of the covering programme
 * min Σ_i x_i subject to Σ_i a_k[i]·x_i ≥ 1 for every k. Dense tableau.
 */
export function packingLp(a: readonly (readonly number[])[], n: number): number {
  const K = a.length;
  const cols = K + n;
  // rows: one per node; tableau row = [coefficients over y and slacks | rhs]
  const T: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(cols + 1);
    for (let k = 0; k < K; k++) row[k] = a[k]![i]!;
    row[K + i] = 1;
    row[cols] = 1;
    T.push(row);
  }
  const obj = new Float64Array(cols + 1); // reduced costs as "−c": entering while negative
  for (let k = 0; k < K; k++) obj[k] = -1;
  const eps = 1e-10;
  for (let iter = 0; iter < 10_000; iter++) {
    // Dantzig's rule (most negative reduced cost), Bland's (first negative) after many pivots: no cycling
    let enter = -1;
    const bland = iter > 2000;
    for (let c = 0; c < cols; c++) if (obj[c]! < -eps && (enter < 0 || (!bland && obj[c]! < obj[enter]!))) {
      enter = c;
      if (bland) break;
    }
    if (enter < 0) break;
    let leave = -1;
    let best = Infinity;
    for (let r = 0; r < n; r++) {
      const v = T[r]![enter]!;
      if (v > eps) {
        const ratio = T[r]![cols]! / v;
        if (ratio < best - 1e-12) (best = ratio), (leave = r);
      }
    }
    if (leave < 0) return Infinity; // unbounded dual: some cut no node can serve
    const pr = T[leave]!;
    const pv = pr[enter]!;
    for (let c = 0; c <= cols; c++) pr[c] = pr[c]! / pv;
    for (let r = 0; r < n; r++) {
      if (r === leave) continue;
      const row = T[r]!;
      const f = row[enter]!;
      if (f === 0) continue;
      for (let c = 0; c <= cols; c++) row[c] = row[c]! - f * pr[c]!;
    }
    const f = obj[enter]!;
    for (let c = 0; c <= cols; c++) obj[c] = obj[c]! - f * pr[c]!;
  }
  return obj[cols]!;
}
