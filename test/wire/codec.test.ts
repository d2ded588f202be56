import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BatchBuilder, canonicalOrder, decodePayload, encodePayload, payloadSize } from '../../src/wire/codec.js';
import { maxPayloadFor, onAirLength } from '../../src/wire/packet.js';
import { localMetres, missionSeconds, toLatLon, toLocal, type AreaFrame } from '../../src/wire/frame-of-reference.js';
import type { Fact, VictimFact } from '../../src/wire/facts.js';
import { KIND_ARBITRARIES, factBatch } from './arbitraries.js';

const sender = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 65535 }));
const time = fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 0x7fffffff }));

for (const [kind, arb] of Object.entries(KIND_ARBITRARIES)) {
  test(`a ${kind} fact decodes to exactly what was encoded`, () => {
    fc.assert(
      fc.property(arb, sender, time, (fact, s, t) => {
        const bytes = encodePayload({ time: t, facts: [fact] }, s);
        assert.equal(bytes.length, payloadSize({ time: t, facts: [fact] }, s));
        const back = decodePayload(bytes, s);
        assert.ok(back.ok, JSON.stringify(back));
        assert.deepEqual(back.value, { time: t, facts: [fact] });
      }),
      { numRuns: 300 },
    );
  });
}

test('a batch of mixed facts and control bytes decodes to the same facts in canonical order', () => {
  fc.assert(
    fc.property(factBatch(20), sender, time, fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }), (facts, s, t, control) => {
      const payload = control ? { time: t, facts, control } : { time: t, facts };
      const bytes = encodePayload(payload, s);
      assert.equal(bytes.length, payloadSize(payload, s));
      const back = decodePayload(bytes, s);
      assert.ok(back.ok, JSON.stringify(back));
      assert.deepEqual(back.value.facts, canonicalOrder(facts, s));
      assert.equal(back.value.time, t);
      assert.deepEqual(back.value.control, control);
    }),
    { numRuns: 300 },
  );
});

test('the batch builder never exceeds the MTU, reports exact sizes and keeps the caller order of admission', () => {
  fc.assert(
    fc.property(factBatch(60), sender, time, fc.integer({ min: 40, max: 255 }), (facts, s, t, mtu) => {
      const maxPayload = maxPayloadFor(mtu, s);
      const b = new BatchBuilder({ sender: s, time: t, maxPayload });
      let total = b.size;
      const taken: Fact[] = [];
      for (const f of facts) {
        const predicted = b.cost(f);
        const added = b.add(f);
        if (added !== undefined) {
          assert.equal(added, predicted);
          total += added;
          taken.push(f);
        } else assert.ok(predicted! > b.remaining, 'a fact that fitted was refused');
        assert.ok(b.size <= maxPayload);
      }
      const bytes = b.encode();
      assert.equal(bytes.length, total);
      assert.ok(onAirLength(s, bytes.length) <= mtu);
      const back = decodePayload(bytes, s);
      assert.ok(back.ok);
      assert.deepEqual(back.value.facts, canonicalOrder(taken, s));
    }),
    { numRuns: 200 },
  );
});

test('a 200-byte LoRa packet carries many corpus-like facts, and the same fact twice is refused', () => {
  const b = new BatchBuilder({ sender: 3, time: 1000, maxPayload: maxPayloadFor(200, 3) });
  let n = 0;
  for (let seq = 1; seq < 100; seq++) {
    const f: VictimFact = { kind: 'victim', origin: 3, seq, t: 900 + seq, pos: { x: 1200 + seq, y: 3400 }, count: 1, condition: 'injured', confidence: 80 };
    if (b.add(f) === undefined) break;
    n++;
  }
  assert.ok(n >= 15, `only ${n} victims fit`);
  assert.equal(b.add(b.facts[0]!), undefined);
  assert.equal(b.count, n);
});

test('encoding refuses facts outside the documented ranges', () => {
  const v: VictimFact = { kind: 'victim', origin: 3, seq: 1, t: 10, pos: { x: 0, y: 0 }, count: 1, condition: 'injured', confidence: 80 };
  for (const bad of [{ ...v, confidence: 101 }, { ...v, pos: { x: 0.5, y: 0 } }, { ...v, pos: { x: 40000, y: 0 } }, { ...v, seq: 0 }, { ...v, count: 0 }]) {
    assert.throws(() => encodePayload({ time: 10, facts: [bad] }, 3), RangeError);
  }
  assert.throws(() => encodePayload({ time: -1, facts: [] }, 3), RangeError);
});

test('quantisation errors stay within 1 m and 1 s', () => {
  const frame: AreaFrame = { originLat: 46.2, originLon: 7.3, epoch: 1_750_000_000, cellSize: 25, cols: 200 };
  fc.assert(
    fc.property(fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 7200, noNaN: true }), (x, y, s) => {
      const { lat, lon } = toLatLon(frame, { x, y });
      const q = localMetres(frame, lat, lon);
      const back = toLocal(frame, toLatLon(frame, q).lat, toLatLon(frame, q).lon);
      assert.ok(Math.hypot(back.x - x, back.y - y) <= 1, `position error ${Math.hypot(back.x - x, back.y - y)}`);
      const t = missionSeconds(frame, (frame.epoch + s) * 1000);
      assert.ok(Math.abs(t - s) <= 1);
      // and what went on air comes back unchanged
      const fact: VictimFact = { kind: 'victim', origin: 2, seq: 1, t, pos: q, count: 1, condition: 'unknown', confidence: 50 };
      const dec = decodePayload(encodePayload({ time: t, facts: [fact] }, 2), 2);
      assert.ok(dec.ok);
      assert.deepEqual(dec.value.facts[0], fact);
    }),
    { numRuns: 300 },
  );
});

test('one victim sighting costs a handful of bytes', () => {
  const v: VictimFact = { kind: 'victim', origin: 7, seq: 42, t: 3600, pos: { x: 2500, y: 4100 }, count: 2, condition: 'critical', confidence: 91 };
  const bytes = encodePayload({ time: 3600, facts: [v] }, 7);
  assert.ok(bytes.length <= 14, `${bytes.length} bytes`);
  assert.ok(onAirLength(7, bytes.length) <= 40);
});


test('an acknowledgement costs a few bytes: every drone sends one per operator order', () => {
  const ack: Fact = { kind: 'ack', origin: 7, seq: 42, t: 3600, target: { origin: 250, seq: 1234 }, result: 'accepted' };
  const bytes = encodePayload({ time: 3601, facts: [ack] }, 7);
  assert.ok(bytes.length <= 14, `${bytes.length} bytes`); // as much as a victim sighting
  const mission: Fact = { kind: 'mission', origin: 250, seq: 9, t: 3600, version: 3, areas: [{ origin: 250, seq: 7 }, { origin: 250, seq: 8 }], launch: [{ x: 120, y: -40 }] };
  const back = decodePayload(encodePayload({ time: 3600, facts: [mission] }, 250), 250);
  assert.ok(back.ok);
  assert.deepEqual(back.value.facts, [mission]);
});
