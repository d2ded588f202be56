/**
 * The lane geometry shared by the planner and the share-out of lost members' remainders: cells as (lane,
 * position along the lane), the global snake order, and cutting it into consecutive runs.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { LaneAxis } from './plan.js';

export interface Cell {
  readonly cell: number;
  /** Index of the lane (column for north-south lanes, row for east-west). */
  readonly lane: number;
  /** Position along the lane. */
  readonly along: number;
}

export function toCell(frame: AreaFrame, axis: LaneAxis, cell: number): Cell {
  const r = Math.floor(cell / frame.cols);
  const c = cell - r * frame.cols;
  return axis === 'north-south' ? { cell, lane: c, along: r } : { cell, lane: r, along: c };
}

export function centre(frame: AreaFrame, axis: LaneAxis, lane: number, along: number): LocalPoint {
  const s = frame.cellSize;
  return axis === 'north-south' ? { x: (lane + 0.5) * s, y: (along + 0.5) * s } : { x: (along + 0.5) * s, y: (lane + 0.5) * s };
}

export function dist(a: LocalPoint, b: LocalPoint): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * Global snake order: lane by lane, up the even lanes and down the odd ones. Lane parity is global (lane index),
 * so any subset of the area — a block, a lost member's remainder, what is left of a sector — is flown in the
 * same order, and a block cut from the snake is one boustrophedon whose lane changes are one cell long.
 */
export function snakeCompare(a: Cell, b: Cell): number {
  if (a.lane !== b.lane) return a.lane - b.lane;
  return a.lane % 2 === 0 ? a.along - b.along : b.along - a.along;
}

/**
 * Waypoints over cells in snake order: both ends of every run of adjacent cells along a lane. Waypoints come
 * in pairs (run start, run end), even for a one-cell run, so a follower knows that segment 2k→2k+1 is a lane
 * to search and 2k+1→2k+2 a transition.
 */
export function snakePath(frame: AreaFrame, axis: LaneAxis, cells: readonly Cell[]): LocalPoint[] {
  const out: LocalPoint[] = [];
  for (let k = 0; k < cells.length; k++) {
    const c = cells[k]!;
    const prev = cells[k - 1];
    const next = cells[k + 1];
    const startsRun = !prev || prev.lane !== c.lane || Math.abs(prev.along - c.along) !== 1;
    const endsRun = !next || next.lane !== c.lane || Math.abs(next.along - c.along) !== 1;
    if (startsRun) out.push(centre(frame, axis, c.lane, c.along));
    if (endsRun) out.push(centre(frame, axis, c.lane, c.along));
  }
  return out;
}

/** Cuts the snake-ordered cells into consecutive runs, one per member, whose boundaries fall at these efforts. */
export function cutAt(cells: readonly Cell[], weight: (cell: number) => number, targets: readonly number[]): Cell[][] {
  const chunks: Cell[][] = targets.map(() => []);
  let acc = 0;
  let k = 0;
  let bound = targets[0] ?? 0;
  for (const c of cells) {
    const w = weight(c.cell);
    while (k < targets.length - 1 && acc + w / 2 >= bound) bound += targets[++k]!;
    chunks[k]!.push(c);
    acc += w;
  }
  return chunks;
}

