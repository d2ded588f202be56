/**
 * Link over a stock Meshtastic radio's serial API. Murmur packets travel as PRIVATE_APP (port 256) payloads
 * broadcast on one channel. The link performs the config handshake (want_config_id → config_complete_id)
 * before it calls itself up, redoes it when the radio reports a reboot, and turns the radio's QueueStatus
 * answers into back-pressure. Unlike our modem firmware, Meshtastic neither replays packets to a reconnecting
 * client nor deduplicates a resent ToRadio, so a packet whose QueueStatus was lost on the cable is reported
 * refused (it may still go out), and packets heard while the cable was out may be missed.
 */
import { randomInt } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import type { Clock, TimerHandle } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { RejectCounter } from '../wire/reject.js';
import { loraAirtimeMs, MESHTASTIC_LONG_FAST, type LoraModulation } from './airtime.js';
import type { BackoffPolicy } from './backoff.js';
import {
  emptyStats,
  LinkEventHub,
  LinkStateTracker,
  type Link,
  type LinkEvents,
  type LinkState,
  type QueueStatus,
  type SendResult,
  type Unsubscribe,
} from './link.js';
import { encodeStreamFrame, START1, START2, StreamDecoder } from './meshtastic-stream.js';
import { SerialTransport } from './serial-transport.js';

/** Largest Data.payload Meshtastic carries (255-byte LoRa frame − 16-byte header − protobuf fields). */
export const MESHTASTIC_MTU = 233;
/** Meshtastic's over-the-air header. */
export const MESHTASTIC_HEADER = 16;
export const BROADCAST_NUM = 0xffffffff;

/** Bytes of an encoded Data{portnum: PRIVATE_APP, payload} with an n-byte payload. */
export function dataMessageLength(n: number): number {
  return 3 + 1 + (n < 128 ? 1 : 2) + n;
}

export interface MeshtasticLinkOptions {
  readonly path: string;
  readonly clock?: Clock;
  readonly baudRate?: number;
  /** Channel index to send on (0 = primary). */
  readonly channel?: number;
  /** Hop limit for our packets (Meshtastic default 3). */
  readonly hopLimit?: number;
  /** The radio's modulation, for airtime estimates (default LongFast). */
  readonly modulation?: LoraModulation;
  readonly backoff?: BackoffPolicy;
  /** Repeat want_config when the radio stays silent this long, ms. */
  readonly handshakeTimeoutMs?: number;
  /** Treat a send as refused when no QueueStatus came back for this long, ms. */
  readonly answerTimeoutMs?: number;
}

interface Pending {
  readonly resolve: (r: SendResult) => void;
  readonly bytes: number;
  readonly at: number;
}

export class MeshtasticLink implements Link {
  readonly kind = 'meshtastic' as const;
  readonly name: string;
  readonly mtu = MESHTASTIC_MTU;
  readonly stats = emptyStats();
  readonly rejects = new RejectCounter();
  private readonly clock: Clock;
  private readonly hub = new LinkEventHub();
  private readonly tracker: LinkStateTracker;
  private readonly transport: SerialTransport;
  private readonly decoder = new StreamDecoder();
  private readonly pending = new Map<number, Pending>();
  private readonly recentRx: string[] = [];
  private readonly recentRxSet = new Set<string>();
  private configNonce = 0;
  private handshakeAt = 0;
  private handshaking = false;
  private nextId = randomInt(1, 0x7fffffff);
  private ticker: TimerHandle | undefined;
  private drainTimer: TimerHandle | undefined;
  private closed = false;
  private everUp = false;
  private wasLost = false;
  private lastWriteAt = 0;
  private queueFullSeen = false;
  private lastQueue: QueueStatus | undefined;
  /** The radio's own node number (from my_info). */
  myNodeNum: number | undefined;
  rebootsSeen = 0;

  constructor(private readonly opts: MeshtasticLinkOptions) {
    this.clock = opts.clock ?? systemClock;
    this.name = `meshtastic:${opts.path}`;
    this.tracker = new LinkStateTracker(this.hub, () => this.clock.now());
    this.transport = new SerialTransport({
      path: opts.path,
      baudRate: opts.baudRate,
      clock: this.clock,
      backoff: opts.backoff,
      onOpen: () => this.onOpen(),
      onData: (chunk) => this.onData(chunk),
      onLost: (reason, retry) => {
        this.handshaking = false;
        if (this.everUp) this.wasLost = true;
        this.tracker.set('down', reason, retry);
      },
    });
  }

  get state(): LinkState {
    return this.tracker.state;
  }
  get queue(): QueueStatus | undefined {
    return this.lastQueue;
  }
  get stateHistory() {
    return this.tracker.history;
  }

  airtimeMs(bytes: number): number {
    return loraAirtimeMs(this.opts.modulation ?? MESHTASTIC_LONG_FAST, MESHTASTIC_HEADER + dataMessageLength(bytes));
  }

  on<E extends keyof LinkEvents>(event: E, fn: (e: LinkEvents[E]) => void): Unsubscribe {
    return this.hub.on(event, fn);
  }

  async open(): Promise<void> {
    this.closed = false;
    this.tracker.set('connecting', `opening ${this.opts.path}`);
    this.ticker = this.clock.setInterval(() => this.tick(), 100);
    await this.transport.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clock.clearInterval(this.ticker);
    this.clock.clearTimeout(this.drainTimer);
    if (this.transport.isOpen) this.writeToRadio(create(Mesh.ToRadioSchema, { payloadVariant: { case: 'disconnect', value: true } }));
    await this.transport.stop();
    this.failPending('closed', 'link closed');
    this.tracker.set('closed', 'closed by the application');
  }

  send(data: Uint8Array): Promise<SendResult> {
    const refuse = (reason: 'oversize' | 'down' | 'closed' | 'queue_full', detail: string): Promise<SendResult> => {
      if (reason === 'queue_full') this.stats.queueFull++;
      else this.stats.refused++;
      return Promise.resolve({ ok: false, reason, detail });
    };
    if (this.closed) return refuse('closed', 'link closed');
    if (data.length === 0 || data.length > this.mtu) return refuse('oversize', `${data.length} bytes, MTU ${this.mtu}`);
    if (this.state !== 'up') return refuse('down', `link is ${this.state}`);
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    const packet = create(Mesh.MeshPacketSchema, {
      to: BROADCAST_NUM,
      channel: this.opts.channel ?? 0,
      id,
      hopLimit: this.opts.hopLimit ?? 3,
      wantAck: false,
      payloadVariant: {
        case: 'decoded',
        value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.PRIVATE_APP, payload: data }),
      },
    });
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, bytes: data.length, at: this.clock.now() });
      this.writeToRadio(create(Mesh.ToRadioSchema, { payloadVariant: { case: 'packet', value: packet } }));
    });
  }

  private writeToRadio(msg: Mesh.ToRadio): void {
    this.lastWriteAt = this.clock.now();
    this.transport.write(encodeStreamFrame(toBinary(Mesh.ToRadioSchema, msg)));
  }

  private onOpen(): void {
    this.decoder.reset();
    // Wake the radio's serial API (a run of START2 bytes, as Meshtastic's own clients send), then ask for config.
    this.transport.write(new Uint8Array(32).fill(START2));
    this.startHandshake('port open');
  }

  private startHandshake(why: string): void {
    this.handshaking = true;
    this.handshakeAt = this.clock.now();
    this.configNonce = randomInt(1, 0x7fffffff);
    this.tracker.set('connecting', `${why}: waiting for the radio's configuration`);
    this.writeToRadio(create(Mesh.ToRadioSchema, { payloadVariant: { case: 'wantConfigId', value: this.configNonce } }));
  }

  private onData(chunk: Uint8Array): void {
    this.decoder.push(chunk, (pb) => this.onFrame(pb));
  }

  private onFrame(pb: Uint8Array): void {
    let msg: Mesh.FromRadio | undefined;
    try {
      msg = fromBinary(Mesh.FromRadioSchema, pb);
    } catch {
      msg = undefined;
    }
    if (!msg || msg.payloadVariant.case === undefined) {
      this.stats.rejectedFrames++;
      this.rejects.add('malformed');
      // a truncated frame may have swallowed the start of the next one: look for it inside
      const at = indexOfStart(pb, 1);
      if (at >= 0) this.decoder.push(pb.subarray(at), (inner) => this.onFrame(inner));
      return;
    }
    this.handle(msg);
  }

  private handle(msg: Mesh.FromRadio): void {
    const v = msg.payloadVariant;
    switch (v.case) {
      case 'myInfo':
        this.myNodeNum = v.value.myNodeNum;
        return;
      case 'configCompleteId':
        if (this.handshaking && v.value === this.configNonce) {
          this.handshaking = false;
          if (this.wasLost) this.stats.reconnects++;
          this.wasLost = false;
          this.everUp = true;
          this.tracker.set('up', `radio ${this.myNodeNum?.toString(16) ?? '?'} configured`);
        }
        return;
      case 'rebooted':
        // The radio restarted: its queue is gone, and it wants a fresh handshake.
        this.rebootsSeen++;
        if (this.everUp) this.wasLost = true;
        this.failPending('down', 'radio rebooted before confirming');
        this.startHandshake('radio rebooted');
        return;
      case 'queueStatus': {
        const q = v.value;
        this.noteQueue({ used: q.maxlen - q.free, capacity: q.maxlen });
        const p = this.pending.get(q.meshPacketId);
        if (!p) return;
        this.pending.delete(q.meshPacketId);
        if (q.res === 0) {
          const airtimeMs = this.airtimeMs(p.bytes);
          this.stats.sent++;
          this.stats.sentBytes += p.bytes;
          this.stats.airtimeMs += airtimeMs;
          p.resolve({ ok: true, airtimeMs });
        } else {
          this.stats.queueFull++;
          this.queueFullSeen = true;
          this.expectDrain();
          p.resolve({ ok: false, reason: 'queue_full', detail: `radio queue ${q.maxlen - q.free}/${q.maxlen} (res ${q.res})` });
        }
        return;
      }
      case 'packet': {
        const pkt = v.value;
        if (pkt.payloadVariant.case !== 'decoded') return; // not for us (encrypted with a key we lack)
        const d = pkt.payloadVariant.value;
        if (d.portnum !== Portnums.PortNum.PRIVATE_APP) return;
        if (pkt.from === this.myNodeNum) return;
        if (d.payload.length === 0 || d.payload.length > this.mtu) {
          this.stats.rejectedFrames++;
          this.rejects.add('oversize');
          return;
        }
        const key = `${pkt.from}:${pkt.id}`;
        if (this.recentRxSet.has(key)) {
          this.stats.duplicates++;
          return;
        }
        this.recentRxSet.add(key);
        this.recentRx.push(key);
        if (this.recentRx.length > 256) this.recentRxSet.delete(this.recentRx.shift()!);
        this.stats.received++;
        this.stats.receivedBytes += d.payload.length;
        this.hub.emit('packet', {
          data: d.payload,
          rssi: pkt.rxRssi || undefined,
          snr: pkt.rxSnr,
          receivedAt: this.clock.now(),
        });
        return;
      }
      default:
        return; // node info, channels, config, logs: not needed to carry packets
    }
  }

  /**
   * The radio answers each packet with a QueueStatus but need not say when its queue drains; after a refusal,
   * announce room once the packet at the head of the queue has had time to go out.
   */
  private expectDrain(): void {
    if (this.drainTimer) return;
    this.drainTimer = this.clock.setTimeout(() => {
      this.drainTimer = undefined;
      if (!this.queueFullSeen || this.closed) return;
      this.queueFullSeen = false;
      const q = this.lastQueue;
      this.hub.emit('writable', { used: q ? Math.max(0, q.capacity - 1) : 0, capacity: q?.capacity ?? 0 });
    }, this.airtimeMs(this.mtu));
  }

  private noteQueue(q: QueueStatus): void {
    this.lastQueue = q;
    if (this.queueFullSeen && q.used < q.capacity) {
      this.queueFullSeen = false;
      this.hub.emit('writable', q);
    }
  }

  private failPending(reason: 'down' | 'closed', detail: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      this.stats.refused++;
      p.resolve({ ok: false, reason, detail });
    }
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.clock.now();
    if (this.handshaking && this.transport.isOpen && now - this.handshakeAt >= (this.opts.handshakeTimeoutMs ?? 3000))
      this.startHandshake('no answer to want_config');
    // A vanished port is not always reported on the read side; a write finds it. Meshtastic's heartbeat
    // message exists for this (it also keeps the radio's serial API from timing out).
    if (this.state === 'up' && now - this.lastWriteAt >= 1000)
      this.writeToRadio(create(Mesh.ToRadioSchema, { payloadVariant: { case: 'heartbeat', value: create(Mesh.HeartbeatSchema, {}) } }));
    const limit = this.opts.answerTimeoutMs ?? 5000;
    for (const [id, p] of this.pending) {
      if (now - p.at < limit) continue;
      this.pending.delete(id);
      this.stats.refused++;
      p.resolve({ ok: false, reason: 'radio_error', detail: `no QueueStatus within ${limit} ms` });
    }
  }
}

function indexOfStart(b: Uint8Array, from: number): number {
  for (let i = from; i + 1 < b.length; i++) if (b[i] === START1 && b[i + 1] === START2) return i;
  return -1;
}
