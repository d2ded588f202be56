/**
 * Delayed key disclosure (TESLA, RFC 4082) for fact attestations: each member has a one-way chain of
 * interval keys, K(i−1) = H(origin, i, K(i)), whose first value K(0), the anchor, every member knows from
 * the keyring (provisioned like the member's public key, so it costs nothing on air). An origin MACs an
 * attestation made in interval i with K(i) and discloses K(i) only once interval i is `discloseAfterS` old.
 * A receiver takes the MAC as the origin's word only if the attestation reached it before K(i) could have
 * been disclosed anywhere (its clock and the origin's within `maxClockErrorS`), and checks it when the key
 * arrives: the key is checked against the anchor (or a later key already checked) by hashing. An 8-byte MAC
 * and a 64-bit key replace a 64-byte signature: see docs/wire.md for the sizes and the odds.
 *
 * Intervals follow fact time (mission seconds, shifted to the swarm key's epoch): i = ⌊(t + offset) / intervalS⌋ + 1,
 * so K(0) is never used for a MAC.
 * Pure: times come in as arguments.
 */
import { createHash, createHmac } from 'node:crypto';
import type { NodeId } from './facts.js';

export interface TeslaTiming {
  /** Length of an interval, seconds. */
  readonly intervalS: number;
  /** K(i) is disclosed this long after interval i ends. */
  readonly discloseAfterS: number;
  /** Largest difference between two members' clocks (GPS or station time). */
  readonly maxClockErrorS: number;
  /**
   * Mission time → chain time: seconds from the swarm key's epoch to the mission's. Chains count from the
   * key's epoch, so a second mission under the same key never reuses a key the first one disclosed.
   */
  readonly epochOffsetS?: number;
}

export const TESLA_TIMING: TeslaTiming = { intervalS: 10, discloseAfterS: 90, maxClockErrorS: 2 };
export const TESLA_KEY_BYTES = 8;
export const TESLA_MAC_BYTES = 8;
/** A durable fact's own MAC (its tag), carried beside it by every relay: see docs/wire.md for the odds. */
export const TESLA_TAG_BYTES = 4;
/**
 * Intervals a chain covers (10 s each: 45 hours of mission time; re-key per mission). Past its end a member's
 * attestations are proven by signatures only. 16,384 hashes: about 0.15 s at boot and per member exported.
 */
export const TESLA_CHAIN_LENGTH = 16384;

export function intervalOf(t: number, timing: TeslaTiming = TESLA_TIMING): number {
  return Math.floor((t + (timing.epochOffsetS ?? 0)) / timing.intervalS) + 1;
}

/** When the origin may disclose K(i) (its clock). */
export function disclosableAt(i: number, timing: TeslaTiming = TESLA_TIMING): number {
  return i * timing.intervalS + timing.discloseAfterS - (timing.epochOffsetS ?? 0);
}

/** The newest interval whose key may be out at `now` (mission time). */
export function latestDisclosable(now: number, timing: TeslaTiming = TESLA_TIMING): number {
  return Math.floor((now + (timing.epochOffsetS ?? 0) - timing.discloseAfterS) / timing.intervalS);
}

/** A member that let K(i) out was alive then (give or take the clocks' difference). */
export function aliveAtLeast(i: number, timing: TeslaTiming = TESLA_TIMING): number {
  return disclosableAt(i, timing) - timing.maxClockErrorS;
}

/** A MAC under K(i) heard at `now` (receiver's clock) was made before anyone but the origin held K(i). */
export function timely(i: number, now: number, timing: TeslaTiming = TESLA_TIMING): boolean {
  return now < disclosableAt(i, timing) - 2 * timing.maxClockErrorS;
}

/** One step down the chain: K(i−1) from K(i). Origin and index in the input: no multi-target shortcut. */
export function stepDown(origin: NodeId, i: number, key: Uint8Array): Uint8Array {
  const head = Buffer.alloc(6);
  head.writeUInt16BE(origin, 0);
  head.writeUInt32BE(i, 2);
  return new Uint8Array(createHash('sha256').update('murmur-tesla-chain-1').update(head).update(key).digest().subarray(0, TESLA_KEY_BYTES));
}

/** K(from) → K(to) for to ≤ from. */
export function keyAt(origin: NodeId, from: number, key: Uint8Array, to: number): Uint8Array {
  let k = key;
  for (let i = from; i > to; i--) k = stepDown(origin, i, k);
  return k;
}

/** The chain's seed, from the member's identity secret and the swarm key (a new swarm key: a new chain). */
export function chainSeed(secretKey: Uint8Array, swarmKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', Buffer.from(secretKey)).update('murmur-tesla-seed-1').update(swarmKey).digest().subarray(0, TESLA_KEY_BYTES));
}

/** A member's own chain: every key, computed once from the seed down to the anchor. */
export class KeyChain {
  private readonly keys: Uint8Array[];
  constructor(
    readonly origin: NodeId,
    seed: Uint8Array,
    readonly length = TESLA_CHAIN_LENGTH,
  ) {
    this.keys = new Array<Uint8Array>(length + 1);
    this.keys[length] = seed;
    for (let i = length; i > 0; i--) this.keys[i - 1] = stepDown(origin, i, this.keys[i]!);
  }
  get anchor(): Uint8Array {
    return this.keys[0]!;
  }
  /** K(i), or undefined past the chain's end (then the member falls back to signatures). */
  key(i: number): Uint8Array | undefined {
    return i >= 1 && i <= this.length ? this.keys[i] : undefined;
  }
}

/**
 * A member's own chain, if its provisioning file lists the anchor that chain ends in (files written before
 * key chains: none, and the member proves its facts by signatures only).
 */
export function ownChain(self: { readonly id: NodeId; readonly secretKey: Uint8Array }, keyring: { readonly swarmKey: Uint8Array; anchorOf(id: NodeId): Uint8Array | undefined }): KeyChain | undefined {
  const anchor = keyring.anchorOf(self.id);
  if (!anchor) return undefined;
  const chain = new KeyChain(self.id, chainSeed(self.secretKey, keyring.swarmKey));
  return Buffer.from(chain.anchor).equals(Buffer.from(anchor)) ? chain : undefined;
}

/** The anchor of a chain (what `murmur keys export` writes for each member). */
export function chainAnchor(origin: NodeId, seed: Uint8Array, length = TESLA_CHAIN_LENGTH): Uint8Array {
  return keyAt(origin, length, seed, 0);
}

/** MAC of a statement under an interval key, truncated to 8 bytes. */
export function teslaMac(key: Uint8Array, statement: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', Buffer.from(key)).update(statement).digest().subarray(0, TESLA_MAC_BYTES));
}

/**
 * Disclosed keys of other members, each checked against its anchor or a later key already checked.
 * `accept` refuses a key for an interval that may not be disclosed yet (a forger's claim), one past the
 * chain, and one that does not hash down to what is known; hashing is bounded by the elapsed intervals.
 */
export class DisclosedKeys {
  private readonly known = new Map<NodeId, { i: number; key: Uint8Array }>();
  /**
   * Hash steps spent checking keys in the current minute: a forged key far ahead of what is known costs up
   * to the elapsed intervals in hashes, so keys are checked within a budget (about 0.5 s of a Pi's core a
   * minute) and the rest refused as `busy` (honest keys come again: resent, and passed on by others).
   */
  private work = { minute: -1, steps: 0 };
  static readonly STEPS_PER_MINUTE = 200_000;
  constructor(
    private readonly anchorOf: (origin: NodeId) => Uint8Array | undefined,
    readonly timing: TeslaTiming = TESLA_TIMING,
    readonly chainLength = TESLA_CHAIN_LENGTH,
  ) {}

  latest(origin: NodeId): { i: number; key: Uint8Array } | undefined {
    return this.known.get(origin);
  }

  /** 'new' (moved on), 'old' (known already), or why it is refused. */
  accept(origin: NodeId, i: number, key: Uint8Array, now: number): 'new' | 'old' | string {
    if (key.length !== TESLA_KEY_BYTES) return `key of ${key.length} bytes`;
    if (i < 1 || i > this.chainLength) return `interval ${i} outside the chain`;
    if (disclosableAt(i, this.timing) > now + this.timing.maxClockErrorS) return `key ${i} of ${origin} disclosed before its time`;
    const cur = this.known.get(origin);
    const base = cur ?? (this.anchorOf(origin) ? { i: 0, key: this.anchorOf(origin)! } : undefined);
    if (!base) return `no anchor for ${origin}`;
    if (i <= base.i) return 'old';
    const minute = Math.floor(now / 60);
    if (this.work.minute !== minute) this.work = { minute, steps: 0 };
    if (this.work.steps + (i - base.i) > DisclosedKeys.STEPS_PER_MINUTE) return `busy: key ${i} of ${origin} not checked this minute`;
    this.work.steps += i - base.i;
    if (!Buffer.from(keyAt(origin, i, key, base.i)).equals(Buffer.from(base.key))) return `key ${i} of ${origin} does not hash to its chain`;
    this.known.set(origin, { i, key: new Uint8Array(key) });
    return 'new';
  }

  /** K(i) of origin if a key at or after i is known. */
  keyFor(origin: NodeId, i: number): Uint8Array | undefined {
    const cur = this.known.get(origin);
    if (!cur || cur.i < i) return undefined;
    return keyAt(origin, cur.i, cur.key, i);
  }
}
