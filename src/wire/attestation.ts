/**
 * Fact attestations: an origin signs, with its Ed25519 identity, a statement "my facts with seq in
 * [from, to] are exactly these `count` facts, whose canonical encodings hash to H". One signature covers
 * a whole range, so authorship costs about 2 bytes per fact on air instead of 66 (see docs/wire.md for the
 * measured alternatives). Packets stay authenticated by the swarm key; attestations add who-said-what, so
 * a member that injects false facts is identifiable (its own signature) and one that forges another's
 * facts is caught (the signature does not verify), then revoked.
 *
 * On air: CBOR sequence origin · from · (to − from) · count · signature (64-byte string). The gossip layer
 * carries it in a packet's control records.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { encoder as cbor } from './cbor.js';
import { decodeMultiple } from 'cbor-x';
import { MAX_NODE_ID, MAX_SEQ, type AttestFact, type Fact, type NodeId } from './facts.js';
import { encodePayload } from './codec.js';
import type { Keyring } from './keyring.js';
import { TESLA_MAC_BYTES, TESLA_TAG_BYTES, teslaMac } from './tesla.js';
import { accept, reject, type Decoded } from './reject.js';

export const SIGNATURE_BYTES = 64;

export interface Attestation {
  readonly origin: NodeId;
  readonly from: number;
  readonly to: number;
  /** How many facts of the origin the range holds (seqs may have gaps after a reboot). */
  readonly count: number;
  readonly signature: Uint8Array;
}

/** Canonical bytes of one fact: its payload encoding alone, sent by its origin at its own time. */
export function canonicalFactBytes(f: Fact): Uint8Array {
  return encodePayload({ time: f.t, facts: [f] }, f.origin);
}

function statement(origin: NodeId, from: number, to: number, facts: readonly Fact[]): Buffer {
  const h = createHash('sha256');
  for (const f of facts) h.update(canonicalFactBytes(f));
  const head = Buffer.alloc(16 + 14);
  head.write('murmur-attest-1\0', 0, 'latin1');
  head.writeUInt16BE(origin, 16);
  head.writeUInt32BE(from, 18);
  head.writeUInt32BE(to, 22);
  head.writeUInt32BE(facts.length, 26);
  return Buffer.concat([head, h.digest()]);
}

function rangeOf(origin: NodeId, facts: readonly Fact[]): Fact[] {
  const mine = facts.filter((f) => f.origin === origin).sort((a, b) => a.seq - b.seq);
  if (mine.length !== facts.length) throw new RangeError('an attestation covers one origin');
  for (let i = 1; i < mine.length; i++) if (mine[i]!.seq === mine[i - 1]!.seq) throw new RangeError('duplicate seq');
  return mine;
}

/** Signs the given facts of one origin (the signer's own). */
export function attest(origin: NodeId, facts: readonly Fact[], signingKey: KeyObject): Attestation {
  const mine = rangeOf(origin, facts);
  if (mine.length === 0) throw new RangeError('nothing to attest');
  const from = mine[0]!.seq;
  const to = mine[mine.length - 1]!.seq;
  const signature = new Uint8Array(sign(null, statement(origin, from, to, mine), signingKey));
  return { origin, from, to, count: mine.length, signature };
}

/**
 * Checks an attestation against the facts a node holds for that origin and range. `bad_tag` if the
 * signature does not match them, `revoked_sender` / `unknown_sender` for the origin's identity,
 * `truncated` if the node does not hold all `count` facts yet.
 */
export function verifyAttestation(att: Attestation, facts: readonly Fact[], keyring: Keyring): Decoded<true> {
  if (keyring.isRevoked(att.origin)) return reject('revoked_sender', `origin ${att.origin} is revoked`);
  const key = keyring.verifier(att.origin);
  if (!key) return reject('unknown_sender', `origin ${att.origin} is not in the keyring`);
  const inRange = facts.filter((f) => f.origin === att.origin && f.seq >= att.from && f.seq <= att.to);
  let mine: Fact[];
  try {
    mine = rangeOf(att.origin, inRange);
  } catch (err) {
    return reject('malformed', (err as Error).message);
  }
  if (mine.length < att.count) return reject('truncated', `hold ${mine.length} of ${att.count} attested facts`);
  if (mine.length > att.count) return reject('bad_tag', `more facts in ${att.from}..${att.to} than attested`);
  const ok = verify(null, statement(att.origin, att.from, att.to, mine), key, att.signature);
  return ok ? accept(true) : reject('bad_tag', `attestation of ${att.origin}:${att.from}..${att.to} does not verify`);
}

export function encodeAttestation(att: Attestation): Uint8Array {
  const parts = [att.origin, att.from, att.to - att.from, att.count, att.signature].map((v) => cbor.encode(v));
  return Buffer.concat(parts);
}

export function decodeAttestation(bytes: Uint8Array): Decoded<Attestation> {
  if (bytes.length > 128) return reject('oversize', `attestation of ${bytes.length} bytes`);
  try {
    // Only unsigned integers and one byte string are valid here; check heads before cbor-x reads them.
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i]!;
      const major = b >> 5;
      const info = b & 31;
      if (major !== 0 && major !== 2) return reject('malformed', `CBOR major type ${major}`);
      if (info > 26) return reject('malformed', `CBOR additional info ${info}`);
      const hl = info < 24 ? 1 : info === 24 ? 2 : info === 25 ? 3 : 5;
      let v = info;
      if (info >= 24) for (let k = 1, v2 = 0; k < hl; k++) v = v2 = v2 * 256 + (bytes[i + k] ?? 0);
      i += hl + (major === 2 ? v : 0);
    }
    const items = decodeMultiple(bytes) as unknown[];
    if (!Array.isArray(items) || items.length !== 5) return reject('malformed', 'attestation has 5 items');
    const [origin, from, span, count, signature] = items;
    const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (!int(origin) || !int(from) || !int(span) || !int(count) || !(signature instanceof Uint8Array))
      return reject('malformed', 'attestation items have the wrong types');
    const o = origin as number, f = from as number, s = span as number, c = count as number;
    if (o < 1 || o > MAX_NODE_ID || f < 1 || f + s > MAX_SEQ || c < 1 || c > s + 1)
      return reject('out_of_range', 'attestation range');
    if (signature.length !== SIGNATURE_BYTES) return reject('malformed', `signature of ${signature.length} bytes`);
    return accept({ origin: o, from: f, to: f + s, count: c, signature: new Uint8Array(signature) });
  } catch (err) {
    return reject(/end of buffer|unexpected end/i.test(String(err)) ? 'truncated' : 'malformed', `attestation: ${String(err)}`);
  }
}

// ---- attestation facts (the form the gossip layer carries; see facts.ts AttestFact) -------------------

const ZERO8 = new Uint8Array(8);

/** Digest of an origin's durable facts, in seq order: SHA-256 of their canonical encodings, 16 bytes. */
export function durableDigest(facts: readonly Fact[]): Uint8Array {
  const h = createHash('sha256');
  for (const f of [...facts].sort((a, b) => a.seq - b.seq)) h.update(canonicalFactBytes(f));
  return new Uint8Array(h.digest().subarray(0, 16));
}

/** Digest of one status fact, 8 bytes (a forger needs a second preimage: 2^64 work). */
export function statusDigest(s: Fact): Uint8Array {
  return new Uint8Array(createHash('sha256').update(canonicalFactBytes(s)).digest().subarray(0, 8));
}

function factStatement(a: Omit<AttestFact, 'signature' | 'kind'>, prefix = 'murmur-attest-2\0'): Buffer {
  const head = Buffer.alloc(16 + 26);
  head.write(prefix, 0, 'latin1');
  head.writeUInt16BE(a.origin, 16);
  head.writeUInt32BE(a.seq, 18);
  head.writeUInt32BE(a.t, 22);
  head.writeUInt32BE(a.from, 26);
  head.writeUInt32BE(a.to, 30);
  head.writeUInt32BE(a.count, 34);
  head.writeUInt32BE(a.statusSeq, 38);
  return Buffer.concat([head, a.digest, a.statusDigest]);
}

function attestBody(id: { origin: NodeId; seq: number; t: number }, facts: readonly Fact[], status: Fact | undefined): Omit<AttestFact, 'signature' | 'kind'> {
  const mine = [...facts].sort((a, b) => a.seq - b.seq);
  if (mine.some((f) => f.origin !== id.origin || f.kind === 'status' || f.kind === 'attest')) throw new RangeError('an attestation covers its origin\'s own durable facts');
  return {
    origin: id.origin, seq: id.seq, t: id.t,
    from: mine[0]?.seq ?? 0, to: mine[mine.length - 1]?.seq ?? 0, count: mine.length,
    statusSeq: status?.seq ?? 0,
    digest: mine.length ? durableDigest(mine) : new Uint8Array(16),
    statusDigest: status ? statusDigest(status) : ZERO8,
  };
}

/**
 * The attestation fact `seq` of `origin` at time `t` for its own durable facts `facts` (seq order, may be
 * empty) and its latest status (optional), signed with its key.
 */
export function attestFacts(
  id: { origin: NodeId; seq: number; t: number },
  facts: readonly Fact[],
  status: Fact | undefined,
  signingKey: KeyObject,
): AttestFact {
  const body = attestBody(id, facts, status);
  return { kind: 'attest', ...body, signature: new Uint8Array(sign(null, factStatement(body), signingKey)) };
}

const TESLA_PREFIX = 'murmur-attest-t\0';

/**
 * The same statement MACed (8 bytes) under the origin's interval key for `t` (tesla.ts) instead of signed:
 * it proves nothing until the key is disclosed, and only to those who heard it before that.
 */
export function teslaAttestFacts(id: { origin: NodeId; seq: number; t: number }, facts: readonly Fact[], status: Fact | undefined, intervalKey: Uint8Array): AttestFact {
  const body = attestBody(id, facts, status);
  return { kind: 'attest', ...body, signature: teslaMac(intervalKey, factStatement(body, TESLA_PREFIX)) };
}

/** A durable fact's tag: the MAC of its canonical bytes under its origin's key for the fact's time, 4 bytes. */
export function teslaFactTag(intervalKey: Uint8Array, f: Fact): Uint8Array {
  return teslaMac(intervalKey, canonicalFactBytes(f)).subarray(0, TESLA_TAG_BYTES);
}

/** An attestation MACed under an interval key rather than signed. */
export function isTeslaAttest(a: AttestFact): boolean {
  return a.signature.length === TESLA_MAC_BYTES;
}

/** A MACed attestation checks under the origin's interval key for its time. */
export function verifyTeslaAttest(a: AttestFact, intervalKey: Uint8Array): boolean {
  return Buffer.from(teslaMac(intervalKey, factStatement(a, TESLA_PREFIX))).equals(Buffer.from(a.signature));
}

/** The attestation is its origin's: signature valid, origin a member and not revoked. Needs no other fact. */
export function verifyAttestFact(a: AttestFact, keyring: Keyring): Decoded<true> {
  if (keyring.isRevoked(a.origin)) return reject('revoked_sender', `origin ${a.origin} is revoked`);
  const key = keyring.verifier(a.origin);
  if (!key) return reject('unknown_sender', `origin ${a.origin} is not in the keyring`);
  if (isTeslaAttest(a)) return reject('bad_tag', `attestation ${a.origin}:${a.seq} is MACed, not signed`);
  let ok = false;
  try {
    ok = verify(null, factStatement(a), key, a.signature);
  } catch {
    ok = false;
  }
  return ok ? accept(true) : reject('bad_tag', `attestation ${a.origin}:${a.seq} does not verify`);
}
