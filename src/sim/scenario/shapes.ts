/**
 * Plane shapes for the mission generator, in local metres: irregular outlines, strips, rectangles, and the
 * tests the generator needs to place things (inside, distance to a ring, polygon area).
 */
import type { Random } from '../../core/random.js';
import type { LocalPoint } from '../../wire/frame-of-reference.js';
import { distanceToSegment, pointInPolygon, type Polygon, type Ring } from '../../sectors/grid.js';

export type Pt = LocalPoint;

export function rect(x0: number, y0: number, x1: number, y1: number): Pt[] {
  return [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ];
}

/** An irregular outline round a centre: radii jittered per vertex, some pulled far in (bays: a concave area). */
export function blob(rnd: Random, cx: number, cy: number, rx: number, ry: number, n: number, jitter: number, bays = 0): Pt[] {
  const k = Array.from({ length: n }, () => 1 - jitter + rnd.next() * jitter);
  for (let b = 0; b < bays; b++) {
    const at = rnd.int(n);
    const deep = 0.35 + rnd.next() * 0.2;
    k[at] = deep;
    if (rnd.chance(0.5)) k[(at + 1) % n] = deep + 0.1;
  }
  const turn = rnd.next() * Math.PI * 2;
  return k.map((f, i) => {
    const a = turn + (i / n) * 2 * Math.PI;
    return { x: Math.round(cx + Math.cos(a) * rx * f), y: Math.round(cy + Math.sin(a) * ry * f) };
  });
}

/** A strip `width` wide along a polyline (a corridor, a power line, a river): one ring. */
export function strip(line: readonly Pt[], width: number): Pt[] {
  const half = width / 2;
  const left: Pt[] = [];
  const right: Pt[] = [];
  line.forEach((p, i) => {
    const a = line[Math.max(0, i - 1)]!;
    const b = line[Math.min(line.length - 1, i + 1)]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const nx = -(b.y - a.y) / len;
    const ny = (b.x - a.x) / len;
    left.push({ x: Math.round(p.x + nx * half), y: Math.round(p.y + ny * half) });
    right.push({ x: Math.round(p.x - nx * half), y: Math.round(p.y - ny * half) });
  });
  return [...left, ...right.reverse()];
}

/** Distance from p to the nearest edge of any ring of the polygon. */
export function distanceToEdge(p: Pt, poly: Polygon): number {
  let best = Infinity;
  for (const ring of poly) for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) best = Math.min(best, distanceToSegment(p, ring[j]!, ring[i]!));
  return best;
}

export function inside(p: Pt, polys: readonly Polygon[]): boolean {
  return polys.some((poly) => pointInPolygon(p, poly));
}

/** Signed area of a ring (shoelace), m². */
export function ringArea(ring: Ring): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j]!.x + ring[i]!.x) * (ring[j]!.y - ring[i]!.y);
  return Math.abs(s / 2);
}

/** A point along a polyline, `t` in 0..1 of its length. */
export function along(line: readonly Pt[], t: number): Pt {
  const lens = line.slice(1).map((p, i) => Math.hypot(p.x - line[i]!.x, p.y - line[i]!.y));
  let d = t * lens.reduce((a, b) => a + b, 0);
  for (let i = 0; i < lens.length; i++) {
    if (d <= lens[i]! || i === lens.length - 1) {
      const f = lens[i]! > 0 ? Math.min(1, d / lens[i]!) : 0;
      return { x: line[i]!.x + (line[i + 1]!.x - line[i]!.x) * f, y: line[i]!.y + (line[i + 1]!.y - line[i]!.y) * f };
    }
    d -= lens[i]!;
  }
  return line[line.length - 1]!;
}

/** Bounding box of points. */
export function box(pts: readonly Pt[]): { minX: number; minY: number; maxX: number; maxY: number } {
  return {
    minX: Math.min(...pts.map((p) => p.x)),
    minY: Math.min(...pts.map((p) => p.y)),
    maxX: Math.max(...pts.map((p) => p.x)),
    maxY: Math.max(...pts.map((p) => p.y)),
  };
}
