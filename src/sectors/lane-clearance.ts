/**
 * Lanes held NOFLY_CLEARANCE_M from every no-fly zone. Cells whose centre lies nearer a zone than that are
 * searched (searchableCells): their ground up to the zone's edge is seen only if a lane passes them. A lane
 * through such cells is cut at the cells' edges; each piece is moved aside (up to LANE_SHIFT_MAX_M) or, where no
 * move clears it, cut short to its clear stretch nearest the cell's centre, and neighbouring pieces flown at the
 * same offset are joined again. Every piece still passes within LANE_REACH_M of its cell's centre, so the cell
 * counts as searched. Waypoints stay in pairs (lane start, lane end); the legs between pieces are routed round
 * the zones like any other. Pure.
 */
import type { LocalPoint } from '../wire/frame-of-reference.js';
import type { LaneAxis } from './plan.js';
import { clearShift, inOrNearZone, LANE_REACH_M, LANE_SHIFT_MAX_M, NOFLY_CLEARANCE_M, stretchClear, type Polygon } from './grid.js';

const STEP_M = 2.5;

interface Piece {
  a: LocalPoint;
  b: LocalPoint;
}

const along = (p: LocalPoint, d: LocalPoint, m: number) => ({ x: p.x + d.x * m, y: p.y + d.y * m });

/** The clear stretch of a → b (moved `s` aside) with a point nearest to `centre`, if that point is within LANE_REACH_M. */
function clearStretchNear(a: LocalPoint, b: LocalPoint, n: LocalPoint, s: number, centre: LocalPoint, zones: readonly Polygon[]): [LocalPoint, LocalPoint] | undefined {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const k = Math.max(1, Math.ceil(len / STEP_M));
  const pts = Array.from({ length: k + 1 }, (_, i) => along({ x: a.x + ((b.x - a.x) * i) / k, y: a.y + ((b.y - a.y) * i) / k }, n, s));
  const clear = pts.map((p) => !inOrNearZone(p, zones, NOFLY_CLEARANCE_M));
  let best: [LocalPoint, LocalPoint] | undefined;
  let bestD = LANE_REACH_M;
  for (let i = 0; i <= k; ) {
    if (!clear[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 <= k && clear[j + 1]) j++;
    const d = Math.min(...pts.slice(i, j + 1).map((p) => Math.hypot(p.x - centre.x, p.y - centre.y)));
    if (d <= bestD) {
      bestD = d;
      best = [pts[i]!, pts[j]!];
    }
    i = j + 1;
  }
  return best;
}

/** A coverage path (waypoints in pairs) with every lane kept NOFLY_CLEARANCE_M from the zones (see above). */
export function keepLanesClear(path: readonly LocalPoint[], zones: readonly Polygon[], axis: LaneAxis, cellSize: number): LocalPoint[] {
  if (zones.length === 0) return [...path];
  const out: LocalPoint[] = [];
  const dirOf = axis === 'north-south' ? { x: 0, y: 1 } : { x: 1, y: 0 };
  for (let i = 0; i + 1 < path.length; i += 2) {
    const a = path[i]!;
    const b = path[i + 1]!;
    if (stretchClear(a, b, zones, NOFLY_CLEARANCE_M)) {
      out.push(a, b);
      continue;
    }
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const dir = len >= 1 ? { x: (b.x - a.x) / len, y: (b.y - a.y) / len } : dirOf;
    const n = { x: -dir.y, y: dir.x };
    // cut at the cells' edges (the lane runs along the axis, through the cells' centres)
    const u = (p: LocalPoint) => (axis === 'north-south' ? p.y : p.x);
    const cuts = [0];
    if (len >= 1) {
      const sign = u(b) > u(a) ? 1 : -1;
      for (let e = Math.floor(u(a) / cellSize) + (sign > 0 ? 1 : 0); sign > 0 ? e * cellSize < u(b) : e * cellSize > u(b); e += sign) {
        const m = Math.abs(e * cellSize - u(a));
        if (m > 1e-6 && m < len - 1e-6) cuts.push(m);
      }
      cuts.push(len);
    } else cuts.push(0);
    const pieces: Piece[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const pa = along(a, dir, cuts[k]!);
      const pb = along(a, dir, cuts[k + 1]!);
      const mid = along(a, dir, (cuts[k]! + cuts[k + 1]!) / 2);
      // the centre of the cell this piece crosses: on the lane line, midway along the cell
      const c = u(mid);
      const centre = axis === 'north-south' ? { x: mid.x, y: (Math.floor(c / cellSize) + 0.5) * cellSize } : { x: (Math.floor(c / cellSize) + 0.5) * cellSize, y: mid.y };
      const s = clearShift(pa, pb, n, zones);
      if (s !== undefined) {
        pieces.push({ a: along(pa, n, s), b: along(pb, n, s) });
        continue;
      }
      for (let e = 0; e <= LANE_SHIFT_MAX_M + 1e-9; e += STEP_M) {
        const hit = (e === 0 ? [0] : [e, -e]).map((sh) => clearStretchNear(pa, pb, n, sh, centre, zones)).find((x) => x);
        if (hit) {
          pieces.push({ a: hit[0], b: hit[1] });
          break;
        }
      }
    }
    // pieces that meet (at the same offset, or cut short where the one before ends) are one lane again
    const merged: Piece[] = [];
    for (const p of pieces) {
      const last = merged[merged.length - 1];
      if (last && Math.hypot(last.b.x - p.a.x, last.b.y - p.a.y) < 1e-6) last.b = p.b;
      else merged.push({ ...p });
    }
    for (const p of merged) out.push(p.a, p.b);
  }
  return out;
}
