/**
 * Homes for N vehicles: spaced along the edge of the area's first polygon (GeoJSON), or east of a built-in
 * home (ArduPilot's CMAC field, where the recorded behaviour was measured) when no area is given.
 */
import { readFileSync } from 'node:fs';
import { offsetLatLon, northEastOf, type LatLon } from '../src/vehicle/geo.js';

export interface Home extends LatLon {
  readonly alt: number;
}

export const BUILT_IN_HOME: Home = { lat: -35.363261, lon: 149.16523, alt: 584 };
export const HOME_SPACING_M = 15;

export function homesAlongLine(start: Home, count: number, spacingM = HOME_SPACING_M): Home[] {
  return Array.from({ length: count }, (_, i) => ({ ...offsetLatLon(start, 0, i * spacingM), alt: start.alt }));
}

/** The outer ring of the first Polygon / MultiPolygon in a GeoJSON FeatureCollection, Feature or geometry. */
export function firstRing(geojson: unknown): [number, number][] | undefined {
  const visit = (g: any): [number, number][] | undefined => {
    if (!g || typeof g !== 'object') return undefined;
    if (g.type === 'FeatureCollection' && Array.isArray(g.features)) {
      for (const f of g.features) {
        const r = visit(f);
        if (r) return r;
      }
      return undefined;
    }
    if (g.type === 'Feature') return visit(g.geometry);
    if (g.type === 'Polygon' && Array.isArray(g.coordinates?.[0])) return g.coordinates[0];
    if (g.type === 'MultiPolygon' && Array.isArray(g.coordinates?.[0]?.[0])) return g.coordinates[0][0];
    if (g.type === 'GeometryCollection' && Array.isArray(g.geometries)) {
      for (const x of g.geometries) {
        const r = visit(x);
        if (r) return r;
      }
    }
    return undefined;
  };
  return visit(geojson);
}

/** N homes walked along the ring from its first vertex, `spacing` apart (closer if the ring is short). */
export function homesAlongRing(ring: [number, number][], count: number, alt: number, spacingM = HOME_SPACING_M): Home[] {
  const pts = ring.map(([lon, lat]) => ({ lat, lon }));
  if (pts.length < 2) throw new Error('area polygon has fewer than 2 points');
  const origin = pts[0]!;
  const local = pts.map((p) => northEastOf(origin, p));
  const segs: { a: { north: number; east: number }; b: { north: number; east: number }; len: number }[] = [];
  for (let i = 0; i + 1 < local.length; i++) {
    const a = local[i]!;
    const b = local[i + 1]!;
    segs.push({ a, b, len: Math.hypot(b.north - a.north, b.east - a.east) });
  }
  const perimeter = segs.reduce((s, x) => s + x.len, 0);
  const spacing = Math.min(spacingM, perimeter / Math.max(1, count));
  const out: Home[] = [];
  for (let i = 0; i < count; i++) {
    let d = i * spacing;
    for (const s of segs) {
      if (d <= s.len || s === segs[segs.length - 1]) {
        const f = s.len > 0 ? Math.min(1, d / s.len) : 0;
        const p = offsetLatLon(origin, s.a.north + (s.b.north - s.a.north) * f, s.a.east + (s.b.east - s.a.east) * f);
        out.push({ ...p, alt });
        break;
      }
      d -= s.len;
    }
  }
  return out;
}

export function homesFor(count: number, areaPath?: string, alt = BUILT_IN_HOME.alt): Home[] {
  if (!areaPath) return homesAlongLine(BUILT_IN_HOME, count);
  const ring = firstRing(JSON.parse(readFileSync(areaPath, 'utf8')));
  if (!ring) throw new Error(`${areaPath}: no Polygon in this GeoJSON`);
  return homesAlongRing(ring, count, alt);
}
