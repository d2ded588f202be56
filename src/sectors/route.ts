/**
 * Legs that stay out of no-fly zones. A search lane never enters one (lanes join searchable cells only), but
 * the legs between lanes, to a sector, to a share of a lost member's and across a gap in a lane would fly
 * straight over a zone. The shortest way around goes corner to corner: a visibility graph over the zones'
 * corners, pushed outward by a margin, searched with Dijkstra. Pure; zones are few and small, so the
 * quadratic graph costs microseconds.
 */
import type { LocalPoint } from '../wire/frame-of-reference.js';
import { distanceToSegment, pointInPolygon, type Polygon } from './grid.js';

const cross = (o: LocalPoint, a: LocalPoint, b: LocalPoint) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Do segments pq and uv cross (touching at an end does not count)? */
function crosses(p: LocalPoint, q: LocalPoint, u: LocalPoint, v: LocalPoint): boolean {
  const d1 = cross(u, v, p);
  const d2 = cross(u, v, q);
  const d3 = cross(p, q, u);
  const d4 = cross(p, q, v);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Inside the zone's outer ring (its holes do not count: a drone does not fly into a zone to cross a hole). */
const insideOuter = (p: LocalPoint, zone: Polygon) => pointInPolygon(p, [zone[0] ?? []]);

/** Does the straight leg a → b pass through the zone? */
export function legEntersZone(a: LocalPoint, b: LocalPoint, zone: Polygon): boolean {
  const outer = zone[0] ?? [];
  for (let i = 0, j = outer.length - 1; i < outer.length; j = i++) if (crosses(a, b, outer[j]!, outer[i]!)) return true;
  // entirely inside, or through two corners exactly
  return insideOuter({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, zone);
}

/** How close the leg a → b comes to the zone's outer ring (0 when it enters). */
export function legDistanceToZone(a: LocalPoint, b: LocalPoint, zone: Polygon): number {
  if (legEntersZone(a, b, zone)) return 0;
  const outer = zone[0] ?? [];
  let best = Infinity;
  for (let i = 0, j = outer.length - 1; i < outer.length; j = i++) {
    const u = outer[j]!;
    const v = outer[i]!;
    best = Math.min(best, distanceToSegment(a, u, v), distanceToSegment(b, u, v), distanceToSegment(u, a, b), distanceToSegment(v, a, b));
  }
  return best;
}

/**
 * The clearance a leg keeps from zones by default. A copter flying by a waypoint swings out by up to its
 * run-on (fence.md: 17.2 m at 8 m/s, 25.7 m at 10 m/s, measured from the point the new target was sent), and
 * it is sent the next target 10 m before the waypoint; a leg passing a zone at this distance keeps the swing
 * out of it. Legs that start or end nearer (a lane end beside a zone) keep at least their ends' distance.
 */
export const ROUTE_CLEARANCE_M = 20;

/** Corners of a zone's outer ring pushed `margin` metres outward along their bisector. */
function corners(zone: Polygon, margin: number): LocalPoint[] {
  const ring = zone[0] ?? [];
  const n = ring.length;
  if (n < 3) return [];
  // orientation: positive area is counter-clockwise
  let area = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) area += ring[j]!.x * ring[i]!.y - ring[i]!.x * ring[j]!.y;
  const ccw = area > 0;
  const out: LocalPoint[] = [];
  for (let i = 0; i < n; i++) {
    const prev = ring[(i + n - 1) % n]!;
    const cur = ring[i]!;
    const next = ring[(i + 1) % n]!;
    const e1 = { x: cur.x - prev.x, y: cur.y - prev.y };
    const e2 = { x: next.x - cur.x, y: next.y - cur.y };
    const l1 = Math.hypot(e1.x, e1.y) || 1;
    const l2 = Math.hypot(e2.x, e2.y) || 1;
    // outward normals of both edges (right of the direction for a counter-clockwise ring)
    const n1 = ccw ? { x: e1.y / l1, y: -e1.x / l1 } : { x: -e1.y / l1, y: e1.x / l1 };
    const n2 = ccw ? { x: e2.y / l2, y: -e2.x / l2 } : { x: -e2.y / l2, y: e2.x / l2 };
    const bx = n1.x + n2.x;
    const by = n1.y + n2.y;
    const bl = Math.hypot(bx, by) || 1;
    // reflex corners point inward: no way round them is needed
    const turn = e1.x * e2.y - e1.y * e2.x;
    if (ccw ? turn < 0 : turn > 0) continue;
    // √2 × margin clears a right-angled corner by the margin along both edges
    const k = margin * Math.min(3, 1 / Math.max(0.34, (bx * n1.x + by * n1.y) / bl));
    out.push({ x: cur.x + (bx / bl) * k, y: cur.y + (by / bl) * k });
  }
  return out;
}

/**
 * Via points for the leg a → b so that no part of it enters a zone (a and b excluded; empty when the straight
 * leg is clear). Zones containing a or b are ignored: a drone inside one leaves it the shortest way.
 */
export function routeAround(a: LocalPoint, b: LocalPoint, zones: readonly Polygon[], marginM = 30, clearanceM = ROUTE_CLEARANCE_M): LocalPoint[] {
  const active = zones.filter((z) => !insideOuter(a, z) && !insideOuter(b, z));
  if (active.length === 0) return [];
  // per zone: the clearance asked of every leg, no more than the ends' own distance from it (a hair less)
  const need = active.map((z) => Math.max(0, Math.min(clearanceM, distanceToZone(a, z) - 0.5, distanceToZone(b, z) - 0.5)));
  const clear = (p: LocalPoint, q: LocalPoint) => active.every((z, i) => (need[i]! > 0 ? legDistanceToZone(p, q, z) >= need[i]! : !legEntersZone(p, q, z)));
  if (clear(a, b)) return [];
  const via = shortestVia(a, b, active, marginM, clear);
  if (via) return via;
  // no way round with the clearance (zones close together): one that at least stays out
  if (clearanceM > 0) return routeAround(a, b, zones, marginM, 0);
  return []; // unreachable: fly straight rather than not at all
}

/** Distance from p to the zone's outer ring (0 on it), inside or out. */
export function distanceToZone(p: LocalPoint, zone: Polygon): number {
  const outer = zone[0] ?? [];
  let best = Infinity;
  for (let i = 0, j = outer.length - 1; i < outer.length; j = i++) best = Math.min(best, distanceToSegment(p, outer[j]!, outer[i]!));
  return best;
}

/** Dijkstra over the visibility graph of a, b and the zones' pushed-out corners; undefined when b is unreachable. */
function shortestVia(a: LocalPoint, b: LocalPoint, active: readonly Polygon[], marginM: number, clear: (p: LocalPoint, q: LocalPoint) => boolean): LocalPoint[] | undefined {
  const nodes: LocalPoint[] = [a, b, ...active.flatMap((z) => corners(z, marginM)).filter((p) => !active.some((z) => insideOuter(p, z)))];
  const n = nodes.length;
  const dist = new Array<number>(n).fill(Infinity);
  const prev = new Array<number>(n).fill(-1);
  const done = new Array<boolean>(n).fill(false);
  dist[0] = 0;
  for (;;) {
    let u = -1;
    for (let i = 0; i < n; i++) if (!done[i] && (u < 0 || dist[i]! < dist[u]!)) u = i;
    if (u < 0 || dist[u] === Infinity) return undefined;
    if (u === 1) break;
    done[u] = true;
    for (let v = 0; v < n; v++) {
      if (done[v] || v === u) continue;
      const d = dist[u]! + Math.hypot(nodes[u]!.x - nodes[v]!.x, nodes[u]!.y - nodes[v]!.y);
      if (d < dist[v]! && clear(nodes[u]!, nodes[v]!)) {
        dist[v] = d;
        prev[v] = u;
      }
    }
  }
  const via: LocalPoint[] = [];
  for (let v = prev[1]!; v > 0; v = prev[v]!) via.unshift(nodes[v]!);
  return via;
}
