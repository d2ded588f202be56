/**
 * Puts the no-fly zones into ArduPilot's geofence, so that the autopilot holds them if the companion computer
 * fails: exclusion polygons over the mission protocol (MAV_MISSION_TYPE_FENCE), the way the record says works
 * (/work/shared/ardupilot-behaviour/fence.md): clear first (an upload over an old fence can leave zones
 * unenforced), upload, read back and compare, then the FENCE_* parameters and enable.
 */
import type { LatLon } from './geo.js';
import type { Vehicle } from './vehicle.js';
import { MissionClient, type MissionItem } from './mission.js';

export const FENCE_POLYGON_EXCLUSION = 5002;
export const FENCE_CIRCLE_EXCLUSION = 5004;
/** FENCE_TYPE bits: 1 ceiling (FENCE_ALT_MAX), 2 circle round home (FENCE_RADIUS), 4 uploaded zones. */
export const FENCE_TYPE_ZONES = 4;
export const FENCE_TYPE_ALT_MAX = 1;

export interface FenceOptions {
  /**
   * FENCE_ACTION at a breach. Default 4 (BRAKE: stops, 21 m inside at 10 m/s): 1 (RTL) flies straight home
   * through the zone, which is what the fence is there to prevent.
   */
  readonly action?: number;
  /** FENCE_TYPE. Default zones only: the home circle (FENCE_RADIUS 150 m in copter.parm) would end any search. */
  readonly type?: number;
  /** Enable the fence (FENCE_ENABLE 1) once loaded; default true. */
  readonly enable?: boolean;
}

export interface FenceResult {
  readonly ok: boolean;
  /** ACCEPTED, or the step that failed and why (e.g. "upload: ERROR", "readback: 3 of 5 items", "PARAM_SET FENCE_ACTION: TIMEOUT"). */
  readonly result: string;
  readonly items: number;
  readonly ms: number;
}

/** The fence items for exclusion polygons (lat/lon rings, not closed); rings under 3 points are skipped. */
export function fenceItems(zones: readonly (readonly LatLon[])[]): MissionItem[] {
  const out: MissionItem[] = [];
  for (const ring of zones) {
    const pts = ring.length > 3 && ring[0]!.lat === ring[ring.length - 1]!.lat && ring[0]!.lon === ring[ring.length - 1]!.lon ? ring.slice(0, -1) : ring;
    if (pts.length < 3) continue;
    for (const p of pts) out.push({ command: FENCE_POLYGON_EXCLUSION, frame: 5, lat: p.lat, lon: p.lon, alt: 0, param1: pts.length });
  }
  return out;
}

export class FenceClient {
  private readonly mission: MissionClient;

  constructor(private readonly v: Vehicle) {
    this.mission = new MissionClient(v, 1);
  }

  /** Replaces the vehicle's fence with these exclusion zones and enables it. */
  async apply(zones: readonly (readonly LatLon[])[], o: FenceOptions = {}): Promise<FenceResult> {
    const start = this.v.clock.now();
    const items = fenceItems(zones);
    const done = (ok: boolean, result: string) => ({ ok, result, items: items.length, ms: this.v.clock.now() - start });
    // a zone is never enforced half-loaded: off while it changes
    const off = await this.v.setParam('FENCE_ENABLE', 0);
    if (!off.ok) return done(false, `PARAM_SET FENCE_ENABLE: ${off.result}`);
    const clear = await this.mission.clear();
    if (!clear.ok) return done(false, `clear: ${clear.result}`);
    if (items.length) {
      const up = await this.mission.upload(items);
      if (!up.ok) return done(false, `upload: ${up.result}`);
      const back = await this.mission.download();
      if (!back.ok || back.items.length !== items.length) return done(false, `readback: ${back.items.length} of ${items.length} items`);
      for (let i = 0; i < items.length; i++) {
        const got = back.items[i]!;
        const want = items[i]!;
        if (got.command !== want.command || got.x !== Math.round(want.lat! * 1e7) || got.y !== Math.round(want.lon! * 1e7) || got.param1 !== want.param1)
          return done(false, `readback: item ${i} differs`);
      }
    }
    for (const [name, value] of [
      ['FENCE_TYPE', o.type ?? FENCE_TYPE_ZONES],
      ['FENCE_ACTION', o.action ?? 4],
      ['FENCE_ENABLE', o.enable === false || items.length === 0 ? 0 : 1],
    ] as const) {
      const r = await this.v.setParam(name, value);
      if (!r.ok) return done(false, `PARAM_SET ${name}: ${r.result}`);
    }
    return done(true, 'ACCEPTED');
  }

  /** The stored fence items (lat/lon degrees, param1), read back from the vehicle. */
  async download(): Promise<{ ok: boolean; items: { command: number; lat: number; lon: number; param1: number }[] }> {
    const r = await this.mission.download();
    return { ok: r.ok, items: r.items.map((i) => ({ command: i.command, lat: i.x / 1e7, lon: i.y / 1e7, param1: i.param1 })) };
  }
}
