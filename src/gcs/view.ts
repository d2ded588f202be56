/** What the web page shows: the map as GeoJSON plus the lists and panels, in one JSON object. */
import { toGeoJSON, type FeatureCollection } from '../map/geojson.js';
import { victimRows, type VictimRow } from '../map/victim-report.js';
import { factKey, type Fact } from '../wire/facts.js';
import type { MapState } from '../map/state.js';
import { toLatLon } from '../wire/frame-of-reference.js';
import type { GroundStation, TimelineEntry } from './station.js';
import type { MeshStats } from './mesh-port.js';
import type { SectorRow } from './sector-view.js';

export interface PageView {
  readonly node: number;
  readonly factCount: number;
  readonly geojson: FeatureCollection;
  readonly victims: (VictimRow & { origin: number; t: number })[];
  readonly roads: { id: string; state: string; severity: string; origin: number; t: number }[];
  readonly hazards: { id: string; state: string; hazard: string; radius: number; origin: number; t: number }[];
  readonly members: { id: number; activity: string; battery: number; alt: number; sector: number; t: number; lastHeardMs?: number; health?: string; rssi?: number }[];
  readonly commands: { id: string; target: number; action: string }[];
  /** The operators' orders, zones and missions, newest first, with each concerned member's answer. */
  readonly orders: OrderView[];
  /** Mission seconds now (the page shows every fact's age against it). */
  readonly nowT: number;
  readonly mission?: { version: number; id: string };
  readonly notes: { id: string; author: number; text: string; lon: number; lat: number }[];
  readonly timeline: TimelineEntry[];
  readonly mesh: MeshStats;
  readonly rejects: Record<string, number>;
  readonly coveredCells: number;
  /** The sectors the drones fly (absent: the station does not know the mission's roster). */
  readonly sectors?: { readonly missionVersion: number; readonly rows: SectorRow[] };
}

export interface OrderView {
  readonly id: string;
  readonly t: number;
  readonly what: string;
  /** Member id → its answer (accepted / refused / done) or 'waiting'. */
  readonly acks: Record<string, string>;
}

const ORDERS_SHOWN = 12;

function describeOrder(f: Fact): string | undefined {
  if (f.kind === 'command') return `${f.action === 'rtl' ? 'recall' : f.action} ${f.target === 0 ? 'all' : `node ${f.target}`}`;
  if (f.kind === 'area' && f.role === 'nofly') return 'no-fly zone';
  if (f.kind === 'mission') return `mission v${f.version}`;
  return undefined;
}

/** Operators' facts that drones answer, with who answered what (the drones are the members that are not stations). */
export function orderViews(state: MapState, facts: Iterable<Fact>, operator: (origin: number) => boolean): OrderView[] {
  const drones = state.members.filter((m) => m.last.activity !== 'ground_station').map((m) => m.id);
  const answers = new Map<string, Map<number, string>>();
  for (const a of state.acks) {
    const key = factKey(a.target);
    let m = answers.get(key);
    if (!m) answers.set(key, (m = new Map()));
    if (m.get(a.origin) !== 'done') m.set(a.origin, a.result);
  }
  const out: OrderView[] = [];
  for (const f of facts) {
    const what = describeOrder(f);
    if (!what || !operator(f.origin)) continue;
    const key = factKey(f);
    const got = answers.get(key);
    const concerned = f.kind === 'command' && f.target !== 0 ? [f.target] : drones;
    const acks: Record<string, string> = {};
    for (const id of concerned) acks[id] = got?.get(id) ?? 'waiting';
    for (const [id, r] of got ?? []) acks[id] = r;
    out.push({ id: key, t: f.t, what, acks });
  }
  return out.sort((a, b) => b.t - a.t || (a.id < b.id ? 1 : -1)).slice(0, ORDERS_SHOWN);
}

export function pageView(s: GroundStation): PageView {
  const state = s.map.state();
  const frame = s.frame;
  const mesh = s.mesh.stats();
  const health = new Map(mesh.members.map((m) => [m.id, m]));
  const nowT = s.missionNow();
  const sectors = s.sectors?.picture(state, s.map.facts(), (k) => s.map.get(k), health, nowT);
  const geojson = toGeoJSON(state, frame);
  // outlines under everything else
  if (sectors) geojson.features.unshift(...sectors.features);
  return {
    node: s.nodeId,
    factCount: state.factCount,
    geojson,
    victims: victimRows(state, frame).map((r, i) => ({ ...r, origin: state.victims[i]!.fact.origin, t: state.victims[i]!.fact.t })),
    roads: state.roads.map((r) => ({ id: r.id, state: r.state, severity: r.fact.severity, origin: r.fact.origin, t: r.fact.t })),
    hazards: state.hazards.map((h) => ({ id: h.id, state: h.state, hazard: h.fact.hazard, radius: h.fact.radius, origin: h.fact.origin, t: h.fact.t })),
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
    // the station's own facts and other stations' (nodes that report no flight)
    orders: orderViews(state, s.map.facts(), (o) => o === s.nodeId || state.members.some((m) => m.id === o && m.last.activity === 'ground_station')),
    nowT: Math.round(nowT),
    ...(state.mission ? { mission: { version: state.mission.version, id: factKey(state.mission) } } : {}),
    notes: s.map.annotations().map((n) => {
      const { lat, lon } = toLatLon(frame, n.pos);
      return { id: n.id, author: n.author, text: n.text, lon, lat };
    }),
    timeline: s.recentFacts(200),
    mesh,
    rejects: s.map.rejects.summary(),
    coveredCells: state.covered.length,
    ...(sectors ? { sectors: { missionVersion: sectors.missionVersion, rows: sectors.rows } } : {}),
  };
}
