/**
 * Link over our LoRa modem firmware (firmware-bridge/) on a serial port. Reliability rules:
 * - a SEND carries a tag; until the modem answers, the link resends it (after a reconnect, or when the
 *   answer is late) and the modem answers a repeated tag without queueing it twice;
 * - received packets carry a sequence number; the link delivers them in order, once, and acknowledges them,
 *   and the modem replays what was not acknowledged — so a cable drop loses nothing the radio heard
 *   (unless the modem's receive buffer overflowed, which its status reports).
 */
import { randomInt } from 'node:crypto';
import type { Clock, TimerHandle } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { encodeFrame, FrameDecoder } from '../wire/framing.js';
import { RejectCounter } from '../wire/reject.js';
import { loraAirtimeMs } from './airtime.js';
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
import {
  Cmd,
  decodeModemMessage,
  DEFAULT_MODEM_CONFIG,
  encodeConfigure,
  encodeHello,
  encodeRxAck,
  encodeSend,
  encodeStatusRequest,
  MODEM_MTU,
  MODEM_PROTOCOL_VERSION,
  type ModemMessage,
  type ModemRadioConfig,
  type ModemStatus,
} from './modem-protocol.js';
import { SerialTransport } from './serial-transport.js';

export interface ModemLinkOptions {
  readonly path: string;
  readonly clock?: Clock;
  readonly baudRate?: number;
  /** Radio settings applied at every (re)connect. */
  readonly config?: ModemRadioConfig;
  /** Leave the modem's settings alone (diagnostic tools); default false. */
  readonly keepModemSettings?: boolean;
  readonly backoff?: BackoffPolicy;
  /** Resend an unanswered SEND / HELLO after this long, ms. */
  readonly answerTimeoutMs?: number;
  /** Give up on a send that found no answer for this long (the link stayed down), ms. */
  readonly sendTimeoutMs?: number;
  /**
   * When the modem has been silent this long, ask for its status; if that goes unanswered too, reopen the
   * port. (A pseudo-terminal or USB port that vanished is not always reported on the read side; a write
   * finds it.) ms, default 1000.
   */
  readonly keepaliveMs?: number;
}

interface PendingSend {
  readonly data: Uint8Array;
  readonly resolve: (r: SendResult) => void;
  writtenAt: number;
  readonly createdAt: number;
}

export class ModemLink implements Link {
  readonly kind = 'modem' as const;
  readonly name: string;
  readonly stats = emptyStats();
  readonly rejects = new RejectCounter();
  private readonly clock: Clock;
  private readonly hub = new LinkEventHub();
  private readonly tracker: LinkStateTracker;
  private readonly transport: SerialTransport;
  private readonly decoder = new FrameDecoder(MODEM_MTU + 16);
  private readonly pending = new Map<number, PendingSend>();
  private readonly statusWaiters: ((s: ModemStatus | undefined) => void)[] = [];
  private config: ModemRadioConfig;
  private nextTag = randomInt(1, 0x7fffffff);
  private bootId: number | undefined;
  private rxExpected = 0;
  private handshake: 'hello' | 'configure' | 'done' = 'hello';
  private handshakeAt = 0;
  private ticker: TimerHandle | undefined;
  private closed = false;
  private everUp = false;
  private wasLost = false;
  private lastHeardAt = 0;
  private pingAt: number | undefined;
  private queueFullSeen = false;
  private lastQueue: QueueStatus | undefined;
  private modemMtu = MODEM_MTU;
  /** Last error the modem reported (configuration refused, radio failure). */
  lastModemError: string | undefined;

  constructor(private readonly opts: ModemLinkOptions) {
    this.clock = opts.clock ?? systemClock;
    this.name = `modem:${opts.path}`;
    this.config = opts.config ?? DEFAULT_MODEM_CONFIG;
    this.tracker = new LinkStateTracker(this.hub, () => this.clock.now());
    this.transport = new SerialTransport({
      path: opts.path,
      baudRate: opts.baudRate,
      clock: this.clock,
      backoff: opts.backoff,
      onOpen: () => this.onOpen(),
      onData: (chunk) => this.onData(chunk),
      onLost: (reason, retry) => {
        if (this.everUp) this.wasLost = true;
        this.handshake = 'hello';
        this.tracker.set('down', reason, retry);
      },
    });
  }

  get state(): LinkState {
    return this.tracker.state;
  }
  get mtu(): number {
    return this.modemMtu;
  }
  get queue(): QueueStatus | undefined {
    return this.lastQueue;
  }
  get radioConfig(): ModemRadioConfig {
    return this.config;
  }
  get stateHistory() {
    return this.tracker.history;
  }

  airtimeMs(bytes: number): number {
    return loraAirtimeMs(this.config, bytes);
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
    await this.transport.stop();
    for (const [tag, p] of this.pending) {
      this.pending.delete(tag);
      p.resolve({ ok: false, reason: 'closed', detail: 'link closed before the modem answered' });
    }
    for (const w of this.statusWaiters.splice(0)) w(undefined);
    this.tracker.set('closed', 'closed by the application');
  }

  /** Applies new radio settings now (and at every later reconnect). */
  configure(config: ModemRadioConfig): void {
    this.config = config;
    if (this.state === 'up') this.write(encodeConfigure(config));
  }

  /** Asks the modem for its queue, airtime used, temperature and counters; undefined if it does not answer. */
  status(timeoutMs = 1000): Promise<ModemStatus | undefined> {
    if (this.state !== 'up') return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        const i = this.statusWaiters.indexOf(done);
        if (i >= 0) this.statusWaiters.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      const done = (s: ModemStatus | undefined) => {
        this.clock.clearTimeout(timer);
        resolve(s);
      };
      this.statusWaiters.push(done);
      this.write(encodeStatusRequest());
    });
  }

  send(data: Uint8Array): Promise<SendResult> {
    const refuse = (reason: 'oversize' | 'down' | 'closed', detail: string): Promise<SendResult> => {
      this.stats.refused++;
      return Promise.resolve({ ok: false, reason, detail });
    };
    if (this.closed) return refuse('closed', 'link closed');
    if (data.length === 0 || data.length > this.mtu) return refuse('oversize', `${data.length} bytes, MTU ${this.mtu}`);
    if (this.state !== 'up') return refuse('down', `link is ${this.state}`);
    const tag = this.nextTag;
    this.nextTag = (this.nextTag + 1) >>> 0 || 1;
    return new Promise((resolve) => {
      const now = this.clock.now();
      this.pending.set(tag, { data: data.slice(), resolve, writtenAt: now, createdAt: now });
      this.write(encodeSend(tag, data));
    });
  }

  private write(msg: Uint8Array): void {
    this.transport.write(encodeFrame(msg));
  }

  private onOpen(): void {
    this.decoder.reset();
    this.lastHeardAt = this.clock.now();
    this.pingAt = undefined;
    this.tracker.set('connecting', `${this.opts.path} open, waiting for the modem`);
    this.startHandshake();
  }

  private startHandshake(): void {
    this.handshake = 'hello';
    this.handshakeAt = this.clock.now();
    this.write(encodeHello());
  }

  private onData(chunk: Uint8Array): void {
    this.decoder.push(
      chunk,
      (payload) => {
        const d = decodeModemMessage(payload);
        if (d.ok) {
          this.lastHeardAt = this.clock.now();
          this.pingAt = undefined;
          this.handle(d.value);
        }
        else {
          this.stats.rejectedFrames++;
          this.rejects.add(d.reason);
        }
      },
      (r) => {
        this.stats.rejectedFrames++;
        this.rejects.add(r.reason);
      },
    );
  }

  private handle(m: ModemMessage): void {
    const now = this.clock.now();
    switch (m.type) {
      case 'boot':
        // The modem (re)started: whatever it held is gone, its settings are the defaults again.
        if (this.bootId !== undefined && this.bootId !== m.bootId && this.state === 'up') {
          this.wasLost = true;
          this.tracker.set('connecting', 'modem rebooted');
        }
        this.startHandshake();
        return;
      case 'hello_ok':
        if (m.version !== MODEM_PROTOCOL_VERSION) {
          this.lastModemError = `modem speaks protocol ${m.version}, this link ${MODEM_PROTOCOL_VERSION}`;
          this.tracker.set('down', this.lastModemError);
          return;
        }
        if (m.bootId !== this.bootId) {
          this.bootId = m.bootId;
          this.rxExpected = m.rxBase;
        }
        this.modemMtu = m.mtu;
        if (this.opts.keepModemSettings) {
          this.becomeUp();
          return;
        }
        this.handshake = 'configure';
        this.handshakeAt = now;
        this.write(encodeConfigure(this.config));
        return;
      case 'config_ok':
        if (this.handshake === 'configure') this.becomeUp();
        return;
      case 'error':
        this.lastModemError = `modem refused command 0x${m.command.toString(16)}: ${m.detail}`;
        if (m.command === Cmd.CONFIGURE && this.handshake === 'configure') {
          this.handshake = 'hello';
          this.tracker.set('down', `${this.lastModemError} (check the radio settings)`);
        }
        return;
      case 'accepted':
      case 'queue_full': {
        this.noteQueue({ used: m.queued, capacity: m.slots });
        const p = this.pending.get(m.tag);
        if (!p) return; // an answer to a resend that was already answered
        this.pending.delete(m.tag);
        if (m.type === 'accepted') {
          this.stats.sent++;
          this.stats.sentBytes += p.data.length;
          const airtimeMs = this.airtimeMs(p.data.length);
          this.stats.airtimeMs += airtimeMs;
          p.resolve({ ok: true, airtimeMs });
        } else {
          this.stats.queueFull++;
          this.queueFullSeen = true;
          p.resolve({ ok: false, reason: 'queue_full', detail: `modem queue ${m.queued}/${m.slots}` });
        }
        return;
      }
      case 'tx_done':
        this.stats.transmitted++;
        this.noteQueue({ used: m.queued, capacity: m.slots });
        return;
      case 'status':
        this.noteQueue({ used: m.status.queued, capacity: m.status.slots });
        this.statusWaiters.shift()?.(m.status);
        return;
      case 'rx': {
        const ahead = (m.seq - this.rxExpected) & 0xffff;
        if (ahead === 0) {
          this.rxExpected = (this.rxExpected + 1) & 0xffff;
          this.write(encodeRxAck(m.seq));
          this.stats.received++;
          this.stats.receivedBytes += m.data.length;
          this.hub.emit('packet', { data: m.data, rssi: m.rssi, snr: m.snr, receivedAt: now });
        } else if (ahead >= 0x8000) {
          this.stats.duplicates++; // a replay of something already delivered: confirm again
          this.write(encodeRxAck((this.rxExpected - 1) & 0xffff));
        }
        // else a gap (a frame lost on the cable): wait for the modem to replay from the gap
        return;
      }
    }
  }

  private becomeUp(): void {
    this.handshake = 'done';
    if (this.wasLost) this.stats.reconnects++;
    this.wasLost = false;
    this.everUp = true;
    this.tracker.set('up', `modem ready (boot ${this.bootId?.toString(16)})`);
    // Sends the modem never answered: ask again (a repeated tag is answered, never queued twice).
    const now = this.clock.now();
    for (const [tag, p] of this.pending) {
      p.writtenAt = now;
      this.write(encodeSend(tag, p.data));
    }
  }

  private noteQueue(q: QueueStatus): void {
    this.lastQueue = q;
    if (this.queueFullSeen && q.used < q.capacity) {
      this.queueFullSeen = false;
      this.hub.emit('writable', q);
    }
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const answer = this.opts.answerTimeoutMs ?? 1000;
    if (this.transport.isOpen && this.handshake !== 'done' && now - this.handshakeAt >= answer) this.startHandshake();
    if (this.transport.isOpen && this.state === 'up') {
      const quiet = this.opts.keepaliveMs ?? 1000;
      if (this.pingAt === undefined && now - this.lastHeardAt >= quiet) {
        this.pingAt = now;
        this.write(encodeStatusRequest());
      } else if (this.pingAt !== undefined && now - this.pingAt >= answer) {
        this.pingAt = undefined;
        this.transport.reconnect(`no answer from the modem for ${now - this.lastHeardAt} ms`);
      }
    }
    const giveUp = this.opts.sendTimeoutMs ?? 30_000;
    for (const [tag, p] of this.pending) {
      if (now - p.createdAt >= giveUp) {
        this.pending.delete(tag);
        this.stats.refused++;
        p.resolve({ ok: false, reason: 'down', detail: `no answer from the modem within ${giveUp} ms` });
      } else if (this.state === 'up' && now - p.writtenAt >= answer) {
        p.writtenAt = now;
        this.write(encodeSend(tag, p.data));
      }
    }
  }
}
