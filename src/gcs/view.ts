/** What the web page shows: the map as GeoJSON plus the lists and panels, in one JSON object. */
import { toGeoJSON, type FeatureCollection } from '../map/geojson.js';
import { toLatLon } from '../wire/frame-of-reference.js';
import type { GroundStation, TimelineEntry } from './station.js';
import type { MeshStats } from './mesh-port.js';

export interface PageView {
  readonly node: number;
  readonly factCount: number;
  readonly geojson: FeatureCollection;
  readonly victims: { id: string; state: string; count: number; condition: string; confidence: number; origin: number; t: number; lon: number; lat: number }[];
  readonly roads: { id: string; state: string; severity: string; origin: number }[];
  readonly hazards: { id: string; state: string; hazard: string; radius: number }[];
  readonly members: { id: number; activity: string; battery: number; alt: number; sector: number; t: number; lastHeardMs?: number; health?: string; rssi?: number }[];
  readonly commands: { id: string; target: number; action: string }[];
  readonly notes: { id: string; author: number; text: string; lon: number; lat: number }[];
  readonly timeline: TimelineEntry[];
  readonly mesh: MeshStats;
  readonly rejects: Record<string, number>;
  readonly coveredCells: number;
}

export function pageView(s: GroundStation): PageView {
  const state = s.map.state();
  const frame = s.frame;
  const mesh = s.mesh.stats();
  const health = new Map(mesh.members.map((m) => [m.id, m]));
  return {
    node: s.nodeId,
    factCount: state.factCount,
    geojson: toGeoJSON(state, frame),
    victims: state.victims.map((v) => {
      const { lat, lon } = toLatLon(frame, v.fact.pos);
      return { id: v.id, state: v.state, count: v.fact.count, condition: v.fact.condition, confidence: v.fact.confidence, origin: v.fact.origin, t: v.fact.t, lon, lat };
    }),
    roads: state.roads.map((r) => ({ id: r.id, state: r.state, severity: r.fact.severity, origin: r.fact.origin })),
    hazards: state.hazards.map((h) => ({ id: h.id, state: h.state, hazard: h.fact.hazard, radius: h.fact.radius })),
    members: state.members.map((m) => {
      const h = health.get(m.id);
      return {
        id: m.id, activity: m.last.activity, battery: m.last.battery, alt: m.last.alt, sector: m.last.sector, t: m.last.t,
        ...(h?.lastHeardMs !== undefined ? { lastHeardMs: h.lastHeardMs } : {}),
        ...(h?.state ? { health: h.state } : {}),
        ...(h?.rssi !== undefined ? { rssi: h.rssi } : {}),
      };
    }),
    commands: state.commands.map((c) => ({ id: `${c.origin}:${c.seq}`, target: c.target, action: c.action })),
    notes: s.map.annotations().map((n) => {
      const { lat, lon } = toLatLon(frame, n.pos);
      return { id: n.id, author: n.author, text: n.text, lon, lat };
    }),
    timeline: s.recentFacts(200),
    mesh,
    rejects: s.map.rejects.summary(),
    coveredCells: state.covered.length,
  };
}
