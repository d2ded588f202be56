/**
 * Vehicle state as the agent sees it, folded from the vehicle's messages. Pure: `apply(msg, now)` updates the
 * state and says what changed; the Vehicle wires it to the connection and to listeners.
 */
import type { MavMessage } from './mavlink/codec.js';
import { common, minimal, MSG, modeName, MAV_STATE } from './mavlink/messages.js';
import type { LinkState } from './connection.js';

export interface Position {
  readonly lat: number;
  readonly lon: number;
  /** metres above mean sea level */
  readonly altAmsl: number;
  /** metres above home */
  readonly relAlt: number;
  readonly at: number;
}

export interface StatusTextEntry {
  readonly severity: number;
  readonly text: string;
  readonly at: number;
}

export type ControlState = 'agent' | 'override';

export interface OverrideInfo {
  readonly from: string;
  readonly to: string;
  readonly at: number;
  /** 'failsafe' when ArduPilot's own failsafe did it (system_status CRITICAL or a failsafe text), else 'external'. */
  readonly reason: 'failsafe' | 'external';
  /** Which failsafe, from its STATUSTEXT (system_status CRITICAL with no text: 'unknown'). */
  readonly failsafe?: FailsafeKind;
  readonly text?: string;
}

export type FailsafeKind = 'battery' | 'gcs' | 'radio' | 'fence' | 'ekf' | 'terrain' | 'crash' | 'unknown';

/**
 * The failsafe a STATUSTEXT announces, if any: ArduCopter says "Battery Failsafe", "GCS Failsafe", "Radio
 * Failsafe", "Polygon fence breached" (and Circle/Altitude), "EKF Failsafe"/"EKF variance", "Terrain failsafe",
 * "Crash: Disarming". "... Cleared" texts and pre-arm complaints are not failsafes taking over.
 */
export function failsafeOf(text: string): FailsafeKind | undefined {
  if (/cleared|^(PreArm|Arm):/i.test(text)) return undefined;
  if (/battery.*failsafe/i.test(text)) return 'battery';
  if (/gcs failsafe/i.test(text)) return 'gcs';
  if (/(radio|throttle) failsafe/i.test(text)) return 'radio';
  if (/fence breach/i.test(text)) return 'fence';
  if (/ekf (failsafe|variance)/i.test(text)) return 'ekf';
  if (/terrain.*failsafe/i.test(text)) return 'terrain';
  if (/^crash/i.test(text)) return 'crash';
  if (/failsafe/i.test(text)) return 'unknown';
  return undefined;
}

export interface VehicleState {
  link: LinkState;
  sysid?: number;
  mode: string;
  customMode: number;
  armed: boolean;
  systemStatus: string;
  lastHeartbeatAt?: number;
  position?: Position;
  velocity?: { north: number; east: number; down: number };
  heading?: number;
  battery?: { voltage: number; current: number; remaining: number; chargeState?: number };
  gps?: { fixType: number; satellites: number };
  landedState?: 'unknown' | 'on_ground' | 'in_air' | 'takeoff' | 'landing';
  /** SYS_STATUS pre-arm check bit (ArduPilot sets it by the current mode's criteria). */
  prearmOk?: boolean;
  /** Last "PreArm: ..." or "Arm: ..." text. */
  lastPrearmText?: string;
  home?: { lat: number; lon: number; altAmsl: number };
  missionCurrent?: { seq: number; total: number; state: number };
  lastItemReached?: number;
  control: ControlState;
  override?: OverrideInfo;
}

const STATUS_NAMES = Object.fromEntries(Object.entries(MAV_STATE).map(([k, v]) => [v, k])) as Record<number, string>;
const LANDED = ['unknown', 'on_ground', 'in_air', 'takeoff', 'landing'] as const;

export type TelemetryEvent =
  | { kind: 'heartbeat'; modeChanged: boolean; previousMode: string }
  | { kind: 'statustext'; entry: StatusTextEntry }
  | { kind: 'item_reached'; seq: number }
  | { kind: 'update' };

export function initialState(): VehicleState {
  return { link: 'connecting', mode: 'UNKNOWN', customMode: -1, armed: false, systemStatus: 'UNINIT', control: 'agent' };
}

/** A GLOBAL_POSITION_INT is a position only once the EKF has an origin and the GPS has had a 3D fix. */
export function hasPositionFix(p: { lat: number; lon: number }, s: Pick<VehicleState, 'gps' | 'position'>): boolean {
  if (p.lat === 0 && p.lon === 0) return false;
  // a fix lost in flight leaves the EKF's dead reckoning, which is still the best estimate there is
  if (s.position === undefined && s.gps !== undefined && s.gps.fixType < 3) return false;
  return true;
}

/** Folds one message into the state. Returns the event it represents (or undefined if not interesting). */
export function applyMessage(s: VehicleState, msg: MavMessage, now: number): TelemetryEvent | undefined {
  switch (msg.header.msgid) {
    case MSG.HEARTBEAT: {
      if (msg.header.compid !== 1) return undefined;
      const h = msg.data as minimal.Heartbeat;
      const previousMode = s.mode;
      const modeChanged = s.customMode !== h.customMode;
      s.sysid = msg.header.sysid;
      s.customMode = h.customMode;
      s.mode = modeName(h.customMode);
      s.armed = (h.baseMode & 0x80) !== 0;
      s.systemStatus = STATUS_NAMES[h.systemStatus] ?? String(h.systemStatus);
      s.lastHeartbeatAt = now;
      return { kind: 'heartbeat', modeChanged: modeChanged && previousMode !== 'UNKNOWN', previousMode };
    }
    case MSG.GLOBAL_POSITION_INT: {
      const p = msg.data as common.GlobalPositionInt;
      // Until its EKF has an origin ArduCopter reports lat 0, lon 0: that is "no position", not a place
      // in the Gulf of Guinea. Nor is any report while the GPS has never had a 3D fix.
      if (!hasPositionFix(p, s)) return { kind: 'update' };
      s.position = { lat: p.lat / 1e7, lon: p.lon / 1e7, altAmsl: p.alt / 1000, relAlt: p.relativeAlt / 1000, at: now };
      s.velocity = { north: p.vx / 100, east: p.vy / 100, down: p.vz / 100 };
      if (p.hdg !== 65535) s.heading = p.hdg / 100;
      return { kind: 'update' };
    }
    case MSG.SYS_STATUS: {
      const m = msg.data as common.SysStatus;
      s.prearmOk = (m.onboardControlSensorsHealth & 0x1000_0000) !== 0;
      s.battery = {
        voltage: m.voltageBattery / 1000,
        current: m.currentBattery / 100,
        remaining: m.batteryRemaining,
        ...(s.battery?.chargeState !== undefined ? { chargeState: s.battery.chargeState } : {}),
      };
      return { kind: 'update' };
    }
    case MSG.BATTERY_STATUS: {
      const m = msg.data as common.BatteryStatus;
      s.battery = {
        voltage: (m.voltages[0] ?? 0) / 1000,
        current: m.currentBattery / 100,
        remaining: m.batteryRemaining,
        chargeState: m.chargeState,
      };
      return { kind: 'update' };
    }
    case MSG.GPS_RAW_INT: {
      const m = msg.data as common.GpsRawInt;
      s.gps = { fixType: m.fixType, satellites: m.satellitesVisible };
      return { kind: 'update' };
    }
    case MSG.EXTENDED_SYS_STATE: {
      const m = msg.data as common.ExtendedSysState;
      s.landedState = LANDED[m.landedState] ?? 'unknown';
      return { kind: 'update' };
    }
    case MSG.HOME_POSITION: {
      const m = msg.data as common.HomePosition;
      s.home = { lat: m.latitude / 1e7, lon: m.longitude / 1e7, altAmsl: m.altitude / 1000 };
      return { kind: 'update' };
    }
    case MSG.MISSION_CURRENT: {
      const m = msg.data as common.MissionCurrent;
      s.missionCurrent = { seq: m.seq, total: m.total, state: m.missionState };
      return { kind: 'update' };
    }
    case MSG.MISSION_ITEM_REACHED: {
      const m = msg.data as common.MissionItemReached;
      s.lastItemReached = m.seq;
      return { kind: 'item_reached', seq: m.seq };
    }
    case MSG.STATUSTEXT: {
      const m = msg.data as common.StatusText;
      const text = m.text.replace(/\0.*$/s, '');
      if (/^(PreArm|Arm): /.test(text)) s.lastPrearmText = text;
      return { kind: 'statustext', entry: { severity: m.severity, text, at: now } };
    }
  }
  return undefined;
}
