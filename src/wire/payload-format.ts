/**
 * The packet payload format, shared by the encoder and the decoder: a CBOR sequence (RFC 8742) of small
 * integers, written and read by cbor-x.
 *
 *   time · { [origin] head [kind] [seq] dt body… }* · [control]
 *
 * - `time`: the sender's mission seconds when the packet was built.
 * - facts go in canonical order, by time then origin then seq (whatever order they were added in), so
 *   each fact's time is a small non-negative delta from the previous one (the first: zig-zag of the age
 *   against the packet time).
 * - a negative token −o switches the current origin to o (the first fact's origin is the sender unless a
 *   switch says otherwise).
 * - head = seqCode·8 + code. seqCode is the seq for an origin's first fact in the packet, otherwise the
 *   zig-zag of (seq − that origin's previous seq − 1): 0 for the next fact of the same origin. A seqCode
 *   of 2^29 − 1 means the absolute seq follows. Codes 0..6 are the compact forms of status, victim,
 *   road, hazard, supersede, coverage, command; code 7 is followed by kind·2 + wide (areas, acks,
 *   missions, wide forms).
 * - body: the kind's fields packed into as few integers as their ranges allow ("compact" form); values
 *   outside the compact ranges use the "wide" form, one plainer token per field.
 * - control: an optional byte string, last, carrying the gossip layer's own records.
 *
 * See docs/wire.md for every field, its unit and its cost.
 */
import { compareFactIds, type Fact, type FactKind, type NodeId } from './facts.js';
import type { LocalPoint } from './frame-of-reference.js';
import { MAX_TIME } from './fact-check.js';
import { deinterleave, interleave, unzigzag, zigzag } from './packing.js';

/** What one packet carries once opened. */
export interface PacketPayload {
  /** The sender's mission seconds when it built the packet. */
  readonly time: number;
  readonly facts: readonly Fact[];
  /** Opaque gossip control records (digests, requests), encoded by the gossip layer. */
  readonly control?: Uint8Array;
}

/** Largest payload the decoder looks at (a LoRa frame is at most 255 bytes; UDP links may use more). */
export const MAX_PAYLOAD_BYTES = 1024;
/** Coverage cells one payload may expand to: bounds what a 1 KB hostile payload can make a decoder allocate. */
export const MAX_PAYLOAD_CELLS = 16384;

/** Kind numbers, as written in the escape token (kind·2 + wide). */
export const KIND_INDEX: Record<FactKind, number> = {
  status: 0,
  victim: 1,
  road: 2,
  hazard: 3,
  supersede: 4,
  coverage: 5,
  command: 6,
  area: 7,
  ack: 8,
  mission: 9,
  attest: 10,
};
export const KIND_OF_INDEX: readonly FactKind[] = ['status', 'victim', 'road', 'hazard', 'supersede', 'coverage', 'command', 'area', 'ack', 'mission', 'attest'];
/**
 * An attestation's digest, status digest and signature travel as one byte string of this length; a MACed
 * one (tesla.ts) has an 8-byte MAC in place of the signature.
 */
export const ATTEST_BLOB_BYTES = 16 + 8 + 64;
export const TESLA_ATTEST_BLOB_BYTES = 16 + 8 + 8;
/** Head codes 0..6 are the compact forms of kinds 0..6; code 7 means "kind·2 + wide follows" (areas, wide forms). */
export const ESCAPE_CODE = 7;
/** ArduCopter modes a drone spends its flight in: STABILIZE, AUTO, GUIDED, LOITER, RTL, LAND, BRAKE. */
export const COMMON_MODES = [0, 3, 4, 5, 6, 9, 17] as const;
export const SEQ_ESC = 2 ** 29 - 1;
/** Compact status ranges: altitude −10..245 m, sector −1..49. */
export const ALT_LO = -10;
export const ALT_CODES = 256;
export const SECTOR_CODES = 51;
/** Activities the compact status form can carry: with more, its second token would not fit 32 bits. */
export const NARROW_ACTIVITIES = 9;

export const posToken = (p: LocalPoint): number => interleave(zigzag(p.x), zigzag(p.y));
export function tokenPos(v: number): LocalPoint {
  const [a, b] = deinterleave(v);
  return { x: unzigzag(a), y: unzigzag(b) };
}

/** Orders facts by time, then origin, then seq: the canonical order inside a packet. */
export function compareCanonical(a: Fact, b: Fact): number {
  return a.t - b.t || compareFactIds(a, b);
}

/** Canonical order inside a packet: by time, then origin, then seq (see compareCanonical). */
export function canonicalOrder(facts: readonly Fact[], _sender?: NodeId): Fact[] {
  return [...facts].sort(compareCanonical);
}

export function timeProblem(time: number): string | undefined {
  return Number.isInteger(time) && time >= 0 && time <= MAX_TIME ? undefined : `packet time ${time} outside 0..${MAX_TIME}`;
}
