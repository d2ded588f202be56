/**
 * Victims as a ground team needs them: where (decimal degrees and MGRS), when first and last seen, by whom,
 * how many, in what condition, with what confidence, and in what state; and the same list as CSV and KML for
 * other tools. Pure: map state and area frame in, rows and text out.
 */
import { toLatLon, type AreaFrame } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import type { HazardView, MapState, RoadView } from './state.js';
import { toMgrs } from './mgrs.js';

/** Two reports this close are sightings of the same people (the agents' own rule). */
export const SAME_VICTIM_M = 15;

export interface VictimRow {
  readonly id: string;
  readonly state: string;
  readonly lat: number;
  readonly lon: number;
  readonly mgrs: string;
  readonly count: number;
  readonly condition: string;
  readonly confidence: number;
  /** Mission seconds of the first and the last sighting at this spot. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Members that reported people at this spot, in id order. */
  readonly seenBy: readonly NodeId[];
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

export function victimRows(state: MapState, frame: AreaFrame): VictimRow[] {
  return state.victims.map((v) => {
    const near = state.victims.filter((o) => Math.hypot(o.fact.pos.x - v.fact.pos.x, o.fact.pos.y - v.fact.pos.y) <= SAME_VICTIM_M);
    const { lat, lon } = toLatLon(frame, v.fact.pos);
    return {
      id: v.id,
      state: v.state,
      lat: round6(lat),
      lon: round6(lon),
      mgrs: toMgrs(lat, lon) ?? '',
      count: v.fact.count,
      condition: v.fact.condition,
      confidence: v.fact.confidence,
      firstSeen: Math.min(...near.map((o) => o.fact.t)),
      lastSeen: Math.max(...near.map((o) => o.fact.t)),
      seenBy: [...new Set(near.map((o) => o.fact.origin))].sort((a, b) => a - b),
    };
  });
}

const iso = (frame: AreaFrame, t: number) => new Date((frame.epoch + t) * 1000).toISOString().replace('.000Z', 'Z');
const csvField = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

export const VICTIM_CSV_HEADER = ['id', 'state', 'lat', 'lon', 'mgrs', 'count', 'condition', 'confidence', 'first_seen_utc', 'last_seen_utc', 'seen_by'];

/** RFC 4180 CSV, one victim report a line (CRLF line ends). */
export function victimsCsv(state: MapState, frame: AreaFrame): string {
  const lines = [VICTIM_CSV_HEADER.join(',')];
  for (const r of victimRows(state, frame))
    lines.push(
      [r.id, r.state, r.lat.toFixed(6), r.lon.toFixed(6), r.mgrs, r.count, r.condition, r.confidence, iso(frame, r.firstSeen), iso(frame, r.lastSeen), r.seenBy.join(' ')]
        .map(csvField)
        .join(','),
    );
  return lines.join('\r\n') + '\r\n';
}

const xml = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const coord = (frame: AreaFrame, p: { x: number; y: number }) => {
  const { lat, lon } = toLatLon(frame, p);
  return `${round6(lon)},${round6(lat)},0`;
};

/** KML 2.2: a placemark per victim report, blocked road and active hazard. */
export function mapKml(state: MapState, frame: AreaFrame, name = 'Murmur'): string {
  const marks: string[] = [];
  for (const r of victimRows(state, frame))
    marks.push(
      `<Placemark><name>${xml(`victim ${r.id} (${r.state})`)}</name><description>${xml(`${r.count} × ${r.condition}, ${r.confidence}%; MGRS ${r.mgrs}; first seen ${iso(frame, r.firstSeen)}, last seen ${iso(frame, r.lastSeen)} by ${r.seenBy.join(', ')}`)}</description>` +
        `<ExtendedData><Data name="state"><value>${xml(r.state)}</value></Data><Data name="count"><value>${r.count}</value></Data><Data name="mgrs"><value>${xml(r.mgrs)}</value></Data></ExtendedData>` +
        `<Point><coordinates>${r.lon},${r.lat},0</coordinates></Point></Placemark>`,
    );
  for (const road of state.roads.filter((x: RoadView) => x.state === 'blocked'))
    marks.push(`<Placemark><name>${xml(`road ${road.id} ${road.fact.severity}`)}</name><LineString><coordinates>${road.fact.path.map((p) => coord(frame, p)).join(' ')}</coordinates></LineString></Placemark>`);
  for (const h of state.hazards.filter((x: HazardView) => x.state === 'active'))
    marks.push(`<Placemark><name>${xml(`hazard ${h.id} ${h.fact.hazard} r=${h.fact.radius} m`)}</name><Point><coordinates>${coord(frame, h.fact.pos)}</coordinates></Point></Placemark>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>${xml(name)}</name>\n${marks.join('\n')}\n</Document></kml>\n`;
}
