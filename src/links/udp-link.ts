/**
 * Link over UDP multicast or broadcast: for SITL runs on one machine and for IP mesh radios (Wi-Fi mesh,
 * batman-adv, Doodle Labs / Silvus style) where every node shares one IP segment. One datagram = one
 * packet. Our own datagrams loop back through multicast and are recognised by their source socket.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock, TimerHandle } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
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

export interface UdpLinkOptions {
  /** Multicast group (224.0.0.0/4) or a broadcast / unicast address. */
  readonly address: string;
  readonly port: number;
  /** Local interface address to send from and join the group on (default 127.0.0.1). */
  readonly interface?: string;
  readonly mtu?: number;
  /** Raw link rate used for the airtime estimate, bits/s (default 1 Mbit/s). */
  readonly bitrate?: number;
  /** Multicast TTL (default 1: stay on the local segment). */
  readonly ttl?: number;
  readonly clock?: Clock;
  readonly backoff?: BackoffPolicy;
}

export function isMulticast(addr: string): boolean {
  const first = Number(addr.split('.')[0]);
  return isIP(addr) === 4 && first >= 224 && first <= 239;
}

export class UdpLink implements Link {
  readonly kind = 'udp' as const;
  readonly name: string;
  readonly mtu: number;
  readonly stats = emptyStats();
  readonly queue: QueueStatus | undefined = undefined;
  private readonly clock: Clock;
  private readonly hub = new LinkEventHub();
  private readonly tracker: LinkStateTracker;
  private readonly backoff: Backoff;
  private rx: Socket | undefined;
  private tx: Socket | undefined;
  private txPort = 0;
  private retry: TimerHandle | undefined;
  private closed = false;
  private everUp = false;

  constructor(private readonly opts: UdpLinkOptions) {
    this.clock = opts.clock ?? systemClock;
    this.name = `udp:${opts.address}:${opts.port}`;
    this.mtu = opts.mtu ?? 1200;
    this.tracker = new LinkStateTracker(this.hub, () => this.clock.now());
    this.backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF);
  }

  get state(): LinkState {
    return this.tracker.state;
  }

  get iface(): string {
    return this.opts.interface ?? '127.0.0.1';
  }

  airtimeMs(bytes: number): number {
    // IP + UDP headers ride along on the air as well
    return ((bytes + 28) * 8 * 1000) / (this.opts.bitrate ?? 1_000_000);
  }

  on<E extends keyof LinkEvents>(event: E, fn: (e: LinkEvents[E]) => void): Unsubscribe {
    return this.hub.on(event, fn);
  }

  async open(): Promise<void> {
    this.closed = false;
    this.tracker.set('connecting', `binding ${this.name}`);
    await this.bind();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clock.clearTimeout(this.retry);
    this.teardown();
    this.tracker.set('closed', 'closed by the application');
  }

  send(data: Uint8Array): Promise<SendResult> {
    const refuse = (reason: 'oversize' | 'down' | 'closed', detail: string): Promise<SendResult> => {
      this.stats.refused++;
      return Promise.resolve({ ok: false, reason, detail });
    };
    if (this.closed) return refuse('closed', 'link closed');
    if (data.length === 0 || data.length > this.mtu) return refuse('oversize', `${data.length} bytes, MTU ${this.mtu}`);
    const tx = this.tx;
    if (!tx || this.state !== 'up') return refuse('down', `link is ${this.state}`);
    return new Promise((done) => {
      // Node may complete a datagram send without passing through the poll phase; answering on setImmediate
      // lets receives run between sends, so a sending burst cannot starve our own socket's receive queue.
      const resolve = (r: SendResult) => setImmediate(() => done(r));
      tx.send(data, this.opts.port, this.opts.address, (err) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          // the kernel's socket buffer is the radio queue here
          if (code === 'ENOBUFS' || code === 'EAGAIN') {
            this.stats.queueFull++;
            resolve({ ok: false, reason: 'queue_full', detail: code });
          } else {
            this.stats.refused++;
            resolve({ ok: false, reason: 'radio_error', detail: err.message });
            this.lost(err.message);
          }
          return;
        }
        const airtimeMs = this.airtimeMs(data.length);
        this.stats.sent++;
        this.stats.transmitted++;
        this.stats.sentBytes += data.length;
        this.stats.airtimeMs += airtimeMs;
        resolve({ ok: true, airtimeMs });
      });
    });
  }

  private async bind(): Promise<void> {
    this.retry = undefined;
    if (this.closed) return;
    try {
      const rx = createSocket({ type: 'udp4', reuseAddr: true });
      const tx = createSocket({ type: 'udp4' });
      this.rx = rx;
      this.tx = tx;
      rx.on('error', (e) => this.lost(e.message));
      tx.on('error', (e) => this.lost(e.message));
      rx.on('message', (msg, from) => this.onMessage(msg, from.address, from.port));
      const multicast = isMulticast(this.opts.address);
      await new Promise<void>((resolve, reject) => {
        rx.once('error', reject);
        rx.bind(this.opts.port, () => resolve());
      });
      if (multicast) rx.addMembership(this.opts.address, this.iface);
      try {
        rx.setRecvBufferSize(1 << 20); // room for bursts; the kernel caps it at net.core.rmem_max
      } catch {
        // keep the default
      }
      await new Promise<void>((resolve, reject) => {
        tx.once('error', reject);
        tx.bind(0, this.iface, () => resolve());
      });
      if (multicast) {
        tx.setMulticastInterface(this.iface);
        tx.setMulticastTTL(this.opts.ttl ?? 1);
        tx.setMulticastLoopback(true);
      } else tx.setBroadcast(true);
      this.txPort = tx.address().port;
      this.backoff.reset();
      if (this.everUp) this.stats.reconnects++;
      this.everUp = true;
      this.tracker.set('up', `bound ${this.name} via ${this.iface}`);
    } catch (e) {
      this.lost((e as Error).message);
    }
  }

  private onMessage(msg: Buffer, address: string, port: number): void {
    if (port === this.txPort && address === this.iface) return; // our own transmission, looped back
    if (msg.length === 0 || msg.length > this.mtu) {
      this.stats.rejectedFrames++;
      return;
    }
    this.stats.received++;
    this.stats.receivedBytes += msg.length;
    this.hub.emit('packet', { data: new Uint8Array(msg), receivedAt: this.clock.now() });
  }

  private teardown(): void {
    for (const s of [this.rx, this.tx]) {
      if (!s) continue;
      s.removeAllListeners('message');
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    this.rx = this.tx = undefined;
  }

  private lost(reason: string): void {
    if (this.closed || this.retry) return;
    this.teardown();
    const delay = this.backoff.next();
    this.tracker.set('down', reason, delay);
    this.retry = this.clock.setTimeout(() => void this.bind(), delay);
  }
}
