/**
 * The gossip engine of one node: pure (no timers, no clock, no I/O). The edge feeds it events with the
 * current time (seconds) — a packet heard with its RSSI/SNR, a local fact, a tick — and pulls the packet it
 * wants to send when the radio is free (`transmit`), so the content is decided at the last moment and
 * suppression sees everything heard until then. `nextWakeAt()` says when to call `tick`/`transmit` next.
 *
 * Rules (see docs/gossip.md):
 * - a new durable fact is relayed after a contention delay only if this node adds coverage: packets carry the
 *   sender's position, and a relay is planned when enough of our disc lies outside the discs of those heard
 *   sending the fact (location-based rebroadcast), and cancelled when later copies cover it (Trickle-style
 *   suppression). No hop limit. Facts that arrived together leave together.
 * - every packet carries SUM, a summary of the durable set. A neighbour 1–3 facts behind is repaired from our
 *   recent facts without any digest; a node that stays behind polls, then sends its per-origin digest (ODG);
 *   neighbours answer with what it lacks or with exact HAVE lists. Only missing facts cross the air.
 * - heartbeats: a node's own status is its heartbeat; freshness of every member travels in HB records
 *   (half a byte a member), so a member heard only through others stays alive.
 * - priorities: victims, then roads/hazards/operator facts, then coverage, then status. Heartbeat-only
 *   packets stop at 80% of the duty budget, others' facts at 90%; the rest is for this node's own facts and
 *   requests. As the window fills, relays wait longer and share packets.
 * - the duty cycle (sliding window) is checked before every packet and never exceeded.
 */
import { factKey, priorityOf, type Fact, type FactId, type NodeId, type StatusFact } from '../wire/facts.js';
import { RejectCounter } from '../wire/reject.js';
import { factProblem } from '../wire/fact-check.js';
import { DutyCycleWindow, EU868_1PCT, loraTimeOnAir, SF9_125, type DutyCycleRule, type LoraParams } from './airtime.js';
import type { PacketCodec } from './codec.js';
import { decodeControl, encodeControl, HB_EPOCH_S, HB_MAX_AGE, recordSize, type ControlRecord } from './control.js';
import { SenderGuard, type DefenceConfig, type SenderReport } from './defence.js';
import { Membership, type MemberView, type MembershipChange, type MembershipTimings } from './membership.js';
import type { Random } from '../core/random.js';
import { OwnFactConfirmations } from './own-confirm.js';
import { FactStore, idHash } from './store.js';
import { sameFact, usableUnproven, type Authorship } from './authorship.js';
import { isTeslaAttest } from '../wire/attestation.js';
import { isTagged, tagsOf, tagsRecord, type KeyRecord } from './tesla-proof.js';
import { aliveAtLeast, TESLA_TAG_BYTES } from '../wire/tesla.js';
import { AnswerBudget } from './answer-budget.js';
import { demodSnrDb, Neighbourhood, type Heard, type RelayPlanConfig } from './relay-plan.js';

export interface GossipConfig {
  readonly self: NodeId;
  readonly lora: LoraParams;
  readonly duty: DutyCycleRule;
  /** Share of the regional budget the engine allows itself (headroom for rounding at the edge). */
  readonly budgetShare: number;
  /** Fraction of the budget kept for this node's own facts: relays and repairs stop above 1 − this. */
  readonly ownReserve: number;
  /** Share of the budget kept for this node's own facts alone (its requests stop short of it). */
  readonly ownOnlyReserve: number;
  /** Fraction of the budget kept for urgent facts: status/heartbeat-only packets stop above 1 − this. */
  readonly lowPriorityReserve: number;
  /** Pending facts due within this many seconds ride along in a packet being sent anyway. */
  readonly coalesceS: number;
  /** Share of the duty budget used above which relays wait longer (pacing, up to 7 × at the full budget). */
  readonly pacingFrom: number;
  /**
   * Relays of facts this urgent or more (1: victims, roads, hazards, orders) are paced only above
   * `latePacingFrom` of the budget: from `pacingFrom` (a quarter), pacing stretched a first wave's hops to 5-8 s
   * each at the ≈ 70% the engine runs at (bench gossip, N = 50: p95 23 s). Never unpaced: a central node relaying
   * every wave at full speed reached its cap and could no longer ask for what it had missed. -1: none.
   */
  readonly latePacingPriority: number;
  readonly latePacingFrom: number;
  /**
   * Relay contention: a relay that would reach `relayFullGain` or more neighbours the sender did not goes in
   * the first slot, one that adds less waits up to `relaySlots` slots of `relaySlotS` (a packet's airtime and
   * some), so that the relays that add most go first and the others hear them and stand down.
   */
  readonly relaySlotS: number;
  /** Relay contention delay range when positions are unknown, seconds (weak signal → low end). */
  readonly relayDelayS: readonly [number, number];
  readonly relaySlots: number;
  readonly relayFullGain: number;
  /** A relay (planned or waiting) that would reach fewer new neighbours than this (expected) is not sent. */
  readonly relayMinGain: number;
  /** The neighbourhood seen by relay selection (relay-plan.ts); the demodulation floor follows `lora`. */
  readonly neighbourhood: Omit<RelayPlanConfig, 'demodSnrDb'>;
  /** SNR range mapped onto the delay range (dB). */
  readonly snrRange: readonly [number, number];
  /** Copies heard from others that cancel a pending relay (Trickle's k), when positions are unknown. */
  readonly suppressCopies: number;
  /**
   * Facts of this priority or more urgent (0: victims) are relayed by every node that learns them, unless it
   * hears `urgentCopies` copies first: where airtime allows, a sighting should not depend on geometry that
   * a grey zone or a collision proves wrong. -1: no fact is treated so.
   */
  readonly urgentPriority: number;
  readonly urgentCopies: number;
  /**
   * Rounds an urgent fact may go (see secondRound): the second always, later ones only while the node knows fewer
   * than `urgentCopies` others holding it and hears a neighbour not known to hold it.
   */
  readonly urgentRounds: number;
  /** A node that sent nothing for this long sends a heartbeat packet (± jitter). */
  readonly beaconIntervalS: number;
  /** Summary records ride on packets at most this often (heartbeats, polls and digests always carry one). */
  readonly sumEveryS: number;
  /** Heartbeat records ride on packets at most this often (beacons always carry one). */
  readonly hbEveryS: number;
  /** Own status goes into packets at most this often. */
  readonly ownStatusEveryS: number;
  readonly statusRelayPerBeacon: number;
  readonly membership: MembershipTimings;
  /** A summary mismatch must persist this long (with no new facts learned) before anti-entropy starts. */
  readonly repairSettleS: number;
  /**
   * A summary showing more facts than we hold keeps counting towards `repairSettleS` after we learn something,
   * once nothing has been learned for this long (see mismatchLive). 0: learning restarts the settle.
   */
  readonly settleGapS: number;
  /**
   * Same count, different sets: each side lacks something. The side with the smaller hash asks after
   * `repairSettleS`; with this > 0 the other side asks too, after this many times that, in case the first
   * never hears it (a quiet member: a landed drone that only beacons). 0: only the smaller asks.
   */
  readonly tieAskAfterSettles: number;
  /** A fact this node sent is not sent again as a repair before this many seconds. */
  readonly repeatAfterS: number;
  /**
   * An own durable fact that, this long after it went on air, no other member is known to hold (no relay
   * heard, no HAVE, no matching summary) is sent again, up to `ownRetries` times, the wait doubling each time:
   * a node at the edge whose only copy was lost would otherwise keep it until anti-entropy, which waits while
   * the node keeps learning others' facts. 0 retries: off.
   */
  readonly ownConfirmS: number;
  readonly ownRetries: number;
  /** Recent facts are offered to a neighbour that lacks them only once we have held them this long. */
  readonly reconcileAfterS: number;
  readonly odgMinIntervalS: number;
  /**
   * A node at least this many facts behind names, in its digest, the neighbour that should answer (the one
   * whose summary showed it ahead); the others stay silent. Nearer, anyone answers.
   */
  readonly odgNameMinGap: number;
  /** A digest answered in part, or a named one that stayed unanswered, is followed up after this long... */
  readonly odgRetryS: number;
  /** ...this many times, after one sent at the usual interval... */
  readonly odgFollowUps: number;
  /** ...while the node has used less than this share of its duty budget (a busy channel repairs itself). */
  readonly odgQuietShare: number;
  /** Bytes of ODG per packet. */
  readonly odgPageBytes: number;
  readonly defence: DefenceConfig;
  /** New durable facts accepted from one origin per 10 minutes (a member creating more is flooding). */
  readonly maxFactsPerOrigin: number;
}

export function defaultGossipConfig(self: NodeId, over: Partial<GossipConfig> = {}): GossipConfig {
  return {
    self,
    lora: SF9_125,
    duty: EU868_1PCT,
    budgetShare: 0.95,
    lowPriorityReserve: 0.2,
    ownReserve: 0.1,
    // room for about one packet of own facts an hour at the regional 1%
    ownOnlyReserve: 0.015,
    relaySlotS: 0.4,
    relayDelayS: [1, 6],
    relaySlots: 10,
    relayFullGain: 8,
    relayMinGain: 1,
    neighbourhood: { keepS: 180, pathLossExponent: 2.8, sigmaDb: 4, linkLoss: 0.2, coverLoss: 0, bridgeMiss: 0.9, bridgeGain: 1, defaultRangeM: 1500 },
    pacingFrom: 0.25,
    latePacingPriority: 1,
    latePacingFrom: 0.75,
    coalesceS: 2,
    snrRange: [-15, 10],
    suppressCopies: 1,
    urgentPriority: -1,
    urgentCopies: 3,
    urgentRounds: 12,
    beaconIntervalS: 300,
    ownStatusEveryS: 300,
    hbEveryS: 240,
    sumEveryS: 20,
    statusRelayPerBeacon: 2,
    membership: { suspectAfterS: 1200, deadAfterS: 1800 },
    repairSettleS: 15,
    settleGapS: 3,
    tieAskAfterSettles: 0,
    // 5 s: a first-wave relay of a fact is over within seconds, so a neighbour whose summary still lacks it
    // after that missed it (15 s cost the N = 50 benchmark 4–12 s of p95 over seeds 1–3, at no airtime saved)
    reconcileAfterS: 5,
    repeatAfterS: 120,
    ownConfirmS: 30,
    ownRetries: 3,
    odgMinIntervalS: 90,
    odgNameMinGap: 10,
    odgRetryS: 20,
    odgFollowUps: 1,
    odgQuietShare: 0.3,
    odgPageBytes: 110,
    // An honest engine paces itself well under 8% over two minutes; a flooder trips this within a minute or two.
    defence: { maxAirtimeFraction: 0.08, windowS: 120, throttleS: 900, invalidReportAfter: 5 },
    maxFactsPerOrigin: 30,
    ...over,
  };
}

export interface RxInfo {
  readonly rssi: number;
  readonly snr: number;
}

/** What an event changed, for the edge (map merge, UI, logs). */
export interface GossipActions {
  /** Facts proven to come from their origin (with authorship; every fact heard without it). */
  readonly learned: Fact[];
  /** Unproven facts whose forgery costs at most a look (victims, roads, hazards): usable at once. */
  readonly provisional: Fact[];
  readonly membership: MembershipChange[];
  readonly reports: SenderReport[];
}

export interface GossipStats {
  packetsSent: number;
  bytesSent: number;
  airtimeS: number;
  packetsHeard: number;
  rejects: RejectCounter;
  throttled: number;
  /** Bytes of anti-entropy records sent (ODG + HAVE). */
  antiEntropyControlBytes: number;
  /** Bytes of facts sent to answer a digest or HAVE (repairs). */
  repairFactBytes: number;
  digestBytes: number;
  heartbeatBytes: number;
  factBytes: number;
  beacons: number;
  /** Durable facts put on the air (first-hand, relayed, repaired). */
  factSends: number;
  odgPages: number;
  haveRecords: number;
}

interface Point {
  readonly x: number;
  readonly y: number;
}

interface Pending {
  readonly fact: Fact;
  due: number;
  copies: number;
  readonly repair: boolean;
  /** The transmitters heard sending it, and where (relay selection: relay-plan.ts). */
  heard?: Heard[];
  /** A repair for one neighbour (dropped when its summary matches ours). */
  forPeer?: NodeId;
  /** Relayed whatever the geometry (see urgentPriority). */
  urgent?: boolean;
  /** Urgent facts go round more than once (see secondRound): the round this is. */
  round?: number;
}

interface Mismatch {
  /** The neighbour whose summary differed. */
  from: NodeId;
  count: number;
  hash: number;
}

const EMPTY = (): GossipActions => ({ learned: [], provisional: [], membership: [], reports: [] });

export class GossipNode {
  readonly store = new FactStore();
  readonly members: Membership;
  readonly guard: SenderGuard;
  readonly stats: GossipStats;
  private readonly duty: DutyCycleWindow;
  private readonly pending = new Map<string, Pending>();
  private readonly statusDirty = new Map<NodeId, StatusFact>();
  private readonly haves = new Map<NodeId, { due: number; seqs: number[] }>();
  /** Since when summaries heard differ from ours (reset by learning something). */
  private mismatchSince: number | undefined;
  private lastMismatch: Mismatch | undefined;
  private readonly synced = new Map<NodeId, number>();
  /** The last summary heard from each neighbour, to pick whom a digest asks. */
  private readonly sums = new Map<NodeId, { count: number; hash: number; at: number }>();
  private readonly heldBy = new Map<string, Set<NodeId>>();
  private readonly neighbours = new Map<NodeId, { at: number; snr: number; rssi: number }>();
  /** Neighbours heard lately, where and how well: whom a relay would reach (relay-plan.ts). */
  private readonly hood: Neighbourhood;
  private ownStatus: StatusFact | undefined;
  private position: Point | undefined;
  private ownStatusSentAt = -Infinity;
  private hbSentAt = -Infinity;
  private sumSentAt = -Infinity;
  private readonly sentAt = new Map<string, number>();
  private readonly originRelays = new Map<NodeId, number[]>();
  private readonly floodingOrigins = new Map<NodeId, number>();
  private lastTxAt: number;
  private beaconAt: number;
  private lastLearnAt = -Infinity;
  private odgDue: number | undefined;
  /** A summary-only packet asked for by anti-entropy (see openAntiEntropy). */
  private pollDue: number | undefined;
  private polls = 0;
  private odgCursor = 0;
  private odgSentAt = -Infinity;
  /** Whom the digest being sent asks to answer (0: anyone), and whom the last one asked. */
  private odgTo: NodeId | 0 = 0;
  private odgAskedTo: NodeId | 0 = 0;
  /** Follow-up digests sent since the last one at the usual interval. */
  private odgRounds = 0;
  /** When to check that an addressed digest was answered, and the mismatch that opened it. */
  private odgCheck: { at: number; m: Mismatch } | undefined;
  private odgMismatch: Mismatch | undefined;
  private readonly haveSentAt = new Map<NodeId, number>();
  /** After a due packet could not be built (budget), wait before trying again. */
  private holdUntil = -Infinity;
  /** Own durable facts on air, checked later for someone else holding them (see ownConfirmS). */
  private readonly ownFacts: OwnFactConfirmations;

  /** Unproven facts whose relay was decided when they arrived (authorship: not relayed again on proof). */
  private readonly relayConsidered = new Set<string>();
  /** Answers to others' requests, budgeted per requester and in all (answer-budget.ts). */
  private readonly answers: AnswerBudget;

  constructor(
    readonly cfg: GossipConfig,
    readonly codec: PacketCodec,
    private readonly random: Random,
    now: number,
    /** Authorship (authorship.ts): without it, every fact is taken as coming from its origin field. */
    readonly auth?: Authorship,
  ) {
    if (auth) auth.storedFact = (origin, seq) => this.store.get({ origin, seq })?.fact;
    this.answers = new AnswerBudget(cfg.duty.fraction * cfg.budgetShare * cfg.duty.windowS, {
      totalShare: 0.3,
      perRequesterShare: 0.1,
      windowS: cfg.duty.windowS,
      // answers go out in small packets that also carry the summary and position: charge that share too
      secondsPerByte: loraTimeOnAir(64, cfg.lora) / 32,
    });
    this.members = new Membership(cfg.self, cfg.membership);
    this.hood = new Neighbourhood({ ...cfg.neighbourhood, demodSnrDb: demodSnrDb(cfg.lora.sf) });
    this.guard = new SenderGuard(cfg.defence);
    this.duty = new DutyCycleWindow({ fraction: cfg.duty.fraction * cfg.budgetShare, windowS: cfg.duty.windowS });
    this.ownFacts = new OwnFactConfirmations({ confirmS: cfg.ownConfirmS, retries: cfg.ownRetries }, () => random.range(1, 1.3));
    this.stats = {
      packetsSent: 0, bytesSent: 0, airtimeS: 0, packetsHeard: 0, rejects: new RejectCounter(), throttled: 0,
      antiEntropyControlBytes: 0, repairFactBytes: 0, digestBytes: 0, heartbeatBytes: 0, factBytes: 0, beacons: 0, factSends: 0, odgPages: 0, haveRecords: 0,
    };
    this.lastTxAt = now;
    // First heartbeat soon after boot, spread so a swarm booting together does not collide.
    this.beaconAt = now + random.range(1, 10);
  }

  get self(): NodeId {
    return this.cfg.self;
  }

  // ---- events -------------------------------------------------------------------------------------------

  /** Own position (area frame metres), from the autopilot; it rides in every packet for relay pruning. */
  setPosition(p: Point): void {
    this.position = { x: p.x, y: p.y };
  }

  /** A fact created by this node (sensor, operator, own status). */
  addLocal(fact: Fact, now: number): GossipActions {
    // A fact that cannot go on air is the caller's bug: say so here, not later inside a transmission.
    const problem = factProblem(fact);
    if (problem) throw new RangeError(`local fact ${fact.origin}:${fact.seq} cannot be sent: ${problem}`);
    const out = EMPTY();
    if (fact.kind === 'status') {
      if (this.store.addStatus(fact)) {
        this.ownStatus = fact;
        // the status says where we are: the position our packets carry follows it (setPosition may be fresher)
        this.position = { x: fact.pos.x, y: fact.pos.y };
        out.learned.push(fact);
      }
      return out;
    }
    if (this.auth) {
      // Own facts enter the store (and so summaries and anti-entropy) with their attestation: before it,
      // nobody else could prove them, and summaries would differ for nothing.
      if (this.store.has(fact) || !this.auth.noteOwn(fact, now)) return out;
      // tagged (tesla-proof.ts): provable by others once its key is out, so it counts as held from now
      if (this.auth.tagOf(fact)) this.store.addDurable(fact, now);
      this.addHolder(fact, this.self);
      this.pending.set(factKey(fact), { fact, due: now, copies: 0, repair: false, ...(this.isUrgent(fact) ? { urgent: true } : {}) });
      out.learned.push(fact);
      this.ownAttestation(now);
      return out;
    }
    if (this.store.addDurable(fact, now)) {
      this.lastLearnAt = now;
      this.addHolder(fact, this.self);
      this.pending.set(factKey(fact), { fact, due: now, copies: 0, repair: false, ...(this.isUrgent(fact) ? { urgent: true } : {}) });
      out.learned.push(fact);
    }
    return out;
  }

  /**
   * Puts one of this node's own durable facts on air again, with the attestation that proves it: the ground
   * station repeats an operator's order until every drone it concerns has answered (gcs/order-delivery.ts).
   * False when the fact is not this node's, not held, or already due to go.
   */
  resend(id: FactId, now: number): boolean {
    if (id.origin !== this.self) return false;
    const held = this.store.get(id);
    if (!held) return false;
    let queued = false;
    const again = (f: Fact) => {
      const key = factKey(f);
      const waiting = this.pending.get(key);
      if (waiting) {
        // a second round or a confirmation set for later goes now
        if (waiting.due > now) (waiting.due = now), (queued = true);
        return;
      }
      // a repeat is not followed by rounds of its own
      this.pending.set(key, { fact: f, due: now, copies: 0, repair: false, ...(this.isUrgent(f) ? { urgent: true, round: this.cfg.urgentRounds } : {}) });
      queued = true;
    };
    again(held.fact);
    if (this.auth) for (const f of this.store.factsOf(this.self)) if (f.kind === 'attest' && f.from <= id.seq && id.seq <= f.to) again(f);
    return queued;
  }

  /** Our own attestation, when due (authorship.ts): a durable fact of ours, sent like the others. */
  private ownAttestation(now: number): void {
    // MACed (tesla-proof.ts): sent, never stored (a copy heard late proves nothing, so it is not repaired)
    const m = this.auth?.makeOwnTesla(now, this.ownStatus);
    if (m) {
      for (const f of this.auth!.lastTeslaCovered) this.store.addDurable(f, now);
      this.pending.set(factKey(m), { fact: m, due: now, copies: 0, repair: false });
      if (m.statusSeq > 0) this.ownStatusSentAt = -Infinity;
    }
    const a = this.auth?.makeOwn(now, this.ownStatus);
    if (!a) return;
    for (const f of this.auth!.lastCovered) this.store.addDurable(f, now);
    if (!this.store.addDurable(a, now)) return;
    this.lastLearnAt = now;
    this.addHolder(a, this.self);
    this.pending.set(factKey(a), { fact: a, due: now, copies: 0, repair: false });
    // the status it names must be on air for others to prove it
    if (a.statusSeq > 0) this.ownStatusSentAt = -Infinity;
  }

  /** A packet heard on the radio. Never throws: bad input is a counted, typed rejection. */
  receive(bytes: Uint8Array, rx: RxInfo, now: number): GossipActions {
    const out = EMPTY();
    this.stats.packetsHeard++;
    const opened = this.codec.open(bytes);
    if (!opened.ok) {
      this.stats.rejects.add(opened.reason);
      const r = this.guard.invalid(opened.claimedSender, opened.reason, now);
      if (r) out.reports.push(r);
      return out;
    }
    const { sender, payload } = opened.value;
    if (sender === this.self) return out;
    const admitted = this.guard.admit(sender, loraTimeOnAir(bytes.length, this.cfg.lora), now);
    // With authorship the packet's sender field is not evidence of anything (any member can write any id
    // there): it is not throttled on, and budgets key on proven origins instead.
    if (admitted !== true && !this.auth) {
      this.stats.throttled++;
      if (admitted !== false) out.reports.push(admitted);
      return out;
    }
    let control: ControlRecord[] = [];
    if (payload.control) {
      const c = decodeControl(payload.control);
      if (!c.ok) {
        this.stats.rejects.add(c.reason);
        const r = this.guard.invalid(sender, c.reason, now);
        if (r) out.reports.push(r);
        return out;
      }
      control = c.value;
    }
    this.neighbours.set(sender, { at: now, snr: rx.snr, rssi: rx.rssi });
    const pos = control.find((r) => r.type === 'pos');
    const senderAt = pos && pos.type === 'pos' ? { x: pos.x, y: pos.y } : undefined;
    if (!this.auth) this.alive(out, sender, now, now);
    this.hood.heard(sender, rx.snr, senderAt, now);

    let relayDue: number | undefined;
    // Facts that arrived together leave together: one contention delay per packet heard, stretched by budget
    // pacing, later for urgent enough facts (see latePacingPriority).
    const late = payload.facts.some((f) => f.kind !== 'status' && priorityOf(f.kind) <= this.cfg.latePacingPriority);
    const relayAt = (gain: number | undefined) => (relayDue ??= now + this.relayDelay(gain, rx.snr) * this.pacing(now, late ? this.cfg.latePacingFrom : this.cfg.pacingFrom));
    const tags = this.auth ? tagsOf(payload.facts, control) : undefined;
    for (const f of payload.facts) {
      if (this.auth) {
        this.receiveAuthored(f, sender, senderAt, relayAt, now, out, tags?.get(f));
        continue;
      }
      if (f.kind === 'status') {
        if (f.origin === this.self) continue;
        if (this.store.addStatus(f)) {
          out.learned.push(f);
          if (f.origin !== sender) this.statusDirty.set(f.origin, f);
          this.alive(out, f.origin, Math.min(f.t, now), now);
        } else {
          // Someone else already relayed this status (or a newer one): no need for us to.
          const d = this.statusDirty.get(f.origin);
          if (d && d.seq <= f.seq) this.statusDirty.delete(f.origin);
        }
        continue;
      }
      const key = factKey(f);
      if (!this.store.has(f) && !this.originAllowed(f.origin, now, out)) continue; // a flooding origin
      this.addHolder(f, sender);
      this.addHolder(f, f.origin);
      if (this.store.addDurable(f, now)) {
        this.lastLearnAt = now;
        this.polls = 0; // progress: a later gap starts with cheap polls again
        // a member's own fact (its coverage, a sighting) says it was alive when it made it
        this.alive(out, f.origin, Math.min(f.t, now), now);
        out.learned.push(f);
        this.scheduleRelay(f, sender, senderAt, relayAt, now);
      } else this.heardCopy(key, sender, senderAt, now);
    }
    if (this.auth) for (const rec of control) if (rec.type === 'key') this.onKey(rec, sender, relayAt, now, out);
    for (const rec of control) this.onControl(sender, payload.time, rec, now, out);
    return out;
  }

  /** A disclosed key (tesla-proof.ts): the MACed attestations it checks are their origins' word. */
  private onKey(rec: KeyRecord, sender: NodeId, relayAt: (gain: number | undefined) => number, now: number, out: GossipActions): void {
    const r = this.auth!.disclosure(rec, sender, now);
    if (r.refused) {
      this.stats.rejects.add('bad_tag');
      return;
    }
    for (const a of r.verified) this.alive(out, a.origin, Math.min(a.t, now), now);
    // only the member could have let this key out: it was alive then, whoever passed the key on
    if (r.isNew && rec.origin !== this.self) this.alive(out, rec.origin, Math.min(now, aliveAtLeast(rec.interval, this.auth!.tesla.timing)), now);
    this.onProven(r.proven, sender, relayAt, now, out);
  }

  /**
   * A fact heard, with authorship: attestations are checked on their own and stored; other facts are held
   * by the authorship module until an attestation proves them, then stored and passed on as learned.
   */
  private receiveAuthored(f: Fact, sender: NodeId, senderAt: Point | undefined, relayAt: (gain: number | undefined) => number, now: number, out: GossipActions, tag?: Uint8Array): void {
    const auth = this.auth!;
    if (f.origin === this.self) return;
    const key = factKey(f);
    if (f.kind === 'status') {
      const cur = this.store.latestStatus(f.origin);
      if (cur && cur.seq >= f.seq) {
        const d = this.statusDirty.get(f.origin);
        if (d && d.seq <= f.seq) this.statusDirty.delete(f.origin);
        return;
      }
      const r = auth.hold(f, now, sender, tag);
      if (r.kind === 'rejected') this.stats.rejects.add(r.reason);
      else if (r.kind === 'held') this.onProven(r.proven, sender, relayAt, now, out);
      return;
    }
    const stored = this.store.get(f);
    if (stored) {
      if (!sameFact(stored.fact, f)) {
        this.stats.rejects.add('bad_tag'); // another fact under a proven id: a forgery
        auth.counts.forged++;
        return;
      }
      this.heardCopy(key, sender, senderAt, now);
      return;
    }
    if (f.kind === 'attest' && isTeslaAttest(f)) {
      const r = auth.teslaAttestation(f, now, sender);
      if (r.kind === 'rejected') this.stats.rejects.add(r.reason);
      else if (r.kind !== 'held') this.heardCopy(key, sender, senderAt, now);
      else if (r.relay) this.scheduleRelay(f, sender, senderAt, relayAt, now);
      return;
    }
    if (f.kind === 'attest') {
      const r = auth.attestation(f, now);
      if (!r.ok) {
        this.stats.rejects.add(r.reason ?? 'bad_tag');
        return;
      }
      this.addHolder(f, sender);
      this.store.addDurable(f, now);
      this.lastLearnAt = now;
      this.alive(out, f.origin, Math.min(f.t, now), now);
      this.scheduleRelay(f, sender, senderAt, relayAt, now);
      this.onProven(r.proven, sender, relayAt, now, out);
      return;
    }
    const r = auth.hold(f, now, sender, tag);
    if (r.kind === 'rejected') {
      this.stats.rejects.add(r.reason);
      return;
    }
    if (r.kind === 'dup') {
      this.heardCopy(key, sender, senderAt, now);
      return;
    }
    if (usableUnproven(f) && !r.proven.includes(f)) out.provisional.push(f);
    if (r.relay && !r.proven.includes(f)) this.scheduleRelay(f, sender, senderAt, relayAt, now);
    this.onProven(r.proven, sender, relayAt, now, out);
  }

  /** Facts an attestation proved: into the store, learned, relayed if they have not been yet. */
  private onProven(facts: readonly Fact[], sender: NodeId, relayAt: (gain: number | undefined) => number, now: number, out: GossipActions): void {
    for (const p of facts) {
      if (p.kind === 'status') {
        if (this.store.addStatus(p)) {
          out.learned.push(p);
          if (p.origin !== sender) this.statusDirty.set(p.origin, p);
          this.alive(out, p.origin, Math.min(p.t, now), now);
        }
        continue;
      }
      if (!this.originAllowed(p.origin, now, out)) continue; // an authenticated origin flooding
      if (!this.store.addDurable(p, now)) continue;
      this.addHolder(p, sender);
      this.addHolder(p, p.origin);
      this.lastLearnAt = now;
      this.polls = 0;
      out.learned.push(p);
      // Relayed unproven already (or suppressed then by copies heard): proof adds nothing to send.
      if (!this.relayConsidered.delete(factKey(p))) this.scheduleRelay(p, sender, undefined, relayAt, now);
    }
  }

  /**
   * A new fact to pass on after the contention delay, if this node adds coverage (relay-plan.ts): the more
   * neighbours it would reach that the sender did not, the earlier. Urgent facts are relayed whatever the gain,
   * in the slot the gain gives, unless `urgentCopies` copies are heard first.
   */
  private scheduleRelay(f: Fact, sender: NodeId, senderAt: Point | undefined, relayAt: (gain: number | undefined) => number, now: number): void {
    const key = factKey(f);
    if (f.kind !== 'attest' && !this.store.has(f)) this.relayConsidered.add(key);
    const urgent = this.isUrgent(f);
    if (!this.position || !senderAt) {
      // Without positions (ours or the sender's) there is no telling whom the sender reached: relay after a
      // slot by signal (weaker → earlier), cancelled by `suppressCopies` copies (Trickle's k).
      this.pending.set(key, { fact: f, due: relayAt(undefined), copies: 0, repair: false, ...(urgent ? { urgent } : {}) });
      return;
    }
    const heard: Heard[] = [{ id: sender, pos: senderAt }];
    const gain = this.hood.gain(this.position, heard, this.heldBy.get(key), now);
    if (!urgent && gain < this.cfg.relayMinGain) return;
    this.pending.set(key, { fact: f, due: relayAt(gain), copies: 0, repair: false, heard, ...(urgent ? { urgent } : {}) });
  }

  /** Another copy of a fact we hold or wait to relay: suppression (see scheduleRelay). */
  private heardCopy(key: string, sender: NodeId, senderAt: Point | undefined, now: number): void {
    const p = this.pending.get(key);
    if (!p) return;
    p.copies++;
    if (p.urgent) {
      // Copies stop an urgent relay only once the fact has crossed (see mayBeUnreached): copies from the few
      // members that hold it, all on this side, do not; past the second round, nothing else does.
      if ((p.copies >= this.cfg.urgentCopies || (p.round ?? 1) > 2) && !this.mayBeUnreached(p.fact, now)) {
        this.pending.delete(key);
        this.secondRound(p, now);
      }
      return;
    }
    if (p.heard) {
      p.heard.push({ id: sender, pos: senderAt });
      if (this.hood.gain(this.position, p.heard, this.heldBy.get(key), now) < this.cfg.relayMinGain) this.pending.delete(key);
    } else if (p.copies >= this.cfg.suppressCopies) this.pending.delete(key);
  }

  /** Relayed by every node that learns it, whatever the geometry (see urgentPriority). */
  private isUrgent(f: Fact): boolean {
    return priorityOf(f.kind) <= this.cfg.urgentPriority;
  }

  /**
   * An urgent fact goes round a second time, 20–40 s later, unless enough copies are heard by then: a member
   * that lost every copy of the first round to collisions or a grey zone gets another chance within a minute,
   * without waiting for anti-entropy. Later rounds, every 5–10 s up to `urgentRounds`, only where it may not
   * have crossed (mayBeUnreached).
   */
  private secondRound(p: Pending, now: number): void {
    const round = p.round ?? 1;
    if (!p.urgent || round >= this.cfg.urgentRounds) return;
    const key = factKey(p.fact);
    if (this.pending.has(key)) return;
    if (round >= 2 && !this.mayBeUnreached(p.fact, now)) return;
    // the later rounds of a fact stuck near its origin are short packets among few members: every 5-10 s
    const wait = round >= 2 ? this.random.range(5, 10) : this.random.range(20, 40);
    this.pending.set(key, { fact: p.fact, due: now + wait, copies: 0, repair: false, urgent: true, round: round + 1 });
  }

  /**
   * An urgent fact may not have crossed from here yet while this node knows fewer than `urgentCopies` others
   * holding it (copies heard, HAVE lists, matching summaries) and has heard lately a neighbour not known to hold
   * it: copies do not stop its relay then, and it goes round again after the second round. A few members near its
   * origin (drones by the ground station) may be the only ones holding it, each hearing only the others' copies,
   * while their packets to the rest of the swarm, weak over there, are lost to collisions on its busy channel:
   * counting those copies as coverage stopped it there
   * (earthquake town, 20 drones, seed 1: the operator's zone reached the swarm 110 s late). A member that got it
   * relays it, and is heard holding it.
   */
  private mayBeUnreached(fact: FactId, now: number): boolean {
    const holders = new Set(this.holdersOf(fact));
    holders.delete(this.self);
    if (holders.size >= this.cfg.urgentCopies) return false;
    for (const [id, n] of this.neighbours) if (now - n.at <= 60 && !holders.has(id)) return true;
    return false;
  }

  /** Time passing: membership timeouts and anti-entropy checks. */
  tick(now: number): GossipActions {
    const out = EMPTY();
    for (const c of this.members.tick(now)) out.membership.push(c);
    if (this.auth) {
      this.auth.expire(now);
      this.ownAttestation(now);
    }
    this.checkMismatch(now);
    let lastHeardAt = -Infinity;
    for (const n of this.neighbours.values()) lastHeardAt = Math.max(lastHeardAt, n.at);
    const again = this.ownFacts.due(now, lastHeardAt, (k) => this.pending.has(k), (f) => this.holdersOf(f).some((id) => id !== this.self));
    for (const f of again) this.pending.set(factKey(f), { fact: f, due: now, copies: 0, repair: false, ...(this.isUrgent(f) ? { urgent: true, round: this.cfg.urgentRounds } : {}) });
    const check = this.odgCheck;
    if (check && now >= check.at) {
      this.odgCheck = undefined;
      // Nothing learned since the digest, so our summary is what it was then: did the one named show the same?
      const theirs = this.sums.get(this.odgAskedTo);
      const inStep = theirs !== undefined && theirs.at >= this.odgSentAt && theirs.count === this.store.count && theirs.hash === this.store.hash;
      if (this.lastLearnAt < this.odgSentAt && !inStep) this.openAntiEntropy(check.m, now);
    }
    return out;
  }

  // ---- transmitting -------------------------------------------------------------------------------------

  /** Earliest time something may change or be sent (call tick/transmit then). */
  nextWakeAt(now: number): number {
    let t = Math.min(this.members.nextTransitionAt(), this.odgCheck?.at ?? Infinity);
    t = Math.min(t, this.ownFacts.nextAt());
    if (this.auth) t = Math.min(t, Math.max(now, this.auth.ownDueAt()), Math.max(now, this.auth.ownTeslaDueAt()));
    if (this.lastMismatch && this.mismatchLive())
      t = Math.min(t, this.settleEnd(this.lastMismatch) + 1e-6);
    // When each kind of traffic is due, and when its share of the duty budget lets it go.
    let own = Infinity;
    let others = Infinity;
    let attests = Infinity;
    for (const p of this.pending.values()) {
      if (p.fact.origin === this.self) own = Math.min(own, p.due);
      else if (p.fact.kind === 'attest' && !isTeslaAttest(p.fact)) attests = Math.min(attests, p.due);
      else others = Math.min(others, p.due);
    }
    let requests = Infinity;
    for (const h of this.haves.values()) requests = Math.min(requests, h.due);
    if (this.odgDue !== undefined) requests = Math.min(requests, this.odgDue);
    if (this.pollDue !== undefined) requests = Math.min(requests, this.pollDue);
    const minAir = this.wantedAirtime(Math.max(now, Math.min(own, others, requests)));
    const budget = this.duty.budgetS;
    const gate = (due: number, reserve: number) =>
      due === Infinity ? Infinity : Math.max(due, this.holdUntil, this.duty.nextAllowed(Math.max(now, due), minAir + reserve * budget));
    t = Math.min(t, gate(own, 0), gate(requests, this.cfg.ownOnlyReserve), gate(others, this.cfg.ownReserve), gate(this.beaconAt, this.cfg.lowPriorityReserve));
    if (attests < Infinity) t = Math.min(t, gate(attests, 0.5)); // others' attestations: see mayGo
    if (this.auth) t = Math.min(t, gate(this.auth.tesla.ownDueAt(), 0));
    return t;
  }

  /** True if a packet is due now and the duty cycle allows one. */
  wantsToTransmit(now: number): boolean {
    return now >= this.holdUntil && this.dueKind(now) !== undefined && this.duty.allows(now, this.wantedAirtime(now));
  }

  /**
   * Airtime of the packet worth sending now: everything due (up to the MTU). When the budget is short, a
   * node waits until that fits rather than trickling out one small packet per fact (batching).
   */
  private wantedAirtime(now: number): number {
    let bytes = this.codec.overhead + 24;
    let ownNew: number | undefined;
    // only what may go now: relays held back by the reserve must not keep an own fact waiting for their room
    const relayOk = this.othersAllowed(now);
    const attestOk = this.attestRelayAllowed(now);
    for (const p of this.pending.values()) {
      if (p.due > now || !this.mayGo(p, relayOk, attestOk)) continue;
      const size = this.codec.sizeOfFact(p.fact);
      bytes += size;
      if (p.fact.origin === this.self && !p.repair) ownNew = Math.min(ownNew ?? Infinity, size);
    }
    const all = loraTimeOnAir(Math.min(this.codec.maxPacketBytes, bytes), this.cfg.lora);
    // A fact of our own does not wait for room for the whole batch: it goes alone if that is what fits.
    if (ownNew !== undefined && !this.duty.allows(now, all)) return loraTimeOnAir(this.codec.overhead + 24 + ownNew, this.cfg.lora);
    return all;
  }

  private dueKind(now: number): 'urgent' | 'beacon' | undefined {
    const relayOk = this.othersAllowed(now);
    const attestOk = this.attestRelayAllowed(now);
    for (const p of this.pending.values()) if (p.due <= now && this.mayGo(p, relayOk, attestOk)) return 'urgent';
    if (this.auth && this.auth.tesla.ownDueAt() <= now) return 'urgent';
    // Requests for what this node lacks (digest, HAVE lists, polls) may use most of the reserve: they serve it.
    if (this.requestsAllowed(now)) {
      for (const h of this.haves.values()) if (h.due <= now) return 'urgent';
      if (this.odgDue !== undefined && this.odgDue <= now) return 'urgent';
      if (this.pollDue !== undefined && this.pollDue <= now) return 'urgent';
    }
    if (this.beaconAt <= now && this.lowPriorityAllowed(now)) return 'beacon';
    return undefined;
  }

  /**
   * A pending fact may go on air now: our own always, others' while relays are allowed (see othersAllowed),
   * others' attestations only while the node has used less than half its budget: they are the costliest
   * facts (a 64-byte signature), and a sighting must not wait for proof of another.
   */
  private mayGo(p: Pending, relayOk: boolean, attestOk = true): boolean {
    // (a MACed attestation is small, and proves nothing unless relayed before its key is out)
    return p.fact.origin === this.self || (relayOk && (attestOk || p.fact.kind !== 'attest' || isTeslaAttest(p.fact)));
  }

  private attestRelayAllowed(now: number): boolean {
    return this.duty.allows(now, loraTimeOnAir(this.codec.overhead + 16, this.cfg.lora) + 0.5 * this.duty.budgetS);
  }

  /** Others' facts (relays, repairs) stop short of the budget: the rest is kept for this node's own facts. */
  private othersAllowed(now: number): boolean {
    const air = loraTimeOnAir(this.codec.overhead + 16, this.cfg.lora);
    return this.duty.allows(now, air + this.cfg.ownReserve * this.duty.budgetS);
  }

  /**
   * This node's own requests stop short of the last `ownOnlyReserve`: digest pages are large, and a node that
   * spent the whole reserve on them could no longer send a victim it sees itself (nobody else holds that one).
   */
  private requestsAllowed(now: number): boolean {
    const air = loraTimeOnAir(this.codec.overhead + 16, this.cfg.lora);
    return this.duty.allows(now, air + this.cfg.ownOnlyReserve * this.duty.budgetS);
  }

  private lowPriorityAllowed(now: number): boolean {
    const air = loraTimeOnAir(this.codec.overhead + 16, this.cfg.lora);
    return this.duty.allows(now, air + this.cfg.lowPriorityReserve * this.duty.budgetS);
  }

  /** Builds the packet to put on the air now (the edge must transmit it at once), or undefined. */
  transmit(now: number): Uint8Array | undefined {
    const kind = this.dueKind(now);
    if (!kind) {
      if (this.beaconAt <= now) this.beaconAt = now + this.cfg.beaconIntervalS; // budget reserve: skip this beat
      return undefined;
    }
    // Largest packet the budget allows right now.
    let maxBytes = this.codec.maxPacketBytes;
    while (maxBytes > this.codec.overhead + 8 && !this.duty.allows(now, loraTimeOnAir(maxBytes, this.cfg.lora))) maxBytes -= 8;
    if (maxBytes <= this.codec.overhead + 8) {
      this.holdUntil = now + 1;
      return undefined;
    }
    const lowOk = this.lowPriorityAllowed(now);
    const pressured = this.pacing(now) > 3;
    // An urgent fact going round past the second time (its copies so far lost to collisions) goes in a short packet
    // of urgent facts alone: on a busy channel a packet's odds of arriving whole fall with its length.
    const lean = kind === 'urgent' && [...this.pending.values()].some((p) => p.urgent && (p.round ?? 1) > 2 && p.due <= now);
    const time = Math.floor(now);

    const records: ControlRecord[] = [];
    let controlBytes = 3; // array head
    const fits = (extraControl: number, extraFacts: number) =>
      this.codec.overhead + this.codec.sizeOfControl(controlBytes + extraControl) + factBytes + extraFacts <= maxBytes;
    let factBytes = 0;
    const facts: Fact[] = [];
    const sentKeys: string[] = [];
    let repairBytes = 0;

    const sum: ControlRecord = { type: 'sum', count: this.store.count, hash: this.store.hash };
    // The summary rides at most every `sumEveryS` (and always in heartbeats, polls and digests).
    // On a quiet channel repairs carry it too, so the node being repaired sees at once whether it is complete
    // (on a busy one, summaries come often anyway, and the busiest nodes need every byte).
    const repairing = this.quiet(now) && [...this.pending.values()].some((p) => p.repair && p.due <= now + this.cfg.coalesceS);
    const withSum = !lean && (kind === 'beacon' || repairing || this.pollDue !== undefined || this.odgDue !== undefined || now - this.sumSentAt >= this.cfg.sumEveryS);
    if (withSum) {
      records.push(sum);
      controlBytes += recordSize(sum);
      this.sumSentAt = now;
    }
    if (this.position) {
      const pos: ControlRecord = { type: 'pos', x: this.position.x, y: this.position.y };
      records.push(pos);
      controlBytes += recordSize(pos);
    }
    // Disclosed keys (own when due, others' to pass on): small, and they prove what waits for them.
    const keyRecs: KeyRecord[] = [];
    for (const k of this.auth?.tesla.recordsFor(now, this.othersAllowed(now)) ?? []) {
      const rec: ControlRecord = { type: 'key', ...k };
      const size = recordSize(rec);
      if (!fits(size, 0)) break;
      records.push(rec);
      controlBytes += size;
      keyRecs.push(k);
    }
    const digestBytes = withSum ? recordSize(sum) : 0;
    let aeBytes = 0;

    // 1. Urgent facts by priority, then the not-yet-due ones that fit (piggybacked).
    const queue = [...this.pending.entries()].sort(
      ([, a], [, b]) => Number(b.due <= now) - Number(a.due <= now) || priorityOf(a.fact.kind) - priorityOf(b.fact.kind) || a.due - b.due,
    );
    const relayOk = this.othersAllowed(now);
    const attestOk = this.attestRelayAllowed(now);
    for (const [key, p] of queue) {
      if (!this.mayGo(p, relayOk, attestOk)) continue;
      if (lean && !p.urgent) continue;
      // Only due items: sending a fact before its contention delay ran out would defeat suppression;
      // under budget pressure, facts due soon ride along (batching).
      if (p.due > now + this.cfg.coalesceS && !(pressured && p.due <= now + 20 && priorityOf(p.fact.kind) <= 1)) continue;
      const size = this.codec.sizeOfFact(p.fact) + (this.auth && isTagged(p.fact) ? TESLA_TAG_BYTES : 0);
      if (!fits(0, size)) continue;
      facts.push(p.fact);
      factBytes += size;
      sentKeys.push(key);
      if (p.repair) repairBytes += size;
    }
    // 2. Anti-entropy records that are due.
    const requestsOk = this.requestsAllowed(now);
    if (!lean && requestsOk && this.odgDue !== undefined && this.odgDue <= now) {
      const page = this.odgPage(Math.min(this.cfg.odgPageBytes, maxBytes - this.codec.overhead - factBytes - controlBytes - 8));
      if (page) {
        records.push(page.record);
        controlBytes += page.size;
        aeBytes += page.size;
        this.odgCursor = page.next;
        if (page.next === 0) {
          this.odgDue = undefined;
          this.odgSentAt = now;
          this.odgAskedTo = this.odgTo;
          // The one named may not have heard us (loss, a collision): if nothing comes, ask another.
          if (this.odgTo !== 0 && this.odgMismatch && this.quiet(now)) this.odgCheck = { at: now + this.cfg.odgRetryS, m: this.odgMismatch };
        }
      }
    }
    for (const [origin, h] of [...this.haves].sort((a, b) => a[1].due - b[1].due)) {
      if (h.due > now || !requestsOk || lean) continue;
      const rec: ControlRecord = { type: 'have', origin, seqs: h.seqs };
      const size = recordSize(rec);
      if (!fits(size, 0)) continue;
      records.push(rec);
      controlBytes += size;
      aeBytes += size;
      this.haves.delete(origin);
      this.haveSentAt.set(origin, now);
    }
    // 3. Heartbeats: own status when stale, freshest member news.
    const beacon = kind === 'beacon';
    let hbBytes = 0;
    if (!lean && this.ownStatus && (beacon || lowOk) && now - this.ownStatusSentAt >= this.cfg.ownStatusEveryS) {
      this.auth?.noteOwnStatus(this.ownStatus, now); // tagged when a proof of it is due (authorship.ts)
      const size = this.codec.sizeOfFact(this.ownStatus);
      if (fits(0, size)) {
        facts.push(this.ownStatus);
        factBytes += size;
        hbBytes += size;
        this.ownStatusSentAt = now;
      }
    }
    // Heartbeats: half a byte per member that is not long dead (self: age 0).
    const eNow = Math.floor(time / HB_EPOCH_S);
    const entries = [{ id: this.self, age: 0 }];
    for (const v of this.members.view()) {
      const age = eNow - Math.floor(v.heartbeat / HB_EPOCH_S);
      if (age <= HB_MAX_AGE) entries.push({ id: v.id, age: Math.max(0, age) });
    }
    const hbRec: ControlRecord = { type: 'hb', epoch: eNow, entries };
    const hbSize = recordSize(hbRec);
    if (!lean && (beacon || (lowOk && now - this.hbSentAt >= this.cfg.hbEveryS)) && fits(hbSize, 0)) {
      this.hbSentAt = now;
      records.push(hbRec);
      controlBytes += hbSize;
      hbBytes += hbSize;
    }
    if (beacon) {
      const relays = [...this.statusDirty.values()].sort((a, b) => b.t - a.t).slice(0, this.cfg.statusRelayPerBeacon);
      for (const s of relays) {
        const size = this.codec.sizeOfFact(s);
        if (!fits(0, size)) break;
        facts.push(s);
        factBytes += size;
        hbBytes += size;
        this.statusDirty.delete(s.origin);
      }
    }

    // Sizes above are estimates (the codec packs facts against each other); trim to the exact size.
    const withTags = () => {
      const t = this.auth ? tagsRecord(facts, (f) => this.auth!.tagOf(f)) : undefined;
      return encodeControl(t ? [...records, t] : records);
    };
    let control = withTags();
    while (facts.length > 0 && this.codec.packetBytes({ time, facts, control }) > maxBytes) {
      const dropped = facts.pop()!;
      control = withTags();
      const i = sentKeys.indexOf(factKey(dropped));
      if (i >= 0) sentKeys.splice(i, 1); // stays pending
      if (dropped.kind === 'status') {
        if (dropped.origin === this.self) this.ownStatusSentAt = -Infinity;
        else this.statusDirty.set(dropped.origin, dropped);
      }
    }
    const bytes = this.codec.seal({ time, facts, control });
    const air = loraTimeOnAir(bytes.length, this.cfg.lora);
    if (!this.duty.allows(now, air)) {
      this.holdUntil = now + 1; // cannot happen by construction; never exceed anyway
      return undefined;
    }
    this.duty.record(now, air);
    this.auth?.tesla.sent(keyRecs, now);
    for (const k of sentKeys) {
      const p = this.pending.get(k);
      this.pending.delete(k);
      if (p) this.secondRound(p, now);
      if (p && p.fact.origin === this.self && p.fact.kind !== 'status' && !(p.fact.kind === 'attest' && isTeslaAttest(p.fact))) this.ownFacts.sent(k, p.fact, now);
      this.sentAt.set(k, now);
    }
    this.lastTxAt = now;
    if (!lean) this.pollDue = undefined;
    this.beaconAt = now + this.cfg.beaconIntervalS * this.random.range(0.8, 1.2);
    const s = this.stats;
    s.packetsSent++;
    if (beacon) s.beacons++;
    s.factSends += sentKeys.length;
    s.odgPages += records.filter((r) => r.type === 'odg').length;
    s.haveRecords += records.filter((r) => r.type === 'have').length;
    s.bytesSent += bytes.length;
    s.airtimeS += air;
    s.antiEntropyControlBytes += aeBytes;
    s.repairFactBytes += repairBytes;
    s.digestBytes += digestBytes;
    s.heartbeatBytes += hbBytes;
    s.factBytes += factBytes;
    return bytes;
  }

  // ---- queries ------------------------------------------------------------------------------------------

  /** Known to this node (a status counts as known when it or a newer one from its origin is held). */
  knows(id: FactId & { kind?: string }): boolean {
    return this.store.knows(id) || (this.auth?.isUnattestedOwn(id) ?? false);
  }

  /** Members this node knows to hold a durable fact: "did anyone get my message?". */
  holdersOf(id: FactId): NodeId[] {
    const held = this.store.get(id);
    const out = new Set(this.heldBy.get(factKey(id)) ?? []);
    if (held) {
      out.add(this.self);
      for (const [peer, upTo] of this.synced) if (upTo >= held.arrival) out.add(peer);
    }
    return [...out].sort((a, b) => a - b);
  }

  membership(): MemberView[] {
    return this.members.view();
  }

  reports(): readonly SenderReport[] {
    return this.guard.reports;
  }

  /** Answers refused by the answer budget so far, and the share of it spent in the window ending now. */
  answerBudget(now: number): { refused: number; usedShare: number } {
    return { refused: this.answers.refused, usedShare: this.answers.usedShare(now) };
  }

  /** Airtime used by this node in the duty window ending now (seconds). */
  airtimeUsed(now: number): number {
    return this.duty.used(now);
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private note(out: GossipActions, c: MembershipChange | undefined): void {
    if (c) out.membership.push(c);
  }

  /** Evidence that `id` was alive at `t`. */
  private alive(out: GossipActions, id: NodeId, t: number, now: number): void {
    this.note(out, this.members.evidence(id, t, now));
  }

  /**
   * Per-origin fact rate: an origin creating more than `maxFactsPerOrigin` new durable facts in 10 minutes
   * is flooding; its new facts are then ignored (not stored, relayed or repaired) for the throttle time,
   * and it is reported once.
   */
  private originAllowed(origin: NodeId, now: number, out: GossipActions): boolean {
    if (origin === this.self) return true;
    if (now < (this.floodingOrigins.get(origin) ?? -Infinity)) return false;
    let ts = this.originRelays.get(origin);
    if (!ts) this.originRelays.set(origin, (ts = []));
    while (ts.length && ts[0]! < now - 600) ts.shift();
    if (ts.length >= this.cfg.maxFactsPerOrigin) {
      this.floodingOrigins.set(origin, now + this.cfg.defence.throttleS);
      const r: SenderReport = { sender: origin, reason: 'flooding', at: now, detail: `more than ${this.cfg.maxFactsPerOrigin} new facts in 10 minutes` };
      this.guard.reports.push(r);
      out.reports.push(r);
      ts.length = 0;
      return false;
    }
    ts.push(now);
    return true;
  }

  /**
   * Budget pacing: as the duty window fills, relays wait longer, so that more copies are heard (more
   * suppression) and more facts share a packet (batching). 1 while under `from` of the budget (default a
   * quarter), up to 7 at the full budget.
   */
  private pacing(now: number, from = this.cfg.pacingFrom): number {
    const used = this.duty.used(now) / this.duty.budgetS;
    return 1 + 6 * Math.min(1, Math.max(0, (used - from) / (1 - from)));
  }

  /**
   * Contention delay of a relay that would reach `gain` new neighbours (see relaySlotS); with the gain
   * unknown (no positions), within `relayDelayS` by the signal the fact was heard at (weaker → earlier).
   */
  private relayDelay(gain: number | undefined, snr: number): number {
    if (gain === undefined) {
      const [lo, hi] = this.cfg.relayDelayS;
      const [s0, s1] = this.cfg.snrRange;
      const w = Math.min(1, Math.max(0, (snr - s0) / (s1 - s0)));
      return lo + (hi - lo) * (0.6 * w + 0.4 * this.random.next());
    }
    const slot = Math.round(this.cfg.relaySlots * (1 - Math.min(1, gain / this.cfg.relayFullGain)));
    return this.cfg.relaySlotS * (slot + this.random.next());
  }

  private addHolder(id: FactId, who: NodeId): void {
    const key = factKey(id);
    let s = this.heldBy.get(key);
    if (!s) this.heldBy.set(key, (s = new Set()));
    s.add(who);
  }

  private onControl(sender: NodeId, time: number, rec: ControlRecord, now: number, out: GossipActions): void {
    switch (rec.type) {
      case 'sum':
        this.sums.set(sender, { count: rec.count, hash: rec.hash, at: now });
        if (rec.count === this.store.count && rec.hash === this.store.hash) {
          this.synced.set(sender, this.store.arrivalCounter);
          // In step with this neighbour. Only the neighbour that differed clears the mismatch: when all our
          // other neighbours lack the same facts, their matching summaries say nothing about the one ahead.
          if (!this.lastMismatch || this.lastMismatch.from === sender) {
            this.mismatchSince = undefined;
            this.lastMismatch = undefined;
          }
          // The neighbour we were about to ask holds what we hold: nothing to ask.
          if (this.odgDue !== undefined && this.odgDue > now && this.odgCursor === 0 && this.odgTo === sender) this.odgDue = undefined;
          // They caught up: repairs meant for them are no longer needed.
          for (const [k, p] of this.pending) if (p.forPeer === sender) this.pending.delete(k);
        } else {
          if (rec.count < this.store.count) this.reconcileRecent(sender, rec.count, rec.hash, now);
          // A mismatch is normal while facts spread. Anti-entropy opens when summaries (from anyone) have kept
          // differing from ours for `repairSettleS` while we learned nothing.
          this.lastMismatch = { from: sender, count: rec.count, hash: rec.hash };
          if (!this.mismatchLive()) this.mismatchSince = now;
          this.checkMismatch(now);
        }
        break;
      case 'hb': {
        // With authorship only a member's own signed heartbeat keeps it alive: vouching counts for nothing.
        if (this.auth) break;
        // Ages count whole epochs back from the sender's epoch; the epoch's start is the (conservative)
        // time of the evidence. Nothing can look fresher than now.
        if (rec.epoch > Math.floor(time / HB_EPOCH_S)) break; // an epoch after the packet's own time: bogus
        for (const e of rec.entries)
          if (e.id !== this.self) this.alive(out, e.id, Math.min(now, (rec.epoch - e.age) * HB_EPOCH_S), now);
        break;
      }
      case 'odg':
        this.onOdg(sender, rec, now);
        break;
      case 'have':
        this.onHave(sender, rec.origin, rec.seqs, now);
        break;
      case 'pos':
        break; // used while reading the packet's facts
      case 'key':
        break; // read with the facts (onKey)
    }
  }

  /**
   * Cheap reconciliation without any digest: a neighbour that is k ≤ 3 facts behind us usually misses some
   * of the facts we learned last. If removing such a subset of our recent facts gives exactly their
   * summary, we know what they miss and send just that (after a delay, cancelled if someone else does).
   */
  private reconcileRecent(peer: NodeId, count: number, hash: number, now: number): void {
    const k = this.store.count - count;
    if (k < 1 || k > 3) return;
    const recent = this.store.recent.filter((h) => now - h.learnedAt >= this.cfg.reconcileAfterS);
    const target = (this.store.hash - hash) >>> 0;
    const hs = recent.map((h) => idHash(h.fact.origin, h.fact.seq));
    const pick = (start: number, left: number, sum: number, chosen: number[]): number[] | undefined => {
      if (left === 0) return sum >>> 0 === target ? chosen : undefined;
      for (let i = start; i < hs.length; i++) {
        const r = pick(i + 1, left - 1, (sum + hs[i]!) >>> 0, [...chosen, i]);
        if (r) return r;
      }
      return undefined;
    };
    const found = pick(0, k, 0, []);
    if (!found) return;
    const delay = this.answerDelay(peer);
    for (const i of found) if (this.mayAnswer(peer, recent[i]!.fact, now)) this.queueRepair(recent[i]!.fact, now, peer, delay);
  }

  /** Opens anti-entropy once a mismatch has lasted `repairSettleS` with nothing learned (called on SUM and tick). */
  private checkMismatch(now: number): void {
    const m = this.lastMismatch;
    if (!m || !this.mismatchLive() || now < this.settleEnd(m)) return;
    this.mismatchSince = undefined;
    this.lastMismatch = undefined;
    this.openAntiEntropy(m, now);
  }

  /**
   * Whether the mismatch heard still counts towards opening anti-entropy: nothing learned since it began, or
   * (settleGapS) the last summary that differed still shows more facts than we hold now. In a busy swarm a
   * node learns a fact every few seconds: restarting the settle at each one kept a node that the first wave
   * had missed waiting for minutes, although each summary heard said it lacked something.
   */
  private mismatchLive(): boolean {
    if (this.mismatchSince === undefined) return false;
    if (this.mismatchSince >= this.lastLearnAt) return true;
    return this.cfg.settleGapS > 0 && this.lastMismatch !== undefined && this.lastMismatch.count > this.store.count;
  }

  /** When the current mismatch has settled (see mismatchLive). */
  private settleEnd(m: Mismatch): number {
    const since = this.mismatchSince!;
    if (since < this.lastLearnAt) return Math.max(since + this.settleFor(m), this.lastLearnAt + this.cfg.settleGapS);
    return since + this.settleFor(m);
  }

  /** How long a mismatch must last before anti-entropy opens (see tieAskAfterSettles). */
  private settleFor(m: Mismatch): number {
    const tieAhead = this.cfg.tieAskAfterSettles > 0 && m.count === this.store.count && this.store.hash > m.hash;
    return this.cfg.repairSettleS * (tieAhead ? this.cfg.tieAskAfterSettles : 1);
  }

  private openAntiEntropy(m: Mismatch, now: number): void {
    // The node "behind" (fewer facts; on a tie, the smaller hash, and later the other if tieAskAfterSettles)
    // opens anti-entropy. A few facts behind: a packet with our summary is enough (neighbours reconcile
    // against their recent facts); twice unanswered, or further behind: our per-origin digest.
    const tie = this.store.count === m.count && this.store.hash !== m.hash;
    const behind = this.store.count < m.count || (tie && (this.store.hash < m.hash || this.cfg.tieAskAfterSettles > 0));
    if (!behind) return;
    const gap = m.count - this.store.count;
    // Facts held for their key (tesla-proof.ts) are about to be proven: asking for them again would bring
    // copies that prove nothing.
    if (this.auth && gap > 0 && gap <= this.auth.awaitingKeys(now)) return;
    // Following up a digest that taught us something (part of the answer lost) or a named one that went
    // unanswered: ask again soon instead of polling and waiting for the usual interval — on a quiet channel,
    // where the next summary heard may be minutes away.
    const taught = this.lastLearnAt >= this.odgSentAt;
    const followUp =
      this.quiet(now) && this.odgRounds < this.cfg.odgFollowUps && now - this.odgSentAt < this.cfg.odgMinIntervalS && (taught || this.odgAskedTo !== 0);
    if (!followUp && gap >= 1 && gap <= 3 && this.polls < 2) {
      if (now - this.lastTxAt >= 10 && this.pollDue === undefined) {
        this.pollDue = now + this.random.range(0, 2);
        this.polls++;
      }
      return;
    }
    this.polls = 0;
    if (this.odgDue !== undefined) return;
    // A summary that says we are behind costs us a digest: charged to the one that showed it.
    if (this.auth && !this.answers.take(m.from, this.cfg.odgPageBytes, now)) return;
    // Far behind, the digest names the neighbour whose summary showed it ahead: neighbours of ours that cannot
    // hear each other would otherwise all answer with the same facts. If the one named taught us nothing, the
    // follow-up names another. Spread over a few seconds: neighbours in the same state that heard the same
    // summary send one digest, not one each (the others hear it and stand down).
    const named = gap >= this.cfg.odgNameMinGap;
    if (followUp) {
      this.odgDue = Math.max(now, this.odgSentAt + this.cfg.odgRetryS) + this.random.range(0, 5);
      this.odgTo = named ? (taught ? m.from : this.responder(now, this.odgAskedTo)) : 0;
      this.odgRounds++;
    } else if (now - this.odgSentAt >= this.cfg.odgMinIntervalS) {
      this.odgDue = now + this.random.range(0, 5);
      this.odgTo = named ? m.from : 0;
      this.odgRounds = 0;
    } else return;
    this.odgCursor = 0;
    this.odgMismatch = m;
  }

  /** Follow-ups are for a quiet channel: on a busy one, summaries come often and repair stragglers anyway. */
  private quiet(now: number): boolean {
    return this.duty.used(now) < this.cfg.odgQuietShare * this.duty.budgetS;
  }

  /**
   * Whom to ask after `silent` did not answer: the neighbour heard lately whose summary is furthest ahead
   * (then the one heard best); 0 (anyone) when there is none.
   */
  private responder(now: number, silent: NodeId | 0): NodeId | 0 {
    let best: NodeId | 0 = 0;
    let bestCount = -1;
    let bestSnr = -Infinity;
    for (const [id, sum] of this.sums) {
      if (id === silent || now - sum.at > 300) continue;
      if (sum.count < this.store.count || (sum.count === this.store.count && sum.hash === this.store.hash)) continue;
      const snr = this.neighbours.get(id)?.snr ?? -Infinity;
      if (sum.count > bestCount || (sum.count === bestCount && snr > bestSnr)) {
        best = id;
        bestCount = sum.count;
        bestSnr = snr;
      }
    }
    return best;
  }

  private odgPage(budget: number): { record: ControlRecord; size: number; next: number } | undefined {
    const origins = this.store.originIds();
    const start = this.odgCursor;
    const lo = start === 0 ? 1 : origins[start] ?? 1;
    const entries: { origin: NodeId; count: number; hash: number }[] = [];
    let i = start;
    let size = 8;
    for (; i < origins.length; i++) {
      const d = this.store.origin(origins[i]!)!;
      const add = 1 + (d.count < 24 ? 1 : 2) + 2;
      if (size + add > budget && entries.length > 0) break;
      entries.push({ origin: origins[i]!, count: d.count, hash: d.hash & 0xff }); // 8 bits suffice next to the count
      size += add;
    }
    const done = i >= origins.length;
    const hi = done ? 0xffff : origins[i]! - 1;
    const record: ControlRecord = { type: 'odg', to: this.odgTo, lo, hi: Math.max(lo, hi), entries };
    return { record, size: recordSize(record), next: done ? 0 : i };
  }

  private onOdg(sender: NodeId, rec: Extract<ControlRecord, { type: 'odg' }>, now: number): void {
    // Asked by name: answer at once. Asked of anyone: the neighbours hearing the asker best answer first.
    const delay = rec.to === this.self ? this.random.range(0.3, 1.5) : this.answerDelay(sender);
    const theirs = new Map(rec.entries.map((e) => [e.origin, e]));
    // Someone in the same state already asked: our own digest would add nothing (Trickle suppression).
    if (this.odgDue !== undefined && this.odgCursor === 0) {
      const mine = this.store.originIds().filter((o) => o >= rec.lo && o <= rec.hi);
      const same = mine.length === rec.entries.length && mine.every((o) => {
        const d = this.store.origin(o)!;
        const t = theirs.get(o);
        return t !== undefined && t.count === d.count && t.hash === (d.hash & 0xff);
      });
      if (same) {
        this.odgDue = undefined;
        this.odgSentAt = now;
        this.odgAskedTo = rec.to;
        return;
      }
    }
    if (rec.to !== 0 && rec.to !== this.self) return; // another neighbour was asked
    for (const o of this.store.originIds()) {
      if (o < rec.lo || o > rec.hi) continue;
      const d = this.store.origin(o)!;
      const t = theirs.get(o);
      if (t && d.count === t.count && (d.hash & 0xff) === t.hash) continue;
      const theirCount = t?.count ?? 0;
      if (d.count > theirCount) {
        // They miss (d.count − theirCount) facts of this origin. Facts missed across a partition or a reboot
        // are that origin's newest, so send those; a remaining difference shows in their next summary.
        // They hold none of this origin's facts: all of ours are missing there. Otherwise our exact list lets
        // them ask for precisely what they lack (HAVE answers HAVE).
        if (theirCount === 0) {
          for (const f of this.store.factsOf(o)) if (this.mayAnswer(sender, f, now)) this.queueRepair(f, now, undefined, delay);
        }
        else {
          // When our newest k explain the difference (their 8-bit hash is ours without them), they are what is
          // missing there: send them, and save the two HAVE lists of a round trip (and the asker's airtime).
          const newest = this.store.factsOf(o).slice(theirCount);
          const rest = newest.reduce((h, f) => h - (idHash(f.origin, f.seq) & 0xffff), d.hash);
          if (t && (rest & 0xff) === t.hash) {
            for (const f of newest) if (this.mayAnswer(sender, f, now)) this.queueRepair(f, now, undefined, delay, true);
          } else this.answerHave(sender, o, now);
        }
      } else {
        // They hold as many or more: say exactly what we hold; they answer with what we lack.
        this.answerHave(sender, o, now);
      }
    }
    // Origins they hold and we have nothing of: an empty HAVE asks for all of them.
    for (const e of rec.entries) if (e.count > 0 && !this.store.origin(e.origin)) this.answerHave(sender, e.origin, now);
  }

  private onHave(sender: NodeId, origin: NodeId, seqs: readonly number[], now: number): void {
    const theirs = new Set(seqs);
    for (const s of seqs) this.addHolder({ origin, seq: s }, sender);
    const delay = this.answerDelay(sender);
    // A HAVE list is an exact statement of what is missing there: answer even if we sent it recently.
    for (const f of this.store.factsOf(origin)) if (!theirs.has(f.seq) && this.mayAnswer(sender, f, now)) this.queueRepair(f, now, undefined, delay, true);
    const queued = this.haves.get(origin);
    if (queued && queued.seqs.length === seqs.length && queued.seqs.every((s, i) => s === seqs[i])) {
      this.haves.delete(origin); // someone said exactly what we would have said
      return;
    }
    // They hold some we lack: answer with our own list, at most once a minute per origin (no cascades).
    const mine = new Set(this.store.origin(origin)?.seqs ?? []);
    if (seqs.some((s) => !mine.has(s)) && now - (this.haveSentAt.get(origin) ?? -Infinity) >= 60) this.answerHave(sender, origin, now);
  }

  /**
   * Answers are budgeted per requester and in all (answer-budget.ts), with authorship on: without it, the
   * sender a request claims is all there is to key on, and the legacy engine keeps its behaviour.
   */
  private mayAnswer(requester: NodeId, f: Fact, now: number): boolean {
    if (!this.auth || this.pending.has(factKey(f))) return true;
    return this.answers.take(requester, this.codec.sizeOfFact(f), now);
  }

  private answerHave(requester: NodeId, origin: NodeId, now: number): void {
    if (this.auth) {
      if (this.haves.has(origin)) return;
      const n = Math.min(120, this.store.origin(origin)?.count ?? 0);
      if (!this.answers.take(requester, 4 + 2 * n, now)) return;
    }
    this.queueHave(origin, now);
  }

  /** Neighbours that hear the asking node best answer first; the others hear the answer and stand down. */
  private answerDelay(peer: NodeId): number {
    const snr = this.neighbours.get(peer)?.snr ?? this.cfg.snrRange[0];
    const [s0, s1] = this.cfg.snrRange;
    const w = Math.min(1, Math.max(0, (snr - s0) / (s1 - s0)));
    return 0.5 + 12 * (1 - w) + this.random.range(0, 3);
  }

  private queueRepair(f: Fact, now: number, forPeer?: NodeId, delay = this.random.range(0.5, 6), exact = false): void {
    const key = factKey(f);
    if (this.pending.has(key)) return;
    // Once sent, a fact is not repeated on a guess for a while: the neighbourhood needs time to show it got it.
    if (!exact && now - (this.sentAt.get(key) ?? -Infinity) < this.cfg.repeatAfterS) return;
    if (this.guard.isThrottled(f.origin, now) || now < (this.floodingOrigins.get(f.origin) ?? -Infinity)) return; // no airtime for a flooder
    this.pending.set(key, { fact: f, due: now + delay, copies: 0, repair: true, ...(forPeer !== undefined ? { forPeer } : {}) });
  }

  private queueHave(origin: NodeId, now: number): void {
    const seqs = this.store.origin(origin)?.seqs ?? [];
    const cur = this.haves.get(origin);
    this.haves.set(origin, { due: cur?.due ?? now + this.random.range(0.3, 3), seqs: [...seqs].slice(-120) });
  }

}
