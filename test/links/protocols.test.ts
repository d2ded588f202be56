/** Decoders of what radios send us: typed rejections, never exceptions, on any input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeModemMessage,
  DEFAULT_MODEM_CONFIG,
  encodeConfigure,
  encodeSend,
  Evt,
} from '../../src/links/modem-protocol.js';
import { encodeStreamFrame, StreamDecoder } from '../../src/links/meshtastic-stream.js';
import { Backoff } from '../../src/links/backoff.js';

test('modem message decoder: any bytes give a message or a typed rejection', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const d = decodeModemMessage(bytes);
      if (!d.ok) assert.ok(['truncated', 'malformed', 'oversize'].includes(d.reason));
    }),
    { numRuns: 2000 },
  );
  const short = decodeModemMessage(Uint8Array.of(Evt.ACCEPTED, 0, 0));
  assert.deepEqual(short.ok ? 'ok' : short.reason, 'truncated');
  const unknown = decodeModemMessage(Uint8Array.of(0x42));
  assert.deepEqual(unknown.ok ? 'ok' : unknown.reason, 'malformed');
});

test('modem RX and CONFIG_OK decode with signed RSSI / quarter-dB SNR and the configuration echoed', () => {
  const rx = decodeModemMessage(Uint8Array.of(Evt.RX, 0x12, 0x34, 0xff, 0x88, 0xf6, 7, 8));
  assert.ok(rx.ok && rx.value.type === 'rx');
  assert.deepEqual(rx.value, { type: 'rx', seq: 0x1234, rssi: -120, snr: -2.5, data: Uint8Array.of(7, 8) });
  const cfg = encodeConfigure({ ...DEFAULT_MODEM_CONFIG, powerDbm: -3 });
  cfg[0] = Evt.CONFIG_OK;
  const back = decodeModemMessage(cfg);
  assert.ok(back.ok && back.value.type === 'config_ok');
  assert.deepEqual(back.value.config, { ...DEFAULT_MODEM_CONFIG, powerDbm: -3 });
  assert.deepEqual([...encodeSend(0xdeadbeef, Uint8Array.of(1))], [3, 0xde, 0xad, 0xbe, 0xef, 1]);
});

test('Meshtastic stream decoder finds every frame among arbitrary junk that contains no start marker', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 512 })), { maxLength: 8 }),
      (parts) => {
        const chunks: Uint8Array[] = [];
        for (const [junk, pb] of parts) {
          chunks.push(junk.map((b) => (b === 0x94 ? 0x20 : b)));
          chunks.push(encodeStreamFrame(pb));
        }
        const got: Uint8Array[] = [];
        new StreamDecoder().push(Buffer.concat(chunks), (f) => got.push(f));
        assert.deepEqual(got, parts.map(([, pb]) => pb));
      },
    ),
  );
  const d = new StreamDecoder();
  d.push(Uint8Array.of(0x94, 0xc3, 0x02, 0x01), () => assert.fail('oversize accepted'));
  assert.equal(d.stats.oversize, 1);
});

test('reconnect back-off doubles up to its ceiling and starts over after a success', () => {
  const b = new Backoff({ initialMs: 50, maxMs: 1000, factor: 2 });
  assert.deepEqual(Array.from({ length: 7 }, () => b.next()), [50, 100, 200, 400, 800, 1000, 1000]);
  b.reset();
  assert.equal(b.next(), 50);
});
