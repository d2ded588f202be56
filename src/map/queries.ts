/** Questions a drone agent (and the ground station) asks of the map. Pure functions of a MapState. */
import { pointInPolygon } from '../sectors/grid.js';
import type { LocalPoint, AreaFrame } from '../wire/frame-of-reference.js';
import { cellCentre } from '../wire/frame-of-reference.js';
import type { MapState, RoadView, VictimState, VictimView } from './state.js';

const dist2 = (a: LocalPoint, b: LocalPoint) => (a.x - b.x) ** 2 + (a.y - b.y) ** 2;

/**
 * Victims within `radius` metres of `p`, nearest first. By default only those still needing help
 * (reported or confirmed).
 */
export function victimsNear(
  state: MapState,
  p: LocalPoint,
  radius: number,
  states: readonly VictimState[] = ['reported', 'confirmed'],
): VictimView[] {
  const r2 = radius * radius;
  return state.victims
    .filter((v) => states.includes(v.state) && dist2(v.fact.pos, p) <= r2)
    .sort((a, b) => dist2(a.fact.pos, p) - dist2(b.fact.pos, p) || (a.id < b.id ? -1 : 1));
}

/** Roads reported blocked and not cleared (nor withdrawn). */
export function blockedRoads(state: MapState): RoadView[] {
  return state.roads.filter((r) => r.state === 'blocked');
}

/** Roads once reported blocked that have been cleared: open again. */
export function openRoads(state: MapState): RoadView[] {
  return state.roads.filter((r) => r.state === 'cleared');
}

function segmentDist2(p: LocalPoint, a: LocalPoint, b: LocalPoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return dist2(p, { x: a.x + t * dx, y: a.y + t * dy });
}

/** Whether a blocked road passes within `radius` metres of `p` (e.g. before routing a ground team there). */
export function isBlockedNear(state: MapState, p: LocalPoint, radius: number): boolean {
  const r2 = radius * radius;
  return blockedRoads(state).some((r) => r.fact.path.some((a, i) => i > 0 && segmentDist2(p, r.fact.path[i - 1]!, a) <= r2));
}

/** Even-odd point-in-polygon over all rings (outer ring plus holes): the sectors' test, so map and plan agree. */
export function insideRings(p: LocalPoint, rings: readonly (readonly LocalPoint[])[]): boolean {
  return pointInPolygon(p, rings);
}

export interface PolygonCoverage {
  /** Cells whose centre lies inside the polygon. */
  readonly cells: number;
  /** Of those, the cells reported searched. */
  readonly covered: number;
  /** covered / cells (0 for a polygon holding no cell centre). */
  readonly fraction: number;
}

/** How much of a polygon has been searched, counted in coverage cells of the area frame. */
export function coverageOf(state: MapState, frame: AreaFrame, rings: readonly (readonly LocalPoint[])[]): PolygonCoverage {
  const outer = rings[0];
  if (!outer || outer.length < 3) return { cells: 0, covered: 0, fraction: 0 };
  const xs = outer.map((p) => p.x);
  const ys = outer.map((p) => p.y);
  const c0 = Math.max(0, Math.floor(Math.min(...xs) / frame.cellSize));
  const c1 = Math.min(frame.cols - 1, Math.floor(Math.max(...xs) / frame.cellSize));
  const r0 = Math.max(0, Math.floor(Math.min(...ys) / frame.cellSize));
  const r1 = Math.floor(Math.max(...ys) / frame.cellSize);
  const covered = new Set(state.covered);
  let cells = 0;
  let done = 0;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * frame.cols + c;
      if (!insideRings(cellCentre(frame, cell), rings)) continue;
      cells++;
      if (covered.has(cell)) done++;
    }
  }
  return { cells, covered: done, fraction: cells ? done / cells : 0 };
}

/** Whether a point lies in a no-fly zone in force. */
export function inNoFly(state: MapState, p: LocalPoint): boolean {
  return state.noFly.some((z) => insideRings(p, z.rings));
}
