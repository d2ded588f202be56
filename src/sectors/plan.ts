/**
 * Leaderless sector planning. Every agent calls planSectors with what its map says (searchable cells, cells
 * already covered, live members and their positions) and flies the sector it gets; agents with the same view
 * get the same plan, so nobody assigns anything.
 *
 * Method: lanes run along the longer extent of the area (fewer turns), one lane per cell column (lane spacing
 * = cell size = camera sweep width). The unsearched cells, in one global boustrophedon ("snake") order, are cut
 * into as many consecutive runs of equal search effort as there are members (effort = cells, or per-cell
 * weights); the runs go to the members in id order (so agents that heard different positions still agree)
 * or, for a plan made in one place, in the order of their positions across the lanes. A drone flies its run
 * of the snake from the end nearer to it, so a lane change is one cell long even where a block starts or
 * ends mid-lane. Re-planning with more covered cells or fewer members re-divides only what is left, so a dead
 * drone's remainder is taken over and done work is never searched again.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import { centre, cutAt, dist, snakePath, toCell, type Cell } from './snake.js';
import { byRank, type CellRanks } from './regions.js';
import { leastCostAssignment } from './assign.js';

export interface PlanMember {
  readonly id: NodeId;
  readonly pos: LocalPoint;
  /** Effort still ahead of it before it can start on this plan's cells (e.g. its priority stretch); default 0. */
  readonly busy?: number;
}

export interface PlanInput {
  readonly frame: AreaFrame;
  /** Searchable cells (any order; see searchableCells). */
  readonly searchable: readonly number[];
  /** Cells already searched. */
  readonly covered: ReadonlySet<number>;
  /** Live members able to search (any order). */
  readonly members: readonly PlanMember[];
  /**
   * How blocks are handed out across the lanes: by member position (nearest blocks, for a plan made in one
   * place) or by member id (default: agents that heard different positions still agree); 'nearest': the
   * stretches of an even cut go to the members with the least total flight to them (members that start from
   * scattered places, such as the ends of their priority stretches), and the cut is then made for that order.
   */
  readonly orderBy?: 'position' | 'id' | 'nearest';
  /** Lane direction chosen by the mission (default: along the area's longer extent, for fewer turns). */
  readonly axis?: LaneAxis;
  /** Search effort of a cell; default 1 (priority regions change the order, not the effort: takeoff.ts). */
  readonly weight?: (cell: number) => number;
  /**
   * Effort of one metre flown from a member's position to its block (0, the default: blocks of equal search
   * effort). With it, blocks far from where their members start are smaller, so all finish together.
   */
  readonly entryEffortPerM?: number;
  /** The flying order of the mission's cells (regionRanks); default: the plain snake. */
  readonly ranks?: CellRanks;
}

export type LaneAxis = 'north-south' | 'east-west';

export interface SectorPlan {
  readonly axis: LaneAxis;
  /** Cells of each member's sector, in flying order. */
  readonly sectors: ReadonlyMap<NodeId, readonly number[]>;
  /** Waypoints (local metres, cell centres) of each member's coverage path, in pairs: lane start, lane end. */
  readonly paths: ReadonlyMap<NodeId, readonly LocalPoint[]>;
  /** Path length of each member including the leg from its position to the first waypoint, metres. */
  readonly lengths: ReadonlyMap<NodeId, number>;
  /** Unsearched searchable cells in the plan. */
  readonly remaining: number;
}

/** The lane direction along the cells' longer extent (fewer turns). */
export function laneAxis(frame: AreaFrame, cells: readonly number[]): LaneAxis {
  let minC = Infinity;
  let maxC = -Infinity;
  let minR = Infinity;
  let maxR = -Infinity;
  for (const c of cells) {
    const r = Math.floor(c / frame.cols);
    const col = c - r * frame.cols;
    minC = Math.min(minC, col);
    maxC = Math.max(maxC, col);
    minR = Math.min(minR, r);
    maxR = Math.max(maxR, r);
  }
  return maxR - minR >= maxC - minC ? 'north-south' : 'east-west';
}

function pathLength(start: LocalPoint, pts: readonly LocalPoint[]): number {
  let len = 0;
  let at = start;
  for (const p of pts) {
    len += dist(at, p);
    at = p;
  }
  return len;
}

/**
 * Runs of equal effort; with an entry cost, of equal effort including the flight from each member's position
 * to the nearer end of its run, found by a few damped fixed-point rounds (deterministic, so every agent cuts
 * alike).
 */
function cutSnake(
  frame: AreaFrame,
  axis: LaneAxis,
  cells: readonly Cell[],
  weight: (cell: number) => number,
  order: readonly PlanMember[],
  entryEffortPerM: number,
): Cell[][] {
  const total = cells.reduce((s, c) => s + weight(c.cell), 0);
  const busy = order.map((m) => m.busy ?? 0);
  const busyTotal = busy.reduce((a, b) => a + b, 0);
  // members busy for longer start with less (without an entry cost, the busy ones alone are evened out)
  let targets = order.map((_, k) => Math.max(0, (total + busyTotal) / order.length - busy[k]!));
  const sum0 = targets.reduce((a, b) => a + b, 0);
  targets = targets.map((t) => (sum0 > 0 ? (t * total) / sum0 : total / order.length));
  let chunks = cutAt(cells, weight, targets);
  if (entryEffortPerM <= 0 || order.length < 2) return chunks;
  const at = (c: Cell) => centre(frame, axis, c.lane, c.along);
  for (let round = 0; round < 12; round++) {
    const entry = chunks.map((chunk, k) => {
      if (chunk.length === 0) return busy[k]!;
      const from = order[k]!.pos;
      return busy[k]! + Math.min(dist(from, at(chunk[0]!)), dist(from, at(chunk[chunk.length - 1]!))) * entryEffortPerM;
    });
    const level = (total + entry.reduce((a, b) => a + b, 0)) / order.length;
    const wanted = entry.map((e) => Math.max(0, level - e));
    const sum = wanted.reduce((a, b) => a + b, 0);
    targets = targets.map((t, k) => (t + (sum > 0 ? (wanted[k]! * total) / sum : total / order.length)) / 2);
    chunks = cutAt(cells, weight, targets);
  }
  return chunks;
}

/** The members in the order of the stretches they take: the least total flight from each to the nearer end of its own. */
function nearestOrder(frame: AreaFrame, axis: LaneAxis, chunks: readonly Cell[][], order: readonly PlanMember[]): PlanMember[] {
  const at = (c: Cell) => centre(frame, axis, c.lane, c.along);
  const cost = order.map((m) => chunks.map((ch) => (ch.length ? Math.min(dist(m.pos, at(ch[0]!)), dist(m.pos, at(ch[ch.length - 1]!))) : 0)));
  const col = leastCostAssignment(cost);
  const out: PlanMember[] = new Array<PlanMember>(order.length);
  order.forEach((m, k) => (out[col[k]!] = m));
  return out;
}

/** The plan for this view. Pure and deterministic: same view in any order → same plan. */
export function planSectors(input: PlanInput): SectorPlan {
  const { frame, covered } = input;
  const weight = input.weight ?? (() => 1);
  const todo = [...new Set(input.searchable)].filter((c) => !covered.has(c));
  const members = [...input.members].sort((a, b) => a.id - b.id);
  const axis = input.axis ?? laneAxis(frame, todo.length ? todo : input.searchable);
  const cells = todo.map((c) => toCell(frame, axis, c)).sort(byRank(input.ranks));
  const sectors = new Map<NodeId, number[]>();
  const paths = new Map<NodeId, LocalPoint[]>();
  const lengths = new Map<NodeId, number>();
  if (members.length === 0) return { axis, sectors, paths, lengths, remaining: cells.length };

  const across = (m: PlanMember) => (axis === 'north-south' ? m.pos.x : m.pos.y);
  let order = input.orderBy === 'position' || input.orderBy === 'nearest' ? [...members].sort((a, b) => across(a) - across(b) || a.id - b.id) : members;
  if (input.orderBy === 'nearest' && order.length > 1) order = nearestOrder(frame, axis, cutSnake(frame, axis, cells, weight, order, 0), order);

  const chunks = cutSnake(frame, axis, cells, weight, order, input.entryEffortPerM ?? 0);

  order.forEach((m, k) => {
    const chunk = chunks[k]!;
    sectors.set(m.id, []);
    if (chunk.length === 0) {
      paths.set(m.id, []);
      lengths.set(m.id, 0);
      return;
    }
    // The block is one stretch of the snake: fly it from whichever end is nearer.
    const forward = snakePath(frame, axis, chunk);
    const backward = [...forward].reverse();
    const best = dist(m.pos, backward[0]!) < dist(m.pos, forward[0]!) - 1e-9 ? backward : forward;
    const path = best;
    paths.set(m.id, path);
    lengths.set(m.id, pathLength(m.pos, path));
    sectors.set(m.id, chunk.map((c) => c.cell));
  });
  return { axis, sectors, paths, lengths, remaining: cells.length };
}
