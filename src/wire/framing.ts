/**
 * Framing for byte-stream links (serial to a LoRa modem, pseudo-terminals, TCP).
 *
 * A frame on the line is COBS(payload ‖ CRC-16 big-endian) followed by a single 0x00 delimiter.
 * COBS removes every zero from the body, so a delimiter can only mean "end of frame": after any garbage
 * the decoder resynchronises at the next 0x00 and loses at most the frame the garbage hit. Overhead is
 * fixed and small (1 delimiter + 1 code byte per 254 bytes + 2 CRC), which keeps airtime accounting exact,
 * unlike SLIP/KISS escaping whose worst case doubles a frame.
 */
import { crc16 } from './crc16.js';
import type { RejectReason } from './reject.js';

export const FRAME_DELIMITER = 0x00;
/** Default largest payload accepted in one frame (a LoRa packet is at most 255 bytes). */
export const DEFAULT_MAX_FRAME_PAYLOAD = 512;

/** Bytes a payload of `n` bytes occupies on the line once framed, at most (exact unless long zero-free runs). */
export function framedLength(n: number): number {
  const body = n + 2;
  return body + Math.floor(body / 254) + 1 + 1;
}

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(payload.length + 2);
  body.set(payload, 0);
  const crc = crc16(payload);
  body[payload.length] = crc >> 8;
  body[payload.length + 1] = crc & 0xff;
  const out = new Uint8Array(framedLength(payload.length));
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b !== 0) {
      out[o++] = b;
      code++;
    }
    if (b === 0 || code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  out[o++] = FRAME_DELIMITER;
  return out.subarray(0, o);
}

/** Decodes one COBS body (without its delimiter). Returns undefined if the code bytes are inconsistent. */
function cobsDecode(src: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(src.length);
  let i = 0;
  let o = 0;
  while (i < src.length) {
    const code = src[i++]!;
    if (code === 0) return undefined;
    const end = i + code - 1;
    if (end > src.length) return undefined;
    while (i < end) out[o++] = src[i++]!;
    if (code !== 0xff && i < src.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}

export interface FrameRejection {
  readonly reason: RejectReason;
  readonly detail: string;
}

export interface FrameDecoderStats {
  frames: number;
  rejected: number;
  /** Bytes discarded while resynchronising or inside rejected frames. */
  discardedBytes: number;
}

/**
 * Incremental decoder: push whatever the line delivered, get whole payloads back. Bounded memory: a run of
 * bytes longer than the maximum frame is dropped (counted as `oversize`) and the decoder waits for the next
 * delimiter.
 */
export class FrameDecoder {
  private readonly buf: Uint8Array;
  private len = 0;
  private overflowed = false;
  readonly stats: FrameDecoderStats = { frames: 0, rejected: 0, discardedBytes: 0 };

  constructor(readonly maxPayload = DEFAULT_MAX_FRAME_PAYLOAD) {
    this.buf = new Uint8Array(framedLength(maxPayload));
  }

  /**
   * Feeds bytes; calls onFrame for each valid payload (a copy) and onReject for each bad frame.
   * Never throws on any input.
   */
  push(
    chunk: Uint8Array,
    onFrame: (payload: Uint8Array) => void,
    onReject?: (r: FrameRejection) => void,
  ): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b !== FRAME_DELIMITER) {
        if (this.len < this.buf.length) this.buf[this.len++] = b;
        else {
          this.overflowed = true;
          this.stats.discardedBytes++;
        }
        continue;
      }
      if (this.len === 0 && !this.overflowed) continue; // idle delimiters keep the line in sync
      const r = this.finish();
      if (r.payload) {
        this.stats.frames++;
        onFrame(r.payload);
      } else if (r.reject) {
        this.stats.rejected++;
        onReject?.(r.reject);
      }
    }
  }

  /** Drops any partial frame, e.g. after a reconnect. */
  reset(): void {
    this.stats.discardedBytes += this.len;
    this.len = 0;
    this.overflowed = false;
  }

  private finish(): { payload?: Uint8Array; reject?: FrameRejection } {
    const len = this.len;
    const overflowed = this.overflowed;
    this.len = 0;
    this.overflowed = false;
    if (overflowed) {
      this.stats.discardedBytes += len;
      return { reject: { reason: 'oversize', detail: `frame longer than ${this.maxPayload} bytes` } };
    }
    const body = cobsDecode(this.buf.subarray(0, len));
    if (!body) {
      this.stats.discardedBytes += len;
      return { reject: { reason: 'malformed', detail: 'inconsistent COBS code bytes' } };
    }
    if (body.length < 2) {
      this.stats.discardedBytes += len;
      return { reject: { reason: 'truncated', detail: `frame of ${body.length} bytes has no room for a CRC` } };
    }
    const n = body.length - 2;
    const want = (body[n]! << 8) | body[n + 1]!;
    if (crc16(body, 0, n) !== want) {
      this.stats.discardedBytes += len;
      return { reject: { reason: 'bad_crc', detail: 'CRC-16 mismatch' } };
    }
    if (n > this.maxPayload) {
      this.stats.discardedBytes += len;
      return { reject: { reason: 'oversize', detail: `payload ${n} > ${this.maxPayload}` } };
    }
    return { payload: body.slice(0, n) };
  }
}
