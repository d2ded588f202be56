/**
 * Parameters the simulated ArduCopter supports, with the values the recorded ArduCopter (4.8.0-dev SITL with
 * ArduPilot's copter.parm loaded) reported, so that the model behaves the same when copter.parm is not at hand.
 * Names are the current SI-unit ones (WP_SPD, RTL_ALT_M, MAV_SYSID...): the old names (WPNAV_SPEED, RTL_ALT,
 * SYSID_THISMAV) answer PARAM_ERROR, as on the real vehicle.
 */
import { FENCE_PARAM_DEFAULTS } from './fence.js';

export const PARAM_DEFAULTS: ReadonlyArray<readonly [string, number]> = [
  ['MAV_SYSID', 1],
  // copter.parm: a quad in + (FRAME_CLASS 0, the firmware's own default, refuses to arm)
  ['FRAME_CLASS', 1],
  ['FRAME_TYPE', 0],
  ['MAV_GCS_SYSID', 255],
  ['WP_SPD', 10],
  ['WP_SPD_UP', 2.5],
  ['WP_SPD_DN', 1.5],
  ['WP_ACC', 2.5],
  ['WP_JERK', 1],
  ['PSC_JERK_NE', 5],
  // lean limits: PSC_ANGLE_MAX 0 means ATC_ANGLE_MAX; they, not WP_SPD, bound the speed a DO_CHANGE_SPEED gets
  ['ATC_ANGLE_MAX', 30],
  ['PSC_ANGLE_MAX', 0],
  ['WP_RADIUS_M', 2],
  ['RTL_ALT_M', 15],
  ['RTL_LOIT_TIME', 5000],
  ['RTL_CONE_SLOPE', 3],
  ['RTL_SPEED_MS', 0],
  ['RTL_ALT_FINAL_M', 0],
  ['RTL_CLIMB_MIN_M', 0],
  ['LAND_SPD_MS', 0.5],
  ['LAND_SPD_HIGH_MS', 0],
  ['LAND_ALT_LOW_M', 10],
  ['PILOT_SPD_UP', 2.5],
  ['PILOT_SPD_DN', 0],
  ['DISARM_DELAY', 10],
  ['FS_GCS_ENABLE', 0],
  ['FS_GCS_TIMEOUT', 5],
  ['FS_OPTIONS', 16],
  ['FS_THR_ENABLE', 1],
  ['GUID_OPTIONS', 0],
  ['GUID_TIMEOUT', 3],
  ['BATT_MONITOR', 4],
  ['BATT_CAPACITY', 3300],
  ['BATT_LOW_VOLT', 10.5],
  ['BATT_CRT_VOLT', 0],
  ['BATT_LOW_MAH', 0],
  ['BATT_CRT_MAH', 0],
  ['BATT_LOW_TIMER', 10],
  ['BATT_FS_LOW_ACT', 0],
  ['BATT_FS_CRT_ACT', 0],
  ['SIM_BATT_VOLTAGE', 12.6],
  ['SIM_BATT_CAP_AH', 0],
  ['SIM_WIND_SPD', 0],
  ['SIM_WIND_DIR', 180],
  ['SIM_WIND_TURB', 0],
  ['SIM_SPEEDUP', 1],
  ['STAT_RUNTIME', 0],
  ...FENCE_PARAM_DEFAULTS,
];

export class ParamTable {
  private readonly values = new Map<string, number>();
  private readonly order: string[] = [];

  /**
   * `overrides` come from the layered parameter files: a name the model does not use is still known afterwards
   * (ArduPilot would not load a file naming a parameter it lacks), so it reads back as on the real vehicle.
   */
  constructor(overrides: Record<string, number> = {}) {
    for (const [k, v] of PARAM_DEFAULTS) {
      this.values.set(k, v);
      this.order.push(k);
    }
    for (const [k, v] of Object.entries(overrides)) {
      if (!this.values.has(k)) this.order.push(k);
      this.values.set(k, v);
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
  get(name: string): number {
    return this.values.get(name) ?? 0;
  }
  set(name: string, value: number): boolean {
    if (!this.values.has(name)) return false;
    this.values.set(name, value);
    return true;
  }
  /** Adds a parameter the firmware creates at run time (e.g. the sensor ids it finds at boot). */
  define(name: string, value: number): void {
    if (!this.values.has(name)) this.order.push(name);
    this.values.set(name, value);
  }
  index(name: string): number {
    return this.order.indexOf(name);
  }
  nameAt(index: number): string | undefined {
    return this.order[index];
  }
  get count(): number {
    return this.order.length;
  }
}

/** Parses an ArduPilot .parm file ("NAME value" or "NAME,value" per line, # comments). Unknown names are kept. */
export function parseParmFile(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, value] = line.split(/[\s,]+/);
    if (name && value !== undefined && Number.isFinite(Number(value))) out[name] = Number(value);
  }
  return out;
}
