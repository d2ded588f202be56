/**
 * The order cells are flown in when no-fly zones (or wide gaps) cut lanes in two. The plain snake runs every
 * lane end to end, so a drone whose sector spans a zone flies round it once per lane: on generated ground
 * more time went to those detours than to the lanes. Here the lanes are split where a zone (or a gap wider
 * than `maxGapCells`) cuts them, and the pieces are grouped into regions as a boustrophedon decomposition does:
 * a region grows lane by lane while exactly one piece of the next lane overlaps exactly one of the last. Each
 * region is a snake of its own (global lane parity, so a lane change is one cell long, flown up or down the
 * lanes), and the regions follow one another by the shortest hop. The result is a rank per cell: any subset of
 * the area (a sector, what a lost member left) sorted by rank is flown in the same order. Pure and
 * deterministic: it depends only on the mission (grid, lane axis, searchable cells, zones).
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { LaneAxis } from './plan.js';
import { inOrNearZone, NOFLY_CLEARANCE_M, type Polygon } from './grid.js';
import { centre, dist, snakeCompare, toCell, type Cell } from './snake.js';

/** A cell's place in the flying order. */
export type CellRanks = ReadonlyMap<number, number>;

interface Piece {
  readonly lane: number;
  readonly lo: number;
  readonly hi: number;
  readonly cells: Cell[];
  region: number;
}

/** Is the straight line along `lane` from `a` to `b` (positions along it) within the zones' clearance? */
function gapBlocked(frame: AreaFrame, axis: LaneAxis, lane: number, a: number, b: number, zones: readonly Polygon[]): boolean {
  if (zones.length === 0) return false;
  const p = centre(frame, axis, lane, a);
  const q = centre(frame, axis, lane, b);
  const n = Math.max(1, Math.ceil(dist(p, q) / 5));
  for (let i = 1; i < n; i++) {
    const t = i / n;
    if (inOrNearZone({ x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t }, zones, NOFLY_CLEARANCE_M)) return true;
  }
  return false;
}

/** The lanes' pieces: runs of searchable cells, joined across gaps that are narrow and clear of every zone. */
function pieces(frame: AreaFrame, axis: LaneAxis, cells: readonly Cell[], zones: readonly Polygon[], maxGapCells: number): Piece[] {
  const byLane = new Map<number, Cell[]>();
  for (const c of cells) {
    let l = byLane.get(c.lane);
    if (!l) byLane.set(c.lane, (l = []));
    l.push(c);
  }
  const out: Piece[] = [];
  for (const lane of [...byLane.keys()].sort((a, b) => a - b)) {
    const row = byLane.get(lane)!.sort((a, b) => a.along - b.along);
    let cur: Cell[] = [];
    const close = () => {
      if (cur.length) out.push({ lane, lo: cur[0]!.along, hi: cur[cur.length - 1]!.along, cells: cur, region: -1 });
      cur = [];
    };
    for (const c of row) {
      const prev = cur[cur.length - 1];
      if (prev && c.along - prev.along > 1 && (c.along - prev.along - 1 > maxGapCells || gapBlocked(frame, axis, lane, prev.along, c.along, zones))) close();
      cur.push(c);
    }
    close();
  }
  return out;
}

/**
 * Ranks of the searchable cells: regions of lane pieces, each flown as a snake, one after another. Without
 * zones or wide gaps there is one region and the ranks are the plain snake order.
 */
export function regionRanks(frame: AreaFrame, axis: LaneAxis, searchable: readonly number[], zones: readonly Polygon[], maxGapCells = 2): CellRanks {
  const cells = [...new Set(searchable)].map((c) => toCell(frame, axis, c));
  const all = pieces(frame, axis, cells, zones, maxGapCells);
  // boustrophedon decomposition: a piece continues the region of the one piece of the lane before that
  // overlaps it, when that piece overlaps nothing else in this lane
  const regions: Piece[][] = [];
  let prevLane: Piece[] = [];
  let i = 0;
  while (i < all.length) {
    const lane = all[i]!.lane;
    const here: Piece[] = [];
    while (i < all.length && all[i]!.lane === lane) here.push(all[i++]!);
    const before = prevLane.length && prevLane[0]!.lane === lane - 1 ? prevLane : [];
    const overlaps = (a: Piece, b: Piece) => a.lo <= b.hi && b.lo <= a.hi;
    for (const s of here) {
      const from = before.filter((p) => overlaps(p, s));
      if (from.length === 1 && here.filter((t) => overlaps(from[0]!, t)).length === 1) {
        s.region = from[0]!.region;
        regions[s.region]!.push(s);
      } else {
        s.region = regions.length;
        regions.push([s]);
      }
    }
    prevLane = here;
  }
  // each region as a snake (lanes ascending or descending: global parity keeps lane changes one cell long either
  // way), regions in turn by the shortest hop from where the last one ended
  const flown = (r: Piece[], down: boolean): Cell[] => {
    const cs = r.flatMap((p) => p.cells).sort(snakeCompare);
    if (!down) return cs;
    // lanes in reverse, each lane still in its own direction
    const lanes = new Map<number, Cell[]>();
    for (const c of cs) {
      let l = lanes.get(c.lane);
      if (!l) lanes.set(c.lane, (l = []));
      l.push(c);
    }
    return [...lanes.keys()].sort((a, b) => b - a).flatMap((l) => lanes.get(l)!);
  };
  const at = (c: Cell): LocalPoint => centre(frame, axis, c.lane, c.along);
  const ranks = new Map<number, number>();
  const left = new Set(regions.map((_, k) => k));
  let end: LocalPoint | undefined;
  while (left.size) {
    let best: Cell[] | undefined;
    let bestK = -1;
    let bestD = Infinity;
    for (const k of [...left].sort((a, b) => a - b)) {
      for (const down of [false, true]) {
        const order = flown(regions[k]!, down);
        const d = end ? dist(end, at(order[0]!)) : 0;
        if (d < bestD - 1e-9) {
          bestD = d;
          best = order;
          bestK = k;
        }
      }
      if (!end) break; // the first region, flown up the lanes: where the plain snake starts
    }
    left.delete(bestK);
    for (const c of best!) ranks.set(c.cell, ranks.size);
    end = at(best![best!.length - 1]!);
  }
  return ranks;
}

/** Orders cells by rank (cells without one after, in snake order). */
export function byRank(ranks: CellRanks | undefined): (a: Cell, b: Cell) => number {
  if (!ranks) return snakeCompare;
  return (a, b) => {
    const ra = ranks.get(a.cell);
    const rb = ranks.get(b.cell);
    if (ra !== undefined && rb !== undefined) return ra - rb;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return snakeCompare(a, b);
  };
}
