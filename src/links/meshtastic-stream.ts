/**
 * Meshtastic's serial ("stream") API framing: 0x94 0xC3, a 16-bit big-endian length, then one ToRadio or
 * FromRadio protobuf of at most 512 bytes. Bytes outside frames are the radio's debug console text; they are
 * skipped and counted. Pure.
 */
export const START1 = 0x94;
export const START2 = 0xc3;
export const MAX_STREAM_PAYLOAD = 512;

export function encodeStreamFrame(protobuf: Uint8Array): Uint8Array {
  if (protobuf.length > MAX_STREAM_PAYLOAD) throw new RangeError(`protobuf of ${protobuf.length} > ${MAX_STREAM_PAYLOAD} bytes`);
  const out = new Uint8Array(4 + protobuf.length);
  out[0] = START1;
  out[1] = START2;
  out[2] = protobuf.length >> 8;
  out[3] = protobuf.length & 0xff;
  out.set(protobuf, 4);
  return out;
}

export interface StreamDecoderStats {
  frames: number;
  /** Headers announcing more than 512 bytes (noise that looked like a start): resynchronised. */
  oversize: number;
  /** Bytes outside any frame (console text, garbage). */
  skippedBytes: number;
}

export class StreamDecoder {
  private state: 'start1' | 'start2' | 'len1' | 'len2' | 'body' = 'start1';
  private len = 0;
  private readonly buf = new Uint8Array(MAX_STREAM_PAYLOAD);
  private got = 0;
  readonly stats: StreamDecoderStats = { frames: 0, oversize: 0, skippedBytes: 0 };

  push(chunk: Uint8Array, onFrame: (protobuf: Uint8Array) => void): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case 'start1':
          if (b === START1) this.state = 'start2';
          else this.stats.skippedBytes++;
          break;
        case 'start2':
          if (b === START2) this.state = 'len1';
          else {
            this.stats.skippedBytes += 1;
            this.state = b === START1 ? 'start2' : 'start1';
            if (b !== START1) this.stats.skippedBytes++;
          }
          break;
        case 'len1':
          this.len = b << 8;
          this.state = 'len2';
          break;
        case 'len2':
          this.len |= b;
          if (this.len > MAX_STREAM_PAYLOAD) {
            this.stats.oversize++;
            this.stats.skippedBytes += 4;
            this.state = 'start1';
          } else if (this.len === 0) {
            this.state = 'start1';
            this.stats.frames++;
            onFrame(new Uint8Array(0));
          } else {
            this.got = 0;
            this.state = 'body';
          }
          break;
        case 'body':
          this.buf[this.got++] = b;
          if (this.got === this.len) {
            this.state = 'start1';
            this.stats.frames++;
            onFrame(this.buf.slice(0, this.len));
          }
          break;
      }
    }
  }

  reset(): void {
    this.state = 'start1';
  }
}
