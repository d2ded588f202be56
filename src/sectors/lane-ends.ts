/**
 * Lanes end at a cell's centre: the lane through the neighbouring cell, or the turn to the next lane, sees the
 * rest of the cell. Where the cell beyond is not searched (a no-fly zone's, or beyond the area's edge or a
 * hole's), nothing does, and the far corners of the end cell are never in view. Such a lane end is moved on
 * to the cell's edge: towards a zone only as far as the clearance and the copter's turn allow. One-cell lanes
 * (start = end) reach both ways along the lane axis.
 */
import type { LocalPoint } from '../wire/frame-of-reference.js';
import type { LaneAxis } from './plan.js';
import { inOrNearZone, NOFLY_CLEARANCE_M, type Polygon } from './grid.js';

/**
 * How far a moved lane end stays from a zone: the clearance, plus the way a copter at search speed runs on
 * while it turns for the next lane (fly-by, ≈ 15 m at 10 m/s).
 */
export const LANE_END_ZONE_MARGIN_M = NOFLY_CLEARANCE_M + 15;

/**
 * How far short of its cell's edge an end stops where another run searches the cell beyond, metres: the camera
 * then stays more than half a sweep from that cell's centre even when the copter takes the lane's start fly-by,
 * up to 10 m from it on the far side. At 5 m, a drone arriving 6 m past its lane start counted the next cell
 * searched, the drone flying it re-planned round it, and a victim in it was never in view (generated coast 19).
 */
const SHORT_OF_NEXT_M = 15;

/** `end` moved along `dir` (a unit vector) up to half a cell (less where another run searches the cell beyond). */
function reach(end: LocalPoint, dir: LocalPoint, o: LaneEndOptions): LocalPoint {
  const stepM = o.stepM ?? 2.5;
  const at = (e: number) => ({ x: end.x + dir.x * e, y: end.y + dir.y * e });
  const towardZone = o.zones.length > 0 && inOrNearZone(at(o.cellSize), o.zones, NOFLY_CLEARANCE_M);
  // Without the searched ground known, only ends beside a zone reach. With it, every end does: a run ends where
  // the next cell along the lane is not searched, or is searched by another run (another drone's sector, a
  // share, cells searched already) that ends at that cell's centre, fly-by short of it, and the two left a gap
  // between them (a victim 30 m from both ends was never in view on a generated valley).
  if (!towardZone && !o.searchableAt) return end;
  // into a cell another run searches, only so far that this camera does not pass within half a sweep of its
  // centre: that cell is not counted searched by a run that sees only its near side
  const limit = !towardZone && o.searchableAt?.(at(o.cellSize)) ? o.cellSize / 2 - SHORT_OF_NEXT_M : o.cellSize / 2;
  let best = 0;
  for (let e = stepM; e <= limit + 1e-9; e += stepM) {
    if (o.zones.length && inOrNearZone(at(e), o.zones, LANE_END_ZONE_MARGIN_M)) break;
    best = e;
  }
  return best > 0 ? at(best) : end;
}

export interface LaneEndOptions {
  readonly zones: readonly Polygon[];
  readonly cellSize: number;
  /** Is the cell under this point searchable? Absent: only lane ends beside a zone reach. */
  readonly searchableAt?: (p: LocalPoint) => boolean;
  /** Lane direction, for one-cell lanes (absent: they are left as they are). */
  readonly axis?: LaneAxis;
  readonly stepM?: number;
}

/** A coverage path (waypoints in pairs: lane start, lane end) with lane ends reaching to the edge of what is searched. */
export function reachLaneEnds(path: readonly LocalPoint[], o: LaneEndOptions): LocalPoint[] {
  const out = [...path];
  for (let i = 0; i + 1 < path.length; i += 2) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    let dir: LocalPoint;
    if (len >= 1) dir = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
    else if (o.axis) dir = o.axis === 'north-south' ? { x: 0, y: 1 } : { x: 1, y: 0 };
    else continue;
    out[i] = reach(a, { x: -dir.x, y: -dir.y }, o);
    out[i + 1] = reach(b, dir, o);
  }
  return out;
}

/**
 * A coverage path (waypoints in pairs: lane start, lane end) with lane ends next to a no-fly zone moved on
 * towards it, keeping LANE_END_ZONE_MARGIN_M. One-cell lanes (start = end) are left as they are.
 */
export function reachTowardZones(path: readonly LocalPoint[], zones: readonly Polygon[], cellSize: number, stepM = 2.5): LocalPoint[] {
  if (zones.length === 0) return [...path];
  return reachLaneEnds(path, { zones, cellSize, stepM });
}
