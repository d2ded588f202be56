/**
 * Leaderless sector planning. Every agent calls planSectors with what its map says (searchable cells, cells
 * already covered, live members and their positions) and flies the sector it gets; agents with the same view
 * get the same plan, so nobody assigns anything.
 *
 * Method: lanes run along the longer extent of the area (fewer turns); the unsearched cells, ordered lane by
 * lane, are cut into as many consecutive runs of equal search effort as there are members (effort = cells
 * weighted by priority), and the runs go to the members in id order (so agents that heard different positions
 * still agree) or, for a plan made in one place, in the order of their positions across the lanes. Inside its block a drone flies a
 * boustrophedon path: one lane per cell column (lane spacing = cell size = camera sweep width), alternating
 * direction, starting at the corner nearest to it. Re-planning with more covered cells or fewer members
 * re-divides only what is left, so a dead drone's remainder is taken over and done work is never searched again.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';

export interface PlanMember {
  readonly id: NodeId;
  readonly pos: LocalPoint;
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
   * place) or by member id (default: agents that heard different positions still agree).
   */
  readonly orderBy?: 'position' | 'id';
  /** Lane direction chosen by the mission (default: along the area's longer extent, for fewer turns). */
  readonly axis?: LaneAxis;
  /** Search effort of a cell (priority regions weigh more); default 1. */
  readonly weight?: (cell: number) => number;
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

interface Cell {
  readonly cell: number;
  /** Index of the lane (column for north-south lanes, row for east-west). */
  readonly lane: number;
  /** Position along the lane. */
  readonly along: number;
}

function laneAxis(frame: AreaFrame, cells: readonly number[]): LaneAxis {
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

function toCell(frame: AreaFrame, axis: LaneAxis, cell: number): Cell {
  const r = Math.floor(cell / frame.cols);
  const c = cell - r * frame.cols;
  return axis === 'north-south' ? { cell, lane: c, along: r } : { cell, lane: r, along: c };
}

function centre(frame: AreaFrame, axis: LaneAxis, lane: number, along: number): LocalPoint {
  const s = frame.cellSize;
  return axis === 'north-south' ? { x: (lane + 0.5) * s, y: (along + 0.5) * s } : { x: (along + 0.5) * s, y: (lane + 0.5) * s };
}

function dist(a: LocalPoint, b: LocalPoint): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Boustrophedon waypoints over cells sorted by (lane, along): lane ends, and both ends of every gap. */
function lanePath(frame: AreaFrame, axis: LaneAxis, cells: readonly Cell[], reverseLanes: boolean, firstUp: boolean): LocalPoint[] {
  const lanes: Cell[][] = [];
  for (const c of cells) {
    const last = lanes[lanes.length - 1];
    if (last && last[0]!.lane === c.lane) last.push(c);
    else lanes.push([c]);
  }
  if (reverseLanes) lanes.reverse();
  const out: LocalPoint[] = [];
  lanes.forEach((lane, i) => {
    const up = i % 2 === 0 ? firstUp : !firstUp;
    const seq = up ? lane : [...lane].reverse();
    for (let k = 0; k < seq.length; k++) {
      const c = seq[k]!;
      const prev = seq[k - 1];
      const next = seq[k + 1];
      const startsRun = !prev || Math.abs(prev.along - c.along) !== 1;
      const endsRun = !next || Math.abs(next.along - c.along) !== 1;
      // Waypoints come in pairs (run start, run end), even for a one-cell run, so a follower knows that
      // segment 2k→2k+1 is a lane to search and 2k+1→2k+2 a transition.
      if (startsRun) out.push(centre(frame, axis, c.lane, c.along));
      if (endsRun) out.push(centre(frame, axis, c.lane, c.along));
    }
  });
  return out;
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

/** The plan for this view. Pure and deterministic: same view in any order → same plan. */
export function planSectors(input: PlanInput): SectorPlan {
  const { frame, covered } = input;
  const weight = input.weight ?? (() => 1);
  const todo = [...new Set(input.searchable)].filter((c) => !covered.has(c));
  const members = [...input.members].sort((a, b) => a.id - b.id);
  const axis = input.axis ?? laneAxis(frame, todo.length ? todo : input.searchable);
  const cells = todo.map((c) => toCell(frame, axis, c)).sort((a, b) => a.lane - b.lane || a.along - b.along);
  const sectors = new Map<NodeId, number[]>();
  const paths = new Map<NodeId, LocalPoint[]>();
  const lengths = new Map<NodeId, number>();
  if (members.length === 0) return { axis, sectors, paths, lengths, remaining: cells.length };

  const across = (m: PlanMember) => (axis === 'north-south' ? m.pos.x : m.pos.y);
  const order = input.orderBy === 'position' ? [...members].sort((a, b) => across(a) - across(b) || a.id - b.id) : members;

  // Cut the lane-ordered cells into runs of equal effort.
  const total = cells.reduce((s, c) => s + weight(c.cell), 0);
  const chunks: Cell[][] = order.map(() => []);
  let acc = 0;
  for (const c of cells) {
    const w = weight(c.cell);
    const k = Math.min(order.length - 1, Math.floor(((acc + w / 2) / total) * order.length));
    chunks[k]!.push(c);
    acc += w;
  }

  order.forEach((m, k) => {
    const chunk = chunks[k]!;
    sectors.set(m.id, []);
    if (chunk.length === 0) {
      paths.set(m.id, []);
      lengths.set(m.id, 0);
      return;
    }
    // Four ways to fly the block (first or last lane first, up or down first): start at the corner nearest.
    let best: LocalPoint[] | undefined;
    let bestCost = Infinity;
    for (const reverseLanes of [false, true])
      for (const firstUp of [true, false]) {
        const p = lanePath(frame, axis, chunk, reverseLanes, firstUp);
        const cost = dist(m.pos, p[0]!);
        if (cost < bestCost - 1e-9) {
          best = p;
          bestCost = cost;
        }
      }
    const path = best!;
    paths.set(m.id, path);
    lengths.set(m.id, pathLength(m.pos, path));
    sectors.set(m.id, chunk.map((c) => c.cell));
  });
  return { axis, sectors, paths, lengths, remaining: cells.length };
}
