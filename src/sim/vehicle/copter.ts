/**
 * A simulated ArduCopter: a deterministic state machine stepped by a Clock, with no transport of its own.
 * It takes decoded MAVLink messages (`receive`) and hands the messages it sends to its sinks, so the same model
 * runs behind a TCP port at K× real time (`murmur sitl --simulated`) or by the hundred in one process in
 * virtual time. Every answer follows the recorded behaviour of ArduCopter 4.8.0-dev
 * (/work/shared/ardupilot-behaviour, summarised in sitl/README.md); where the record is silent the choice is
 * named in a comment.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { seededRandom, type Random } from '../../core/random.js';
import type { MavLinkData } from 'node-mavlink';
import type { MavMessage } from '../../vehicle/mavlink/codec.js';
import { common, minimal, MSG, CMD, COPTER_MODES, MAV_STATE, SEVERITY, modeName } from '../../vehicle/mavlink/messages.js';
import { offsetLatLon, northEastOf, type LatLon } from '../../vehicle/geo.js';
import { freshMessage } from '../../vehicle/mavlink/fresh.js';
import { ParamTable } from './params.js';
import { SimFence } from './fence.js';
import {
  BOOT_TEXTS,
  BOOT_PARAMS,
  STAT_RUNTIME_FIRST_MS,
  STAT_RUNTIME_EVERY_MS,
  BOOT_READY_MS,
  BOOT_STATUS_MS,
  STABILIZE_ARMABLE_MS,
  GPS_ARMABLE_MS,
  HOME_SET_MS,
  EKF_ACTIVE_MS,
} from './boot.js';
import { SimBattery } from './battery.js';
import { SimFailsafes } from './failsafes.js';
import { SimMission, type MissionItemStored } from './mission-store.js';
import { STREAMABLE, buildMessage, type TelemetrySource } from './telemetry-messages.js';
import { SimStreams } from './streams.js';
import { ParamProtocol } from './param-protocol.js';
import { guidedShaping, waypointShaping, levelSpeedLimit, startLeg, stepLeg, stepBrake, stepVelocity, stopDistance, type Kinematics, type Leg, type Shaping } from './motion.js';

export { packVoltage } from './battery.js';
export type { MissionItemStored } from './mission-store.js';

const M = COPTER_MODES;
const TICK_MS = 50;

/**
 * NAV_TAKEOFF to lift-off: at least this long after the command, and this long after arming (the motors spool
 * up after arming first). Real SITL lifted off 3.67 s after an arm followed at once by the take-off (twice:
 * 3.35 s here, as the arm ACK and the command take their own time);
 * the record's 10 m take-offs (6.8 and 7.9 s to 9.5 m) imply 2.1–3.2 s after the command.
 */
const TAKEOFF_AFTER_CMD_MS = 2100;
const TAKEOFF_AFTER_ARM_MS = 3350;
/** RTL: after RTL_LOIT_TIME above home, real SITL began its descent ≈ 1.5 s later still. */
const RTL_DESCENT_EXTRA_MS = 1500;
/** RTL: real SITL started its return leg ≈ 1 s after the mode change (its climb leg, even with nothing to climb). */
const RTL_CLIMB_LEG_MS = 1000;
/** Within this distance of home RTL holds its altitude (real SITL at home: 9.96 m → 9.98 m; 4.1 m out: the cone). */
const RTL_AT_HOME_M = 2;
/** ArduCopter's RTL cone: never less than this climb when the cone applies (RTL_ABS_MIN_CLIMB, 2.5 m). */
const RTL_CONE_MIN_CLIMB_M = 2.5;
/** LAND / RTL entered while climbing: the climb is stopped this gently (real SITL: 4.1–4.5 m at 2.5 m/s up → 8.9 m). */
const CLIMB_STOP_ACC = 0.7;
const TOUCHDOWN_TO_DISARM_MS = 2100;
const FORCE_DISARM_MAGIC = 21196;
/** Modes that hold or follow their own altitude with no pilot input (LOITER and the others descend in SITL). */
const AUTONOMOUS = new Set<number>([M.GUIDED, M.AUTO, M.RTL, M.LAND, M.BRAKE]);
/** Modes whose arming needs a position estimate. */
const NEEDS_POSITION = new Set<number>([M.GUIDED, M.AUTO, M.LOITER, M.RTL, M.BRAKE, M.SMART_RTL]);
/** ArduCopter's periodic pre-arm check: "PreArm: Mode requires mission" came 1.39–1.40 s after DO_SET_MODE AUTO. */
const PREARM_MISSION_TEXT_MS = 1390;
interface Vec3 {
  n: number;
  e: number;
  u: number;
}

type RtlPhase = 'climb' | 'return' | 'loiter' | 'descend';

export interface SimCopterOptions {
  readonly clock: Clock;
  readonly sysid: number;
  readonly home: LatLon & { readonly alt: number };
  readonly seed?: number;
  /** Parameter overrides (Murmur's parameter file). */
  readonly params?: Record<string, number>;
}

export interface SimSink {
  message(data: MavLinkData): void;
  /** Raw non-MAVLink bytes (SITL's console text on the port during boot). */
  raw?(bytes: Uint8Array): void;
}

/** What tests and the swarm simulator may read directly. */
export interface SimSnapshot {
  readonly mode: string;
  readonly customMode: number;
  readonly armed: boolean;
  readonly flying: boolean;
  readonly lat: number;
  readonly lon: number;
  readonly relAlt: number;
  readonly north: number;
  readonly east: number;
  readonly groundSpeed: number;
  readonly systemStatus: number;
  readonly baseMode: number;
  readonly voltage: number;
  readonly consumedMah: number;
  readonly missionCount: number;
  readonly missionCurrent: number;
  readonly bootedMs: number;
}

export class SimCopter {
  readonly params: ParamTable;
  readonly sysid: number;
  readonly home: LatLon & { readonly alt: number };
  private readonly clock: Clock;
  private readonly rnd: Random;
  private readonly sinks = new Set<SimSink>();
  private readonly timers: TimerHandle[] = [];
  private bootAt: number | undefined;

  // flight state
  private mode: number = M.STABILIZE;
  private armed = false;
  private armedAt = 0;
  private pos: Vec3 = { n: 0, e: 0, u: 0 };
  private vel: Vec3 = { n: 0, e: 0, u: 0 };
  private accXY = { n: 0, e: 0 };
  private heading = 353;
  private airborne = false;
  private takeoffAlt: number | undefined;
  private spoolUntil = 0;
  private touchdownAt: number | undefined;
  private groundSince = 0;
  private guidedTarget: Vec3 | undefined;
  /** The straight leg GUIDED flies towards guidedTarget. */
  private guidedLeg: Leg | undefined;
  /** The leg RTL / AUTO / LAND / holds fly (waypoint navigation). */
  private navLeg: Leg | undefined;
  private guidedVel: { v: Vec3; until: number } | undefined;
  private holdPoint: Vec3 | undefined;
  private speedOverride: number | undefined;
  private rtlPhase: RtlPhase = 'climb';
  private rtlAlt = 0;
  private rtlLoiterUntil = 0;
  private rtlReturnAfter = 0;
  /** DO_CHANGE_SPEED right after NAV_TAKEOFF, before any position target, is lost (recorded). */
  private speedChangeLost = false;
  private gust = { n: 0, e: 0 };
  private posCtlIdleAfterMission = false;

  // mission (the items and the protocol: mission-store.ts)
  private readonly missions: SimMission;
  private itemReachedAt: number | undefined;

  // streams and failsafes
  /** Telemetry streams (streams.ts). */
  private readonly streams: SimStreams;
  /** The parameter protocol (param-protocol.ts). */
  private readonly paramProtocol: ParamProtocol;
  /** Vehicle time up to which the physics has been stepped (fixed 50 ms steps, however late the timer fires). */
  private steppedTo: number | undefined;
  private readonly battery: SimBattery;
  /** Battery and ground-station failsafes (failsafes.ts). */
  private readonly failsafes: SimFailsafes;
  /** The state the telemetry messages are built from (telemetry-messages.ts). */
  private readonly telemetry: TelemetrySource;
  private lastPrearmText = 0;
  /** The geofence (fence.ts): its protocol, parameters and breach reactions. */
  private readonly fence: SimFence;

  constructor(opts: SimCopterOptions) {
    this.clock = opts.clock;
    this.sysid = opts.sysid;
    this.home = opts.home;
    this.rnd = seededRandom(opts.seed ?? opts.sysid);
    this.params = new ParamTable({ ...opts.params, MAV_SYSID: opts.sysid });
    this.fence = new SimFence({
      t: () => this.t(),
      emit: (m) => this.emit(m),
      text: (sev, text) => this.text(sev, text),
      params: this.params,
      home: this.home,
      where: () => this.pos,
      armed: () => this.armed,
      airborne: () => this.airborne,
      enterMode: (mode) => this.enterMode(mode),
    });
    this.battery = new SimBattery(this.params, { armed: () => this.armed, airborne: () => this.airborne, vel: () => this.vel });
    this.failsafes = new SimFailsafes({
      params: this.params,
      battery: this.battery,
      armed: () => this.armed,
      airborne: () => this.airborne,
      text: (sev, text) => this.text(sev, text),
      enterMode: (mode) => this.enterMode(mode),
      disarm: (text) => this.disarm(text),
    });
    this.missions = new SimMission({ home: this.home, t: () => this.t(), emit: (m) => this.emit(m), text: (sev, text) => this.text(sev, text) });
    this.streams = new SimStreams({ clock: this.clock, build: (id) => this.build(id), emit: (m) => this.emit(m), text: (sev, text) => this.text(sev, text) });
    this.paramProtocol = new ParamProtocol({
      params: this.params,
      emit: (m) => this.emit(m),
      changed: (name) => {
        if (name === 'MAV_GCS_SYSID') this.failsafes.gcsLastHeartbeat = undefined;
      },
    });
    this.telemetry = {
      home: this.home,
      battery: this.battery,
      mission: this.missions,
      t: () => this.t(),
      latLon: () => this.latLon(),
      pos: () => this.pos,
      vel: () => this.vel,
      acc: () => this.accXY,
      heading: () => this.heading,
      airborne: () => this.airborne,
      mode: () => this.mode,
      batteryFailsafe: () => this.failsafes.batteryLevel,
      armable: () => this.armCheck(this.mode) === undefined,
    };
  }

  addSink(s: SimSink): void {
    this.sinks.add(s);
  }
  removeSink(s: SimSink): void {
    this.sinks.delete(s);
  }

  get booted(): boolean {
    return this.bootAt !== undefined;
  }

  /** Starts the firmware (SITL's SERIAL0 boots when the first client connects). Idempotent. */
  boot(): void {
    if (this.bootAt !== undefined) return;
    this.bootAt = this.clock.now();
    this.timers.push(this.clock.setInterval(() => this.tick(), TICK_MS));
    this.timers.push(this.clock.setInterval(() => this.sendHeartbeat(), 1000));
    this.timers.push(this.clock.setInterval(() => this.sendTimesync(), 10_000));
    for (const [s, sev, text] of BOOT_TEXTS) this.timers.push(this.clock.setTimeout(() => this.text(sev, text), s * 1000));
    for (const [s, name, value] of BOOT_PARAMS)
      this.timers.push(
        this.clock.setTimeout(() => {
          if (!this.params.has(name)) this.params.define(name, value);
          else this.params.set(name, value);
          this.emit(this.paramProtocol.value(name, 65535));
        }, s * 1000),
      );
    this.timers.push(
      this.clock.setTimeout(() => {
        const save = () => {
          this.params.set('STAT_RUNTIME', Math.round(this.t() / 1000));
          this.emit(this.paramProtocol.value('STAT_RUNTIME', 65535));
        };
        save();
        this.timers.push(this.clock.setInterval(save, STAT_RUNTIME_EVERY_MS));
      }, STAT_RUNTIME_FIRST_MS),
    );
    this.timers.push(
      this.clock.setTimeout(() => this.text(SEVERITY.INFO, `Field Elevation Set: ${Math.round(this.home.alt)}m`), 20_050),
    );
    // The mode switch on RC5 (1800 µs) puts the mode back to STABILIZE when the firmware is ready.
    this.timers.push(this.clock.setTimeout(() => (this.mode = M.STABILIZE), BOOT_READY_MS));
    for (const [ms, line] of [
      [40, 'Init ArduCopter V4.8.0-dev (64a9c787)\r\n\r\nFree RAM: 131072\r\n'],
      [600, 'Init Gyro***\r\n'],
      [1500, 'AP_Logger: directory /logs created\r\n'],
    ] as const)
      this.timers.push(this.clock.setTimeout(() => this.raw(Buffer.from(line)), ms));
    this.sendHeartbeat();
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearInterval(t);
    this.streams.stop();
    this.timers.length = 0;
  }

  /** Milliseconds since boot. */
  private t(): number {
    return this.bootAt === undefined ? 0 : this.clock.now() - this.bootAt;
  }

  snapshot(): SimSnapshot {
    const ll = this.latLon();
    return {
      mode: modeName(this.mode),
      customMode: this.mode,
      armed: this.armed,
      flying: this.airborne,
      lat: ll.lat,
      lon: ll.lon,
      relAlt: this.pos.u,
      north: this.pos.n,
      east: this.pos.e,
      groundSpeed: Math.hypot(this.vel.n, this.vel.e),
      systemStatus: this.systemStatus(),
      baseMode: this.baseMode(),
      voltage: this.battery.voltage(),
      consumedMah: this.battery.consumedMah,
      missionCount: this.missions.items.length,
      missionCurrent: this.missions.current,
      bootedMs: this.t(),
    };
  }

  /** Where it is and whether it flies: the part of `snapshot` a swarm run asks of every drone every step. */
  truth(): { lat: number; lon: number; flying: boolean } {
    const ll = this.latLon();
    return { lat: ll.lat, lon: ll.lon, flying: this.airborne };
  }

  // ───────────────────────────── output ─────────────────────────────

  private emit(data: MavLinkData): void {
    for (const s of this.sinks) s.message(data);
  }
  private raw(bytes: Uint8Array): void {
    for (const s of this.sinks) s.raw?.(bytes);
  }
  private text(severity: number, text: string): void {
    const m = freshMessage(common.StatusText);
    m.severity = severity;
    m.text = text.slice(0, 50);
    m.id = 0;
    m.chunkSeq = 0;
    this.emit(m);
  }

  private latLon(): LatLon {
    return offsetLatLon(this.home, this.pos.n, this.pos.e);
  }

  private systemStatus(): number {
    if (this.t() < BOOT_STATUS_MS) return MAV_STATE.BOOT;
    if (this.failsafes.batteryLevel !== 'none' || this.failsafes.gcsActive) return MAV_STATE.CRITICAL;
    return this.airborne ? MAV_STATE.ACTIVE : MAV_STATE.STANDBY;
  }

  /**
   * base_mode: ArduCopter sets GUIDED_ENABLED (0x08) when its horizontal position controller ran recently, not
   * per mode, which gives the recorded quirks (STABILIZE 81, GUIDED / LOITER / BRAKE / LAND disarmed 89, RTL
   * disarmed 81, AUTO disarmed 89 before a flight and 81 after one, BOOT 89).
   */
  private baseMode(): number {
    let b = 0x51;
    if (this.armed) b |= 0x80;
    if (this.t() < BOOT_STATUS_MS) return b | 0x08;
    let posCtl: boolean;
    if (this.armed) posCtl = this.mode !== M.STABILIZE && this.mode !== M.ALT_HOLD;
    else if (this.mode === M.AUTO) posCtl = !this.posCtlIdleAfterMission;
    else posCtl = this.mode !== M.STABILIZE && this.mode !== M.ALT_HOLD && this.mode !== M.RTL;
    return posCtl ? b | 0x08 : b;
  }

  private sendHeartbeat(): void {
    const h = freshMessage(minimal.Heartbeat);
    h.type = 2;
    h.autopilot = 3;
    h.baseMode = this.baseMode();
    h.customMode = this.mode;
    h.systemStatus = this.systemStatus();
    h.mavlinkVersion = 3;
    this.emit(h);
  }

  private sendTimesync(): void {
    const m = freshMessage(common.TimeSync);
    m.tc1 = 0n;
    m.ts1 = BigInt(Math.round(this.t())) * 1_000_000n;
    this.emit(m);
  }

  private build(msgid: number): MavLinkData | undefined {
    return buildMessage(msgid, this.telemetry);
  }

  // ───────────────────────────── arming ─────────────────────────────

  /**
   * Why arming would fail now in `mode` (each the text after "Arm: "), in ArduCopter's order; empty when
   * armable. The timeline is the recorded boot: accelerometers settle at ~13 s, gyros at ~24 s, the EKF is
   * up at 4.45 s, home is set at ~20 s, and GPS is used for position at ~42.6 s.
   */
  armFailures(mode: number): string[] {
    const t = this.t();
    if (t < BOOT_READY_MS) return ['System not initialised'];
    const needsPos = NEEDS_POSITION.has(mode);
    const r: string[] = [];
    if (needsPos && t < EKF_ACTIVE_MS) r.push('Need Alt Estimate');
    if (t < 13_000) r.push('Accels inconsistent');
    else if (t < STABILIZE_ARMABLE_MS) r.push('Gyros inconsistent');
    if (t < EKF_ACTIVE_MS) r.push('EKF attitude is bad');
    if (needsPos) {
      if (t < HOME_SET_MS) r.push('AHRS: waiting for home');
      else if (t < GPS_ARMABLE_MS) r.push('Need Position Estimate');
    } else if (t < EKF_ACTIVE_MS) r.push('AHRS: not using configured AHRS type');
    if (r.length) return r;
    // FRAME_CLASS 0 (the firmware default when ArduPilot's copter.parm is not loaded): no motors configured
    if (this.params.get('FRAME_CLASS') === 0) return ['Motors: Check frame class and type'];
    if (this.failsafes.batteryLevel !== 'none') return ['Battery failsafe'];
    if (mode === M.AUTO) return ['Auto mode not armable'];
    if (mode === M.LAND) return ['Land mode not armable'];
    if (mode === M.RTL) return ['RTL mode not armable'];
    if (mode === M.SMART_RTL) return ['SmartRTL mode not armable'];
    const fence = this.fence.armFailure();
    return fence ? [fence] : [];
  }

  /** The first reason arming would fail now, or undefined when armable. */
  armCheck(mode: number): string | undefined {
    return this.armFailures(mode)[0];
  }

  private arm(): number {
    if (this.armed) return 0;
    const why = this.armFailures(this.mode);
    if (why.length) {
      for (const w of why) this.text(SEVERITY.CRITICAL, `Arm: ${w}`);
      return 4;
    }
    this.armed = true;
    this.armedAt = this.t();
    this.groundSince = this.t();
    this.text(SEVERITY.INFO, 'Arming motors');
    return 0;
  }

  private disarm(text: string): void {
    if (!this.armed) return;
    this.armed = false;
    this.takeoffAlt = undefined;
    this.text(SEVERITY.INFO, text);
    if (this.missions.started && this.mode === M.AUTO) this.posCtlIdleAfterMission = true;
  }

  // ───────────────────────────── modes ─────────────────────────────

  /** Tries to enter a mode as ArduCopter's set_mode would. Returns false with the failure text already sent. */
  private enterMode(mode: number): boolean {
    if (!(Object.values(M) as number[]).includes(mode)) {
      this.text(SEVERITY.WARNING, `No such mode ${mode}`);
      return false;
    }
    // Copter::set_mode: asking for the current mode succeeds and re-initialises nothing.
    if (mode === this.mode && this.t() >= BOOT_READY_MS) return true;
    if (mode === M.AUTO) {
      const hasMission = this.missions.items.length > 1;
      if (!hasMission && this.armed && this.airborne) {
        this.text(SEVERITY.WARNING, 'Mode change to Auto failed: init failed');
        return false;
      }
      if (!hasMission && !this.armed) {
        // not an answer to the mode change: the periodic pre-arm check notices it a moment later
        this.timers.push(
          this.clock.setTimeout(() => {
            if (this.mode === M.AUTO && !this.armed && this.missions.items.length <= 1) this.text(SEVERITY.CRITICAL, 'PreArm: Mode requires mission');
          }, PREARM_MISSION_TEXT_MS),
        );
      }
    }
    this.mode = mode;
    // a take-off is GUIDED's (or LOITER's): any other mode ends it, so LAND / RTL during the climb land and disarm
    this.takeoffAlt = undefined;
    this.posCtlIdleAfterMission = false;
    this.guidedVel = undefined;
    this.navLeg = undefined;
    const stopPoint = this.stoppingPoint();
    switch (mode) {
      case M.GUIDED:
        this.setGuidedTarget(this.airborne ? stopPoint : undefined);
        break;
      case M.RTL:
        this.startRtl();
        break;
      case M.BRAKE:
      case M.LOITER:
      case M.LAND:
        this.holdPoint = stopPoint;
        break;
      case M.AUTO:
        if (this.missions.items.length > 1) {
          if (this.missions.current < 1 || this.missions.current >= this.missions.items.length) this.missions.current = 1;
          this.announceItem();
          // Armed in flight, the mission resumes at once; on the ground it waits for MISSION_START.
          if (this.armed && this.airborne) this.startItem();
        }
        break;
    }
    return true;
  }

  /** Where the copter would stop braking along its heading now (GUIDED's brake). */
  private stoppingPoint(): Vec3 {
    const sp = Math.hypot(this.vel.n, this.vel.e);
    const g = this.guidedShape();
    const d = sp > 0.01 ? stopDistance(sp, g.brake, g.brakeJerk) : 0;
    return {
      n: this.pos.n + (sp > 0.01 ? (this.vel.n / sp) * d : 0),
      e: this.pos.e + (sp > 0.01 ? (this.vel.e / sp) * d : 0),
      u: this.pos.u,
    };
  }

  private beginTakeoff(alt: number): void {
    this.takeoffAlt = alt;
    if (!this.airborne) this.spoolUntil = Math.max(this.t() + TAKEOFF_AFTER_CMD_MS, this.armedAt + TAKEOFF_AFTER_ARM_MS);
    this.airborne = true;
    this.touchdownAt = undefined;
  }

  // ───────────────────────────── mission execution ─────────────────────────────

  private itemName(cmd: number): string {
    switch (cmd) {
      case CMD.NAV_TAKEOFF:
        return 'Takeoff';
      case CMD.NAV_WAYPOINT:
        return 'WP';
      case CMD.NAV_RETURN_TO_LAUNCH:
        return 'RTL';
      case CMD.NAV_LAND:
        return 'Land';
      case CMD.NAV_LOITER_TIME:
        return 'LoitTime';
      case CMD.NAV_LOITER_UNLIM:
        return 'LoitUnlim';
      case CMD.DO_CHANGE_SPEED:
        return 'ChangeSpeed';
      default:
        return `Cmd${cmd}`;
    }
  }

  private announceItem(): void {
    const item = this.missions.items[this.missions.current];
    if (item) this.text(SEVERITY.INFO, `Mission: ${this.missions.current} ${this.itemName(item.command)}`);
  }

  private itemTarget(item: MissionItemStored): Vec3 {
    let n = this.pos.n;
    let e = this.pos.e;
    if (item.x !== 0 || item.y !== 0) {
      const ne = northEastOf(this.home, { lat: item.x / 1e7, lon: item.y / 1e7 });
      n = ne.north;
      e = ne.east;
    }
    const relative = item.frame === 3 || item.frame === 6;
    const u = relative ? item.z : item.frame === 0 || item.frame === 5 ? item.z - this.home.alt : item.z;
    return { n, e, u };
  }

  /** Starts the current item (called on entering it). */
  private startItem(): void {
    this.missions.running = true;
    this.missions.started = true;
    this.itemReachedAt = undefined;
    const item = this.missions.items[this.missions.current];
    if (!item) {
      this.missions.running = false;
      this.holdPoint = this.stoppingPoint();
      return;
    }
    if (item.command === CMD.NAV_TAKEOFF) this.beginTakeoff(Math.max(item.z, this.pos.u));
    if (item.command === CMD.NAV_RETURN_TO_LAUNCH) this.startRtl();
    if (item.command === CMD.NAV_LAND) this.holdPoint = item.x !== 0 || item.y !== 0 ? this.itemTarget(item) : this.stoppingPoint();
    if (item.command === CMD.DO_CHANGE_SPEED) {
      if (item.param2 > 0) this.speedOverride = item.param2;
      this.advanceItem(false);
    }
  }

  private advanceItem(reached: boolean): void {
    if (reached) {
      const m = freshMessage(common.MissionItemReached);
      m.seq = this.missions.current;
      this.emit(m);
      const cmd = this.missions.items[this.missions.current]?.command;
      if (cmd !== CMD.NAV_TAKEOFF) this.text(SEVERITY.INFO, `Reached command #${this.missions.current}`);
    }
    if (this.missions.current + 1 >= this.missions.items.length) {
      this.missions.running = false;
      this.holdPoint = this.stoppingPoint();
      return;
    }
    this.missions.current++;
    this.announceItem();
    this.startItem();
  }

  private runAuto(dt: number): void {
    const item = this.missions.items[this.missions.current];
    if (!this.missions.running || !item) {
      this.holdAt(this.holdPoint ?? this.pos, dt);
      return;
    }
    const radius = this.params.get('WP_RADIUS_M');
    switch (item.command) {
      case CMD.NAV_TAKEOFF: {
        this.climbTo(this.takeoffAlt ?? item.z, dt);
        this.brakeXY(dt);
        if (this.t() >= this.spoolUntil && this.pos.u >= (this.takeoffAlt ?? item.z) - 0.1) {
          this.takeoffAlt = undefined;
          this.advanceItem(true);
        }
        return;
      }
      case CMD.NAV_WAYPOINT:
      case CMD.NAV_LOITER_TIME:
      case CMD.NAV_LOITER_UNLIM: {
        const tgt = this.itemTarget(item);
        this.flyTo(tgt, this.wpSpeed(), dt);
        const dist = Math.hypot(tgt.n - this.pos.n, tgt.e - this.pos.e, tgt.u - this.pos.u);
        if (this.itemReachedAt === undefined && dist <= radius) this.itemReachedAt = this.t();
        if (this.itemReachedAt !== undefined && item.command !== CMD.NAV_LOITER_UNLIM) {
          if (this.t() - this.itemReachedAt >= Math.max(0, item.param1) * 1000) this.advanceItem(true);
        }
        return;
      }
      case CMD.NAV_RETURN_TO_LAUNCH:
        this.runRtl(dt);
        return;
      case CMD.NAV_LAND:
        this.runLand(this.holdPoint ?? this.pos, dt);
        return;
      default:
        this.advanceItem(false);
    }
  }

  // ───────────────────────────── kinematics ─────────────────────────────

  private wpSpeed(): number {
    return Math.min(this.speedOverride ?? this.params.get('WP_SPD'), levelSpeedLimit(this.leanLimitDeg()));
  }

  /** The position controller's lean limit: PSC_ANGLE_MAX, or ATC_ANGLE_MAX when that is 0. */
  private leanLimitDeg(): number {
    const psc = this.params.get('PSC_ANGLE_MAX');
    return psc > 0 ? psc : this.params.get('ATC_ANGLE_MAX');
  }

  private kin(): Kinematics {
    return { pos: this.pos, vel: this.vel, acc: this.accXY };
  }
  private guidedShape(): Shaping {
    return guidedShaping(this.params.get('WP_ACC'));
  }
  private wpShape(): Shaping {
    return waypointShaping(this.params.get('WP_ACC'), this.params.get('WP_JERK'));
  }

  /** Sets GUIDED's destination: a new straight leg from the copter's present motion (see motion.ts). */
  private setGuidedTarget(t: Vec3 | undefined): void {
    this.guidedTarget = t;
    this.guidedVel = undefined;
    this.guidedLeg = t ? startLeg(this.kin(), t, this.guidedLeg) : undefined;
  }

  /** Waypoint navigation towards `p` (RTL, AUTO, LAND's position hold): a new leg whenever the point changes. */
  private navXY(p: Vec3, speed: number, dt: number): void {
    const leg = this.navLeg;
    if (!leg || Math.abs(leg.to.n - p.n) > 1e-6 || Math.abs(leg.to.e - p.e) > 1e-6) this.navLeg = startLeg(this.kin(), { n: p.n, e: p.e });
    stepLeg(this.kin(), this.navLeg!, speed, this.wpShape(), dt);
  }

  private brakeXY(dt: number): void {
    stepBrake(this.kin(), this.guidedShape(), dt);
  }

  private climbTo(alt: number, dt: number): void {
    if (this.t() < this.spoolUntil) {
      this.vel.u = 0;
      return;
    }
    const up = this.params.get('WP_SPD_UP');
    const dn = this.params.get('WP_SPD_DN');
    const d = alt - this.pos.u;
    const accZ = 1.0;
    let vDes = Math.sign(d) * Math.min(d > 0 ? up : dn, Math.sqrt(2 * accZ * Math.abs(d)), 2 * Math.abs(d));
    if (Math.abs(d) < 0.01) vDes = 0;
    const dv = vDes - this.vel.u;
    this.vel.u += Math.max(-accZ * dt * 2, Math.min(accZ * dt, dv));
  }

  private flyTo(tgt: Vec3, speed: number, dt: number): void {
    this.navXY(tgt, speed, dt);
    this.climbTo(tgt.u, dt);
  }

  private holdAt(p: Vec3, dt: number): void {
    this.navXY(p, this.wpSpeed(), dt);
    this.climbTo(p.u, dt);
  }

  /**
   * Descent of LAND and of RTL's last phase: LAND_SPD_HIGH_MS (0: WP_SPD_DN) high up, slowing before
   * LAND_ALT_LOW_M so as to cross it at LAND_SPD_MS (real SITL: 1.5 m/s at 11.5 m, 0.5 m/s by 10 m).
   */
  private runLand(p: Vec3, dt: number): void {
    this.navXY(p, this.wpSpeed(), dt);
    if (this.vel.u > 0) {
      this.vel.u = Math.max(0, this.vel.u - CLIMB_STOP_ACC * dt);
      return;
    }
    const low = this.params.get('LAND_ALT_LOW_M');
    const slow = this.params.get('LAND_SPD_MS');
    const high = this.params.get('LAND_SPD_HIGH_MS') > 0 ? this.params.get('LAND_SPD_HIGH_MS') : this.params.get('WP_SPD_DN');
    const vDes = -Math.max(slow, Math.min(high, slow + 0.5 * Math.max(0, this.pos.u - low)));
    const dv = vDes - this.vel.u;
    this.vel.u += Math.max(-1 * dt, Math.min(1 * dt, dv));
  }

  /**
   * RTL's return altitude (ArduCopter's RTL cone): RTL_ALT_M, but no higher than RTL_CONE_SLOPE × the distance
   * home (and at least 2.5 m above the copter when the cone applies), never below where it is, plus
   * RTL_CLIMB_MIN_M; at home it holds its altitude. A climb in progress first coasts to a stop.
   */
  private startRtl(): void {
    const h = this.pos.u + (this.vel.u > 0 ? (this.vel.u * this.vel.u) / (2 * CLIMB_STOP_ACC) : 0);
    const d = Math.hypot(this.pos.n, this.pos.e);
    const slope = this.params.get('RTL_CONE_SLOPE');
    let target = this.params.get('RTL_ALT_M');
    if (d < RTL_AT_HOME_M) target = h;
    else if (slope >= 0.5) target = Math.min(target, Math.max(d * slope, h + RTL_CONE_MIN_CLIMB_M));
    this.rtlAlt = Math.max(target, h + Math.max(0, this.params.get('RTL_CLIMB_MIN_M')));
    this.rtlPhase = 'climb';
    this.rtlReturnAfter = this.t() + RTL_CLIMB_LEG_MS;
  }

  /**
   * RTL: climb to the return altitude (startRtl) where it is, fly home, loiter RTL_LOIT_TIME once stopped there,
   * then land. Real SITL, 40.5 m out at 10 m: 15 m after 4 s, over home after ≈ 16 s, disarmed after 47.5 s.
   */
  private runRtl(dt: number): void {
    const home = { n: 0, e: 0, u: this.rtlAlt };
    switch (this.rtlPhase) {
      case 'climb':
      case 'return': {
        const rtlSpeed = this.params.get('RTL_SPEED_MS') > 0 ? this.params.get('RTL_SPEED_MS') : this.wpSpeed();
        // climb first, over the spot where RTL began (real SITL does not blend the climb into the return leg)
        if (this.rtlPhase === 'climb') {
          this.brakeXY(dt);
          this.climbTo(this.rtlAlt, dt);
          if (this.pos.u >= this.rtlAlt - 0.3 && this.t() >= this.rtlReturnAfter) this.rtlPhase = 'return';
          return;
        }
        this.flyTo(home, rtlSpeed, dt);
        // the return leg ends when the copter has stopped over home
        const close = Math.hypot(this.pos.n, this.pos.e) < this.params.get('WP_RADIUS_M') && Math.hypot(this.vel.n, this.vel.e) < 0.3;
        if (this.rtlPhase === 'return' && close) {
          this.rtlPhase = 'loiter';
          this.rtlLoiterUntil = this.t() + this.params.get('RTL_LOIT_TIME') + RTL_DESCENT_EXTRA_MS;
        }
        return;
      }
      case 'loiter':
        this.holdAt(home, dt);
        if (this.t() >= this.rtlLoiterUntil) this.rtlPhase = 'descend';
        return;
      case 'descend':
        this.runLand({ ...home, u: 0 }, dt);
        return;
    }
  }

  /**
   * The physics timer: as many fixed steps as vehicle time has passed (a timer of a scaled clock fires late on a
   * busy machine; the copter must not fly slower than its clock), at most 2 s of them at once.
   */
  private tick(): void {
    const now = this.t();
    let from = this.steppedTo ?? now - TICK_MS;
    if (now - from > 2000) from = now - 2000;
    let n = 0;
    while (from + TICK_MS <= now + 1e-6) {
      from += TICK_MS;
      this.step(from);
      n++;
    }
    this.steppedTo = n > 0 ? from : this.steppedTo ?? from;
  }

  private step(now: number): void {
    const dt = TICK_MS / 1000;
    this.battery.drain(dt);
    this.failsafes.checkBattery(now);
    this.failsafes.checkGcs(now);
    this.missions.checkUpload(now);

    if (this.armed && this.airborne) {
      this.fly(dt, now);
    } else if (!this.armed && this.pos.u > 0) {
      // Disarmed in the air: free fall.
      this.vel.u -= 9.81 * dt;
      this.airborne = true;
      this.takeoffAlt = undefined;
      this.spoolUntil = 0;
    } else {
      this.vel = { n: 0, e: 0, u: 0 };
      this.accXY = { n: 0, e: 0 };
      if (!this.armed) this.airborne = false;
    }

    // Wind: a seeded gust (Ornstein-Uhlenbeck) the position controller has to correct.
    const wind = this.params.get('SIM_WIND_SPD');
    const turb = this.params.get('SIM_WIND_TURB');
    if (this.airborne && (wind > 0 || turb > 0)) {
      const sigma = 0.05 * wind + 0.3 * turb;
      this.gust.n += (-this.gust.n / 2) * dt + sigma * Math.sqrt(dt) * this.rnd.gaussian();
      this.gust.e += (-this.gust.e / 2) * dt + sigma * Math.sqrt(dt) * this.rnd.gaussian();
      this.vel.n += this.gust.n * dt;
      this.vel.e += this.gust.e * dt;
    }

    this.pos.n += this.vel.n * dt;
    this.pos.e += this.vel.e * dt;
    this.pos.u += this.vel.u * dt;
    const sp = Math.hypot(this.vel.n, this.vel.e);
    if (sp > 1) this.heading = (Math.atan2(this.vel.e, this.vel.n) * 180) / Math.PI;

    if (this.airborne && this.pos.u <= 0 && this.vel.u <= 0 && this.t() >= this.spoolUntil && this.takeoffAlt === undefined) {
      if (this.touchdownAt === undefined) {
        this.touchdownAt = now;
        this.text(SEVERITY.INFO, `SIM Hit ground at ${Math.abs(this.vel.u).toFixed(6)} m/s`);
      }
      if (!this.armed) this.touchdownAt = undefined;
      this.pos.u = 0;
      this.vel = { n: 0, e: 0, u: 0 };
      this.airborne = false;
      this.groundSince = now;
    }
    if (this.pos.u < 0) this.pos.u = 0;
    this.fence.tick();

    // Landed in LAND / RTL / AUTO: ArduCopter disarms once the land detector is sure (~2 s after touchdown).
    if (this.armed && !this.airborne && this.touchdownAt !== undefined) {
      const landingMode = this.mode === M.LAND || this.mode === M.RTL || this.mode === M.AUTO;
      if (landingMode && now - this.touchdownAt >= TOUCHDOWN_TO_DISARM_MS) {
        this.touchdownAt = undefined;
        this.disarm('Disarming motors');
      }
    }
    // Armed on the ground with nothing to do: auto-disarm after DISARM_DELAY.
    if (this.armed && !this.airborne && now - this.groundSince >= this.params.get('DISARM_DELAY') * 1000) {
      this.touchdownAt = undefined;
      this.disarm('Disarming motors');
    }
    if (!this.armed && now - this.lastPrearmText >= 30_000 && now >= 30_000) {
      this.lastPrearmText = now;
      const why = this.armCheck(this.mode);
      if (why !== undefined && !why.endsWith('not armable')) this.text(SEVERITY.CRITICAL, `PreArm: ${why}`);
    }
  }

  private fly(dt: number, now: number): void {
    switch (this.mode) {
      case M.GUIDED: {
        if (this.takeoffAlt !== undefined) {
          this.climbTo(this.takeoffAlt, dt);
          this.brakeXY(dt);
          if (this.pos.u >= this.takeoffAlt - 0.05 && now >= this.spoolUntil) {
            this.setGuidedTarget({ n: this.pos.n, e: this.pos.e, u: this.takeoffAlt });
            this.takeoffAlt = undefined;
          }
        } else if (this.guidedVel && now < this.guidedVel.until) {
          stepVelocity(this.kin(), this.guidedVel.v, this.guidedShape(), dt);
          this.vel.u += Math.max(-dt, Math.min(dt, this.guidedVel.v.u - this.vel.u));
        } else {
          if (this.guidedVel) {
            // A velocity target expires after 3 s: stop where the braking ends.
            this.guidedVel = undefined;
            this.setGuidedTarget(this.stoppingPoint());
          }
          if (!this.guidedTarget) this.setGuidedTarget({ ...this.pos });
          stepLeg(this.kin(), this.guidedLeg!, this.wpSpeed(), this.guidedShape(), dt);
          this.climbTo(this.guidedTarget!.u, dt);
        }
        return;
      }
      case M.AUTO:
        this.runAuto(dt);
        return;
      case M.RTL:
        this.runRtl(dt);
        return;
      case M.LAND:
        this.runLand(this.holdPoint ?? this.pos, dt);
        return;
      case M.BRAKE:
        this.brakeXY(dt);
        this.climbTo(this.holdPoint?.u ?? this.pos.u, dt);
        return;
      default: {
        // LOITER / STABILIZE / ALT_HOLD with SITL's RC throttle at its minimum: the copter sinks to the ground.
        if (this.takeoffAlt !== undefined) {
          this.climbTo(this.takeoffAlt, dt);
          if (this.pos.u >= this.takeoffAlt - 0.05) this.takeoffAlt = undefined;
          return;
        }
        this.brakeXY(dt);
        const dv = -2.5 - this.vel.u;
        this.vel.u += Math.max(-2.5 * dt, Math.min(2.5 * dt, dv));
      }
    }
  }

  // ───────────────────────────── input ─────────────────────────────

  /** Handles one decoded message addressed to anyone. Never throws. */
  receive(msg: MavMessage): void {
    if (this.bootAt === undefined) return;
    const d = msg.data as unknown as Record<string, number>;
    const tgt = d.targetSystem;
    if (tgt !== undefined && tgt !== 0 && tgt !== this.sysid) return;
    try {
      this.dispatch(msg);
    } catch {
      // A message the model cannot interpret is dropped, like any malformed input.
    }
  }

  private dispatch(msg: MavMessage): void {
    const from = { sysid: msg.header.sysid, compid: msg.header.compid };
    const d = msg.data;
    if (this.fence.receive(msg, from)) return;
    switch (msg.header.msgid) {
      case MSG.HEARTBEAT:
        if (from.sysid === this.params.get('MAV_GCS_SYSID')) this.failsafes.gcsLastHeartbeat = this.t();
        return;
      case MSG.COMMAND_LONG: {
        const c = d as common.CommandLong;
        const p = [c._param1, c._param2, c._param3, c._param4, c._param5, c._param6, c._param7];
        this.ack(c.command, this.command(c.command, p, false), from);
        return;
      }
      case MSG.COMMAND_INT: {
        const c = d as common.CommandInt;
        const p = [c._param1, c._param2, c._param3, c._param4, c._param5, c._param6, c._param7];
        this.ack(c.command, this.command(c.command, p, true, c.frame), from);
        return;
      }
      case MSG.SET_MODE: {
        // No COMMAND_ACK for SET_MODE in this ArduPilot version: the mode just changes (or a text says why not).
        const s = d as common.SetMode;
        this.enterMode(s.customMode);
        return;
      }
      case MSG.SET_POSITION_TARGET_GLOBAL_INT:
        this.positionTarget(d as common.SetPositionTargetGlobalInt);
        return;
      case MSG.PARAM_SET:
        this.paramProtocol.set(d as common.ParamSet, from);
        return;
      case MSG.PARAM_REQUEST_READ:
        this.paramProtocol.read(d as common.ParamRequestRead, from);
        return;
      case MSG.PARAM_REQUEST_LIST:
        this.paramProtocol.list();
        return;
      case MSG.MISSION_COUNT:
        this.missions.count(d as common.MissionCount, from);
        return;
      case MSG.MISSION_ITEM_INT:
      case MSG.MISSION_ITEM:
        this.missions.item(d as common.MissionItemInt, msg.header.msgid === MSG.MISSION_ITEM, from);
        return;
      case MSG.MISSION_REQUEST_LIST:
        this.missions.sendCount(from);
        return;
      case MSG.MISSION_REQUEST_INT:
      case MSG.MISSION_REQUEST:
        this.missions.downloadItem((d as common.MissionRequestInt).seq, msg.header.msgid === MSG.MISSION_REQUEST_INT, from);
        return;
      case MSG.MISSION_CLEAR_ALL:
        this.missions.clear(this.mode === M.AUTO && this.armed && this.airborne, from);
        return;
    }
  }

  private ack(command: number, result: number | undefined, from: { sysid: number; compid: number }): void {
    if (result === undefined) return;
    const a = freshMessage(common.CommandAck);
    a.command = command;
    a.result = result;
    a.progress = 0;
    a.resultParam2 = 0;
    a.targetSystem = from.sysid;
    a.targetComponent = from.compid;
    this.emit(a);
  }

  /** Runs a command; returns the MAV_RESULT (0 ACCEPTED, 2 DENIED, 3 UNSUPPORTED, 4 FAILED). */
  private command(cmd: number, p: number[], isInt: boolean, frame = 0): number {
    const onGround = !this.airborne;
    switch (cmd) {
      case CMD.COMPONENT_ARM_DISARM: {
        if (p[0] === 1) return this.arm();
        if (!this.armed) return 0;
        if (onGround) {
          this.disarm('Disarming motors');
          return 0;
        }
        if (p[1] === FORCE_DISARM_MAGIC) {
          // Forced disarm in the air: the motors stop and the copter falls (the tick brings it down).
          this.disarm('Disarming motors');
          return 0;
        }
        return 4;
      }
      case CMD.DO_SET_MODE:
        return this.enterMode(Math.round(p[1] ?? 0)) ? 0 : 4;
      case CMD.NAV_TAKEOFF: {
        const alt = p[6] ?? 0;
        const ok = this.armed && onGround && (this.mode === M.GUIDED || this.mode === M.LOITER);
        if (!ok) return 4;
        this.beginTakeoff(Math.max(alt, 0));
        this.speedChangeLost = true;
        return 0;
      }
      case CMD.DO_CHANGE_SPEED: {
        if (this.mode !== M.GUIDED && this.mode !== M.AUTO && this.mode !== M.RTL) return 4;
        // accepted, but lost when sent after NAV_TAKEOFF and before the first position target (recorded)
        if (this.mode === M.GUIDED && this.speedChangeLost) return 0;
        if ((p[1] ?? 0) > 0) this.speedOverride = p[1];
        return 0;
      }
      case CMD.MISSION_START: {
        if (this.missions.items.length <= 1 && this.armed && this.airborne) {
          this.text(SEVERITY.WARNING, 'Mode change to Auto failed: init failed');
          return 4;
        }
        if (this.mode !== M.AUTO) {
          if (!this.enterMode(M.AUTO)) return 4;
        } else if (this.missions.running) {
          return 0;
        }
        if (this.missions.items.length > 1) {
          if (this.missions.current < 1) this.missions.current = 1;
          this.announceItem();
          if (this.armed && !this.missions.running) this.startItem();
        }
        return 0;
      }
      case CMD.NAV_RETURN_TO_LAUNCH:
        return this.enterMode(M.RTL) ? 0 : 4;
      case CMD.NAV_LAND:
        return this.enterMode(M.LAND) ? 0 : 4;
      case CMD.DO_SET_MISSION_CURRENT: {
        const seq = Math.round(p[0] ?? 0);
        if (seq < 1 || seq >= this.missions.items.length) return 4;
        this.missions.current = seq;
        if (this.mode === M.AUTO) {
          this.announceItem();
          if (this.armed && this.airborne) this.startItem();
        }
        return 0;
      }
      case CMD.CONDITION_YAW: {
        if (!this.armed) return 4;
        this.heading = p[3] === 1 ? this.heading + (p[0] ?? 0) * (p[2] === -1 ? -1 : 1) : (p[0] ?? 0);
        return 0;
      }
      case CMD.DO_REPOSITION: {
        if (!isInt || this.mode !== M.GUIDED || !this.armed || !this.airborne) return 4;
        const lat = (p[4] ?? 0) / 1e7;
        const lon = (p[5] ?? 0) / 1e7;
        const ne = northEastOf(this.home, { lat, lon });
        const u = frame === 6 || frame === 3 ? (p[6] ?? this.pos.u) : (p[6] ?? this.home.alt) - this.home.alt;
        const target = { n: ne.north, e: ne.east, u: Number.isFinite(u) ? u : this.pos.u };
        if (this.fence.refusesDestination(target.n, target.e, target.u)) return 4;
        this.setGuidedTarget(target);
        this.speedChangeLost = false;
        if ((p[0] ?? -1) > 0) this.speedOverride = p[0];
        return 0;
      }
      case CMD.SET_MESSAGE_INTERVAL:
        return this.streams.set(Math.round(p[0] ?? 0), p[1] ?? 0);
      case CMD.GET_MESSAGE_INTERVAL: {
        const id = Math.round(p[0] ?? 0);
        const m = freshMessage(common.MessageInterval);
        m.messageId = id;
        m.intervalUs = this.streams.intervalUs(id);
        this.clock.setTimeout(() => this.emit(m), 1);
        return 0;
      }
      case CMD.REQUEST_MESSAGE:
      case CMD.REQUEST_AUTOPILOT_CAPABILITIES: {
        const id = cmd === CMD.REQUEST_AUTOPILOT_CAPABILITIES ? MSG.AUTOPILOT_VERSION : Math.round(p[0] ?? 0);
        if (id !== MSG.AUTOPILOT_VERSION && !STREAMABLE.has(id)) return 4;
        const m = this.build(id);
        if (m) this.clock.setTimeout(() => this.emit(m), 2);
        return 0;
      }
      default:
        return this.fence.command(cmd, p) ?? 3;
    }
  }

  private positionTarget(s: common.SetPositionTargetGlobalInt): void {
    // Silently ignored unless flying in GUIDED (no ACK, no text), as recorded.
    if (this.mode !== M.GUIDED || !this.armed || !this.airborne) return;
    const mask = s.typeMask;
    const ignorePos = (mask & 0x7) === 0x7;
    const ignoreVel = (mask & 0x38) === 0x38;
    if (!ignorePos) {
      const ne = northEastOf(this.home, { lat: s.latInt / 1e7, lon: s.lonInt / 1e7 });
      const relative = s.coordinateFrame === 6 || s.coordinateFrame === 3 || s.coordinateFrame === 11;
      const u = relative ? s.alt : s.alt - this.home.alt;
      // a destination the fence forbids is dropped in silence; the path to one allowed is never checked
      if (this.fence.refusesDestination(ne.north, ne.east, u)) return;
      this.setGuidedTarget({ n: ne.north, e: ne.east, u });
      this.takeoffAlt = undefined;
      this.speedChangeLost = false;
      this.guidedVel = undefined;
    } else if (!ignoreVel) {
      this.guidedVel = { v: { n: s.vx, e: s.vy, u: -s.vz }, until: this.t() + 3000 };
      this.takeoffAlt = undefined;
    }
  }

}
