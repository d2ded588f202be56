/**
 * Sealed packets: what goes on air.
 *
 *   word (4 bytes, big-endian) = version (2 bits, = 2) · wide-sender (1 bit) · counter (29 bits)
 *   sender (1 byte, or 2 if wide-sender)
 *   ciphertext of the payload (same length) · Poly1305 tag truncated to 8 bytes
 *
 * ChaCha20-Poly1305 (RFC 8439, Node's crypto) under the swarm key; the header is the associated data, so
 * it is authenticated though readable (a receiver needs the sender and counter before it can decrypt).
 * The 96-bit nonce is derived, not sent: sender (2 bytes) · 0 (6 bytes) · counter (4 bytes). Each sender
 * draws counters from a sequence persisted ahead of use (sequence.ts), so a (key, nonce) pair never repeats,
 * also across reboots. 2^29 packets per sender per swarm key: re-key a swarm long before that.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MAX_NODE_ID, type NodeId } from './facts.js';
import { framedLength } from './framing.js';
import { MAX_PAYLOAD_BYTES } from './codec.js';
import type { ReplayWindow } from './replay.js';
import { accept, reject, type Decoded } from './reject.js';

/** 2: the 8-byte tag (version 1 had a 16-byte one). */
export const PACKET_VERSION = 2;
/**
 * Poly1305 tag truncated to 64 bits: the swarm key only keeps outsiders out (members hold it, authorship is
 * separate), and an outsider's forgery succeeds with odds about 2^-64 per attempt (docs/wire.md).
 */
export const TAG_BYTES = 8;
export const SWARM_KEY_BYTES = 32;
export const MAX_COUNTER = 2 ** 29 - 1;
/** Largest sealed packet accepted: the largest payload plus the widest header and the tag. */
export const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 6 + TAG_BYTES;

export interface SealKeys {
  /** 32-byte ChaCha20-Poly1305 key shared by the swarm. */
  readonly swarmKey: Uint8Array;
}

/** Who may send: the swarm key, the members' ids and the revocation list (see keyring.ts). */
export interface PacketKeyring extends SealKeys {
  isMember(id: NodeId): boolean;
  isRevoked(id: NodeId): boolean;
}

export interface OpenedPacket {
  readonly sender: NodeId;
  readonly counter: number;
  /** Decrypted payload bytes (decode with decodePayload(payload, sender)). */
  readonly payload: Uint8Array;
}

export function headerLength(sender: NodeId): number {
  return sender <= 0xff ? 5 : 6;
}

/** Bytes a sealed packet adds to its payload: header and tag. */
export function sealOverhead(sender: NodeId): number {
  return headerLength(sender) + TAG_BYTES;
}

/** Bytes on air for a payload of `payloadBytes`: sealed, and framed (COBS + CRC + delimiter) if `framed`. */
export function onAirLength(sender: NodeId, payloadBytes: number, framed = true): number {
  const sealed = payloadBytes + sealOverhead(sender);
  return framed ? framedLength(sealed) : sealed;
}

/**
 * Fixed per-packet overhead in bytes: header + tag + serial framing (the framing term is exact for sealed
 * packets up to 252 bytes, i.e. every LoRa packet). 17 for senders 1..255, 18 above.
 */
export function packetOverhead(sender: NodeId, framed = true): number {
  return onAirLength(sender, 0, framed);
}

/** Largest payload whose packet fits in `mtu` bytes on air. */
export function maxPayloadFor(mtu: number, sender: NodeId, framed = true): number {
  let p = Math.max(0, mtu - packetOverhead(sender, framed));
  while (p > 0 && onAirLength(sender, p, framed) > mtu) p--;
  return Math.min(p, MAX_PAYLOAD_BYTES);
}

function nonceOf(sender: NodeId, counter: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt16BE(sender, 0);
  n.writeUInt32BE(counter, 8);
  return n;
}

function headerOf(sender: NodeId, counter: number): Buffer {
  const wide = sender > 0xff;
  const h = Buffer.alloc(wide ? 6 : 5);
  h.writeUInt32BE(((PACKET_VERSION << 30) | ((wide ? 1 : 0) << 29) | counter) >>> 0, 0);
  if (wide) h.writeUInt16BE(sender, 4);
  else h[4] = sender;
  return h;
}

/**
 * Encrypts and authenticates a payload. `counter` must never repeat for this sender under this key
 * (take it from a persisted sequence). Throws RangeError on arguments outside their ranges.
 */
export function sealPacket(sender: NodeId, counter: number, payload: Uint8Array, keys: SealKeys): Uint8Array {
  if (!Number.isInteger(sender) || sender < 1 || sender > MAX_NODE_ID) throw new RangeError(`sender ${sender} outside 1..${MAX_NODE_ID}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) throw new RangeError(`counter ${counter} outside 0..${MAX_COUNTER}`);
  if (keys.swarmKey.length !== SWARM_KEY_BYTES) throw new RangeError('swarm key must be 32 bytes');
  if (payload.length > MAX_PAYLOAD_BYTES) throw new RangeError(`payload of ${payload.length} bytes > ${MAX_PAYLOAD_BYTES}`);
  const header = headerOf(sender, counter);
  const cipher = createCipheriv('chacha20-poly1305', keys.swarmKey, nonceOf(sender, counter), { authTagLength: TAG_BYTES });
  cipher.setAAD(header, { plaintextLength: payload.length });
  const body = cipher.update(payload);
  cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(header.length + body.length + TAG_BYTES);
  out.set(header, 0);
  out.set(body, header.length);
  out.set(tag, header.length + body.length);
  return out;
}

/** Reads the clear header without verifying anything (for logs and tests). */
export function peekHeader(bytes: Uint8Array): Decoded<{ version: number; sender: NodeId; counter: number; headerLength: number }> {
  if (bytes.length < 5) return reject('truncated', `packet of ${bytes.length} bytes has no header`);
  const word = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const version = word >>> 30;
  if (version !== PACKET_VERSION) return reject('unknown_version', `packet version ${version}`);
  const wide = (word >>> 29) & 1;
  const counter = word & MAX_COUNTER;
  if (wide) {
    if (bytes.length < 6) return reject('truncated', 'packet ends inside its header');
    const sender = (bytes[4]! << 8) | bytes[5]!;
    if (sender <= 0xff) return reject('malformed', 'two-byte sender field for a one-byte sender');
    return accept({ version, sender, counter, headerLength: 6 });
  }
  return accept({ version, sender: bytes[4]!, counter, headerLength: 5 });
}

/**
 * Verifies and decrypts a packet. Order of checks: shape, version, sender known and not revoked, counter
 * fresh, tag; the replay window moves only after the tag verified. Never throws.
 */
export function openPacket(bytes: Uint8Array, keyring: PacketKeyring, replay: ReplayWindow): Decoded<OpenedPacket> {
  try {
    if (bytes.length > MAX_PACKET_BYTES) return reject('oversize', `packet of ${bytes.length} bytes > ${MAX_PACKET_BYTES}`);
    const h = peekHeader(bytes);
    if (!h.ok) return h;
    const { sender, counter, headerLength: hl } = h.value;
    if (bytes.length < hl + TAG_BYTES) return reject('truncated', `packet of ${bytes.length} bytes has no room for its tag`);
    if (keyring.isRevoked(sender)) return reject('revoked_sender', `sender ${sender} is revoked`);
    if (!keyring.isMember(sender)) return reject('unknown_sender', `sender ${sender} is not in the keyring`);
    if (!replay.isFresh(sender, counter)) return reject('replay', `counter ${counter} from ${sender} already seen or too old`);
    const bodyEnd = bytes.length - TAG_BYTES;
    const decipher = createDecipheriv('chacha20-poly1305', keyring.swarmKey, nonceOf(sender, counter), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(bytes.subarray(bodyEnd));
    decipher.setAAD(bytes.subarray(0, hl), { plaintextLength: bodyEnd - hl });
    const plain = decipher.update(bytes.subarray(hl, bodyEnd));
    try {
      decipher.final();
    } catch {
      return reject('bad_tag', `authentication failed for a packet from ${sender}`);
    }
    replay.accept(sender, counter);
    return accept({ sender, counter, payload: new Uint8Array(plain.buffer, plain.byteOffset, plain.length) });
  } catch (err) {
    return reject('malformed', `packet: ${err instanceof Error ? err.message : String(err)}`);
  }
}
