/**
 * MACed attestations for the gossip engine (wire/tesla.ts): the cheap, fast proof of authorship. An origin
 * MACs an attestation (the same statement as a signed one: range, digests of its durable facts and latest
 * status) under its current interval key, and discloses the key about a minute and a half later in a KEY
 * control record; whoever heard the attestation in time checks it then and, if it holds, treats it as a
 * signed one (authorship.ts proves the facts it covers). Keys travel on: a node that checked an attestation
 * with a key passes the key on once (unless two others did first), so the key follows the attestation's path.
 * A copy heard too late (after the key could be out) proves nothing: those facts wait for the origin's
 * signed attestation.
 *
 * Here: the attestations heard in time and not yet checked, the keys known, own disclosures and the keys to
 * pass on. Pure: time comes in as arguments.
 */
import { isTeslaAttest, verifyTeslaAttest } from '../wire/attestation.js';
import type { AttestFact, Fact, NodeId } from '../wire/facts.js';
import { canonicalOrder } from '../wire/codec.js';
import type { ControlRecord } from './control.js';
import type { Keyring } from '../wire/keyring.js';
import { disclosableAt, DisclosedKeys, intervalOf, latestDisclosable, TESLA_TAG_BYTES, timely, TESLA_TIMING, type KeyChain, type TeslaTiming } from '../wire/tesla.js';

/** Durable facts other than attestations always have a tag slot (zeros if none); statuses only if tagged. */
export function isTagged(f: Fact): boolean {
  return f.kind !== 'status' && f.kind !== 'attest';
}

/**
 * The TAGS record for a packet's facts, or undefined if none has a tag: a slot per durable fact (canonical
 * order), then the tags of the statuses whose bit is set in `mask` (k-th status of the packet: bit k).
 */
export function tagsRecord(facts: readonly Fact[], tagOf: (f: Fact) => Uint8Array | undefined): ControlRecord | undefined {
  const order = canonicalOrder(facts);
  const slots: Uint8Array[] = [];
  let any = false;
  for (const f of order.filter(isTagged)) {
    const t = tagOf(f);
    slots.push(t ?? new Uint8Array(TESLA_TAG_BYTES));
    any ||= !!t;
  }
  let mask = 0;
  order
    .filter((f) => f.kind === 'status')
    .forEach((f, k) => {
      const t = tagOf(f);
      if (t && k < 16) (slots.push(t), (mask |= 1 << k), (any = true));
    });
  return any ? { type: 'tags', mask, tags: Buffer.concat(slots) } : undefined;
}

/** Each tagged fact of a packet heard (facts in the decoder's canonical order) with its tag. */
export function tagsOf(facts: readonly Fact[], control: readonly ControlRecord[]): Map<Fact, Uint8Array> | undefined {
  const rec = control.find((r) => r.type === 'tags');
  if (!rec || rec.type !== 'tags') return undefined;
  const statuses = facts.filter((f) => f.kind === 'status');
  const owners = [...facts.filter(isTagged), ...statuses.filter((_, k) => k < 16 && rec.mask & (1 << k))];
  if (rec.tags.length !== owners.length * TESLA_TAG_BYTES || rec.mask >= 1 << Math.min(16, statuses.length)) return undefined; // not this packet's
  return new Map(owners.map((f, k) => [f, rec.tags.subarray(k * TESLA_TAG_BYTES, (k + 1) * TESLA_TAG_BYTES)]));
}

export interface KeyRecord {
  readonly origin: NodeId;
  readonly interval: number;
  readonly key: Uint8Array;
}

export type TeslaHold =
  | { readonly kind: 'held' }
  | { readonly kind: 'dup' }
  | { readonly kind: 'rejected'; readonly detail: string };

export interface DisclosureResult {
  /** The key was refused (forged, or not due yet): count it. */
  readonly refused?: string;
  /** The key moved on: facts tagged under it may be checked now. */
  readonly isNew: boolean;
  /** Attestations the key proved to be their origin's. */
  readonly verified: AttestFact[];
  /** Attestations the key showed to be forged. */
  readonly forged: number;
}

/** Own disclosures: each key goes out in two packets (loss), the second at least this much later. */
const OWN_RESEND_S = 30;
/**
 * Keys ride in packets that go anyway (a packet of its own costs a LoRa preamble and header, more than the
 * key): an own key waits up to this long for one before a packet goes for it alone...
 */
const OWN_WAIT_S = 300;
/** ...and a key to pass on is dropped if no packet went in this long. */
const RELAY_KEEP_S = 600;
/** Unchecked attestations held per origin. */
const PENDING_PER_ORIGIN = 16;
/** A relayed key is dropped once this many others were heard passing it on (Trickle's k). */
const KEY_SUPPRESS = 1;

export class TeslaProofs {
  private readonly keys: DisclosedKeys;
  private readonly pending = new Map<NodeId, AttestFact[]>();
  /** Own intervals whose attestations wait for their key to go out, and the last key sent twice over. */
  private readonly ownDue: number[] = [];
  private ownResend: { interval: number; at: number } | undefined;
  /** The last own key sent: a newer one is due at least every `livenessS` (proof of life). */
  private ownLast = { interval: 0, at: 0 };
  private readonly relay = new Map<NodeId, { rec: KeyRecord; due: number; heard: number }>();
  readonly counts = { heldLate: 0, verified: 0, forged: 0, keysRefused: 0, keysSent: 0 };

  constructor(
    readonly self: NodeId,
    keyring: Keyring,
    private readonly chain: KeyChain | undefined,
    readonly timing: TeslaTiming = TESLA_TIMING,
    chainLength?: number,
    /** An own key goes out at least this often, facts or not: a member's authenticated heartbeat. */
    readonly livenessS = Infinity,
  ) {
    this.keys = new DisclosedKeys((o) => keyring.anchorOf(o), timing, chainLength ?? chain?.length);
  }

  // ---- own ----------------------------------------------------------------------------------------------

  /** The key to MAC an own attestation made at `t` with, or undefined (no chain, or past its end). */
  ownKey(t: number): Uint8Array | undefined {
    return this.chain?.key(intervalOf(t, this.timing));
  }

  /** Own key for tagging a durable fact of time `t` sent now, if its key stays secret long enough to spread. */
  ownTagKey(t: number, now: number): Uint8Array | undefined {
    const i = intervalOf(t, this.timing);
    return disclosableAt(i, this.timing) - now >= this.timing.discloseAfterS / 2 ? this.chain?.key(i) : undefined;
  }

  /** An own MACed attestation made at `t`: its key is due out later. */
  madeOwn(t: number): void {
    const i = intervalOf(t, this.timing);
    if (!this.ownDue.includes(i)) this.ownDue.push(i);
  }

  /** When an own key must go out even alone (a packet is due then), or Infinity. */
  ownDueAt(): number {
    let at = this.livenessDueAt() + OWN_WAIT_S;
    for (const i of this.ownDue) at = Math.min(at, disclosableAt(i, this.timing) + OWN_WAIT_S);
    return at;
  }

  /** When an own key is due as proof of life (piggybacked; alone OWN_WAIT_S later). */
  private livenessDueAt(): number {
    if (!this.chain || this.livenessS === Infinity) return Infinity;
    return Math.max(this.ownLast.at + this.livenessS, disclosableAt(this.ownLast.interval + 1, this.timing));
  }

  /** The newest own interval whose key may be out now. */
  private latestDisclosable(now: number): number {
    return latestDisclosable(now, this.timing);
  }

  /**
   * Key records for a packet sent now: the own key when due (and once more later), keys to pass on when
   * `relayOk`. The newest due own interval covers every earlier one.
   */
  recordsFor(now: number, relayOk: boolean, max = 3): KeyRecord[] {
    const out: KeyRecord[] = [];
    const due = this.ownDue.filter((i) => disclosableAt(i, this.timing) <= now);
    let own: number | undefined = due.length ? Math.max(...due) : undefined;
    if (own === undefined && this.ownResend && now >= this.ownResend.at) own = this.ownResend.interval;
    if (own === undefined && now >= this.livenessDueAt() && this.latestDisclosable(now) > this.ownLast.interval) own = this.latestDisclosable(now);
    if (own !== undefined && this.chain) {
      const key = this.chain.key(own);
      if (key) out.push({ origin: this.self, interval: own, key });
    }
    if (relayOk)
      for (const r of [...this.relay.values()].sort((a, b) => a.due - b.due)) {
        if (out.length >= max) break;
        if (r.due <= now + 5 && now < r.due + RELAY_KEEP_S) out.push(r.rec);
      }
    return out;
  }

  /** The records went out. */
  sent(records: readonly KeyRecord[], now: number): void {
    for (const r of records) {
      this.counts.keysSent++;
      if (r.origin === this.self) {
        const resent = this.ownResend?.interval === r.interval && now >= this.ownResend.at;
        for (let k = this.ownDue.length - 1; k >= 0; k--) if (this.ownDue[k]! <= r.interval) this.ownDue.splice(k, 1);
        this.ownResend = resent ? undefined : { interval: r.interval, at: now + OWN_RESEND_S };
        if (r.interval > this.ownLast.interval) this.ownLast = { interval: r.interval, at: now };
      } else this.relay.delete(r.origin);
    }
  }

  // ---- others' ------------------------------------------------------------------------------------------

  /** A MACed attestation heard now (the engine checked its bounds): kept if heard in time. */
  hold(a: AttestFact, now: number): TeslaHold {
    if (!isTeslaAttest(a)) return { kind: 'rejected', detail: 'not a MACed attestation' };
    const i = intervalOf(a.t, this.timing);
    if (!timely(i, now, this.timing) || (this.keys.latest(a.origin)?.i ?? 0) >= i) {
      this.counts.heldLate++;
      return { kind: 'rejected', detail: `attestation ${a.origin}:${a.seq} heard after its key could be out` };
    }
    const list = this.pending.get(a.origin) ?? [];
    if (list.some((p) => p.seq === a.seq && Buffer.from(p.signature).equals(Buffer.from(a.signature)))) return { kind: 'dup' };
    list.push(a);
    // a forger may fill the list; the oldest go first (their keys are the nearest, so mostly checked by now)
    if (list.length > PENDING_PER_ORIGIN) list.shift();
    this.pending.set(a.origin, list);
    return { kind: 'held' };
  }

  /** A disclosed key heard now, from `sender` (the origin or a relay). */
  disclosure(rec: KeyRecord, sender: NodeId, now: number): DisclosureResult {
    const r = this.keys.accept(rec.origin, rec.interval, rec.key, now);
    if (r === 'old') {
      const q = this.relay.get(rec.origin);
      if (q && sender !== this.self && rec.interval >= q.rec.interval && ++q.heard >= KEY_SUPPRESS) this.relay.delete(rec.origin);
      return { isNew: false, verified: [], forged: 0 };
    }
    if (r !== 'new') {
      this.counts.keysRefused++;
      return { isNew: false, refused: r, verified: [], forged: 0 };
    }
    const verified: AttestFact[] = [];
    let forged = 0;
    const list = this.pending.get(rec.origin) ?? [];
    const rest: AttestFact[] = [];
    for (const a of list) {
      const i = intervalOf(a.t, this.timing);
      const key = this.keys.keyFor(rec.origin, i);
      if (!key) {
        rest.push(a);
        continue;
      }
      if (verifyTeslaAttest(a, key)) verified.push(a);
      else forged++;
    }
    if (rest.length) this.pending.set(rec.origin, rest);
    else this.pending.delete(rec.origin);
    this.counts.verified += verified.length;
    this.counts.forged += forged;
    // a new key is news everywhere: what it proves, and that its origin was alive when it let it out
    this.passOn(rec, now);
    return { isNew: true, verified, forged };
  }

  /**
   * A key that proved something here is passed on in this node's next packets: the nodes beyond heard the
   * same facts and attestations from us.
   */
  passOn(rec: KeyRecord, now: number): void {
    if (rec.origin === this.self) return;
    const spread = 1 + (((this.self * 7919 + rec.origin * 104729 + rec.interval) % 1000) / 1000) * 3;
    this.relay.set(rec.origin, { rec, due: now + spread, heard: 0 });
  }

  /** K(i) of `origin` if disclosed (checked) already. */
  keyFor(origin: NodeId, i: number): Uint8Array | undefined {
    return this.keys.keyFor(origin, i);
  }

  /** A tag of `origin` for interval i heard now proves something once its key comes (not known yet, in time). */
  tagUsable(origin: NodeId, i: number, now: number): boolean {
    return timely(i, now, this.timing) && (this.keys.latest(origin)?.i ?? 0) < i;
  }

  /** Unchecked attestations whose key is long overdue are dropped. */
  expire(now: number): void {
    for (const [origin, list] of this.pending) {
      const keep = list.filter((a) => now < disclosableAt(intervalOf(a.t, this.timing), this.timing) + 600);
      if (keep.length) this.pending.set(origin, keep);
      else this.pending.delete(origin);
    }
  }
}
