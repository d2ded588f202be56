/**
 * An operator's order goes on air again until every drone it concerns has answered it. Gossip alone carries a
 * fact once round the mesh (and a second round for urgent ones); on a busy LoRa channel at the edge of range a
 * drone can miss every copy and learn a zone only when anti-entropy finds the gap, minutes later (seen: 90 s
 * in the earthquake town, seed 1, with the channel above 100% occupied). The acknowledgements the drones send
 * (agent/commands.ts) tell the station who has it; the others get it again, at most every `everyS`, and the
 * station's gossip node keeps every repeat within its duty-cycle budget.
 *
 * Which facts: commands (recall, resume, land; to one drone or all), no-fly zones, and missions (with the
 * areas they list, which a drone needs before it can adopt, and so answer, the mission). An order stops
 * going out once answered by all it concerns, when a newer order replaces it (a drone answers only the newest
 * command it holds, and refuses an older mission), when its zone is withdrawn, or after `giveUpS`.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { compareFactIds, factKey, type Fact, type FactId, type NodeId } from '../wire/facts.js';

export interface DeliverySettings {
  /** First repeat this long after the order went out, seconds; each later wait is 1.5 × the last... */
  readonly firstS: number;
  /** ...up to this. */
  readonly everyS: number;
  /** Repeats stop this long after the order was given, seconds. */
  readonly giveUpS: number;
}

export const DEFAULT_DELIVERY: DeliverySettings = { firstS: 8, everyS: 30, giveUpS: 1800 };

interface Order {
  readonly fact: Fact;
  /** Facts that go with it (a mission's areas). */
  readonly with: readonly FactId[];
  readonly givenMs: number;
  nextMs: number;
  waitS: number;
  repeats: number;
}

export interface DeliveryOptions {
  /** Puts one of the station's own facts on air again. */
  readonly resend: (id: FactId) => void;
  /** The drones on the mesh now (members that fly, not yet known gone). */
  readonly drones: () => readonly NodeId[];
  readonly timers: Clock;
  readonly settings?: DeliverySettings;
}

/** Is this one of the facts a drone answers (commands.ts answers exactly these)? */
function isOrder(f: Fact): boolean {
  return f.kind === 'command' || f.kind === 'mission' || (f.kind === 'area' && f.role === 'nofly');
}

const newer = (a: Fact, b: Fact): boolean => (a.t !== b.t ? a.t > b.t : compareFactIds(a, b) > 0);

export class OrderDelivery {
  private readonly orders = new Map<string, Order>();
  /** Fact key → drones that answered it. */
  private readonly answered = new Map<string, Set<NodeId>>();
  private readonly withdrawn = new Set<string>();
  private readonly timer: TimerHandle;
  private readonly s: DeliverySettings;
  /** Facts put on air again, all told. */
  repeats = 0;

  constructor(private readonly o: DeliveryOptions) {
    this.s = o.settings ?? DEFAULT_DELIVERY;
    this.timer = o.timers.setInterval(() => this.tick(), 1000);
  }

  /** Facts this station just gave (its orders among them are followed until answered). */
  gave(facts: readonly Fact[]): void {
    const now = this.o.timers.now();
    for (const f of facts) {
      if (!isOrder(f)) continue;
      const areas = f.kind === 'mission' ? f.areas.filter((a) => a.origin === f.origin) : [];
      this.orders.set(factKey(f), { fact: f, with: areas, givenMs: now, nextMs: now + this.s.firstS * 1000, waitS: this.s.firstS, repeats: 0 });
    }
  }

  /** Facts heard: answers, and withdrawals of zones. */
  heard(facts: readonly Fact[]): void {
    for (const f of facts) {
      if (f.kind === 'ack') {
        const key = factKey(f.target);
        let who = this.answered.get(key);
        if (!who) this.answered.set(key, (who = new Set()));
        who.add(f.origin);
      } else if (f.kind === 'supersede' && f.outcome === 'withdrawn') this.withdrawn.add(factKey(f.target));
    }
  }

  /** Drones an order still waits on (empty: answered by all it concerns, or no longer in force). */
  waitingOn(key: string): NodeId[] {
    const order = this.orders.get(key);
    if (!order || !this.inForce(order.fact)) return [];
    const f = order.fact;
    const concerned = f.kind === 'command' && f.target !== 0 ? this.o.drones().filter((id) => id === f.target) : this.o.drones();
    const who = this.answered.get(key);
    return concerned.filter((id) => !who?.has(id));
  }

  /** Orders still followed, by fact key. */
  pending(): string[] {
    return [...this.orders.keys()];
  }

  close(): void {
    this.o.timers.clearInterval(this.timer);
  }

  private inForce(f: Fact): boolean {
    if (this.withdrawn.has(factKey(f))) return false;
    for (const o of this.orders.values()) {
      const g = o.fact;
      if (g === f || !newer(g, f)) continue;
      if (f.kind === 'mission' && g.kind === 'mission') return false;
      // a newer command for all, or for the same drone, replaces this one
      if (f.kind === 'command' && g.kind === 'command' && (g.target === 0 || g.target === f.target)) return false;
    }
    return true;
  }

  private tick(): void {
    const now = this.o.timers.now();
    for (const [key, order] of this.orders) {
      if (now - order.givenMs > this.s.giveUpS * 1000 || this.waitingOn(key).length === 0) {
        // answered (or replaced): kept only while a newer order's inForce check may need it
        if (!this.inForce(order.fact) || now - order.givenMs > this.s.giveUpS * 1000) this.orders.delete(key);
        continue;
      }
      if (now < order.nextMs) continue;
      this.o.resend(order.fact);
      for (const id of order.with) this.o.resend(id);
      order.repeats++;
      this.repeats++;
      order.waitS = Math.min(this.s.everyS, order.waitS * 1.5);
      order.nextMs = now + order.waitS * 1000;
    }
  }
}
