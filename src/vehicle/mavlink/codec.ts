/**
 * MAVLink 2 framing on node-mavlink's protocol classes, but synchronous: bytes in, messages out, in the same
 * call. (node-mavlink's splitter is a stream Transform: asynchronous, which would break stepping many vehicles
 * in virtual time, and it skips a whole claimed length when it meets an unknown message id, which can swallow
 * a good packet hidden behind garbage.) Here every bad candidate costs one byte and a counted rejection.
 */
import { createHash } from 'node:crypto';
import { MavLinkProtocolV2, MavLinkPacketSignature, x25crc } from 'node-mavlink';
import type { MavLinkData } from 'node-mavlink';
import { RejectCounter } from '../../wire/reject.js';
import { REGISTRY } from './messages.js';
import { fastClass } from './fresh.js';

const STX_V1 = 0xfe;
const STX_V2 = 0xfd;
const V1_HEADER = 6;
const V2_HEADER = 10;
const SIG_LEN = 13;
const IFLAG_SIGNED = 0x01;
/** Longest MAVLink 2 frame: header + 255 payload + CRC + signature. */
const MAX_FRAME = V2_HEADER + 255 + 2 + SIG_LEN;
/** Signature timestamps count 10 µs units since 2015-01-01 (MAVLink signing spec). */
const SIGNING_EPOCH_MS = Date.UTC(2015, 0, 1);

export interface MavHeader {
  readonly sysid: number;
  readonly compid: number;
  readonly msgid: number;
  readonly seq: number;
  readonly version: 1 | 2;
  readonly signed: boolean;
}

export interface MavMessage {
  readonly header: MavHeader;
  readonly data: MavLinkData;
}

export interface DecoderOptions {
  /** Shared secret (32 bytes). When set, signed packets are verified and replays dropped. */
  readonly signingKey?: Uint8Array;
  /** Drop unsigned packets (only meaningful with a key). */
  readonly requireSigned?: boolean;
  readonly rejects?: RejectCounter;
}

const EMPTY = Buffer.alloc(0);

/** Incremental decoder: feed it chunks in any split; it never throws and never holds more than one frame. */
export class MavlinkDecoder {
  readonly rejects: RejectCounter;
  private buf: Buffer = Buffer.alloc(0);
  private readonly proto = new MavLinkProtocolV2();
  private readonly key: Buffer | undefined;
  private readonly requireSigned: boolean;
  /** Highest signature timestamp seen per (sysid, compid, link id), for replay protection. */
  private readonly lastStamp = new Map<number, number>();
  private garbageRun = false;
  private readonly payload = Buffer.alloc(255);
  decoded = 0;

  constructor(opts: DecoderOptions = {}) {
    this.rejects = opts.rejects ?? new RejectCounter();
    this.key = opts.signingKey ? Buffer.from(opts.signingKey) : undefined;
    this.requireSigned = opts.requireSigned === true && this.key !== undefined;
  }

  push(chunk: Uint8Array): MavMessage[] {
    const out: MavMessage[] = [];
    // A view of the chunk is enough when nothing is pending: only the unfinished frame is kept, copied, below.
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    const b = this.buf;
    while (i < b.length) {
      const c = b[i]!;
      if (c !== STX_V1 && c !== STX_V2) {
        if (!this.garbageRun) this.rejects.add('malformed');
        this.garbageRun = true;
        i++;
        continue;
      }
      const v2 = c === STX_V2;
      const hdr = v2 ? V2_HEADER : V1_HEADER;
      if (b.length - i < hdr) break;
      const plen = b[i + 1]!;
      const iflags = v2 ? b[i + 2]! : 0;
      if (v2 && (iflags & ~IFLAG_SIGNED) !== 0) {
        this.skip('unknown_version');
        i++;
        continue;
      }
      const signed = v2 && (iflags & IFLAG_SIGNED) !== 0;
      const total = hdr + plen + 2 + (signed ? SIG_LEN : 0);
      if (b.length - i < total) break;
      const msgid = v2 ? b.readUIntLE(i + 7, 3) : b[i + 5]!;
      const clazz = REGISTRY[msgid];
      const frame = b.subarray(i, i + total);
      if (!clazz) {
        // Unknown to us: its CRC cannot be checked, so it may be noise; move on one byte.
        this.skip('malformed');
        i++;
        continue;
      }
      const crcEnd = hdr + plen;
      const crc = x25crc(frame.subarray(0, crcEnd + 2), 1, 2, clazz.MAGIC_NUMBER);
      if (crc !== frame.readUInt16LE(crcEnd)) {
        this.skip('bad_crc');
        i++;
        continue;
      }
      if (this.key) {
        if (signed) {
          const verdict = this.verify(frame, b[i + 5]!, b[i + 6]!);
          if (verdict !== undefined) {
            this.rejects.add(verdict);
            i += total;
            this.garbageRun = false;
            continue;
          }
        } else if (this.requireSigned) {
          this.rejects.add('bad_tag');
          i += total;
          this.garbageRun = false;
          continue;
        }
      }
      // one zeroed scratch payload per decoder: node-mavlink's deserializers copy every value out of it
      const payload = this.payload.fill(0);
      frame.copy(payload, 0, hdr, hdr + plen);
      let data: MavLinkData;
      try {
        data = this.proto.data(payload, fastClass(clazz));
      } catch {
        this.skip('malformed');
        i++;
        continue;
      }
      this.garbageRun = false;
      this.decoded++;
      out.push({
        header: {
          sysid: v2 ? b[i + 5]! : b[i + 3]!,
          compid: v2 ? b[i + 6]! : b[i + 4]!,
          msgid,
          seq: v2 ? b[i + 4]! : b[i + 2]!,
          version: v2 ? 2 : 1,
          signed,
        },
        data,
      });
      i += total;
    }
    // Keep only an unfinished frame (bounded by MAX_FRAME).
    let rest = b.subarray(i);
    if (rest.length > MAX_FRAME) {
      this.rejects.add('oversize');
      rest = rest.subarray(rest.length - MAX_FRAME);
    }
    this.buf = rest.length ? Buffer.from(rest) : EMPTY;
    return out;
  }

  private skip(reason: 'malformed' | 'bad_crc' | 'unknown_version'): void {
    if (!this.garbageRun || reason !== 'malformed') this.rejects.add(reason);
    this.garbageRun = true;
  }

  private verify(frame: Buffer, sysid: number, compid: number): 'bad_tag' | 'replay' | undefined {
    const sig = new MavLinkPacketSignature(frame);
    if (!sig.matches(this.key!)) return 'bad_tag';
    const stream = (sysid << 16) | (compid << 8) | sig.linkId;
    const last = this.lastStamp.get(stream) ?? -1;
    if (sig.timestamp <= last) return 'replay';
    this.lastStamp.set(stream, sig.timestamp);
    return undefined;
  }
}

export interface EncoderOptions {
  readonly sysid: number;
  readonly compid: number;
  /** Signs every packet when set. `now` gives the wall time in ms for the signature timestamp. */
  readonly signing?: { readonly key: Uint8Array; readonly linkId: number; readonly now: () => number };
}

/** Serialises messages as MAVLink 2 (never node-mavlink's default v1) with our own ids and sequence. */
export class MavlinkEncoder {
  private seq = 0;
  private readonly proto: MavLinkProtocolV2;
  private readonly key: Buffer | undefined;
  private lastStamp = 0;

  constructor(private readonly opts: EncoderOptions) {
    this.proto = new MavLinkProtocolV2(opts.sysid, opts.compid, opts.signing ? IFLAG_SIGNED : 0, 0);
    this.key = opts.signing ? Buffer.from(opts.signing.key) : undefined;
  }

  get sysid(): number {
    return this.opts.sysid;
  }

  encode(msg: MavLinkData): Buffer {
    const frame = this.proto.serialize(msg, this.seq);
    this.seq = (this.seq + 1) & 0xff;
    if (!this.key || !this.opts.signing) return Buffer.from(frame);
    const out = Buffer.concat([frame, Buffer.alloc(SIG_LEN)]);
    const sig = new MavLinkPacketSignature(out);
    sig.linkId = this.opts.signing.linkId;
    // Strictly increasing, even when many packets share a millisecond (the receiver drops non-increasing ones).
    const stamp = Math.max(this.lastStamp + 1, Math.floor((this.opts.signing.now() - SIGNING_EPOCH_MS) * 100));
    this.lastStamp = stamp;
    sig.timestamp = stamp;
    sig.signature = sig.calculate(this.key);
    return out;
  }
}

/** A 32-byte signing key from a passphrase (SHA-256, as Mission Planner and MAVProxy derive it). */
export function signingKeyFromPassphrase(passphrase: string): Buffer {
  return createHash('sha256').update(passphrase).digest();
}
