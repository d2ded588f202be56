/**
 * The telemetry the simulated copter streams or sends on request (SET_MESSAGE_INTERVAL, REQUEST_MESSAGE), built
 * from its state with the recorded firmware's fields and quirks.
 */
import type { MavLinkData } from 'node-mavlink';
import { ardupilotmega, common, MSG, COPTER_MODES, standard } from '../../vehicle/mavlink/messages.js';
import type { LatLon } from '../../vehicle/geo.js';
import { freshMessage } from '../../vehicle/mavlink/fresh.js';
import { EKF_ACTIVE_MS, EKF_FLAGS_GPS, EKF_FLAGS_NO_GPS, EKF_FLAGS_UNINITIALISED, GPS_USED_MS, HOME_SET_MS, POSITION_FROM_MS } from './boot.js';
import type { SimBattery } from './battery.js';
import type { SimMission } from './mission-store.js';

const M = COPTER_MODES;
const MSG_EKF_STATUS_REPORT = 193;
/** Message ids the simulated vehicle can stream or send on request. */
export const STREAMABLE = new Set<number>([
  MSG.SYS_STATUS,
  MSG.GPS_RAW_INT,
  MSG.ATTITUDE,
  MSG.GLOBAL_POSITION_INT,
  MSG.MISSION_CURRENT,
  MSG.VFR_HUD,
  MSG.BATTERY_STATUS,
  MSG.HOME_POSITION,
  MSG.EXTENDED_SYS_STATE,
  MSG.SYSTEM_TIME,
  MSG_EKF_STATUS_REPORT,
]);

interface Vec {
  readonly n: number;
  readonly e: number;
  readonly u: number;
}

/** The copter's state, as the telemetry reads it. */
export interface TelemetrySource {
  readonly home: LatLon & { readonly alt: number };
  readonly battery: SimBattery;
  readonly mission: SimMission;
  /** Milliseconds since boot. */
  t(): number;
  latLon(): LatLon;
  pos(): Vec;
  vel(): Vec;
  /** Horizontal acceleration (it gives the attitude). */
  acc(): { readonly n: number; readonly e: number };
  heading(): number;
  airborne(): boolean;
  mode(): number;
  batteryFailsafe(): 'none' | 'low' | 'critical';
  /** Arming would pass its checks in the present mode. */
  armable(): boolean;
}

export function buildMessage(msgid: number, s: TelemetrySource): MavLinkData | undefined {
  const ll = s.latLon();
  switch (msgid) {
    case MSG.GLOBAL_POSITION_INT: {
      const m = freshMessage(common.GlobalPositionInt);
      // no position before the GPS is up: ArduCopter sends zeros (not home)
      const known = s.t() >= POSITION_FROM_MS;
      m.timeBootMs = Math.round(s.t());
      m.lat = known ? Math.round(ll.lat * 1e7) : 0;
      m.lon = known ? Math.round(ll.lon * 1e7) : 0;
      m.alt = known ? Math.round((s.home.alt + s.pos().u) * 1000) : 0;
      m.relativeAlt = known ? Math.round(s.pos().u * 1000) : 0;
      m.vx = Math.round(s.vel().n * 100);
      m.vy = Math.round(s.vel().e * 100);
      m.vz = Math.round(-s.vel().u * 100);
      m.hdg = Math.round(((s.heading() % 360) + 360) % 360 * 100);
      return m;
    }
    case MSG.SYS_STATUS: {
      const m = freshMessage(common.SysStatus);
      const present = 0x0020_002f | 0x0200_0000 | 0x1000_0000;
      m.onboardControlSensorsPresent = present;
      m.onboardControlSensorsEnabled = present;
      let health = 0x0020_002f;
      if (s.batteryFailsafe() === 'none') health |= 0x0200_0000;
      if (s.armable()) health |= 0x1000_0000;
      m.onboardControlSensorsHealth = health;
      m.load = 150;
      m.voltageBattery = Math.round(s.battery.voltage() * 1000);
      m.currentBattery = Math.round(s.battery.current() * 100);
      m.batteryRemaining = s.battery.remainingPct();
      return m;
    }
    case MSG.BATTERY_STATUS: {
      const m = freshMessage(common.BatteryStatus);
      m.id = 0;
      m.batteryFunction = 0;
      m.type = 0;
      m.temperature = 32767;
      m.voltages = [Math.round(s.battery.voltage() * 1000), 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535];
      m.currentBattery = Math.round(s.battery.current() * 100);
      m.currentConsumed = Math.round(s.battery.consumedMah);
      m.energyConsumed = -1;
      m.batteryRemaining = s.battery.remainingPct();
      m.timeRemaining = 0;
      m.chargeState = s.batteryFailsafe() === 'critical' ? 3 : s.batteryFailsafe() === 'low' ? 2 : 1;
      m.voltagesExt = [0, 0, 0, 0];
      m.mode = 0;
      m.faultBitmask = 0 as common.MavBatteryFault;
      return m;
    }
    case MSG.GPS_RAW_INT: {
      const m = freshMessage(common.GpsRawInt);
      const fix = s.t() >= 9830;
      m.timeUsec = BigInt(Math.round(s.t())) * 1000n;
      m.fixType = fix ? 6 : 0;
      m.lat = fix ? Math.round(ll.lat * 1e7) : 0;
      m.lon = fix ? Math.round(ll.lon * 1e7) : 0;
      m.alt = fix ? Math.round((s.home.alt + s.pos().u) * 1000) : 0;
      m.eph = fix ? 121 : 65535;
      m.epv = fix ? 200 : 65535;
      m.vel = Math.round(Math.hypot(s.vel().n, s.vel().e) * 100);
      m.cog = Math.round(((s.heading() % 360) + 360) % 360 * 100);
      m.satellitesVisible = fix ? 10 : 0;
      return m;
    }
    case MSG.ATTITUDE: {
      const m = freshMessage(common.Attitude);
      m.timeBootMs = Math.round(s.t());
      m.roll = s.acc().e / 9.81;
      m.pitch = -s.acc().n / 9.81;
      m.yaw = (((s.heading() + 180) % 360) - 180) * (Math.PI / 180);
      return m;
    }
    case MSG.VFR_HUD: {
      const m = freshMessage(common.VfrHud);
      const gs = Math.hypot(s.vel().n, s.vel().e);
      m.airspeed = gs;
      m.groundspeed = gs;
      m.heading = Math.round(((s.heading() % 360) + 360) % 360);
      m.throttle = s.airborne() ? 38 : 0;
      m.alt = s.home.alt + s.pos().u;
      m.climb = s.vel().u;
      return m;
    }
    case MSG.MISSION_CURRENT: {
      const m = freshMessage(common.MissionCurrent);
      m.seq = s.mission.current;
      m.total = Math.max(0, s.mission.items.length - 1);
      m.missionState = s.mission.items.length <= 1 ? 1 : s.mission.running ? 3 : s.mission.started ? 4 : 2;
      m.missionMode = s.mode() === M.AUTO ? 1 : 0;
      return m;
    }
    case MSG.HOME_POSITION: {
      if (s.t() < HOME_SET_MS) return undefined;
      const m = freshMessage(common.HomePosition);
      m.latitude = Math.round(s.home.lat * 1e7);
      m.longitude = Math.round(s.home.lon * 1e7);
      m.altitude = Math.round(s.home.alt * 1000);
      m.q = [1, 0, 0, 0];
      return m;
    }
    case MSG.EXTENDED_SYS_STATE: {
      const m = freshMessage(common.ExtendedSysState);
      m.vtolState = 0;
      m.landedState = !s.airborne() ? 1 : s.mode() === M.LAND ? 4 : 2;
      return m;
    }
    case MSG_EKF_STATUS_REPORT: {
      const m = freshMessage(ardupilotmega.EkfStatusReport);
      const t = s.t();
      m.flags = (t < EKF_ACTIVE_MS ? EKF_FLAGS_UNINITIALISED : t < GPS_USED_MS ? EKF_FLAGS_NO_GPS : EKF_FLAGS_GPS) as ardupilotmega.EkfStatusFlags;
      m.velocityVariance = 0.02;
      m.posHorizVariance = t < GPS_USED_MS ? 0 : 0.01;
      m.posVertVariance = 0.01;
      m.compassVariance = 0.01;
      m.terrainAltVariance = 0;
      m.airspeedVariance = 0;
      return m;
    }
    case MSG.SYSTEM_TIME: {
      const m = freshMessage(common.SystemTime);
      m.timeUnixUsec = 0n;
      m.timeBootMs = Math.round(s.t());
      return m;
    }
    case MSG.AUTOPILOT_VERSION: {
      const m = new standard.AutopilotVersion();
      m.capabilities = 0xf7efn as unknown as typeof m.capabilities;
      m.flightSwVersion = 0x04080000;
      m.middlewareSwVersion = 0;
      m.osSwVersion = 0;
      m.boardVersion = 0;
      m.flightCustomVersion = [...Buffer.from('64a9c787')];
      m.middlewareCustomVersion = [0, 0, 0, 0, 0, 0, 0, 0];
      m.osCustomVersion = [0, 0, 0, 0, 0, 0, 0, 0];
      m.vendorId = 0;
      m.productId = 0;
      m.uid = 0n;
      m.uid2 = new Array(18).fill(0);
      return m;
    }
  }
  return undefined;
}
