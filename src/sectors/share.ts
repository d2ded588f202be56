/**
 * Sharing out what lost members left unsearched. Every drone still searching is a candidate, but a share is
 * worth its flight only to those near it: each candidate's cost is when it will be free (its own sector's
 * effort) plus the flight from where it will be to the nearest orphaned cell, and the remainder is poured
 * over the candidates like water into a vessel with an uneven floor (water-filling), so that all who take
 * part finish together and far drones take nothing. The shares are consecutive runs of the global snake,
 * handed out in the snake order of each taker's nearest cell, so they stay compact. Pure and deterministic:
 * the same inputs in any order give the same shares on every agent.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import type { LaneAxis } from './plan.js';
import { centre, cutAt, dist, snakePath, toCell, type Cell } from './snake.js';
import { byRank, type CellRanks } from './regions.js';

export interface ShareCandidate {
  readonly id: NodeId;
  /** Where it will be when its own sector is done. */
  readonly from: LocalPoint;
  /** Effort still ahead of it before it is free (cells). */
  readonly busy: number;
}

export interface ShareInput {
  readonly frame: AreaFrame;
  readonly axis: LaneAxis;
  /** The unsearched cells to share out. */
  readonly cells: readonly number[];
  readonly candidates: readonly ShareCandidate[];
  /** Effort of one metre flown to reach a share (cells per metre). */
  readonly effortPerM: number;
  /** Search effort of a cell; default 1. */
  readonly weight?: (cell: number) => number;
  /** The flying order of the mission's cells (regionRanks); default: the plain snake. */
  readonly ranks?: CellRanks;
}

/** Each taker's share, in snake order. Candidates that take nothing are absent. */
export function shareOut(input: ShareInput): Map<NodeId, number[]> {
  const { frame, axis } = input;
  const weight = input.weight ?? (() => 1);
  const cells = [...new Set(input.cells)].map((c) => toCell(frame, axis, c)).sort(byRank(input.ranks));
  const out = new Map<NodeId, number[]>();
  const candidates = [...input.candidates].sort((a, b) => a.id - b.id);
  if (cells.length === 0 || candidates.length === 0) return out;
  const total = cells.reduce((s, c) => s + weight(c.cell), 0);
  const at = cells.map((c) => centre(frame, axis, c.lane, c.along));

  const reach = candidates.map((m) => {
    let best = 0;
    let bestD = Infinity;
    at.forEach((p, i) => {
      const d = dist(m.from, p);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    return { m, nearest: best, cost: m.busy + bestD * input.effortPerM };
  });

  // water level L with Σ max(0, L − cost) = total
  const costs = reach.map((r) => r.cost).sort((a, b) => a - b);
  let level = costs[0]! + total;
  for (let k = 1; k <= costs.length; k++) {
    const l = (total + costs.slice(0, k).reduce((a, b) => a + b, 0)) / k;
    if (k === costs.length || l <= costs[k]!) {
      level = l;
      break;
    }
  }
  const takers = reach.map((r) => ({ ...r, amount: level - r.cost })).filter((r) => r.amount > 1e-9);
  // Two ways to line the takers up along the snake: by the snake position of their nearest cell, or by where
  // they are across the lanes. Which fits better depends on the remainder's shape, so cut both and keep the
  // one that finishes first, counting each taker's flight to the run it actually gets.
  const across = (p: LocalPoint) => (axis === 'north-south' ? p.x : p.y);
  const orders = [
    [...takers].sort((a, b) => a.nearest - b.nearest || a.m.id - b.m.id),
    [...takers].sort((a, b) => across(a.m.from) - across(b.m.from) || a.nearest - b.nearest || a.m.id - b.m.id),
  ];
  let best: { order: typeof takers; runs: Cell[][]; finish: number } | undefined;
  for (const order of orders) {
    const runs = cutAt(cells, weight, order.map((t) => t.amount));
    let finish = 0;
    order.forEach((t, k) => {
      const run = runs[k]!;
      if (run.length === 0) return;
      // its path over the run (from the nearer end), less the lanes themselves, is flown without searching
      const path = snakePath(frame, axis, run);
      const ends = [path[0]!, path[path.length - 1]!];
      let len = Math.min(...ends.map((e) => dist(t.m.from, e)));
      for (let i = 1; i < path.length; i++) len += dist(path[i - 1]!, path[i]!);
      const flight = Math.max(0, len - (run.length - 1) * frame.cellSize);
      finish = Math.max(finish, t.m.busy + flight * input.effortPerM + run.reduce((s, c) => s + weight(c.cell), 0));
    });
    if (!best || finish < best.finish - 1e-9) best = { order, runs, finish };
  }
  best!.order.forEach((t, k) => {
    const run = best!.runs[k]!;
    if (run.length) out.set(t.m.id, run.map((c) => c.cell));
  });
  return out;
}
