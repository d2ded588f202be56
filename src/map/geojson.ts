/**
 * The map as a GeoJSON FeatureCollection (RFC 7946: WGS84 longitude, latitude; polygon rings closed and
 * counter-clockwise outside). Every feature has a `layer` property the web map styles by.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { toLatLon } from '../wire/frame-of-reference.js';
import type { AreaFact } from '../wire/facts.js';
import type { MapState } from './state.js';

export type Position = [number, number];
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] };

export interface Feature {
  type: 'Feature';
  id: string;
  geometry: Geometry;
  properties: Record<string, string | number | boolean>;
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7;

export function position(frame: AreaFrame, p: LocalPoint): Position {
  const { lat, lon } = toLatLon(frame, p);
  return [round7(lon), round7(lat)];
}

function signedArea(ring: readonly LocalPoint[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += ring[j]!.x * ring[i]!.y - ring[i]!.x * ring[j]!.y;
  return a / 2;
}

/** Closed GeoJSON rings, outer counter-clockwise and holes clockwise (the right-hand rule). */
export function polygon(frame: AreaFrame, rings: readonly (readonly LocalPoint[])[]): Position[][] {
  return rings.map((ring, i) => {
    const ccw = signedArea(ring) > 0;
    const ordered = (i === 0) === ccw ? [...ring] : [...ring].reverse();
    const coords = ordered.map((p) => position(frame, p));
    coords.push(coords[0]!);
    return coords;
  });
}

function areaFeature(frame: AreaFrame, a: AreaFact, layer: string): Feature {
  return {
    type: 'Feature',
    id: `${a.origin}:${a.seq}`,
    geometry: { type: 'Polygon', coordinates: polygon(frame, a.rings) },
    properties: { layer, id: `${a.origin}:${a.seq}`, origin: a.origin, t: a.t, priority: a.priority },
  };
}

export interface GeoJsonOptions {
  /** Include one square per searched cell (can be many features). Default true. */
  readonly coverage?: boolean;
}

export function toGeoJSON(state: MapState, frame: AreaFrame, opts: GeoJsonOptions = {}): FeatureCollection {
  const features: Feature[] = [];
  if (state.searchArea) features.push(areaFeature(frame, state.searchArea, 'search'));
  for (const z of state.noFly) features.push(areaFeature(frame, z, 'nofly'));
  for (const z of state.priority) features.push(areaFeature(frame, z, 'priority'));
  if (opts.coverage !== false) {
    const s = frame.cellSize;
    for (const cell of state.covered) {
      const row = Math.floor(cell / frame.cols);
      const col = cell - row * frame.cols;
      const sq = [
        { x: col * s, y: row * s },
        { x: (col + 1) * s, y: row * s },
        { x: (col + 1) * s, y: (row + 1) * s },
        { x: col * s, y: (row + 1) * s },
      ];
      features.push({
        type: 'Feature',
        id: `cell:${cell}`,
        geometry: { type: 'Polygon', coordinates: polygon(frame, [sq]) },
        properties: { layer: 'coverage', cell },
      });
    }
  }
  for (const r of state.roads) {
    features.push({
      type: 'Feature',
      id: r.id,
      geometry: { type: 'LineString', coordinates: r.fact.path.map((p) => position(frame, p)) },
      properties: { layer: 'road', id: r.id, state: r.state, severity: r.fact.severity, origin: r.fact.origin, t: r.fact.t },
    });
  }
  for (const h of state.hazards) {
    features.push({
      type: 'Feature',
      id: h.id,
      geometry: { type: 'Point', coordinates: position(frame, h.fact.pos) },
      properties: { layer: 'hazard', id: h.id, state: h.state, hazard: h.fact.hazard, radius: h.fact.radius, origin: h.fact.origin, t: h.fact.t },
    });
  }
  for (const v of state.victims) {
    features.push({
      type: 'Feature',
      id: v.id,
      geometry: { type: 'Point', coordinates: position(frame, v.fact.pos) },
      properties: {
        layer: 'victim', id: v.id, state: v.state, count: v.fact.count, condition: v.fact.condition,
        confidence: v.fact.confidence, origin: v.fact.origin, t: v.fact.t,
      },
    });
  }
  for (const m of state.members) {
    if (m.track.length >= 2) {
      features.push({
        type: 'Feature',
        id: `track:${m.id}`,
        geometry: { type: 'LineString', coordinates: m.track.map((p) => position(frame, p)) },
        properties: { layer: 'track', member: m.id },
      });
    }
    const s = m.last;
    features.push({
      type: 'Feature',
      id: `member:${m.id}`,
      geometry: { type: 'Point', coordinates: position(frame, s.pos) },
      properties: {
        layer: 'member', member: m.id, battery: s.battery, activity: s.activity, alt: s.alt, mode: s.mode,
        armed: s.armed, sector: s.sector, heading: s.heading, t: s.t,
      },
    });
  }
  return { type: 'FeatureCollection', features };
}
