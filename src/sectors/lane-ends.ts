/**
 * Lanes end at a cell's centre: the lane through the neighbouring cell, or the turn to the next lane, sees the
 * rest of the cell. Where the cell beyond is left out because of a no-fly zone, nothing does, and the far
 * corners of the end cell are never in view. Such a lane end is moved on towards the zone, up to the cell's
 * edge, as far as the clearance and the copter's turn allow.
 */
import type { LocalPoint } from '../wire/frame-of-reference.js';
import { inOrNearZone, NOFLY_CLEARANCE_M, type Polygon } from './grid.js';

/**
 * How far a moved lane end stays from a zone: the clearance, plus the way a copter at search speed runs on
 * while it turns for the next lane (fly-by, ≈ 15 m at 10 m/s).
 */
export const LANE_END_ZONE_MARGIN_M = NOFLY_CLEARANCE_M + 15;

/** `end` moved along `dir` (a unit vector) towards a zone the next cell is left out for: at most half a cell. */
function reach(end: LocalPoint, dir: LocalPoint, zones: readonly Polygon[], cellSize: number, stepM: number): LocalPoint {
  const at = (e: number) => ({ x: end.x + dir.x * e, y: end.y + dir.y * e });
  if (!inOrNearZone(at(cellSize), zones, NOFLY_CLEARANCE_M)) return end; // the cell beyond is not a zone's: an edge of the area, or searchable
  let best = 0;
  for (let e = stepM; e <= cellSize / 2 + 1e-9; e += stepM) {
    if (inOrNearZone(at(e), zones, LANE_END_ZONE_MARGIN_M)) break;
    best = e;
  }
  return best > 0 ? at(best) : end;
}

/**
 * A coverage path (waypoints in pairs: lane start, lane end) with lane ends next to a no-fly zone moved on
 * towards it, keeping LANE_END_ZONE_MARGIN_M. One-cell lanes (start = end) are left as they are.
 */
export function reachTowardZones(path: readonly LocalPoint[], zones: readonly Polygon[], cellSize: number, stepM = 2.5): LocalPoint[] {
  const out = [...path];
  if (zones.length === 0) return out;
  for (let i = 0; i + 1 < path.length; i += 2) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len < 1) continue;
    const dir = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
    out[i] = reach(a, { x: -dir.x, y: -dir.y }, zones, cellSize, stepM);
    out[i + 1] = reach(b, dir, zones, cellSize, stepM);
  }
  return out;
}
