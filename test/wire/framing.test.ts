import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, framedLength, type FrameRejection } from '../../src/wire/framing.js';

function decodeAll(bytes: Uint8Array, max?: number) {
  const d = new FrameDecoder(max);
  const frames: Uint8Array[] = [];
  const rejects: FrameRejection[] = [];
  d.push(bytes, (f) => frames.push(f), (r) => rejects.push(r));
  return { frames, rejects };
}

test('any payload survives a round trip and contains no delimiter inside the frame', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (payload) => {
      const frame = encodeFrame(payload);
      assert.equal(frame.indexOf(0), frame.length - 1);
      assert.ok(frame.length <= framedLength(payload.length));
      const { frames } = decodeAll(frame, 600);
      assert.equal(frames.length, 1);
      assert.deepEqual(frames[0], payload);
    }),
  );
});

test('resynchronises after garbage and keeps every later frame', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 8 }),
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      (payloads, garbage) => {
        const parts = [garbage, Uint8Array.of(0), ...payloads.map(encodeFrame)];
        const stream = Buffer.concat(parts);
        const { frames } = decodeAll(stream);
        // the garbage may by chance decode to a valid frame only if its CRC matches; the real ones all arrive
        assert.deepEqual(frames.slice(-payloads.length), payloads);
      },
    ),
  );
});

test('a corrupted byte is rejected as bad_crc or malformed, and the next frame still arrives', () => {
  const a = encodeFrame(Uint8Array.from([1, 2, 3, 4, 5, 6]));
  const b = encodeFrame(Uint8Array.from([9, 8, 7]));
  const bad = a.slice();
  bad[3] = bad[3]! ^ 0x40;
  const { frames, rejects } = decodeAll(Buffer.concat([bad, b]));
  assert.deepEqual(frames, [Uint8Array.from([9, 8, 7])]);
  assert.equal(rejects.length, 1);
  assert.ok(['bad_crc', 'malformed'].includes(rejects[0]!.reason));
});

test('an endless run without delimiter is dropped as oversize, memory stays bounded', () => {
  const d = new FrameDecoder(64);
  const rejects: FrameRejection[] = [];
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 1000; i++) d.push(new Uint8Array(1000).fill(7), (f) => frames.push(f), (r) => rejects.push(r));
  d.push(Uint8Array.of(0), (f) => frames.push(f), (r) => rejects.push(r));
  d.push(encodeFrame(Uint8Array.of(42)), (f) => frames.push(f), (r) => rejects.push(r));
  assert.deepEqual(rejects.map((r) => r.reason), ['oversize']);
  assert.deepEqual(frames, [Uint8Array.of(42)]);
  assert.equal(d.stats.discardedBytes, 1_000_000);
});

test('a frame split across many pushes is reassembled', () => {
  const payload = Uint8Array.from({ length: 300 }, (_, i) => i % 7);
  const frame = encodeFrame(payload);
  const d = new FrameDecoder();
  const frames: Uint8Array[] = [];
  for (const b of frame) d.push(Uint8Array.of(b), (f) => frames.push(f));
  assert.deepEqual(frames, [payload]);
});

test('a short frame without room for a CRC is truncated', () => {
  const { rejects } = decodeAll(Uint8Array.from([0x02, 0x05, 0x00]));
  assert.deepEqual(rejects.map((r) => r.reason), ['truncated']);
});
