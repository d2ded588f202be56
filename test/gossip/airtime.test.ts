import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DutyCycleWindow, EU868_1PCT, loraTimeOnAir, maxWindowFraction } from '../../src/gossip/airtime.js';

// REFERENCE.md, "LoRa time on air": BW 125 kHz, CR 4/5, 8-symbol preamble, milliseconds.
const SIZES = [12, 20, 50, 100, 200, 222, 255];
const TABLE: Record<number, number[]> = {
  7: [41.2, 56.6, 97.5, 174.3, 317.7, 348.4, 399.6],
  8: [82.4, 102.9, 174.6, 307.7, 563.7, 614.9, 707.1],
  9: [144.4, 185.3, 328.7, 554.0, 1004.5, 1106.9, 1250.3],
  10: [288.8, 370.7, 616.4, 1026.0, 1845.2, 2009.1, 2295.8],
  11: [577.5, 741.4, 1314.8, 2215.9, 4018.2, 4427.8, 5001.2],
  12: [1155.1, 1318.9, 2302.0, 3940.4, 7217.2, 8036.4, 9019.4],
};

test('time on air matches the Semtech reference values for SF7..SF12 at 125 kHz', () => {
  for (const [sf, row] of Object.entries(TABLE)) {
    SIZES.forEach((bytes, i) => {
      const ms = loraTimeOnAir(bytes, { sf: Number(sf), bw: 125_000, cr: 1 }) * 1000;
      assert.ok(Math.abs(ms - row[i]!) < 0.06, `SF${sf} ${bytes} B: ${ms.toFixed(2)} ms, expected ${row[i]}`);
    });
  }
});

test("Meshtastic LongFast (SF11, 250 kHz) full 249-byte frame takes about 2.05 s", () => {
  const s = loraTimeOnAir(249, { sf: 11, bw: 250_000, cr: 1 });
  assert.ok(Math.abs(s - 2.05) < 0.03, String(s));
});

test('the duty-cycle window never lets a radio exceed 1% of any hour', () => {
  const w = new DutyCycleWindow(EU868_1PCT);
  const sent: [number, number][] = [];
  let t = 0;
  // A greedy sender trying to send a 1 s packet every 5 s for 3 hours.
  while (t < 3 * 3600) {
    w.nextAllowed(t + 5000, 1.0); // asking about the future must not forget the past
    const at = w.nextAllowed(t, 1.0);
    assert.ok(at >= t);
    assert.ok(w.allows(at, 1.0));
    w.record(at, 1.0);
    sent.push([at, 1.0]);
    t = at + 5;
  }
  assert.ok(sent.length >= 36 * 3 - 1, `sent ${sent.length}`);
  assert.ok(maxWindowFraction(sent, 3600) <= 0.01 + 1e-9);
  assert.equal(w.allows(t, 40), false, 'a transmission longer than the budget never fits');
  assert.equal(w.nextAllowed(t, 40), Infinity);
});

test('maxWindowFraction finds the worst hour', () => {
  assert.equal(maxWindowFraction([[0, 18], [1000, 18], [5000, 36]], 3600), 0.01);
  assert.ok(maxWindowFraction([[0, 18], [1000, 19]], 3600) > 0.01);
});
