/**
 * The searchable part of the area as cells of the area grid (AreaFrame: square cells of `cellSize` metres,
 * row-major from the origin). Working on cells rather than polygons makes the partition exact, cheap and
 * deterministic, and ties coverage accounting to the same cells that coverage facts carry on air.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { cellCentre } from '../wire/frame-of-reference.js';

export type Ring = readonly LocalPoint[];
/** A polygon: outer ring first, then holes. Rings are not closed. */
export type Polygon = readonly Ring[];

/** Even-odd ray casting: inside the outer ring and not inside a hole. */
export function pointInPolygon(p: LocalPoint, poly: Polygon): boolean {
  let inside = false;
  for (const ring of poly) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i]!;
      const b = ring[j]!;
      if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
    }
  }
  return inside;
}

/** Bounding box of the polygons' outer rings. */
export function bounds(polys: readonly Polygon[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const poly of polys)
    for (const p of poly[0] ?? []) {
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    }
  return { minX, minY, maxX, maxY };
}

/** Distance from p to the segment ab. */
export function distanceToSegment(p: LocalPoint, a: LocalPoint, b: LocalPoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
}

/** Is p within `margin` metres of any ring of the polygon (inside or out)? */
function nearBoundary(p: LocalPoint, poly: Polygon, margin: number): boolean {
  for (const ring of poly)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) if (distanceToSegment(p, ring[j]!, ring[i]!) < margin) return true;
  return false;
}

/** Is p inside one of the zones, or within `margin` metres of one's edge? */
export function inOrNearZone(p: LocalPoint, zones: readonly Polygon[], margin: number): boolean {
  return zones.some((zone) => pointInPolygon(p, zone) || nearBoundary(p, zone, margin));
}

/**
 * How far a lane end stays from a no-fly zone. Lanes end at cell centres, which on a slanted edge can sit a
 * metre outside the zone; a copter turning there, or joining the next lane, would cut into it.
 */
export const NOFLY_CLEARANCE_M = 10;

/** Where a cell's edge samples sit, as a fraction of the cell from its centre (see searchableCells). */
const EDGE_SAMPLE = 0.4;

/**
 * How far a lane may be moved aside to keep NOFLY_CLEARANCE_M from a zone: it then still passes within half a
 * sweep (27.5 m) of the centres of the cells it searches, and further than that from the next lane's (49.5 -
 * 20 m), so coverage is counted for its own cells only.
 */
export const LANE_SHIFT_MAX_M = 20;
const CLEAR_STEP_M = 2.5;

/** Is the stretch a → b outside every zone and at least `m` from each (sampled every 2.5 m)? */
export function stretchClear(a: LocalPoint, b: LocalPoint, zones: readonly Polygon[], m: number): boolean {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const k = Math.max(1, Math.ceil(len / CLEAR_STEP_M));
  for (let i = 0; i <= k; i++) if (inOrNearZone({ x: a.x + ((b.x - a.x) * i) / k, y: a.y + ((b.y - a.y) * i) / k }, zones, m)) return false;
  return true;
}

/**
 * The smallest move along the unit vector `side` (signed, in steps of 2.5 m, at most LANE_SHIFT_MAX_M) that
 * keeps the stretch a → b NOFLY_CLEARANCE_M from every zone; undefined when none does.
 */
export function clearShift(a: LocalPoint, b: LocalPoint, side: LocalPoint, zones: readonly Polygon[]): number | undefined {
  for (let e = 0; e <= LANE_SHIFT_MAX_M + 1e-9; e += CLEAR_STEP_M)
    for (const s of e === 0 ? [0] : [e, -e])
      if (stretchClear({ x: a.x + side.x * s, y: a.y + side.y * s }, { x: b.x + side.x * s, y: b.y + side.y * s }, zones, NOFLY_CLEARANCE_M)) return s;
  return undefined;
}

/** A lane passing this near a cell's centre counts it searched with room to spare (half a sweep is 27.5 m). */
export const LANE_REACH_M = 22;

/** Offsets (along the lane, aside) a lane through a cell may take, nearest first, in steps of 2.5 m. */
function offsets(half: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = -LANE_SHIFT_MAX_M; s <= LANE_SHIFT_MAX_M + 1e-9; s += CLEAR_STEP_M)
    for (let t = -half; t <= half + 1e-9; t += CLEAR_STEP_M) if (Math.hypot(s, t) <= LANE_REACH_M) out.push([t, s]);
  return out.sort((p, q) => Math.hypot(p[0], p[1]) - Math.hypot(q[0], q[1]));
}

/**
 * Can a lane along either axis through this cell pass within LANE_REACH_M of its centre NOFLY_CLEARANCE_M from
 * every zone (moved aside by at most LANE_SHIFT_MAX_M, or cut short)? Both axes: the cells are chosen before
 * the lane direction is.
 */
function flyableByZones(centre: LocalPoint, half: number, zones: readonly Polygon[]): boolean {
  const near = offsets(half);
  const ok = (dir: LocalPoint) => near.some(([t, s]) => !inOrNearZone({ x: centre.x + dir.x * t - dir.y * s, y: centre.y + dir.y * t + dir.x * s }, zones, NOFLY_CLEARANCE_M));
  return ok({ x: 1, y: 0 }) && ok({ x: 0, y: 1 });
}

/**
 * Cells with part of their ground in a search polygon, whose centre is in no no-fly polygon, sorted ascending.
 * A cell is the unit of search: one lane covers a column of cells. A partial cell at the area's edge (or a
 * hole's) counts when its centre or one of eight points 0.4 of a cell from it is inside: ground seen is the
 * outcome, and a victim in the part of such a cell that is inside is seen only if the cell is searched. A cell
 * whose centre lies within NOFLY_CLEARANCE_M of a zone counts when its lane can be moved aside to keep that
 * clearance (see keepLanesClear): its ground up to the zone's edge is then seen, where leaving it out left a
 * strip up to 30 m wide along every zone that no camera showed (4.5% of a generated coast).
 */
export function searchableCells(frame: AreaFrame, search: readonly Polygon[], nofly: readonly Polygon[] = []): number[] {
  if (search.length === 0) return [];
  const b = bounds(search);
  const c0 = Math.max(0, Math.floor(b.minX / frame.cellSize));
  const c1 = Math.min(frame.cols - 1, Math.floor(b.maxX / frame.cellSize));
  const r0 = Math.max(0, Math.floor(b.minY / frame.cellSize));
  const r1 = Math.floor(b.maxY / frame.cellSize);
  const out: number[] = [];
  for (let r = r0; r <= r1; r++)
    for (let c = c0; c <= c1; c++) {
      const cell = r * frame.cols + c;
      const centre = cellCentre(frame, cell);
      const d = frame.cellSize * EDGE_SAMPLE;
      const partly = (p: LocalPoint) => search.some((poly) => pointInPolygon(p, poly));
      if (!partly(centre) && ![-d, 0, d].some((dx) => [-d, 0, d].some((dy) => (dx || dy) && partly({ x: centre.x + dx, y: centre.y + dy })))) continue;
      if (inOrNearZone(centre, nofly, NOFLY_CLEARANCE_M) && (inOrNearZone(centre, nofly, 0) || !flyableByZones(centre, frame.cellSize / 2, nofly))) continue;
      out.push(cell);
    }
  return out;
}

/** Where a cell's samples sit for priority regions: nearer the edge than EDGE_SAMPLE, as a lane sees to its cell's edge. */
const PRIORITY_SAMPLE = 0.45;

/**
 * The searchable cells with part of their ground in a priority region (centre or one of eight points 0.45 of a
 * cell from it): the ground to be seen first. A cell the region only clips is in, since its lane is the only
 * one that sees that ground. Sorted ascending.
 */
export function priorityCells(frame: AreaFrame, searchable: readonly number[], regions: readonly Polygon[]): number[] {
  if (regions.length === 0) return [];
  const d = frame.cellSize * PRIORITY_SAMPLE;
  const inside = (p: LocalPoint) => regions.some((poly) => pointInPolygon(p, poly));
  return [...new Set(searchable)]
    .filter((cell) => {
      const c = cellCentre(frame, cell);
      return [-d, 0, d].some((dx) => [-d, 0, d].some((dy) => inside({ x: c.x + dx, y: c.y + dy })));
    })
    .sort((a, b) => a - b);
}

/** Cells whose centre a camera footprint of `sweepWidth` passes over flying the segment from → to. */
export function sweptCells(frame: AreaFrame, from: LocalPoint, to: LocalPoint, sweepWidth: number): number[] {
  const half = sweepWidth / 2;
  const size = frame.cellSize;
  const c0 = Math.max(0, Math.floor((Math.min(from.x, to.x) - half) / size));
  const c1 = Math.min(frame.cols - 1, Math.floor((Math.max(from.x, to.x) + half) / size));
  const r0 = Math.max(0, Math.floor((Math.min(from.y, to.y) - half) / size));
  const r1 = Math.floor((Math.max(from.y, to.y) + half) / size);
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const len2 = dx * dx + dy * dy;
  const out: number[] = [];
  for (let r = r0; r <= r1; r++)
    for (let c = c0; c <= c1; c++) {
      const cx = (c + 0.5) * size;
      const cy = (r + 0.5) * size;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((cx - from.x) * dx + (cy - from.y) * dy) / len2));
      const ex = from.x + t * dx - cx;
      const ey = from.y + t * dy - cy;
      // a hair of tolerance so a lane flown exactly through a column of centres counts them
      if (ex * ex + ey * ey <= half * half + 1e-6) out.push(r * frame.cols + c);
    }
  return out;
}
