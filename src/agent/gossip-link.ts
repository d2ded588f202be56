/**
 * Runs the pure gossip core on a real radio link: wakes it when it asks, hands it every packet the link
 * hears, and puts on the link whatever it wants to transmit. Time is the Clock's, in seconds since the
 * mission epoch, so the engine's timings (heartbeats, suspicion, duty-cycle window) are real seconds.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Link } from '../links/link.js';
import type { Fact, FactId } from '../wire/facts.js';
import type { GossipActions, GossipNode } from '../gossip/engine.js';

export interface GossipLinkOptions {
  readonly node: GossipNode;
  readonly link: Link;
  readonly clock: Clock;
  /** Unix ms of the mission epoch: engine time 0. */
  readonly epochMs: number;
  /** Everything the engine reports (facts learned, membership changes, misbehaving senders). */
  readonly onActions: (a: GossipActions) => void;
  /** An exception inside a timer or packet callback (it is caught so that the radio loop keeps running). */
  readonly onError?: (where: string, err: unknown) => void;
}

export class GossipLink {
  private timer: TimerHandle | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Packets the radio refused (queue full, down): the engine counted them as sent; repairs recover them. */
  refused = 0;
  /** Exceptions caught in callbacks (each also passed to onError). */
  errors = 0;

  constructor(private readonly o: GossipLinkOptions) {
    this.unsubscribe = o.link.on('packet', (p) => {
      this.guard('receive', () => this.deliver(this.o.node.receive(p.data, { rssi: p.rssi ?? -100, snr: p.snr ?? 0 }, this.now())));
      this.schedule();
    });
    this.schedule();
  }

  now(): number {
    return (this.o.clock.now() - this.o.epochMs) / 1000;
  }

  /** One of this node's own facts. */
  publish(fact: Fact): void {
    this.deliver(this.o.node.addLocal(fact, this.now()));
    this.schedule();
  }

  /** One of this node's own facts, on air again (see GossipNode.resend). */
  resend(id: FactId): void {
    if (this.o.node.resend(id, this.now())) this.schedule();
  }

  close(): void {
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    this.unsubscribe();
  }

  private deliver(a: GossipActions): void {
    if (a.learned.length || a.membership.length || a.reports.length) this.o.onActions(a);
  }

  private guard(where: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.errors++;
      this.o.onError?.(where, err);
    }
  }

  private wake(): void {
    this.timer = undefined;
    if (this.closed) return;
    this.guard('wake', () => {
      const now = this.now();
      this.deliver(this.o.node.tick(now));
      if (this.o.node.wantsToTransmit(now)) {
        const bytes = this.o.node.transmit(now);
        if (bytes)
          void this.o.link.send(bytes).then(
            (r) => {
              if (!r.ok) this.refused++;
            },
            (err: unknown) => this.guard('send', () => { throw err; }),
          );
      }
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const now = this.now();
    // never spin: at least 50 ms between wakes, at most 5 s (membership timers, duty window)
    const at = Math.min(this.o.node.nextWakeAt(now), now + 5);
    const ms = Math.max(50, (at - now) * 1000);
    this.o.clock.clearTimeout(this.timer);
    this.timer = this.o.clock.setTimeout(() => this.wake(), ms);
  }
}
