/**
 * Baseline: Meshtastic-style managed flooding, on the same simulated channel, codec, facts and duty-cycle
 * rules as Murmur, so that the comparison is fair. Each rule and where it comes from (Meshtastic firmware,
 * src/mesh/: FloodingRouter, RadioInterface, RadioLibInterface, ReliableRouter, MeshPacketQueue; summarised in
 * REFERENCE.md "Meshtastic"):
 *
 * - one fact per packet, as Meshtastic sends one message/position per packet;
 * - the packet carries a hop limit, 3 by default (max 7); a relay decrements it and does not relay at 0
 *   (FloodingRouter);
 * - duplicates are dropped (packet id seen before: here the fact id);
 * - a relay waits a contention window chosen from the received SNR: SNR −20…+10 dB maps to CW 3…8, the wait
 *   is 2·CWmax·slot + random(0, 2^CW)·slot with slot = 2.25·T_sym + 7.6 ms, so weaker-signal (distant) nodes
 *   relay first (RadioInterface::getTxDelayMsecWeighted);
 * - a pending relay is cancelled when the same packet is heard relayed by someone else (FloodingRouter:
 *   "rebroadcast cancelled");
 * - the original sender of a reliable packet (here: victims, roads and other durable facts; position/status
 *   broadcasts do not ask for acks) retransmits up to 3 times until it hears a relay of it (implicit ack,
 *   ReliableRouter);
 * - the transmit queue is bounded (16 packets) and ordered by priority (reliable before background);
 * - the regional duty cycle is enforced: a packet waits until the sliding window allows it.
 *
 * The fair configuration (`fairFloodingConfig`) adds what a Meshtastic node does with its background traffic:
 * - its own position/status goes out at most every `statusEveryS` (300 s: the firmware's position interval
 *   ranges from 5 to 15 minutes, hourly with smart broadcast), the newest one, never queued behind others;
 * - and only while its own airtime over the last hour is under half its duty allowance and the channel use it
 *   saw (its transmissions plus the packets it heard) over the last minute is under 25%
 *   (airtime.cpp: isTxAllowedAirUtil with polite_duty_cycle_percent 50, isTxAllowedChannelUtil(polite) with
 *   polite_channel_util_percent 25; six 10 s buckets for the channel, sixty 1-minute buckets for TX);
 * - the slot is 2.5·T_sym + 7.6 ms and the preamble 16 symbols (the scenario's LoRa parameters).
 * The stress configuration (`statusEveryS` 0, no gate, slot 2.25·T_sym + 7.6 ms, 8-symbol preamble) floods every
 * status offered, every 30 s in the benchmark: the channel saturates, which is what it is kept to show.
 *
 * Membership for the baseline: a member is alive while its status packets are heard (Meshtastic's node list
 * "last heard"), with the same suspect/dead timings as Murmur.
 */
import { Encoder } from 'cbor-x';
import { DutyCycleWindow, loraTimeOnAir, symbolTime, type DutyCycleRule, type LoraParams } from '../../gossip/airtime.js';
import type { PacketCodec } from '../../gossip/codec.js';
import { Membership, type MembershipChange, type MembershipTimings } from '../../gossip/membership.js';
import type { Random } from '../../core/random.js';
import { factKey, priorityOf, type Fact, type NodeId } from '../../wire/facts.js';
import { RejectCounter } from '../../wire/reject.js';
import type { RadioEndpoint, RxMeta } from '../radio/medium.js';

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false } as never);

export interface FloodingConfig {
  readonly self: NodeId;
  readonly lora: LoraParams;
  readonly duty: DutyCycleRule;
  readonly hopLimit: number;
  readonly retries: number;
  readonly queueLimit: number;
  readonly membership: MembershipTimings;
  /** Slot = slotSymbols · T_sym + 7.6 ms (firmware: 2.5). */
  readonly slotSymbols?: number;
  /** Own status sent at most this often (0: every status offered, the stress setting). */
  readonly statusEveryS?: number;
  /** Skip own status while own airtime ≥ half the duty allowance or channel use ≥ 25% (Meshtastic's polite gate). */
  readonly politeGate?: boolean;
}

/** Meshtastic's rules for background traffic, on top of `base`. */
export function fairFloodingConfig(base: FloodingConfig): FloodingConfig {
  return { ...base, slotSymbols: 2.5, statusEveryS: 300, politeGate: true };
}

interface Queued {
  readonly fact: Fact;
  readonly hopLimit: number;
  due: number;
  readonly relay: boolean;
}

export interface FloodingHooks {
  learned?(fact: Fact, now: number): void;
  membership?(c: MembershipChange): void;
}

export class FloodingNode implements RadioEndpoint {
  private readonly seen = new Set<string>();
  private readonly queue: Queued[] = [];
  /** Own reliable packets awaiting an implicit ack: key → retries left and next retry time. */
  private readonly awaiting = new Map<string, { fact: Fact; left: number; at: number }>();
  private readonly duty: DutyCycleWindow;
  readonly members: Membership;
  readonly rejects = new RejectCounter();
  private readonly known = new Set<string>();
  private readonly latestStatus = new Map<NodeId, number>();
  dropped = 0;
  private readonly slot: number;
  private lastStatusSentAt = -Infinity;
  /** Airtime on the channel as this node saw it (own and heard): [start, duration], last minute. */
  private readonly channelLog: [number, number][] = [];
  /** Own status packets skipped by the polite gate, and by the interval. */
  statusSkipped = 0;

  constructor(
    readonly cfg: FloodingConfig,
    readonly codec: PacketCodec,
    private readonly random: Random,
    private readonly hooks: FloodingHooks = {},
  ) {
    this.duty = new DutyCycleWindow(cfg.duty);
    this.members = new Membership(cfg.self, cfg.membership);
    this.slot = (cfg.slotSymbols ?? 2.25) * symbolTime(cfg.lora) + 0.0076;
  }

  knows(f: { origin: number; seq: number; kind?: string }): boolean {
    if (f.kind === 'status') return (this.latestStatus.get(f.origin) ?? 0) >= f.seq;
    return this.known.has(factKey(f));
  }

  /** A fact created here: flooded with the full hop limit. */
  originate(fact: Fact, now: number): void {
    const key = factKey(fact);
    this.seen.add(key);
    this.learn(fact, now);
    if (fact.kind === 'status' && !this.statusMayGo(now)) return;
    this.enqueue({ fact, hopLimit: this.cfg.hopLimit, due: now + this.random.int(1 << 3) * this.slot, relay: false });
    if (fact.kind !== 'status') this.awaiting.set(key, { fact, left: this.cfg.retries, at: now + this.retryTimeout() });
  }

  /** Own background traffic: the interval, then the polite gate. */
  private statusMayGo(now: number): boolean {
    const every = this.cfg.statusEveryS ?? 0;
    if (every > 0 && now - this.lastStatusSentAt < every) return false;
    if (this.cfg.politeGate && (this.duty.used(now) >= this.duty.budgetS / 2 || this.channelUse(now) >= 0.25)) {
      this.statusSkipped++;
      return false;
    }
    // A newer status replaces one still waiting in the queue.
    const i = this.queue.findIndex((q) => !q.relay && q.fact.kind === 'status' && q.fact.origin === this.cfg.self);
    if (i >= 0) this.queue.splice(i, 1);
    this.lastStatusSentAt = now;
    return true;
  }

  /** Share of the last minute the channel was busy as this node saw it. */
  private channelUse(now: number): number {
    while (this.channelLog.length && this.channelLog[0]![0] + this.channelLog[0]![1] < now - 60) this.channelLog.shift();
    let busy = 0;
    for (const [s, d] of this.channelLog) busy += Math.min(s + d, now) - Math.max(s, now - 60);
    return busy / 60;
  }

  private retryTimeout(): number {
    // Long enough for a relay to win its contention window and be heard back.
    return 2 * (2 * 8 * this.slot + 2 ** 8 * this.slot) + 2 * loraTimeOnAir(64, this.cfg.lora);
  }

  private learn(fact: Fact, now: number): void {
    if (fact.kind === 'status') {
      if ((this.latestStatus.get(fact.origin) ?? 0) >= fact.seq) return;
      this.latestStatus.set(fact.origin, fact.seq);
      const c = this.members.evidence(fact.origin, Math.min(fact.t, now), now);
      if (c) this.hooks.membership?.(c);
    } else {
      const key = factKey(fact);
      if (this.known.has(key)) return;
      this.known.add(key);
    }
    this.hooks.learned?.(fact, now);
  }

  private enqueue(q: Queued): void {
    if (this.queue.length >= this.cfg.queueLimit) {
      // Full: the new packet replaces the lowest-priority, newest one if it matters more; else it is dropped.
      let worst = -1;
      for (let i = 0; i < this.queue.length; i++)
        if (worst < 0 || priorityOf(this.queue[i]!.fact.kind) >= priorityOf(this.queue[worst]!.fact.kind)) worst = i;
      if (priorityOf(q.fact.kind) >= priorityOf(this.queue[worst]!.fact.kind)) {
        this.dropped++;
        return;
      }
      this.queue.splice(worst, 1);
      this.dropped++;
    }
    this.queue.push(q);
  }

  hear(bytes: Uint8Array, rx: RxMeta, now: number): void {
    const opened = this.codec.open(bytes);
    if (!opened.ok) {
      this.rejects.add(opened.reason);
      return;
    }
    const { payload, sender } = opened.value;
    if (this.cfg.politeGate) {
      const d = loraTimeOnAir(bytes.length, this.cfg.lora);
      this.channelLog.push([now - d, d]);
    }
    const fact = payload.facts[0];
    let hop = 0;
    try {
      const c = payload.control ? cbor.decode(payload.control) : undefined;
      if (!Array.isArray(c) || !Number.isInteger(c[0]) || c[0] < 0 || c[0] > 7 || !fact) throw new Error('shape');
      hop = c[0];
    } catch {
      this.rejects.add('malformed');
      return;
    }
    const c = this.members.evidence(sender, now, now);
    if (c) this.hooks.membership?.(c);
    const key = factKey(fact);
    if (this.seen.has(key)) {
      // Heard someone else relay it: cancel our pending relay (and it acks our own packet).
      const i = this.queue.findIndex((q) => q.relay && factKey(q.fact) === key);
      if (i >= 0) this.queue.splice(i, 1);
      this.awaiting.delete(key);
      return;
    }
    this.seen.add(key);
    this.learn(fact, now);
    if (hop > 0) {
      const snr = Math.min(10, Math.max(-20, rx.snr));
      const cw = Math.round(3 + ((snr + 20) / 30) * (8 - 3));
      const delay = 2 * 8 * this.slot + this.random.int(2 ** cw) * this.slot;
      this.enqueue({ fact, hopLimit: hop - 1, due: now + delay, relay: true });
    }
  }

  nextWakeAt(now: number): number {
    let t = this.members.nextTransitionAt();
    for (const a of this.awaiting.values()) t = Math.min(t, a.at);
    const next = this.nextPacket(Infinity);
    if (next) t = Math.min(t, Math.max(next.due, this.duty.nextAllowed(now, this.airtimeOf(next))));
    return t;
  }

  wake(now: number): void {
    for (const c of this.members.tick(now)) this.hooks.membership?.(c);
    for (const [key, a] of this.awaiting) {
      if (a.at > now) continue;
      if (a.left <= 0) {
        this.awaiting.delete(key);
        continue;
      }
      a.left--;
      a.at = now + this.retryTimeout();
      this.enqueue({ fact: a.fact, hopLimit: this.cfg.hopLimit, due: now, relay: false });
    }
  }

  private nextPacket(now: number): Queued | undefined {
    let best: Queued | undefined;
    for (const q of this.queue) {
      if (q.due > now) continue;
      if (!best || priorityOf(q.fact.kind) < priorityOf(best.fact.kind) || (priorityOf(q.fact.kind) === priorityOf(best.fact.kind) && q.due < best.due)) best = q;
    }
    return best;
  }

  private airtimeOf(q: Queued): number {
    return loraTimeOnAir(this.codec.overhead + this.codec.sizeOfFact(q.fact) + 3, this.cfg.lora);
  }

  wantsToTransmit(now: number): boolean {
    const q = this.nextPacket(now);
    return q !== undefined && this.duty.allows(now, this.airtimeOf(q));
  }

  transmit(now: number): Uint8Array | undefined {
    const q = this.nextPacket(now);
    if (!q) return undefined;
    const bytes = this.codec.seal({ time: Math.floor(now), facts: [q.fact], control: cbor.encode([q.hopLimit]) as Uint8Array });
    const air = loraTimeOnAir(bytes.length, this.cfg.lora);
    if (!this.duty.allows(now, air)) return undefined;
    this.duty.record(now, air);
    if (this.cfg.politeGate) this.channelLog.push([now, air]);
    this.queue.splice(this.queue.indexOf(q), 1);
    return bytes;
  }
}
