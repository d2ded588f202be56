import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loraAirtimeMs, MESHTASTIC_LONG_FAST } from '../../src/links/airtime.js';
import { FIRMWARE_DIR } from '../../src/links/modem-emulator.js';

test('time on air matches the reference table shared with the firmware (within 0.1 ms)', () => {
  const rows = readFileSync(join(FIRMWARE_DIR, 'test/vectors/airtime.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/).map(Number));
  assert.equal(rows.length, 42);
  for (const [sf, bwHz, cr, bytes, ms] of rows) {
    const got = loraAirtimeMs({ sf: sf!, bwHz: bwHz!, cr: cr! }, bytes!);
    assert.ok(Math.abs(got - ms!) <= 0.1, `SF${sf} ${bytes} B: ${got.toFixed(2)} ms, table ${ms}`);
  }
});

test('a 200-byte packet at SF9 takes about one second; LongFast full frame about 2 s', () => {
  assert.ok(Math.abs(loraAirtimeMs({ sf: 9, bwHz: 125_000, cr: 5 }, 200) - 1004.5) < 0.1);
  const full = loraAirtimeMs({ ...MESHTASTIC_LONG_FAST, preamble: 8 }, 249);
  assert.ok(Math.abs(full - 2050) < 5, `${full}`);
  // Meshtastic's 16-symbol preamble adds 8 symbols of 8.192 ms
  assert.ok(Math.abs(loraAirtimeMs(MESHTASTIC_LONG_FAST, 249) - full - 8 * 8.192) < 1e-9);
});

test('more bytes, higher SF or a stronger coding rate never take less time', () => {
  fc.assert(
    fc.property(fc.integer({ min: 7, max: 11 }), fc.integer({ min: 1, max: 254 }), fc.integer({ min: 5, max: 7 }), (sf, n, cr) => {
      const m = { sf, bwHz: 125_000, cr };
      const t = loraAirtimeMs(m, n);
      assert.ok(loraAirtimeMs(m, n + 1) >= t);
      assert.ok(loraAirtimeMs({ ...m, sf: sf + 1 }, n) > t);
      assert.ok(loraAirtimeMs({ ...m, cr: cr + 1 }, n) >= t);
      assert.ok(loraAirtimeMs({ ...m, bwHz: 250_000 }, n) < t);
    }),
  );
});
