/**
 * Cursor-on-Target events for ATAK / TAK servers, built with @tak-ps/node-cot (which checks each event
 * against its CoT schema). Types:
 * - victim needing help: casualty `b-r-f-h-c` (not `b-m-p-s-p-loc`, which some servers treat as video);
 * - drone: rotary-wing UAS `a-f-A-M-H-Q`; ground station: friendly ground unit `a-f-G`;
 * - blocked road: drawn polyline `u-d-f`; search area / no-fly zone: drawn shape (closed `u-d-f` polygon);
 * - hazard: drawn point `u-d-p` with the hazard and radius in the callsign and remarks.
 * An entity that is over (victim rescued or false alarm, road cleared, hazard resolved) is sent once more
 * with `stale` equal to its time, so TAK clients drop it instead of keeping a stale marker.
 *
 * uids are stable per entity ("murmur-<kind>-<origin>-<seq>"), so updates replace the earlier event.
 */
import { CoT } from './tak-cot.js';
import type { AreaFrame } from '../wire/frame-of-reference.js';
import type { MapState } from './state.js';
import { polygon, position, type Geometry } from './geojson.js';

export const COT_TYPES = {
  casualty: 'b-r-f-h-c',
  drone: 'a-f-A-M-H-Q',
  groundStation: 'a-f-G',
  road: 'u-d-f',
  area: 'u-d-f',
  hazard: 'u-d-p',
} as const;

export interface CotOptions {
  /** Unix ms used for `time`/`start` (the export instant). */
  readonly nowMs: number;
  /** How long a live entity stays valid on TAK clients without a refresh. Default 10 min. */
  readonly staleMs?: number;
}

interface EventSpec {
  uid: string;
  type: string;
  callsign: string;
  remarks: string;
  geometry: Geometry;
  /** Entity is over: expire at once. */
  over: boolean;
  course?: number;
  stroke?: string;
}

function toEvent(spec: EventSpec, opts: CotOptions): string {
  const time = new Date(opts.nowMs).toISOString();
  const stale = new Date(spec.over ? opts.nowMs : opts.nowMs + (opts.staleMs ?? 600_000)).toISOString();
  const cot = CoT.from_geojson({
    id: spec.uid,
    type: 'Feature',
    properties: {
      type: spec.type,
      how: 'm-g',
      time,
      start: time,
      stale,
      callsign: spec.callsign,
      remarks: spec.remarks,
      ...(spec.course !== undefined ? { course: spec.course } : {}),
      ...(spec.stroke ? { stroke: spec.stroke } : {}),
    },
    geometry: spec.geometry,
  });
  return cot.to_xml();
}

/** One CoT XML event per entity of the map. */
export function toCoT(state: MapState, frame: AreaFrame, opts: CotOptions): string[] {
  const out: string[] = [];
  const uid = (kind: string, origin: number, seq: number) => `murmur-${kind}-${origin}-${seq}`;
  for (const v of state.victims) {
    const f = v.fact;
    out.push(
      toEvent(
        {
          uid: uid('victim', f.origin, f.seq),
          type: COT_TYPES.casualty,
          callsign: `Victim ${v.id} (${v.state})`,
          remarks: `${f.count} person(s), ${f.condition}, ${v.state}, confidence ${f.confidence}%, reported by node ${f.origin}`,
          geometry: { type: 'Point', coordinates: position(frame, f.pos) },
          over: v.state === 'rescued' || v.state === 'false_alarm' || v.state === 'withdrawn',
        },
        opts,
      ),
    );
  }
  for (const r of state.roads) {
    const f = r.fact;
    out.push(
      toEvent(
        {
          uid: uid('road', f.origin, f.seq),
          type: COT_TYPES.road,
          callsign: `Road ${r.state} ${r.id}`,
          remarks: `road ${f.severity === 'impassable' ? 'impassable' : 'partly blocked'}, ${r.state}, reported by node ${f.origin}`,
          geometry: { type: 'LineString', coordinates: f.path.map((p) => position(frame, p)) },
          over: r.state !== 'blocked',
          stroke: '#d00000',
        },
        opts,
      ),
    );
  }
  for (const h of state.hazards) {
    const f = h.fact;
    out.push(
      toEvent(
        {
          uid: uid('hazard', f.origin, f.seq),
          type: COT_TYPES.hazard,
          callsign: `Hazard: ${f.hazard} r=${f.radius} m`,
          remarks: `${f.hazard} hazard, radius ${f.radius} m, ${h.state}, reported by node ${f.origin}`,
          geometry: { type: 'Point', coordinates: position(frame, f.pos) },
          over: h.state !== 'active',
        },
        opts,
      ),
    );
  }
  for (const m of state.members) {
    const s = m.last;
    const ground = s.activity === 'ground_station';
    out.push(
      toEvent(
        {
          uid: `murmur-node-${m.id}`,
          type: ground ? COT_TYPES.groundStation : COT_TYPES.drone,
          callsign: ground ? `GCS ${m.id}` : `Drone ${m.id}`,
          remarks: `${s.activity}, battery ${s.battery}%, alt ${s.alt} m, sector ${s.sector}`,
          geometry: { type: 'Point', coordinates: position(frame, s.pos) },
          over: false,
          course: s.heading,
        },
        opts,
      ),
    );
  }
  const areas = [...(state.searchArea ? [state.searchArea] : []), ...state.noFly];
  for (const a of areas) {
    out.push(
      toEvent(
        {
          uid: uid(a.role, a.origin, a.seq),
          type: COT_TYPES.area,
          callsign: a.role === 'search' ? 'Search area' : `No-fly zone ${a.origin}:${a.seq}`,
          remarks: `${a.role} area drawn by node ${a.origin}`,
          geometry: { type: 'Polygon', coordinates: polygon(frame, a.rings.slice(0, 1)) },
          over: false,
          stroke: a.role === 'search' ? '#0060ff' : '#ff0000',
        },
        opts,
      ),
    );
  }
  return out;
}
