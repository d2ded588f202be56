/**
 * The simulated ArduCopter's geofence, as /work/shared/ardupilot-behaviour/fence.md records it: the fence
 * upload/download/clear protocol (mission protocol, mission_type 1), the FENCE_* parameters, and enforcement:
 * a GUIDED destination inside an exclusion zone (or beyond the circle, above the ceiling) is dropped in
 * silence, a path through one is not checked, a crossing is a breach (FENCE_STATUS at once, "Polygon fence
 * breached" and the FENCE_ACTION a tick later: 0 report, 1 RTL straight home, 4 BRAKE inside), leaving it
 * clears it, arming inside is refused. The copter hands it messages and ticks; it talks back through a host.
 */
import type { MavLinkData } from 'node-mavlink';
import type { MavMessage } from '../../vehicle/mavlink/codec.js';
import { common, MSG, COPTER_MODES as M, SEVERITY } from '../../vehicle/mavlink/messages.js';
import { northEastOf, type LatLon } from '../../vehicle/geo.js';
import type { ParamTable } from './params.js';
import { missionAck, missionCount, missionRequest } from './mission-messages.js';

/** MAV_CMD fence items and the fence enable command. */
export const FENCE_CMD = {
  RETURN_POINT: 5000,
  POLYGON_INCLUSION: 5001,
  POLYGON_EXCLUSION: 5002,
  CIRCLE_INCLUSION: 5003,
  CIRCLE_EXCLUSION: 5004,
  DO_FENCE_ENABLE: 207,
} as const;

/** FENCE_* parameters with the values recorded (copter.parm sets FENCE_RADIUS 150). */
export const FENCE_PARAM_DEFAULTS: ReadonlyArray<readonly [string, number]> = [
  ['FENCE_ENABLE', 0],
  ['FENCE_TYPE', 7],
  ['FENCE_ACTION', 1],
  ['FENCE_MARGIN', 2],
  ['FENCE_ALT_MAX', 100],
  ['FENCE_ALT_MIN', -10],
  ['FENCE_RADIUS', 150],
  ['FENCE_TOTAL', 0],
  ['FENCE_AUTOENABLE', 0],
  ['FENCE_OPTIONS', 0],
];

const FENCE_MISSION_TYPE = 1;
const UPLOAD_REREQUEST_MS = 1000;
const UPLOAD_TIMEOUT_MS = 8000;
/** Frames accepted for fence items (1 LOCAL_NED and 2 MISSION are UNSUPPORTED_FRAME). */
const FRAMES = new Set([0, 3, 5, 6]);
/** From the crossing to the text and the mode change: 32–81 ms recorded; the next 50 ms tick here. */
const REACTION_MS = 50;

interface FenceItem {
  command: number;
  frame: number;
  param1: number;
  /** degE7 */
  x: number;
  y: number;
}

/** A zone in metres north/east of home. */
type Zone =
  | { kind: 'polygon'; inclusion: boolean; pts: { n: number; e: number }[] }
  | { kind: 'circle'; inclusion: boolean; n: number; e: number; r: number };

/** What the fence needs from the vehicle. */
export interface FenceHost {
  /** Milliseconds since boot. */
  t(): number;
  emit(m: MavLinkData): void;
  text(severity: number, text: string): void;
  readonly params: ParamTable;
  readonly home: LatLon;
  /** Metres north and east of home, and up. */
  where(): { n: number; e: number; u: number };
  armed(): boolean;
  airborne(): boolean;
  enterMode(mode: number): boolean;
}

type Breach = 'Polygon' | 'Circle' | 'Max Alt';
type Peer = { sysid: number; compid: number };

export class SimFence {
  private items: FenceItem[] = [];
  private zones: Zone[] = [];
  private upload: { expected: number; got: FenceItem[]; lastProgress: number; lastRequest: number; from: Peer; floatSeen: boolean } | undefined;
  /** Cleared (or never loaded) since the last fence with polygons: see `ignoreExclusionCircles`. */
  private clearedSinceUpload = true;
  /**
   * fence.md surprise 8: an upload of circles only that replaced a fence with polygons, without a clear in
   * between, left its exclusion circles unenforced (5 of 5 tries).
   */
  private ignoreExclusionCircles = false;
  /** DO_FENCE_ENABLE's word, until FENCE_ENABLE is set again (the command does not touch the parameter). */
  private enableOverride: boolean | undefined;
  private lastEnableParam: number;
  private breach: Breach | undefined;
  private breachCount = 0;
  private reactAt: number | undefined;

  constructor(private readonly host: FenceHost) {
    this.lastEnableParam = host.params.get('FENCE_ENABLE');
  }

  enabled(): boolean {
    const p = this.host.params.get('FENCE_ENABLE');
    if (p !== this.lastEnableParam) {
      this.lastEnableParam = p;
      this.enableOverride = undefined;
    }
    return this.enableOverride ?? p !== 0;
  }

  /** Handles fence-protocol messages (mission_type 1); false for anything else. */
  receive(msg: MavMessage, from: Peer): boolean {
    const d = msg.data as unknown as { missionType?: number };
    const id = msg.header.msgid;
    const missionMsg = id === MSG.MISSION_COUNT || id === MSG.MISSION_ITEM || id === MSG.MISSION_ITEM_INT || id === MSG.MISSION_REQUEST_LIST ||
      id === MSG.MISSION_REQUEST || id === MSG.MISSION_REQUEST_INT || id === MSG.MISSION_CLEAR_ALL || id === MSG.MISSION_ACK;
    if (!missionMsg || d.missionType !== FENCE_MISSION_TYPE) return false;
    switch (id) {
      case MSG.MISSION_COUNT:
        this.count((msg.data as common.MissionCount).count, from);
        break;
      case MSG.MISSION_ITEM:
      case MSG.MISSION_ITEM_INT:
        this.item(msg.data as common.MissionItemInt, id === MSG.MISSION_ITEM, from);
        break;
      case MSG.MISSION_REQUEST_LIST:
        this.host.emit(missionCount(this.items.length, from, FENCE_MISSION_TYPE));
        break;
      case MSG.MISSION_REQUEST:
      case MSG.MISSION_REQUEST_INT:
        this.download((msg.data as common.MissionRequestInt).seq, id === MSG.MISSION_REQUEST_INT, from);
        break;
      case MSG.MISSION_CLEAR_ALL:
        this.store([]);
        this.clearedSinceUpload = true;
        this.ack(0, from);
        this.host.text(SEVERITY.INFO, 'Fence Indexed OK');
        break;
      default:
        break; // the GCS's final MISSION_ACK of a download
    }
    return true;
  }

  /** DO_FENCE_ENABLE: ACCEPTED in every state (p1 0 off, 1 on, 2 floor only: left as it is). */
  command(cmd: number, p: readonly number[]): number | undefined {
    if (cmd !== FENCE_CMD.DO_FENCE_ENABLE) return undefined;
    const v = Math.round(p[0] ?? 0);
    if (v === 0 || v === 1) this.enableOverride = v === 1;
    return 0;
  }

  /** Would this GUIDED destination (metres from home) be refused? Silently dropped, or DO_REPOSITION FAILED. */
  refusesDestination(n: number, e: number, u: number): boolean {
    return this.enabled() && this.breachAt(n, e, u) !== undefined;
  }

  /** The arming refusal while breaching, if any. */
  armFailure(): string | undefined {
    if (!this.enabled()) return undefined;
    const w = this.host.where();
    const b = this.breachAt(w.n, w.e, w.u);
    return b ? `Vehicle breaching ${b} fence` : undefined;
  }

  /** Every tick of the vehicle: breach detection and reaction, upload re-requests and timeout. */
  tick(): void {
    const now = this.host.t();
    this.checkUpload(now);
    const w = this.host.where();
    const b = this.enabled() ? this.breachAt(w.n, w.e, w.u) : undefined;
    if (b && !this.breach) {
      this.breach = b;
      this.breachCount++;
      this.status(now);
      this.reactAt = now + REACTION_MS;
    } else if (!b && this.breach) {
      this.breach = undefined;
      this.reactAt = undefined;
      this.status(now);
      this.host.text(SEVERITY.NOTICE, 'Fence breach cleared');
    }
    if (this.reactAt !== undefined && now >= this.reactAt && this.breach) {
      this.reactAt = undefined;
      this.host.text(SEVERITY.NOTICE, `${this.breach} fence breached`);
      // a breach on the ground is reported only (arming is what it refuses)
      if (this.host.armed() && this.host.airborne()) {
        const mode = this.actionMode(this.host.params.get('FENCE_ACTION'));
        if (mode !== undefined && this.host.enterMode(mode)) this.host.text(SEVERITY.INFO, 'Manual recovery started');
      }
    }
  }

  /**
   * FENCE_ACTION → mode. Recorded: 0 report only, 1 RTL, 4 BRAKE. Not probed, so taken from the parameter's
   * description: 2 LAND, 3 and 5 SmartRTL falling back to RTL / LAND (SmartRTL is not simulated).
   */
  private actionMode(action: number): number | undefined {
    switch (action) {
      case 1:
      case 3:
        return M.RTL;
      case 2:
      case 5:
        return M.LAND;
      case 4:
        return M.BRAKE;
      default:
        return undefined;
    }
  }

  private status(now: number): void {
    const s = new common.FenceStatus();
    s.breachStatus = this.breach ? 1 : 0;
    s.breachCount = this.breachCount;
    // every zone type and the circle report BOUNDARY (3); the ceiling MAXALT (2)
    s.breachType = (this.breach === 'Max Alt' ? 2 : this.breach ? 3 : 0) as common.FenceBreach;
    s.breachTime = now;
    s.breachMitigation = 1 as common.FenceMitigate;
    this.host.emit(s);
  }

  /** Which fence a point (metres from home) breaches, by FENCE_TYPE (1 ceiling, 2 home circle, 4 zones). */
  private breachAt(n: number, e: number, u: number): Breach | undefined {
    const type = this.host.params.get('FENCE_TYPE');
    if (type & 1 && u > this.host.params.get('FENCE_ALT_MAX')) return 'Max Alt';
    if (type & 2 && Math.hypot(n, e) > this.host.params.get('FENCE_RADIUS')) return 'Circle';
    if (type & 4) {
      for (const z of this.zones) {
        if (z.kind === 'circle' && !z.inclusion && this.ignoreExclusionCircles) continue;
        const inside = z.kind === 'circle' ? Math.hypot(n - z.n, e - z.e) <= z.r : inPolygon(n, e, z.pts);
        // inclusion zones intersect: outside any one of them is a breach
        if (inside !== z.inclusion) return 'Polygon';
      }
    }
    return undefined;
  }

  // ───────────────────────────── protocol ─────────────────────────────

  private ack(type: number, from: Peer): void {
    this.host.emit(missionAck(type, from, FENCE_MISSION_TYPE));
  }

  private request(seq: number): void {
    const up = this.upload;
    if (!up) return;
    up.lastRequest = this.host.t();
    this.host.emit(missionRequest(seq, up.from, FENCE_MISSION_TYPE));
  }

  private count(n: number, from: Peer): void {
    if (n === 0) {
      this.upload = undefined;
      this.store([]);
      this.clearedSinceUpload = true;
      this.ack(0, from);
      this.host.text(SEVERITY.INFO, 'Fence Indexed OK');
      return;
    }
    // the old fence stays in force until a new one is complete and valid
    this.upload = { expected: n, got: [], lastProgress: this.host.t(), lastRequest: 0, from, floatSeen: false };
    this.request(0);
  }

  private item(it: common.MissionItemInt, isFloat: boolean, from: Peer): void {
    const up = this.upload;
    if (!up) {
      this.ack(1, from);
      return;
    }
    if (it.seq !== up.got.length) {
      this.ack(13, from);
      return;
    }
    if (isFloat && !up.floatSeen) {
      up.floatSeen = true;
      this.host.text(SEVERITY.INFO, 'got MISSION_ITEM; GCS should send MISSION_ITEM_INT');
    }
    if (it.command < FENCE_CMD.RETURN_POINT || it.command > FENCE_CMD.CIRCLE_EXCLUSION) {
      this.upload = undefined;
      this.ack(3, from);
      return;
    }
    if (!FRAMES.has(it.frame)) {
      this.upload = undefined;
      this.ack(2, from);
      return;
    }
    up.got.push({ command: it.command, frame: it.frame, param1: it.param1, x: isFloat ? Math.round(it.x * 1e7) : it.x, y: isFloat ? Math.round(it.y * 1e7) : it.y });
    up.lastProgress = this.host.t();
    if (up.got.length < up.expected) {
      this.request(up.got.length);
      return;
    }
    this.upload = undefined;
    const problem = validate(up.got);
    if (problem) {
      this.ack(1, from);
      this.host.text(SEVERITY.WARNING, problem);
      this.host.text(SEVERITY.WARNING, 'Fence validation failed');
      return;
    }
    const hadPolygons = this.items.some((i) => i.command === FENCE_CMD.POLYGON_INCLUSION || i.command === FENCE_CMD.POLYGON_EXCLUSION);
    const hasPolygons = up.got.some((i) => i.command === FENCE_CMD.POLYGON_INCLUSION || i.command === FENCE_CMD.POLYGON_EXCLUSION);
    this.ignoreExclusionCircles = !hasPolygons && hadPolygons && !this.clearedSinceUpload;
    this.store(up.got);
    this.clearedSinceUpload = false;
    this.ack(0, from);
    this.host.text(SEVERITY.INFO, 'Fence Indexed OK');
  }

  private checkUpload(now: number): void {
    const up = this.upload;
    if (!up) return;
    if (now - up.lastProgress >= UPLOAD_TIMEOUT_MS) {
      this.upload = undefined;
      this.ack(15, up.from);
      this.host.text(SEVERITY.WARNING, 'Fence upload timeout');
      return;
    }
    if (now - up.lastRequest >= UPLOAD_REREQUEST_MS) this.request(up.got.length);
  }

  private download(seq: number, asInt: boolean, from: Peer): void {
    const it = this.items[seq];
    if (!it) {
      this.ack(5, from);
      return;
    }
    if (!asInt) this.host.text(SEVERITY.INFO, 'got MISSION_REQUEST; use MISSION_REQUEST_INT!');
    const m = asInt ? new common.MissionItemInt() : new common.MissionItem();
    m.targetSystem = from.sysid;
    m.targetComponent = from.compid;
    m.seq = seq;
    // every item comes back as frame 0, autocontinue 0, z 0
    m.frame = 0;
    m.command = it.command;
    m.current = 0;
    m.autocontinue = 0;
    m.param1 = it.param1;
    m.param2 = 0;
    m.param3 = 0;
    m.param4 = 0;
    m.x = asInt ? it.x : it.x / 1e7;
    m.y = asInt ? it.y : it.y / 1e7;
    m.z = 0;
    m.missionType = FENCE_MISSION_TYPE;
    this.host.emit(m);
  }

  private store(items: FenceItem[]): void {
    this.items = items;
    this.host.params.set('FENCE_TOTAL', items.length ? items.length + 1 : 0);
    const home = this.host.home;
    const ne = (i: FenceItem) => {
      const p = northEastOf(home, { lat: i.x / 1e7, lon: i.y / 1e7 });
      return { n: p.north, e: p.east };
    };
    const zones: Zone[] = [];
    for (let k = 0; k < items.length; ) {
      const i = items[k]!;
      if (i.command === FENCE_CMD.POLYGON_INCLUSION || i.command === FENCE_CMD.POLYGON_EXCLUSION) {
        const n = Math.round(i.param1);
        zones.push({ kind: 'polygon', inclusion: i.command === FENCE_CMD.POLYGON_INCLUSION, pts: items.slice(k, k + n).map(ne) });
        k += n;
      } else {
        if (i.command !== FENCE_CMD.RETURN_POINT) zones.push({ kind: 'circle', inclusion: i.command === FENCE_CMD.CIRCLE_INCLUSION, ...ne(i), r: i.param1 });
        k++;
      }
    }
    this.zones = zones;
  }
}

/** ArduPilot's check of a complete fence upload: the first problem as its STATUSTEXT, or undefined. */
function validate(items: readonly FenceItem[]): string | undefined {
  let returnPoints = 0;
  for (let k = 0; k < items.length; ) {
    const i = items[k]!;
    if (i.command === FENCE_CMD.POLYGON_INCLUSION || i.command === FENCE_CMD.POLYGON_EXCLUSION) {
      const want = Math.round(i.param1);
      if (want < 3) return `Invalid vertex count (${want})`;
      if (k + want > items.length) return 'Incorrect item count';
      for (let j = k; j < k + want; j++) {
        const v = items[j]!;
        if (v.command !== i.command || Math.round(v.param1) !== want) return `Unexpected vertex count want=${want} got=${Math.round(v.param1)}`;
      }
      k += want;
      continue;
    }
    if (i.command === FENCE_CMD.CIRCLE_INCLUSION || i.command === FENCE_CMD.CIRCLE_EXCLUSION) {
      if (!(i.param1 > 0)) return 'Non-positive circle radius';
    } else if (i.command === FENCE_CMD.RETURN_POINT && ++returnPoints > 1) return 'Multiple return points';
    k++;
  }
  return undefined;
}

/** Even-odd test in north/east metres. */
function inPolygon(n: number, e: number, pts: readonly { n: number; e: number }[]): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const a = pts[i]!;
    const b = pts[j]!;
    if (a.n > n !== b.n > n && e < ((b.e - a.e) * (n - a.n)) / (b.n - a.n) + a.e) inside = !inside;
  }
  return inside;
}
