/**
 * Mission protocol client (MISSION_COUNT → MISSION_REQUEST(_INT) ↔ MISSION_ITEM_INT → MISSION_ACK), made for
 * lossy links and for ArduPilot's habits: it answers both MISSION_REQUEST (40, what ArduCopter actually sends)
 * and MISSION_REQUEST_INT (51); seq 0 is home (we send a placeholder); a NACK does not abort; an upload is not
 * atomic, so a lost final ACK is settled by reading the mission count back, and a cancelled upload is restarted.
 */
import type { Vehicle, CommandResult } from './vehicle.js';
import type { MavMessage } from './mavlink/codec.js';
import { common, MSG, CMD, COPTER_MODES, MAV_MISSION_RESULT_NAMES } from './mavlink/messages.js';

export interface MissionItem {
  /** MAV_CMD (NAV_WAYPOINT 16, NAV_TAKEOFF 22, NAV_LOITER_TIME 19, NAV_RETURN_TO_LAUNCH 20, NAV_LAND 21, DO_CHANGE_SPEED 178 …) */
  readonly command: number;
  readonly lat?: number;
  readonly lon?: number;
  /** metres above home (frame GLOBAL_RELATIVE_ALT_INT) */
  readonly alt?: number;
  readonly param1?: number;
  readonly param2?: number;
  readonly param3?: number;
  readonly param4?: number;
  /** Default GLOBAL_RELATIVE_ALT_INT (6). */
  readonly frame?: number;
}

export interface MissionResult {
  readonly ok: boolean;
  /** MAV_MISSION_RESULT name, or TIMEOUT / LINK_LOST / OVERRIDE / NOT_CONNECTED. */
  readonly result: string;
  readonly ms: number;
  /** Whole-upload attempts (MISSION_COUNT restarts after a cancel). */
  readonly attempts: number;
  /** Items sent, retransmissions included. */
  readonly itemsSent: number;
  readonly retransmissions: number;
  /** True when the final ACK was lost and the count read back settled it. */
  readonly verifiedByReadback?: boolean;
}

export interface UploadOptions {
  /** Resend the outstanding item if nothing arrives for this long (default: 3 × the measured round trip, 60–1000 ms). */
  readonly itemTimeoutMs?: number;
  /** Give up an attempt after this long without progress (default 3000 ms). */
  readonly stallMs?: number;
  readonly maxAttempts?: number;
}

export class MissionClient {
  /**
   * `type` is the MAV_MISSION_TYPE the client speaks: 0 the mission (seq 0 is home), 1 the geofence (every
   * item is the caller's; see fence.ts).
   */
  constructor(
    private readonly v: Vehicle,
    private readonly type: 0 | 1 = 0,
  ) {}

  /** Uploads `items` as seq 1..n (seq 0 = home placeholder); a fence as seq 0..n-1. */
  async upload(items: readonly MissionItem[], o: UploadOptions = {}): Promise<MissionResult> {
    const start = this.v.clock.now();
    const refused = this.v.blocked('MISSION_UPLOAD');
    if (refused) return { ok: false, result: refused.result, ms: 0, attempts: 0, itemsSent: 0, retransmissions: 0 };
    this.v.engage();
    const all = this.type === 0 ? [{ command: CMD.NAV_WAYPOINT, frame: 0, lat: 0, lon: 0, alt: 0 } as MissionItem, ...items] : [...items];
    const count = all.length;
    // Retransmission timeout from the round trips seen (item sent → next request), like TCP's RTO.
    let srtt: number | undefined;
    const sentAt = new Map<number, number>();
    const rto = () => o.itemTimeoutMs ?? (srtt === undefined ? 250 : Math.min(1000, Math.max(60, 3 * srtt)));
    const stallMs = o.stallMs ?? 3000;
    let itemsSent = 0;
    let retransmissions = 0;
    const everSent = new Set<number>();
    const everSentTwice = new Set<number>();
    const sendItem = (seq: number) => {
      const it = all[seq];
      if (!it) return;
      if (everSent.has(seq)) {
        retransmissions++;
        everSentTwice.add(seq);
      }
      everSent.add(seq);
      sentAt.set(seq, this.v.clock.now());
      itemsSent++;
      this.v.send(this.itemMessage(seq, it));
    };
    const maxAttempts = o.maxAttempts ?? 5;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const outcome = await new Promise<{ kind: 'ack'; type: number } | { kind: 'stall' } | { kind: 'link_lost' }>((resolve) => {
        let lastRequested = -1;
        let stalls = 0;
        let lastProgress = this.v.clock.now();
        let timer = this.v.clock.setTimeout(() => onTimeout(), rto());
        const finish = (r: { kind: 'ack'; type: number } | { kind: 'stall' } | { kind: 'link_lost' }) => {
          offMsg();
          offLink();
          this.v.clock.clearTimeout(timer);
          resolve(r);
        };
        const rearm = () => {
          this.v.clock.clearTimeout(timer);
          timer = this.v.clock.setTimeout(() => onTimeout(), rto());
        };
        const onTimeout = () => {
          if (this.v.clock.now() - lastProgress > stallMs) return finish({ kind: 'stall' });
          if (lastRequested < 0) this.sendCount(count);
          else {
            // Our item or the vehicle's next request was lost, and MISSION_ACK INVALID_SEQUENCE does not say
            // which item it wants. Resend the outstanding item and the next few in order: the vehicle NACKs the
            // ones it already has and takes the rest in sequence. The window doubles per silent timeout (1..8)
            // and closes again on progress, so a loss costs one timeout, not ArduPilot's 1 s re-request.
            const w = Math.min(8, 1 << stalls);
            for (let s = lastRequested; s < count && s <= lastRequested + w; s++) sendItem(s);
            stalls++;
          }
          rearm();
        };
        const offMsg = this.v.events.message.on((m: MavMessage) => {
          const id = m.header.msgid;
          if (id === MSG.MISSION_REQUEST || id === MSG.MISSION_REQUEST_INT) {
            const r = m.data as common.MissionRequestInt;
            if (r.missionType !== this.type || r.seq >= count) return;
            if (r.seq > lastRequested) {
              lastProgress = this.v.clock.now();
              stalls = 0;
              const t = sentAt.get(r.seq - 1);
              if (t !== undefined && !everSentTwice.has(r.seq - 1)) {
                const sample = this.v.clock.now() - t;
                srtt = srtt === undefined ? sample : 0.875 * srtt + 0.125 * sample;
              }
            }
            lastRequested = Math.max(lastRequested, r.seq);
            sendItem(r.seq);
            rearm();
          } else if (id === MSG.MISSION_ACK) {
            const a = m.data as common.MissionAck;
            if (a.missionType !== this.type) return;
            if (a.type === 13) return; // INVALID_SEQUENCE: a duplicate of ours, not the end
            if (a.type === 1 && lastRequested < count - 1) return; // stray ERROR for an item sent after a restart
            finish({ kind: 'ack', type: a.type });
          }
        });
        const offLink = this.v.events.link.on((s) => {
          if (s !== 'connected') finish({ kind: 'link_lost' });
        });
        this.sendCount(count);
      });
      const base = { attempts: attempt, itemsSent, retransmissions, ms: this.v.clock.now() - start };
      if (outcome.kind === 'link_lost') return { ok: false, result: 'LINK_LOST', ...base };
      if (outcome.kind === 'ack') {
        if (outcome.type === 0) return { ok: true, result: 'ACCEPTED', ...base };
        // a fence answers ERROR only when the whole upload failed its check (and keeps the old fence)
        if (outcome.type === 1 && this.type !== 0) return { ok: false, result: 'ERROR', ...base };
        if (outcome.type === 1 || outcome.type === 15) {
          // ERROR after our last item: the vehicle already finished (its ACK was lost). Read the count back.
          const n = await this.count();
          if (outcome.type === 1 && n === count)
            return { ok: true, result: 'ACCEPTED', verifiedByReadback: true, ...base, ms: this.v.clock.now() - start };
          continue; // cancelled (upload timeout on the vehicle) or incomplete: start over
        }
        return { ok: false, result: MAV_MISSION_RESULT_NAMES[outcome.type] ?? String(outcome.type), ...base };
      }
      // stalled: check whether it completed anyway, else restart
      const n = await this.count();
      if (n === count) return { ok: true, result: 'ACCEPTED', verifiedByReadback: true, ...base, ms: this.v.clock.now() - start };
    }
    return { ok: false, result: 'TIMEOUT', attempts: maxAttempts, itemsSent, retransmissions, ms: this.v.clock.now() - start };
  }

  /** Number of stored items including home (MISSION_REQUEST_LIST → MISSION_COUNT), or -1. */
  async count(attempts = 3): Promise<number> {
    for (let i = 0; i < attempts; i++) {
      const wait = this.v.waitMessage((m) => m.header.msgid === MSG.MISSION_COUNT, 500);
      const req = new common.MissionRequestList();
      req.targetSystem = this.v.targetSystem;
      req.targetComponent = this.v.targetComponent;
      req.missionType = this.type;
      this.v.send(req);
      const got = await wait;
      if (got === 'link_lost') return -1;
      if (got) return (got.data as common.MissionCount).count;
    }
    return -1;
  }

  /** Reads the stored mission back (home first). */
  async download(o: { itemTimeoutMs?: number; attempts?: number } = {}): Promise<{ ok: boolean; items: common.MissionItemInt[] }> {
    const n = await this.count();
    if (n < 0) return { ok: false, items: [] };
    const items: common.MissionItemInt[] = [];
    for (let seq = 0; seq < n; seq++) {
      let got: MavMessage | undefined | 'link_lost';
      for (let a = 0; a < (o.attempts ?? 5) && !got; a++) {
        const wait = this.v.waitMessage(
          (m) => m.header.msgid === MSG.MISSION_ITEM_INT && (m.data as common.MissionItemInt).seq === seq,
          o.itemTimeoutMs ?? 500,
        );
        const r = new common.MissionRequestInt();
        r.targetSystem = this.v.targetSystem;
        r.targetComponent = this.v.targetComponent;
        r.seq = seq;
        r.missionType = this.type;
        this.v.send(r);
        got = await wait;
        if (got === 'link_lost') return { ok: false, items };
      }
      if (!got || got === 'link_lost') return { ok: false, items };
      items.push(got.data as common.MissionItemInt);
    }
    const ack = new common.MissionAck();
    ack.targetSystem = this.v.targetSystem;
    ack.targetComponent = this.v.targetComponent;
    ack.type = 0;
    ack.missionType = this.type;
    this.v.send(ack);
    return { ok: true, items };
  }

  /** MISSION_CLEAR_ALL. ArduCopter refuses (ERROR) while flying a mission in AUTO. */
  async clear(attempts = 3): Promise<MissionResult> {
    const start = this.v.clock.now();
    const refused = this.v.blocked('MISSION_CLEAR');
    if (refused) return { ok: false, result: refused.result, ms: 0, attempts: 0, itemsSent: 0, retransmissions: 0 };
    for (let i = 1; i <= attempts; i++) {
      const wait = this.v.waitMessage((m) => m.header.msgid === MSG.MISSION_ACK, 1000);
      const c = new common.MissionClearAll();
      c.targetSystem = this.v.targetSystem;
      c.targetComponent = this.v.targetComponent;
      c.missionType = this.type;
      this.v.send(c);
      const got = await wait;
      const base = { attempts: i, itemsSent: 0, retransmissions: 0, ms: this.v.clock.now() - start };
      if (got === 'link_lost') return { ok: false, result: 'LINK_LOST', ...base };
      if (got) {
        const t = (got.data as common.MissionAck).type;
        return { ok: t === 0, result: MAV_MISSION_RESULT_NAMES[t] ?? String(t), ...base };
      }
    }
    return { ok: false, result: 'TIMEOUT', attempts, itemsSent: 0, retransmissions: 0, ms: this.v.clock.now() - start };
  }

  /** MISSION_START: switches to AUTO; armed on the ground it takes off. */
  async start(): Promise<CommandResult> {
    const refused = this.v.blocked('MISSION_START');
    if (refused) return refused;
    this.v.expectMode(COPTER_MODES.AUTO);
    const r = await this.v.commandLong(CMD.MISSION_START, [0, 0]);
    if (r.ok) this.v.confirmMode(COPTER_MODES.AUTO);
    return r;
  }

  async setCurrent(seq: number): Promise<CommandResult> {
    return this.v.commandLong(CMD.DO_SET_MISSION_CURRENT, [seq]);
  }

  private sendCount(count: number): void {
    const c = new common.MissionCount();
    c.targetSystem = this.v.targetSystem;
    c.targetComponent = this.v.targetComponent;
    c.count = count;
    c.missionType = this.type;
    c.opaqueId = 0;
    this.v.send(c);
  }

  private itemMessage(seq: number, it: MissionItem): common.MissionItemInt {
    const m = new common.MissionItemInt();
    m.targetSystem = this.v.targetSystem;
    m.targetComponent = this.v.targetComponent;
    m.seq = seq;
    m.frame = it.frame ?? 6;
    m.command = it.command;
    m.current = seq === 1 && this.type === 0 ? 1 : 0;
    m.autocontinue = 1;
    m.param1 = it.param1 ?? 0;
    m.param2 = it.param2 ?? 0;
    m.param3 = it.param3 ?? 0;
    m.param4 = it.param4 ?? 0;
    m.x = Math.round((it.lat ?? 0) * 1e7);
    m.y = Math.round((it.lon ?? 0) * 1e7);
    m.z = it.alt ?? 0;
    m.missionType = this.type;
    return m;
  }
}
