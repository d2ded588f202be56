/**
 * Missions for a real place, from the files operators have: GeoJSON (RFC 7946) or KML 2.2 polygons for the
 * search area (holes as inner rings), no-fly zones and priority regions, and points for the launch sites.
 * Everything is checked, and a problem is one line naming the file, the feature and what is wrong. Pure:
 * text in, a plan out (the CLI reads and writes the files).
 */
import type { GeoPolygon, LonLat } from './types.js';

export class MissionFileError extends Error {}

export interface MissionPlan {
  readonly name: string;
  /** The area frame every node of the mission shares (see src/wire/frame-of-reference.ts). */
  readonly frame: { readonly originLat: number; readonly originLon: number; readonly epoch: number; readonly cellSize: number; readonly cols: number };
  readonly area: readonly GeoPolygon[];
  readonly nofly: readonly GeoPolygon[];
  readonly priority: readonly { readonly polygon: GeoPolygon; readonly weight: number }[];
  readonly launch: readonly { readonly lat: number; readonly lon: number }[];
}

/** What one file holds: its polygons and its points. */
export interface Shapes {
  readonly polygons: GeoPolygon[];
  readonly points: LonLat[];
}

/** Largest extent of a mission, metres: positions on air are whole metres within ±32.7 km of the origin. */
export const MAX_EXTENT_M = 30_000;
const MAX_RING_POINTS = 256;
/**
 * The radio settings a new mission gets (SF9 125 kHz at the regional 1% duty cycle), which the operator may
 * edit; a station started without a mission file assumes them too.
 */
export const DEFAULT_MISSION_RADIO = { sf: 9, bwHz: 125000, cr: 5, dutyCyclePct: 1, medianRangeM: 1500, extraLoss: 0 } as const;

/** Cell side of the shipped scenarios: the station and the drones use the same by default. */
export const DEFAULT_CELL_M = 55;

function checkPosition(p: unknown, where: string): LonLat {
  if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1]))
    throw new MissionFileError(`${where}: a position must be [longitude, latitude]`);
  const [lon, lat] = p as [number, number];
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) throw new MissionFileError(`${where}: [${lon}, ${lat}] is not a longitude, latitude pair (longitude first)`);
  return [lon, lat];
}

function checkRing(ring: unknown, where: string): LonLat[] {
  if (!Array.isArray(ring)) throw new MissionFileError(`${where}: a ring must be a list of positions`);
  const pts = ring.map((p, i) => checkPosition(p, `${where}, point ${i + 1}`));
  const last = pts[pts.length - 1];
  if (pts.length > 1 && last![0] === pts[0]![0] && last![1] === pts[0]![1]) pts.pop();
  const distinct = new Set(pts.map((p) => `${p[0]},${p[1]}`)).size;
  if (distinct < 3) throw new MissionFileError(`${where}: a ring needs at least 3 distinct points, it has ${distinct}`);
  if (pts.length > MAX_RING_POINTS) throw new MissionFileError(`${where}: ${pts.length} points, at most ${MAX_RING_POINTS} (simplify the outline)`);
  return pts;
}

function polygon(rings: unknown, where: string): GeoPolygon {
  if (!Array.isArray(rings) || rings.length === 0) throw new MissionFileError(`${where}: a polygon needs an outer ring`);
  if (rings.length > 16) throw new MissionFileError(`${where}: ${rings.length} rings, at most 16 (outer and 15 holes)`);
  return { type: 'Polygon', coordinates: rings.map((r, i) => checkRing(r, i === 0 ? `${where}, outer ring` : `${where}, hole ${i}`)) };
}

function geometry(g: unknown, where: string, out: Shapes): void {
  const geo = g as { type?: unknown; coordinates?: unknown; geometries?: unknown } | null;
  switch (geo?.type) {
    case 'Polygon':
      out.polygons.push(polygon(geo.coordinates, where));
      return;
    case 'MultiPolygon':
      if (!Array.isArray(geo.coordinates)) throw new MissionFileError(`${where}: MultiPolygon without coordinates`);
      geo.coordinates.forEach((c, i) => out.polygons.push(polygon(c, `${where}, polygon ${i + 1}`)));
      return;
    case 'Point':
      out.points.push(checkPosition(geo.coordinates, where));
      return;
    case 'MultiPoint':
      if (!Array.isArray(geo.coordinates)) throw new MissionFileError(`${where}: MultiPoint without coordinates`);
      geo.coordinates.forEach((c, i) => out.points.push(checkPosition(c, `${where}, point ${i + 1}`)));
      return;
    case 'GeometryCollection':
      if (!Array.isArray(geo.geometries)) throw new MissionFileError(`${where}: GeometryCollection without geometries`);
      geo.geometries.forEach((x, i) => geometry(x, `${where}, geometry ${i + 1}`, out));
      return;
    default:
      throw new MissionFileError(`${where}: geometry type ${JSON.stringify(geo?.type)} is not a Polygon, MultiPolygon or Point`);
  }
}

export function parseGeoJson(text: string, file: string): Shapes {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new MissionFileError(`${file}: not JSON (${(err as Error).message})`);
  }
  const out: Shapes = { polygons: [], points: [] };
  const d = doc as { type?: unknown; features?: unknown; geometry?: unknown } | null;
  if (d?.type === 'FeatureCollection') {
    if (!Array.isArray(d.features)) throw new MissionFileError(`${file}: a FeatureCollection needs "features"`);
    d.features.forEach((f, i) => geometry((f as { geometry?: unknown })?.geometry, `${file}: feature ${i + 1}`, out));
  } else if (d?.type === 'Feature') geometry(d.geometry, `${file}: feature`, out);
  else geometry(d, file, out);
  return out;
}

/** KML coordinates: "lon,lat[,alt]" tuples separated by white space. */
function kmlCoordinates(text: string, where: string): LonLat[] {
  const tuples = text.trim().split(/\s+/).filter(Boolean);
  return tuples.map((t, i) => checkPosition(t.split(',').map(Number), `${where}, point ${i + 1}`));
}

const inner = (xml: string, tag: string): string[] => [...xml.matchAll(new RegExp(`<(?:kml:)?${tag}\\b[^>]*>([\\s\\S]*?)</(?:kml:)?${tag}>`, 'g'))].map((m) => m[1]!);

export function parseKml(text: string, file: string): Shapes {
  if (!/<kml\b/.test(text)) throw new MissionFileError(`${file}: not KML (no <kml> element)`);
  const out: Shapes = { polygons: [], points: [] };
  inner(text, 'Polygon').forEach((p, i) => {
    const where = `${file}: polygon ${i + 1}`;
    const outer = inner(p, 'outerBoundaryIs').flatMap((b) => inner(b, 'coordinates'));
    if (outer.length !== 1) throw new MissionFileError(`${where}: needs exactly one outerBoundaryIs with coordinates`);
    const holes = inner(p, 'innerBoundaryIs').flatMap((b) => inner(b, 'coordinates'));
    out.polygons.push(polygon([outer[0]!, ...holes].map((c, k) => kmlCoordinates(c, k === 0 ? `${where}, outer ring` : `${where}, hole ${k}`)), where));
  });
  inner(text, 'Point').forEach((p, i) => {
    const c = inner(p, 'coordinates');
    if (c.length !== 1) throw new MissionFileError(`${file}: point ${i + 1}: needs coordinates`);
    const [pt] = kmlCoordinates(c[0]!, `${file}: point ${i + 1}`);
    if (!pt) throw new MissionFileError(`${file}: point ${i + 1}: empty coordinates`);
    out.points.push(pt);
  });
  return out;
}

/** GeoJSON or KML, told apart by the file's name, then by its first character. */
export function parseShapes(text: string, file: string): Shapes {
  const lower = file.toLowerCase();
  if (lower.endsWith('.kml') || (!/\.(geo)?json$/.test(lower) && text.trimStart().startsWith('<'))) return parseKml(text, file);
  return parseGeoJson(text, file);
}

const M_PER_DEG = 111_195;

export interface PlanInput {
  readonly name: string;
  readonly area: Shapes & { file: string };
  readonly nofly?: readonly (Shapes & { file: string })[];
  readonly priority?: readonly (Shapes & { file: string; weight: number })[];
  readonly launch?: Shapes & { file: string };
  readonly epoch: number;
  readonly cellSize?: number;
}

/**
 * A mission plan from shapes: the frame's origin at the south-west corner of the area (so every position is
 * east and north of it), enough columns to span it, launch points from the launch file or the area file's
 * points. Refuses an empty area, an area too large for the wire, and launch points far outside the area.
 */
export function buildPlan(i: PlanInput): MissionPlan {
  if (i.area.polygons.length === 0) throw new MissionFileError(`${i.area.file}: no polygon for the search area`);
  const cellSize = i.cellSize ?? DEFAULT_CELL_M;
  if (!Number.isFinite(cellSize) || cellSize < 5 || cellSize > 500) throw new MissionFileError(`cell size ${cellSize} m: expected 5..500`);
  const all = i.area.polygons.flatMap((p) => p.coordinates[0]!);
  const lons = all.map((p) => p[0]);
  const lats = all.map((p) => p[1]);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const widthM = (maxLon - minLon) * M_PER_DEG * Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const heightM = (maxLat - minLat) * M_PER_DEG;
  if (widthM > MAX_EXTENT_M || heightM > MAX_EXTENT_M)
    throw new MissionFileError(`${i.area.file}: the area spans ${(widthM / 1000).toFixed(1)} × ${(heightM / 1000).toFixed(1)} km; at most ${MAX_EXTENT_M / 1000} km a side (split it into missions)`);
  const launchPts = (i.launch ?? i.area).points;
  for (const [lon, lat] of launchPts) {
    const off = Math.max(minLon - lon, lon - maxLon, 0) * M_PER_DEG + Math.max(minLat - lat, lat - maxLat, 0) * M_PER_DEG;
    if (off > 5000) throw new MissionFileError(`${(i.launch ?? i.area).file}: launch point [${lon}, ${lat}] is ${(off / 1000).toFixed(1)} km from the area`);
  }
  if (launchPts.length > 16) throw new MissionFileError(`${(i.launch ?? i.area).file}: ${launchPts.length} launch points, at most 16`);
  const total = i.area.polygons.length + (i.nofly ?? []).reduce((n, z) => n + z.polygons.length, 0) + (i.priority ?? []).reduce((n, z) => n + z.polygons.length, 0);
  if (total > 16) throw new MissionFileError(`${total} polygons in all; a mission carries at most 16 (merge zones that touch)`);
  for (const p of i.priority ?? [])
    if (!Number.isInteger(p.weight) || p.weight < 1 || p.weight > 9) throw new MissionFileError(`${p.file}: priority weight ${p.weight}: expected 1..9`);
  // origin a little south-west of the area, so that lanes at its edge stay on the grid
  const margin = 2 * cellSize;
  const originLat = minLat - margin / M_PER_DEG;
  const originLon = minLon - margin / (M_PER_DEG * Math.cos((originLat * Math.PI) / 180));
  return {
    name: i.name,
    frame: { originLat, originLon, epoch: i.epoch, cellSize, cols: Math.ceil((widthM + 2 * margin) / cellSize) + 1 },
    area: i.area.polygons,
    nofly: (i.nofly ?? []).flatMap((z) => z.polygons),
    priority: (i.priority ?? []).flatMap((z) => z.polygons.map((polygon) => ({ polygon, weight: z.weight }))),
    launch: launchPts.map(([lon, lat]) => ({ lat, lon })),
  };
}

/** Reads a plan written by `murmur mission create`, checking what the station relies on. */
export function parsePlan(text: string, file: string): MissionPlan {
  let p: MissionPlan;
  try {
    p = JSON.parse(text) as MissionPlan;
  } catch (err) {
    throw new MissionFileError(`${file}: not JSON (${(err as Error).message})`);
  }
  const f = p?.frame;
  for (const k of ['originLat', 'originLon', 'epoch', 'cellSize', 'cols'] as const)
    if (typeof f?.[k] !== 'number' || !Number.isFinite(f[k])) throw new MissionFileError(`${file}: frame.${k} must be a number`);
  if (!Array.isArray(p.area) || p.area.length === 0) throw new MissionFileError(`${file}: "area" must list at least one polygon`);
  p.area.forEach((g, i) => polygon(g?.coordinates, `${file}: area ${i + 1}`));
  (p.nofly ?? []).forEach((g, i) => polygon(g?.coordinates, `${file}: nofly ${i + 1}`));
  (p.priority ?? []).forEach((g, i) => polygon(g?.polygon?.coordinates, `${file}: priority ${i + 1}`));
  (p.launch ?? []).forEach((l, i) => checkPosition([l?.lon, l?.lat], `${file}: launch ${i + 1}`));
  return { ...p, nofly: p.nofly ?? [], priority: p.priority ?? [], launch: p.launch ?? [] };
}
