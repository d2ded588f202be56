/**
 * The simulated copter's stored mission and its side of the mission protocol (upload, download, clear), as the
 * recorded ArduCopter answers. Flying the mission is the copter's; this keeps the items and where it is in them.
 */
import { CMD, SEVERITY, common } from '../../vehicle/mavlink/messages.js';
import type { MavLinkData } from 'node-mavlink';
import type { LatLon } from '../../vehicle/geo.js';
import { freshMessage } from '../../vehicle/mavlink/fresh.js';
import { HOME_SET_MS } from './boot.js';
import { missionAck, missionCount, missionRequest } from './mission-messages.js';

const UPLOAD_REREQUEST_MS = 1000;
const UPLOAD_TIMEOUT_MS = 8000;
const MAX_MISSION_ITEMS = 700;

export interface MissionItemStored {
  frame: number;
  command: number;
  param1: number;
  param2: number;
  param3: number;
  param4: number;
  /** degE7 for positions */
  x: number;
  y: number;
  z: number;
}

type Peer = { sysid: number; compid: number };

/** What the mission protocol needs of the copter. */
export interface MissionHost {
  readonly home: LatLon & { readonly alt: number };
  /** Milliseconds since boot. */
  t(): number;
  emit(data: MavLinkData): void;
  text(severity: number, text: string): void;
}

export class SimMission {
  items: MissionItemStored[] = [];
  /** The current item (MISSION_CURRENT's seq). */
  current = 0;
  running = false;
  started = false;
  private upload: { expected: number; next: number; lastProgress: number; lastRequest: number; from: Peer } | undefined;

  constructor(private readonly h: MissionHost) {}

  private ack(type: number, from: Peer): void {
    this.h.emit(missionAck(type, from, 0));
  }

  private requestItem(seq: number): void {
    const up = this.upload;
    if (!up) return;
    up.lastRequest = this.h.t();
    this.h.emit(missionRequest(seq, up.from, 0));
  }

  count(c: common.MissionCount, from: Peer): void {
    if (typeof c.missionType === 'number' && c.missionType !== 0) {
      this.ack(3, from);
      return;
    }
    if (this.h.t() < 50) {
      this.h.text(SEVERITY.WARNING, 'Only 0 items are supported');
      this.ack(4, from);
      return;
    }
    if (c.count > MAX_MISSION_ITEMS) {
      this.ack(4, from);
      return;
    }
    if (c.count === 0) {
      this.items = this.items.slice(0, 1);
      this.current = 0;
      this.upload = undefined;
      this.ack(0, from);
      this.h.text(SEVERITY.INFO, 'Flight plan received');
      return;
    }
    // Not atomic: the stored mission is truncated now and grows as items arrive.
    this.items = this.items.slice(0, 0);
    this.upload = { expected: c.count, next: 0, lastProgress: this.h.t(), lastRequest: 0, from };
    this.requestItem(0);
  }

  item(it: common.MissionItemInt, isFloat: boolean, from: Peer): void {
    const up = this.upload;
    if (typeof it.missionType === 'number' && it.missionType !== 0) return;
    if (!up) {
      this.ack(1, from);
      return;
    }
    if (it.seq !== up.next) {
      this.ack(13, from);
      return;
    }
    const stored: MissionItemStored = {
      frame: it.frame,
      command: it.command,
      param1: it.param1,
      param2: it.param2,
      param3: it.param3,
      param4: it.param4,
      x: isFloat ? Math.round(it.x * 1e7) : it.x,
      y: isFloat ? Math.round(it.y * 1e7) : it.y,
      z: it.z,
    };
    // Item 0 is always home, whatever was sent.
    this.items[it.seq] = it.seq === 0 ? this.homeItem() : stored;
    up.next++;
    up.lastProgress = this.h.t();
    if (up.next >= up.expected) {
      this.upload = undefined;
      if (this.current >= this.items.length) this.current = 0;
      this.ack(0, from);
      this.h.text(SEVERITY.INFO, 'Flight plan received');
      return;
    }
    this.requestItem(up.next);
  }

  checkUpload(now: number): void {
    const up = this.upload;
    if (!up) return;
    if (now - up.lastProgress >= UPLOAD_TIMEOUT_MS) {
      this.upload = undefined;
      this.ack(15, up.from);
      this.h.text(SEVERITY.WARNING, 'Mission upload timeout');
      return;
    }
    if (now - up.lastRequest >= UPLOAD_REREQUEST_MS) this.requestItem(up.next);
  }

  homeItem(): MissionItemStored {
    const set = this.h.t() >= HOME_SET_MS;
    return {
      frame: 0,
      command: CMD.NAV_WAYPOINT,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: 0,
      x: set ? Math.round(this.h.home.lat * 1e7) : 0,
      y: set ? Math.round(this.h.home.lon * 1e7) : 0,
      z: set ? this.h.home.alt : 0,
    };
  }

  downloadItem(seq: number, asInt: boolean, from: Peer): void {
    const stored = seq === 0 ? this.homeItem() : this.items[seq];
    if (!stored || seq >= Math.max(1, this.items.length)) {
      this.ack(5, from);
      return;
    }
    // Downloads report relative frames as 3 and RTL items with frame 0 and no position.
    const rtl = stored.command === CMD.NAV_RETURN_TO_LAUNCH;
    const frame = rtl ? 0 : stored.frame === 6 ? 3 : stored.frame === 5 ? 0 : stored.frame;
    const m = asInt ? freshMessage(common.MissionItemInt) : freshMessage(common.MissionItem);
    m.targetSystem = from.sysid;
    m.targetComponent = from.compid;
    m.seq = seq;
    m.frame = frame;
    m.command = stored.command;
    m.current = 0;
    m.autocontinue = 1;
    m.param1 = stored.param1;
    m.param2 = stored.param2;
    m.param3 = stored.param3;
    m.param4 = stored.param4;
    m.x = rtl ? 0 : asInt ? stored.x : stored.x / 1e7;
    m.y = rtl ? 0 : asInt ? stored.y : stored.y / 1e7;
    m.z = rtl ? 0 : stored.z;
    m.missionType = 0;
    this.h.emit(m);
  }

  /** MISSION_REQUEST_LIST: how many items there are. */
  sendCount(from: Peer): void {
    this.h.emit(missionCount(this.items.length, from, 0));
  }

  /** MISSION_CLEAR_ALL: refused while flying the mission in AUTO. */
  clear(flyingAuto: boolean, from: Peer): void {
    if (!flyingAuto) {
      this.items = this.items.slice(0, 1);
      this.current = 0;
      this.running = false;
    }
    this.ack(flyingAuto ? 1 : 0, from);
  }
}
