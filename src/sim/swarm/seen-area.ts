/**
 * How much of the search area the cameras really had in view. Coverage is counted in cells (a cell is
 * searched once a lane passes within half a sweep of its centre), which is what the planner needs; but a lane
 * flown a metre or two off its line, a lane that ends at a cell's centre, or a partial cell at the area's edge
 * leaves ground that no frame ever showed. This measures that ground directly: sample points on a fine grid
 * over the area (minus no-fly zones), each seen when some camera segment passed within half a sweep of it.
 */
import type { LocalPoint } from '../../wire/frame-of-reference.js';
import { bounds, pointInPolygon, type Polygon } from '../../sectors/grid.js';

export type Segment = readonly [LocalPoint, LocalPoint];

/** The ground really seen: sample points every `stepM` over the area minus no-fly zones. */
export interface SeenGround {
  /** Sample points on searchable ground, and how many some frame showed. */
  readonly inside: number;
  readonly seen: number;
  /** The searchable ground's area, m² (sample points × step²). */
  readonly areaM2: number;
  /** Mission second each sample point was first seen (Infinity: never), points in row order. */
  readonly firstSeenS: Float64Array;
  /** The sample points, as firstSeenS. */
  readonly points: readonly LocalPoint[];
}

/**
 * Samples every `stepM` (offset so they never sit on cell edges) and when each was first within
 * `halfWidthM` of a camera segment; `atS[i]` is when segment i was flown (default: all at 0).
 */
export function seenGround(area: readonly Polygon[], nofly: readonly Polygon[], segments: readonly Segment[], halfWidthM: number, atS?: readonly number[], stepM = 5): SeenGround {
  const { minX, minY, maxX, maxY } = bounds(area);
  if (!Number.isFinite(minX)) return { inside: 0, seen: 0, areaM2: 0, firstSeenS: new Float64Array(0), points: [] };
  // an offset that is no multiple of any cell size in use, so the grid does not line up with lane edges
  const x0 = minX + stepM * 0.26;
  const y0 = minY + stepM * 0.34;
  const cols = Math.max(1, Math.ceil((maxX - x0) / stepM) + 1);
  const rows = Math.max(1, Math.ceil((maxY - y0) / stepM) + 1);
  const first = new Float64Array(cols * rows).fill(Infinity);
  const r2 = halfWidthM * halfWidthM;
  segments.forEach(([a, b], i) => {
    const t0 = atS?.[i] ?? 0;
    const c0 = Math.max(0, Math.floor((Math.min(a.x, b.x) - halfWidthM - x0) / stepM));
    const c1 = Math.min(cols - 1, Math.ceil((Math.max(a.x, b.x) + halfWidthM - x0) / stepM));
    const r0 = Math.max(0, Math.floor((Math.min(a.y, b.y) - halfWidthM - y0) / stepM));
    const r1 = Math.min(rows - 1, Math.ceil((Math.max(a.y, b.y) + halfWidthM - y0) / stepM));
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    for (let r = r0; r <= r1; r++)
      for (let c = c0; c <= c1; c++) {
        const px = x0 + c * stepM;
        const py = y0 + r * stepM;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / len2));
        const ex = a.x + t * dx - px;
        const ey = a.y + t * dy - py;
        const k = r * cols + c;
        if (ex * ex + ey * ey <= r2 && t0 < first[k]!) first[k] = t0;
      }
  });
  const points: LocalPoint[] = [];
  const firstSeenS: number[] = [];
  let got = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const p = { x: x0 + c * stepM, y: y0 + r * stepM };
      if (!area.some((poly) => pointInPolygon(p, poly)) || nofly.some((poly) => pointInPolygon(p, poly))) continue;
      points.push(p);
      firstSeenS.push(first[r * cols + c]!);
      if (first[r * cols + c]! < Infinity) got++;
    }
  return { inside: points.length, seen: got, areaM2: points.length * stepM * stepM, firstSeenS: Float64Array.from(firstSeenS), points };
}

/** Percent of the area's sample points (every `stepM`, offset so they never sit on cell edges) seen. */
export function areaSeenPct(area: readonly Polygon[], nofly: readonly Polygon[], segments: readonly Segment[], halfWidthM: number, stepM = 5): number {
  const g = seenGround(area, nofly, segments, halfWidthM, undefined, stepM);
  return g.inside === 0 ? 0 : (100 * g.seen) / g.inside;
}
