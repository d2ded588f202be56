/**
 * One MAVLink connection to one flight controller: opens the transport, frames MAVLink 2 (optionally signed),
 * finds the vehicle by its heartbeat, sends the companion heartbeat at 1 Hz, notices loss (transport closed or
 * 5 s without a vehicle heartbeat: `fc_lost`) and reconnects with exponential back-off. All timing goes
 * through the Clock, so it runs in real time, sped up, or in virtual time over an in-memory link.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { RejectCounter } from '../wire/reject.js';
import type { MavLinkData } from 'node-mavlink';
import { MavlinkDecoder, MavlinkEncoder, type MavMessage } from './mavlink/codec.js';
import { minimal, MSG, MAV_TYPE, MAV_AUTOPILOT, MAV_STATE } from './mavlink/messages.js';
import type { ByteLink, Connector } from './transport.js';
import { freshMessage } from './mavlink/fresh.js';

export type LinkState = 'connecting' | 'connected' | 'fc_lost' | 'closed';

export interface SigningOptions {
  /** 32-byte secret shared with the flight controller (see signingKeyFromPassphrase). */
  readonly key: Uint8Array;
  readonly linkId?: number;
  /** Drop unsigned packets from the vehicle (default true). */
  readonly requireSigned?: boolean;
}

export interface ConnectionOptions {
  readonly connect: Connector;
  readonly clock: Clock;
  /** Our system id. Default: the vehicle's own, once discovered (a companion shares it). */
  readonly sysid?: number;
  /** Our component id. Default 191 (MAV_COMP_ID_ONBOARD_COMPUTER). */
  readonly compid?: number;
  /** Only talk to this vehicle (default: the first autopilot heard). */
  readonly targetSystem?: number;
  readonly signing?: SigningOptions;
  /** Vehicle silent this long → fc_lost and reconnect. Default 5000 ms (5 lost heartbeats: rare even at 20 % loss). */
  readonly heartbeatTimeoutMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Drops this fraction of packets in both directions (tests and benchmarks of lossy links). */
  readonly injectLoss?: { readonly p: number; readonly random: { chance(p: number): boolean } };
}

type Listener = (msg: MavMessage) => void;

export class MavConnection {
  readonly rejects = new RejectCounter();
  private state: LinkState = 'connecting';
  private link: ByteLink | undefined;
  private decoder: MavlinkDecoder;
  private encoder: MavlinkEncoder;
  private target: { sysid: number; compid: number } | undefined;
  private lastHeartbeatAt = -Infinity;
  /** The vehicle's last heartbeat was signed (it has signing set up). */
  peerSigns = false;
  private heartbeatTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private backoff: number;
  private closed = false;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(s: LinkState) => void>();
  /** Counters for status pages and benchmarks. */
  readonly stats = { connects: 0, losses: 0, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };

  constructor(private readonly opts: ConnectionOptions) {
    this.backoff = opts.backoffInitialMs ?? 250;
    this.decoder = this.makeDecoder();
    this.encoder = this.makeEncoder(opts.sysid ?? opts.targetSystem ?? 1);
  }

  get linkState(): LinkState {
    return this.state;
  }
  get targetSystem(): number | undefined {
    return this.target?.sysid;
  }
  get targetComponent(): number {
    return this.target?.compid ?? 1;
  }
  get ourSysid(): number {
    return this.encoder.sysid;
  }

  onMessage(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  onLinkState(fn: (s: LinkState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  start(): void {
    this.heartbeatTimer = this.opts.clock.setInterval(() => this.sendHeartbeat(), 1000);
    this.watchdog = this.opts.clock.setInterval(() => this.checkSilence(), 250);
    void this.open();
  }

  close(): void {
    this.closed = true;
    this.opts.clock.clearInterval(this.heartbeatTimer);
    this.opts.clock.clearInterval(this.watchdog);
    this.opts.clock.clearTimeout(this.retryTimer);
    this.link?.close();
    this.link = undefined;
    this.setState('closed');
  }

  send(msg: MavLinkData): boolean {
    if (!this.link) return false;
    const bytes = this.encoder.encode(msg);
    const loss = this.opts.injectLoss;
    if (loss && loss.p > 0 && loss.random.chance(loss.p)) return true;
    this.stats.packetsOut++;
    this.stats.bytesOut += bytes.length;
    this.link.write(bytes);
    return true;
  }

  private makeDecoder(): MavlinkDecoder {
    const s = this.opts.signing;
    return new MavlinkDecoder({
      rejects: this.rejects,
      ...(s ? { signingKey: s.key, requireSigned: s.requireSigned ?? true } : {}),
    });
  }

  private makeEncoder(sysid: number): MavlinkEncoder {
    const s = this.opts.signing;
    return new MavlinkEncoder({
      sysid,
      compid: this.opts.compid ?? 191,
      ...(s ? { signing: { key: s.key, linkId: s.linkId ?? 1, now: () => this.opts.clock.now() } } : {}),
    });
  }

  private setState(s: LinkState): void {
    if (this.state === s) return;
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    let link: ByteLink;
    try {
      link = await this.opts.connect();
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      link.close();
      return;
    }
    this.stats.connects++;
    this.link = link;
    // A fresh parser per connection: half a frame from the old link must not glue onto the new one.
    this.decoder = this.makeDecoder();
    link.onData = (bytes) => this.receive(bytes);
    link.onClose = () => {
      if (this.link !== link) return;
      this.link = undefined;
      this.lost();
    };
    this.sendHeartbeat();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.opts.clock.clearTimeout(this.retryTimer);
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs ?? 5000);
    this.retryTimer = this.opts.clock.setTimeout(() => void this.open(), wait);
  }

  private lost(): void {
    if (this.closed) return;
    if (this.state === 'connected') this.stats.losses++;
    if (this.state !== 'connecting' || this.target) this.setState('fc_lost');
    this.scheduleReconnect();
  }

  private checkSilence(): void {
    if (this.state !== 'connected') return;
    if (this.opts.clock.now() - this.lastHeartbeatAt > (this.opts.heartbeatTimeoutMs ?? 5000)) {
      const link = this.link;
      this.link = undefined;
      link?.close();
      this.lost();
    }
  }

  private receive(bytes: Uint8Array): void {
    this.stats.bytesIn += bytes.length;
    let msgs: MavMessage[];
    try {
      msgs = this.decoder.push(bytes);
    } catch {
      this.rejects.add('malformed');
      return;
    }
    const loss = this.opts.injectLoss;
    for (const msg of msgs) {
      if (loss && loss.p > 0 && loss.random.chance(loss.p)) continue;
      const h = msg.header;
      if (h.msgid === MSG.HEARTBEAT) {
        const hb = msg.data as minimal.Heartbeat;
        const isAutopilot = hb.autopilot !== MAV_AUTOPILOT.INVALID && hb.type !== MAV_TYPE.GCS && hb.type !== MAV_TYPE.ONBOARD_CONTROLLER;
        if (!this.target && isAutopilot && (this.opts.targetSystem === undefined || this.opts.targetSystem === h.sysid)) {
          this.target = { sysid: h.sysid, compid: h.compid };
          if (this.opts.sysid === undefined && this.encoder.sysid !== h.sysid) this.encoder = this.makeEncoder(h.sysid);
        }
        if (this.target && h.sysid === this.target.sysid && h.compid === this.target.compid) {
          this.lastHeartbeatAt = this.opts.clock.now();
          this.peerSigns = h.signed;
          this.backoff = this.opts.backoffInitialMs ?? 250;
          if (this.state !== 'connected') this.setState('connected');
        }
      }
      if (!this.target || h.sysid !== this.target.sysid) continue;
      this.stats.packetsIn++;
      for (const fn of this.listeners) {
        try {
          fn(msg);
        } catch {
          // a listener's bug must not stop the receive loop
        }
      }
    }
  }

  private sendHeartbeat(): void {
    this.send(companionHeartbeat());
  }
}

/** The heartbeat a companion computer sends: an onboard controller, not an autopilot. */
export function companionHeartbeat(): minimal.Heartbeat {
  const hb = freshMessage(minimal.Heartbeat);
  hb.type = MAV_TYPE.ONBOARD_CONTROLLER;
  hb.autopilot = MAV_AUTOPILOT.INVALID;
  hb.baseMode = 0 as minimal.MavModeFlag;
  hb.customMode = 0;
  hb.systemStatus = MAV_STATE.ACTIVE;
  hb.mavlinkVersion = 3;
  return hb;
}
