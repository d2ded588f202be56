/**
 * Authorship for the gossip engine: a fact counts as coming from origin X only once X's signed
 * attestation (an `attest` fact, wire/attestation.ts) covers it. Until then it is held here, apart from
 * the fact store, so a forgery in X's name is never stored, relayed by anti-entropy, counted against X or
 * acted on, and cannot take the place of X's real fact: every candidate for an id is kept (bounded) and the
 * attestation's digest picks the real one. Harmless kinds (victims, roads, hazards: a forgery costs a
 * look) may be used at once; what changes what drones do — operator facts, another member's status, its
 * heartbeat — waits for proof. Also here: the bounds on fact times and seq jumps, and this node's own
 * attestations (every `attestEvery` durable facts, after `attestAfterS`, at once for operator facts, and
 * at least every `heartbeatS`: the attestation is the member's authenticated heartbeat).
 *
 * Pure: time comes in as arguments, keys and the seq source are injected.
 */
import type { KeyObject } from 'node:crypto';
import { attestFacts, canonicalFactBytes, durableDigest, statusDigest, teslaAttestFacts, teslaFactTag, verifyAttestFact } from '../wire/attestation.js';
import { intervalOf, TESLA_TIMING, type TeslaTiming } from '../wire/tesla.js';
import { isOperatorFact } from '../wire/authority.js';
import { factKey, type AttestFact, type Fact, type NodeId, type StatusFact } from '../wire/facts.js';
import type { Keyring } from '../wire/keyring.js';
import type { RejectReason } from '../wire/reject.js';
import type { KeyChain } from '../wire/tesla.js';
import { TeslaProofs, type KeyRecord } from './tesla-proof.js';

export interface AuthorshipConfig {
  /** A fact stamped later than now + this (seconds) is refused: every node has GPS or station time. */
  readonly maxSkewS: number;
  /** An unproven fact whose seq is more than this above its origin's highest proven seq is refused. */
  readonly maxSeqJump: number;
  /** Unproven facts are dropped after this long (seconds). */
  readonly holdS: number;
  /** Unproven durable candidates held per claimed origin, and per id. */
  readonly heldPerOrigin: number;
  readonly candidatesPerId: number;
  /** Unproven statuses held per claimed origin. */
  readonly statusesPerOrigin: number;
  /**
   * Unproven facts of others relayed per 10 minutes for each neighbour that brought them (the rest waits for
   * its proof). Keyed on the packet's sender, not the claimed origin: a forger claiming every origin must
   * not stop honest origins' facts from spreading, and what it brings itself is capped. Small: honest
   * sightings are few, and with 24 a flood of forgeries went through every neighbour in turn (bench attack,
   * seed 1, signed attestations: honest delivery under the flood 50% with 24, 66% with 12, 78% with 6, 82%
   * with 4). With tags, proof comes within minutes and the budget matters less: seed 1 flood 83% with 8, 90%
   * with 4, 93% with 2 or 1, 85% with 0; seed 2 91% with 4, 95% with 2; docs/wire.md).
   */
  readonly unprovenRelaysPerSender: number;
  /** Own attestation after this many own durable facts... */
  readonly attestEvery: number;
  /** ...or once the oldest unattested one is this old (operator facts: at once)... */
  readonly attestAfterS: number;
  /** ...and at least this often (the authenticated heartbeat). */
  readonly heartbeatS: number;
  /** Digest evaluations one proof attempt may spend choosing among candidates. */
  readonly searchBudget: number;
  /**
   * MACed attestations (tesla-proof.ts), for members with a key chain: one this long after an own durable
   * fact (facts made together share it)...
   */
  readonly teslaAfterS: number;
  /** ...and one naming the latest status at least this often (the member's proof of life). */
  readonly teslaStatusS: number;
  /**
   * An own chain key goes out at least this often (tesla-proof.ts): others take a key only the member could
   * have let out as its proof of life (about 14 bytes instead of a 101-byte signed heartbeat).
   */
  readonly livenessKeyS: number;
  /** Key chain timing, the same for every member (mission epoch against the swarm key's). */
  readonly tesla: TeslaTiming;
  /** Unchecked MACed attestations of others relayed per 10 minutes for each neighbour that brought them. */
  readonly teslaRelaysPerSender: number;
}

export const DEFAULT_AUTHORSHIP: AuthorshipConfig = {
  maxSkewS: 30,
  maxSeqJump: 4096,
  holdS: 4000,
  heldPerOrigin: 256,
  candidatesPerId: 4,
  statusesPerOrigin: 8,
  unprovenRelaysPerSender: 2,
  attestEvery: 16,
  attestAfterS: 1800,
  heartbeatS: 1800,
  searchBudget: 4096,
  teslaAfterS: 0,
  teslaStatusS: 600,
  teslaRelaysPerSender: 20,
  livenessKeyS: 900,
  tesla: TESLA_TIMING,
};

/**
 * Authorship settings for a member whose gossip uses these membership timings (a drone or a ground station).
 * Durable facts carry tags proven by its chain keys (tesla-proof.ts), and a key goes out at least every third
 * of the time after which a silent member is suspect (its proof of life), with a MACed attestation of its
 * latest status as often. Signatures only for operator facts (at once): a signed heartbeat for copies heard
 * after their key was out cost more airtime than the whole of the rest (docs/wire.md). `teslaOffsetS`: the
 * mission's epoch minus the swarm key's (tesla.ts).
 */
export function memberAuthorship(
  gossip: { readonly membership: { readonly suspectAfterS: number }; readonly hbEveryS: number },
  teslaOffsetS = 0,
): AuthorshipConfig {
  const third = gossip.membership.suspectAfterS / 3;
  return { ...DEFAULT_AUTHORSHIP, heartbeatS: 1e9, attestAfterS: 1e9, teslaStatusS: third, livenessKeyS: third, tesla: { ...TESLA_TIMING, epochOffsetS: teslaOffsetS } };
}

/** Kinds whose forgery costs at most a look: usable before their proof. */
export function usableUnproven(f: Fact): boolean {
  return f.kind === 'victim' || f.kind === 'road' || f.kind === 'hazard';
}

export type HoldResult =
  | { readonly kind: 'held'; readonly relay: boolean; readonly proven: Fact[] }
  | { readonly kind: 'dup' }
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly detail: string };

export interface AttestResult {
  readonly ok: boolean;
  readonly reason?: RejectReason;
  readonly detail?: string;
  /** Facts this attestation (with what was held) proved: durable facts and at most one status. */
  readonly proven: Fact[];
}

interface Held {
  readonly fact: Fact;
  readonly at: number;
  /** Its origin's tag (tesla-proof.ts), from a copy heard in time. */
  tag?: Uint8Array;
}

const bytesCache = new WeakMap<Fact, Buffer>();
function canon(f: Fact): Buffer {
  let b = bytesCache.get(f);
  if (!b) bytesCache.set(f, (b = Buffer.from(canonicalFactBytes(f))));
  return b;
}

/** Same fact, byte for byte (same id and content). */
export function sameFact(a: Fact, b: Fact): boolean {
  return canon(a).equals(canon(b));
}

const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

export interface OwnIdentity {
  readonly signingKey: KeyObject;
  /** The member's key chain (wire/tesla.ts): MACed attestations; without it, signatures only. */
  readonly chain?: KeyChain;
  /**
   * Seqs for own attestations: the origin's own fact sequence (persisted, never reused), so an attestation
   * is the next seq after the facts it covers and costs one byte of id on air.
   */
  readonly nextAttestSeq: () => number;
}

export class Authorship {
  /** Highest proven seq per origin (durable or status), for the seq-jump bound. */
  private readonly highest = new Map<NodeId, number>();
  private readonly held = new Map<NodeId, Map<number, Held[]>>();
  private readonly heldCount = new Map<NodeId, number>();
  private readonly heldStatus = new Map<NodeId, Held[]>();
  /** Verified attestations whose durable facts are not all proven yet. */
  private readonly open = new Map<NodeId, AttestFact[]>();
  /** Verified attestations naming a status not held yet: origin → (seq, digest). */
  private readonly wantedStatus = new Map<NodeId, { seq: number; digest: Uint8Array; t: number }>();
  private readonly relays = new Map<NodeId, number[]>();
  /** Proven durable seqs per origin (to count what a range already holds). */
  private readonly provenSeqs = new Map<NodeId, Set<number>>();
  private readonly unattested: { fact: Fact; at: number }[] = [];
  private lastAttestAt: number;
  /** Own durable facts no MACed attestation covers yet, and when the last one was made. */
  private readonly teslaUncovered: { fact: Fact; at: number }[] = [];
  private lastTeslaAt: number;
  readonly tesla: TeslaProofs;
  private readonly teslaRelays = new Map<NodeId, number[]>();
  /** Tags of proven and own facts, passed on beside them (bounded like the store). */
  private readonly tags = new Map<string, Uint8Array>();
  readonly counts = { held: 0, proven: 0, expired: 0, forged: 0, badAttestations: 0, outOfBounds: 0 };

  constructor(
    readonly self: NodeId,
    readonly keyring: Keyring,
    private readonly own: OwnIdentity | undefined,
    readonly cfg: AuthorshipConfig = DEFAULT_AUTHORSHIP,
    now = 0,
  ) {
    // The first heartbeat attestation soon after boot.
    // The first heartbeat within a period of boot, spread by id so that a swarm booting together does not
    // send them all at once.
    this.lastAttestAt = now - cfg.heartbeatS + 5 + ((self * 0.618034) % 1) * cfg.heartbeatS;
    this.tesla = new TeslaProofs(self, keyring, own?.chain, cfg.tesla, undefined, cfg.livenessKeyS);
    // the first status on air after boot is tagged (statuses go out spread already)
    this.lastTeslaAt = -Infinity;
  }

  // ---- bounds -------------------------------------------------------------------------------------------

  /** Why a fact is outside what any honest member could send now (time, seq jump), or undefined. */
  outOfBounds(f: Fact, now: number): string | undefined {
    if (f.t > now + this.cfg.maxSkewS) return `fact ${factKey(f)} stamped ${Math.round(f.t - now)} s in the future`;
    if (f.kind === 'attest') return undefined; // signed: its seq is its origin's word
    const top = this.highest.get(f.origin);
    if (top !== undefined && f.seq > top + this.cfg.maxSeqJump) return `seq ${f.seq} of ${f.origin} jumps ${f.seq - top} past its proven facts`;
    return undefined;
  }

  // ---- receiving ----------------------------------------------------------------------------------------

  /** A durable fact or status (not an attestation) not in the store: hold it until its proof. */
  hold(f: Fact, now: number, sender: NodeId = f.origin, tag?: Uint8Array): HoldResult {
    const bad = this.outOfBounds(f, now);
    if (bad) {
      this.counts.outOfBounds++;
      return { kind: 'rejected', reason: 'out_of_range', detail: bad };
    }
    if (!this.keyring.isMember(f.origin) || this.keyring.isRevoked(f.origin))
      return { kind: 'rejected', reason: this.keyring.isRevoked(f.origin) ? 'revoked_sender' : 'unknown_sender', detail: `origin ${f.origin}` };
    const usableTag = (t: Uint8Array | undefined) =>
      t && !t.every((b) => b === 0) && this.tesla.tagUsable(f.origin, intervalOf(f.t, this.tesla.timing), now) ? new Uint8Array(t) : undefined;
    if (f.kind === 'status') return this.holdStatus(f, now, usableTag(tag));
    let bySeq = this.held.get(f.origin);
    if (!bySeq) this.held.set(f.origin, (bySeq = new Map()));
    const cands = bySeq.get(f.seq) ?? [];
    const usable = usableTag(tag);
    const same = cands.find((h) => sameFact(h.fact, f));
    if (same) {
      if (usable && !same.tag) same.tag = usable; // the first copy came late, or without its tag
      return { kind: 'dup' };
    }
    if (cands.length >= this.cfg.candidatesPerId || (this.heldCount.get(f.origin) ?? 0) >= this.cfg.heldPerOrigin)
      return { kind: 'rejected', reason: 'oversize', detail: `no room for more unproven facts of ${f.origin}` };
    cands.push({ fact: f, at: now, ...(usable ? { tag: usable } : {}) });
    bySeq.set(f.seq, cands);
    this.heldCount.set(f.origin, (this.heldCount.get(f.origin) ?? 0) + 1);
    this.counts.held++;
    const proven = this.proveOpen(f.origin, f.seq);
    return { kind: 'held', relay: proven.length > 0 || this.mayRelay(sender, now), proven };
  }

  private holdStatus(s: StatusFact, now: number, tag: Uint8Array | undefined): HoldResult {
    const list = this.heldStatus.get(s.origin) ?? [];
    const same = list.find((h) => sameFact(h.fact, s));
    if (same) {
      if (tag && !same.tag) same.tag = tag;
      return { kind: 'dup' };
    }
    const want = this.wantedStatus.get(s.origin);
    if (want && want.seq === s.seq && eq(statusDigest(s), want.digest)) {
      this.wantedStatus.delete(s.origin);
      this.heldStatus.delete(s.origin);
      return { kind: 'held', relay: true, proven: [this.proved(s)] };
    }
    list.push({ fact: s, at: now, ...(tag ? { tag } : {}) });
    // keep the newest few candidates by seq (an attestation names the status its origin sent last)
    list.sort((a, b) => b.fact.seq - a.fact.seq);
    list.length = Math.min(list.length, this.cfg.statusesPerOrigin);
    this.heldStatus.set(s.origin, list);
    return { kind: 'held', relay: false, proven: [] };
  }

  /** A verified attestation proves what it covers among the held facts; a bad one is refused. */
  attestation(a: AttestFact, now: number): AttestResult {
    const bad = this.outOfBounds(a, now);
    if (bad) {
      this.counts.outOfBounds++;
      return { ok: false, reason: 'out_of_range', detail: bad, proven: [] };
    }
    const v = verifyAttestFact(a, this.keyring);
    if (!v.ok) {
      this.counts.badAttestations++;
      return { ok: false, reason: v.reason, detail: v.detail, proven: [] };
    }
    return { ok: true, proven: this.apply(a) };
  }

  /** What a verified attestation (signed, or MACed and checked) proves among the held facts. */
  private apply(a: AttestFact): Fact[] {
    const proven: Fact[] = [];
    if (a.statusSeq > 0) {
      const list = this.heldStatus.get(a.origin) ?? [];
      const s = list.find((h) => h.fact.seq === a.statusSeq && eq(statusDigest(h.fact), a.statusDigest));
      if (s) {
        proven.push(this.proved(s.fact));
        this.heldStatus.set(a.origin, list.filter((h) => h.fact.seq > a.statusSeq));
      } else {
        const w = this.wantedStatus.get(a.origin);
        if (!w || w.seq < a.statusSeq) this.wantedStatus.set(a.origin, { seq: a.statusSeq, digest: a.statusDigest, t: a.t });
      }
    }
    this.raise(a.origin, a.seq);
    if (a.count > 0) {
      const list = this.open.get(a.origin) ?? [];
      list.push(a);
      this.open.set(a.origin, list.slice(-64));
      proven.push(...this.proveOpen(a.origin, undefined));
    }
    return proven;
  }

  // ---- MACed attestations (tesla-proof.ts) --------------------------------------------------------------

  /** A MACed attestation heard: held until its key comes if heard in time; `relay` within a budget. */
  teslaAttestation(a: AttestFact, now: number, sender: NodeId): { kind: 'held'; relay: boolean } | { kind: 'dup' } | { kind: 'rejected'; reason: RejectReason; detail: string } {
    const bad = this.outOfBounds(a, now);
    if (bad) {
      this.counts.outOfBounds++;
      return { kind: 'rejected', reason: 'out_of_range', detail: bad };
    }
    if (!this.keyring.anchorOf(a.origin)) return { kind: 'rejected', reason: 'unknown_sender', detail: `origin ${a.origin} has no key chain` };
    const r = this.tesla.hold(a, now);
    if (r.kind !== 'held') return { kind: 'dup' }; // a copy, or one heard too late to prove anything

    return { kind: 'held', relay: this.budget(this.teslaRelays, this.cfg.teslaRelaysPerSender, sender, now) };
  }

  /** A disclosed key: the MACed attestations it checks prove what they cover. */
  disclosure(rec: KeyRecord, sender: NodeId, now: number): { proven: Fact[]; verified: AttestFact[]; isNew: boolean; refused?: string } {
    const r = this.tesla.disclosure(rec, sender, now);
    this.counts.forged += r.forged;
    const proven: Fact[] = r.isNew ? this.checkTags(rec.origin) : [];
    if (proven.length) this.tesla.passOn(rec, now);
    for (const a of r.verified) proven.push(...this.apply(a));
    return { proven, verified: r.verified, isNew: r.isNew, ...(r.refused ? { refused: r.refused } : {}) };
  }

  /** Held facts of `origin` whose tag's key is now known: the one whose tag checks is the origin's. */
  private checkTags(origin: NodeId): Fact[] {
    const out: Fact[] = [];
    const statuses = this.heldStatus.get(origin) ?? [];
    // the newest status whose tag checks is its origin's; older candidates are of no more use
    for (const h of statuses) {
      if (!h.tag) continue;
      const key = this.tesla.keyFor(origin, intervalOf(h.fact.t, this.tesla.timing));
      if (!key) continue;
      if (Buffer.from(teslaFactTag(key, h.fact)).equals(Buffer.from(h.tag))) {
        out.push(this.proved(h.fact));
        this.tags.set(factKey(h.fact), h.tag);
        this.heldStatus.set(origin, statuses.filter((x) => x.fact.seq > h.fact.seq));
        break;
      }
      delete h.tag;
      this.counts.forged++;
    }
    const bySeq = this.held.get(origin);
    if (!bySeq) return out;
    for (const [seq, cands] of [...bySeq]) {
      let real: Fact | undefined;
      for (const h of cands) {
        if (!h.tag) continue;
        const key = this.tesla.keyFor(origin, intervalOf(h.fact.t, this.tesla.timing));
        if (!key) continue;
        if (Buffer.from(teslaFactTag(key, h.fact)).equals(Buffer.from(h.tag))) real = h.fact;
        else {
          delete h.tag; // a forgery, or a real fact whose tag a relay spoilt: it waits for a signature
          this.counts.forged++;
        }
      }
      if (!real) continue;
      this.counts.forged += cands.length - 1;
      bySeq.delete(seq);
      this.heldCount.set(origin, (this.heldCount.get(origin) ?? 0) - cands.length);
      out.push(this.proved(real));
      const tag = cands.find((h) => h.fact === real)?.tag;
      if (tag) this.tags.set(factKey(real), tag);
    }
    return out;
  }

  /** Held facts whose tag waits for its key (proof due within minutes): anti-entropy need not ask for them. */
  awaitingKeys(now: number): number {
    let n = 0;
    for (const bySeq of this.held.values())
      for (const cands of bySeq.values()) if (cands.some((h) => h.tag && now < h.at + this.tesla.timing.discloseAfterS + 600)) n++;
    return n;
  }

  /** The tag to send beside a fact (own, proven or held), if any. */
  tagOf(f: Fact): Uint8Array | undefined {
    const t = this.tags.get(factKey(f));
    if (t) return t;
    return this.held.get(f.origin)?.get(f.seq)?.find((h) => h.tag && sameFact(h.fact, f))?.tag;
  }

  /** Tries the open attestations of `origin` (those whose range holds `seq`, or all). */
  private proveOpen(origin: NodeId, seq: number | undefined): Fact[] {
    const list = this.open.get(origin);
    if (!list) return [];
    const out: Fact[] = [];
    for (const a of [...list]) {
      if (seq !== undefined && (seq < a.from || seq > a.to)) continue;
      const got = this.prove(a);
      if (got) {
        out.push(...got);
        const rest = (this.open.get(origin) ?? []).filter((x) => x !== a);
        if (rest.length) this.open.set(origin, rest);
        else this.open.delete(origin);
      }
    }
    return out;
  }

  /**
   * Finds, among the held candidates in the attestation's range, the facts whose digest (with those of
   * the range already proven) is the attested one. Usually one candidate per seq and exactly `count`:
   * one digest. With forgeries in the way, a bounded search over the choices.
   */
  private prove(a: AttestFact): Fact[] | undefined {
    const provenSet = this.provenSeqs.get(a.origin) ?? new Set<number>();
    const bySeq = this.held.get(a.origin) ?? new Map<number, Held[]>();
    const provenIn: number[] = [];
    for (const s of provenSet) if (s >= a.from && s <= a.to) provenIn.push(s);
    if (provenIn.length === a.count) return []; // all proven already (by an overlapping attestation)
    const seqs = [...bySeq.keys()].filter((s) => s >= a.from && s <= a.to && !provenSet.has(s)).sort((x, y) => x - y);
    const need = a.count - provenIn.length;
    if (need <= 0 || seqs.length < need) return undefined; // wait for the rest
    const fixed = this.provenFacts(a.origin, provenIn);
    if (!fixed) return undefined;
    let budget = this.cfg.searchBudget;
    const chosen: Fact[] = [];
    const search = (i: number): boolean => {
      if (chosen.length === need) {
        if (--budget < 0) return false;
        return eq(durableDigest([...fixed, ...chosen]), a.digest);
      }
      if (budget < 0 || seqs.length - i < need - chosen.length) return false;
      for (const h of bySeq.get(seqs[i]!)!) {
        chosen.push(h.fact);
        if (search(i + 1)) return true;
        chosen.pop();
      }
      return search(i + 1); // this seq is not among the attested ones (a forgery where a status was)
    };
    if (!search(0)) return undefined;
    const out: Fact[] = [];
    for (const f of chosen) {
      const cands = bySeq.get(f.seq)!;
      this.counts.forged += cands.length - 1;
      bySeq.delete(f.seq);
      this.heldCount.set(a.origin, (this.heldCount.get(a.origin) ?? 0) - cands.length);
      out.push(this.proved(f));
    }
    return out;
  }

  /** Proven facts of the store are not kept here; the engine hands them back through this hook. */
  storedFact: (origin: NodeId, seq: number) => Fact | undefined = () => undefined;

  private provenFacts(origin: NodeId, seqs: readonly number[]): Fact[] | undefined {
    const out: Fact[] = [];
    for (const s of seqs) {
      const f = this.storedFact(origin, s);
      if (!f) return undefined;
      out.push(f);
    }
    return out;
  }

  private proved(f: Fact): Fact {
    this.counts.proven++;
    this.raise(f.origin, f.seq);
    if (f.kind !== 'status') {
      let s = this.provenSeqs.get(f.origin);
      if (!s) this.provenSeqs.set(f.origin, (s = new Set()));
      s.add(f.seq);
    }
    return f;
  }

  private raise(origin: NodeId, seq: number): void {
    if (seq > (this.highest.get(origin) ?? 0) && seq < 2 ** 31) this.highest.set(origin, seq);
  }

  /** Unproven facts are relayed (for speed) only within a budget per neighbour that brought them. */
  private mayRelay(sender: NodeId, now: number): boolean {
    return this.budget(this.relays, this.cfg.unprovenRelaysPerSender, sender, now);
  }

  private budget(table: Map<NodeId, number[]>, per10min: number, sender: NodeId, now: number): boolean {
    let ts = table.get(sender);
    if (!ts) table.set(sender, (ts = []));
    while (ts.length && ts[0]! < now - 600) ts.shift();
    if (ts.length >= per10min) return false;
    ts.push(now);
    return true;
  }

  /** A fact of the store, learned from an attestation of our own or a proof: note it as proven. */
  noteProven(f: Fact): void {
    this.proved(f);
  }

  /** Drops unproven facts held too long (forgeries, or facts whose attestation never came). */
  expire(now: number): void {
    this.tesla.expire(now);
    const cutoff = now - this.cfg.holdS;
    for (const [origin, bySeq] of this.held) {
      for (const [seq, cands] of bySeq) {
        const keep = cands.filter((h) => h.at >= cutoff);
        if (keep.length === cands.length) continue;
        this.counts.expired += cands.length - keep.length;
        this.heldCount.set(origin, (this.heldCount.get(origin) ?? 0) - (cands.length - keep.length));
        if (keep.length) bySeq.set(seq, keep);
        else bySeq.delete(seq);
      }
      if (bySeq.size === 0) this.held.delete(origin);
    }
    for (const [origin, list] of this.heldStatus) {
      const keep = list.filter((h) => h.at >= cutoff);
      if (keep.length) this.heldStatus.set(origin, keep);
      else this.heldStatus.delete(origin);
    }
  }

  /** Unproven candidates held now (all origins). */
  heldFacts(): Fact[] {
    const out: Fact[] = [];
    for (const bySeq of this.held.values()) for (const c of bySeq.values()) for (const h of c) out.push(h.fact);
    return out;
  }

  // ---- own attestations ---------------------------------------------------------------------------------

  /** An own durable fact, to be attested; false if it is already waiting. */
  noteOwn(f: Fact, now: number): boolean {
    if (f.kind === 'status' || f.kind === 'attest') return false;
    if (this.unattested.some((u) => u.fact.seq === f.seq)) return false;
    this.unattested.push({ fact: f, at: isOperatorFact(f) || f.kind === 'mission' ? -Infinity : now });
    const key = this.tesla.ownTagKey(f.t, now);
    if (key) {
      this.tags.set(factKey(f), teslaFactTag(key, f));
      this.tesla.madeOwn(f.t);
    } else if (this.own?.chain) this.teslaUncovered.push({ fact: f, at: now });
    this.proved(f);
    return true;
  }

  /** An own fact not attested yet (known here, not yet to anyone else's store). */
  isUnattestedOwn(id: { origin: NodeId; seq: number }): boolean {
    return id.origin === this.self && this.unattested.some((u) => u.fact.seq === id.seq);
  }

  /** The own facts the last attestation covered (the engine stores them with it). */
  lastCovered: readonly Fact[] = [];

  /** When the next own attestation is due (Infinity without an identity). */
  ownDueAt(): number {
    if (!this.own) return Infinity;
    let due = this.lastAttestAt + this.cfg.heartbeatS;
    if (this.unattested.length >= this.cfg.attestEvery) return -Infinity;
    for (const u of this.unattested) due = Math.min(due, u.at + this.cfg.attestAfterS);
    return due;
  }

  /** When the next own MACed attestation is due (Infinity without a key chain or anything to cover). */
  ownTeslaDueAt(): number {
    if (!this.own?.chain) return Infinity;
    let due = Infinity;
    for (const u of this.teslaUncovered) due = Math.min(due, u.at + this.cfg.teslaAfterS);
    return due;
  }

  /**
   * An own status: tagged (its proof, 4 bytes) at least every `teslaStatusS`, so others may act on where this
   * member is and what it does; the others go untagged (nobody acts on them, a newer one is on its way).
   */
  noteOwnStatus(s: StatusFact, now: number): void {
    if (now < this.lastTeslaAt + this.cfg.teslaStatusS) return;
    const key = this.tesla.ownTagKey(s.t, now);
    if (!key) return;
    this.tags.set(factKey(s), teslaFactTag(key, s));
    this.tesla.madeOwn(s.t);
    this.lastTeslaAt = now;
  }

  /** The own facts the last MACed attestation covered (the engine stores them with it). */
  lastTeslaCovered: readonly Fact[] = [];

  /** Builds the own MACed attestation due now (every own durable fact not covered yet, the latest status). */
  makeOwnTesla(now: number, status: StatusFact | undefined): AttestFact | undefined {
    if (!this.own || now < this.ownTeslaDueAt()) return undefined;
    const t = Math.floor(now);
    const key = this.tesla.ownKey(t);
    if (!key) return undefined; // past the chain's end: signatures only
    const facts = this.teslaUncovered.splice(0, this.teslaUncovered.length).map((u) => u.fact);
    this.lastTeslaCovered = facts;
    this.lastTeslaAt = now;
    this.tesla.madeOwn(t);
    return teslaAttestFacts({ origin: this.self, seq: this.own.nextAttestSeq(), t }, facts, status, key);
  }

  /** Builds the own attestation due now: every unattested own durable fact and the latest own status. */
  makeOwn(now: number, status: StatusFact | undefined): AttestFact | undefined {
    if (!this.own || now < this.ownDueAt()) return undefined;
    const facts = this.unattested.splice(0, this.unattested.length).map((u) => u.fact);
    this.lastCovered = facts;
    this.lastAttestAt = now;
    return attestFacts({ origin: this.self, seq: this.own.nextAttestSeq(), t: Math.floor(now) }, facts, status, this.own.signingKey);
  }
}
