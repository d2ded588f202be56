import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Encoder } from 'cbor-x';
import { decodeControl, encodeControl, type ControlRecord } from '../../src/gossip/control.js';
import { factFromArray, factToArray, provisionalCodec } from '../../src/gossip/provisional-codec.js';
import type { Fact } from '../../src/wire/facts.js';

test('control records round-trip exactly', () => {
  const recs: ControlRecord[] = [
    { type: 'sum', count: 17, hash: 0xdeadbeef },
    { type: 'hb', epoch: 42, entries: [{ id: 3, age: 0 }, { id: 4, age: 14 }, { id: 40, age: 2 }] },
    { type: 'odg', to: 7, lo: 1, hi: 0xffff, entries: [{ origin: 2, count: 5, hash: 999 }, { origin: 9, count: 1, hash: 0 }] },
    { type: 'have', origin: 7, seqs: [1, 5, 6, 300] },
    { type: 'pos', x: -1240, y: 4560 },
    { type: 'key', origin: 3, interval: 4321, key: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
    { type: 'tags', mask: 5, tags: new Uint8Array(12).fill(7) },
  ];
  const d = decodeControl(encodeControl(recs));
  assert.ok(d.ok);
  assert.deepEqual(d.value, recs);
});

test('heartbeats cost half a byte a member, plus a few bytes', () => {
  const entries = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, age: i % 15 }));
  const bytes = encodeControl([{ type: 'hb', epoch: 30, entries }]);
  assert.ok(bytes.length <= 25 + 8, `50 members in ${bytes.length} bytes`);
  const d = decodeControl(bytes);
  assert.ok(d.ok);
  assert.deepEqual(d.value, [{ type: 'hb', epoch: 30, entries }]);
});

test('heartbeats of drones 1..N and a ground station at 250 cost half a byte a drone, not a byte for every id between', () => {
  for (const n of [10, 50, 100]) {
    const entries = [...Array.from({ length: n }, (_, i) => ({ id: i + 1, age: i % 15 })), { id: 250, age: 0 }];
    const bytes = encodeControl([{ type: 'hb', epoch: 30, entries }]);
    // one run over 1..250 took 125 bytes of nibbles whatever n (131 bytes in all)
    assert.ok(bytes.length <= n / 2 + 12, `${n} drones and the station in ${bytes.length} bytes`);
    const d = decodeControl(bytes);
    assert.ok(d.ok);
    assert.deepEqual(d.value, [{ type: 'hb', epoch: 30, entries }]);
  }
  // scattered ids in several runs, and nothing to say of anyone, round-trip too
  for (const ids of [[3, 4, 40, 41, 1000, 65535], [7], []]) {
    const entries = ids.map((id, i) => ({ id, age: i % 15 }));
    const d = decodeControl(encodeControl([{ type: 'hb', epoch: 1, entries }]));
    assert.ok(d.ok);
    assert.deepEqual(d.value, [{ type: 'hb', epoch: 1, entries }]);
  }
});

test('control decoding rejects, never throws, on arbitrary bytes and bad shapes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const d = decodeControl(bytes);
      if (!d.ok) assert.ok(typeof d.reason === 'string');
    }),
    { numRuns: 3000 },
  );
  const raw = new Encoder({ useRecords: false } as never);
  // (a key of 7 bytes, a key record without its key, tags not in whole tags, tags without a mask)
  const key7 = [5, 3, 10, new Uint8Array(7)];
  const tags5 = [6, 0, new Uint8Array(5)];
  // (heartbeats: a run's nibbles not a byte string, a run's start without its nibbles, a first run at id 0, runs past
  // the last id)
  const hbBad = [[1, 4, 1, new Uint8Array(2), 3, 7], [1, 4, 1, new Uint8Array(2), 3], [1, 4, 0, new Uint8Array(1)], [1, 4, 65535, new Uint8Array(2)]];
  for (const bad of [[[9, 1]], [[0, 1]], [[3, 5, 2, 0]], [[1, 4, 0]], [[1, 4, 1, 7]], ...hbBad.map((r) => [r]), 'x', [[0, -1, 2]], [[4, 1]], [[2, 5, 3]], [key7], [[5, 3, 10]], [tags5], [[6, new Uint8Array(4)]]]) {
    const d = decodeControl(raw.encode(bad));
    assert.equal(d.ok, false, JSON.stringify(bad));
  }
});

test('provisional codec: facts round-trip, forged and replayed packets are rejected', () => {
  const a = provisionalCodec({ self: 5 });
  const b = provisionalCodec({ self: 6 });
  const facts: Fact[] = [
    { kind: 'victim', origin: 5, seq: 1, t: 10, pos: { x: -5, y: 7 }, count: 2, condition: 'critical', confidence: 90 },
    { kind: 'road', origin: 5, seq: 2, t: 11, path: [{ x: 0, y: 0 }, { x: 10, y: 20 }], severity: 'partial' },
    { kind: 'status', origin: 5, seq: 3, t: 12, pos: { x: 1, y: 2 }, alt: 50, battery: 80, mode: 4, armed: true, activity: 'searching', sector: 2, heading: 90 },
  ];
  for (const f of facts) assert.deepEqual(factFromArray(factToArray(f)), f);
  const bytes = a.seal({ time: 12, facts, control: encodeControl([{ type: 'sum', count: 2, hash: 1 }]) });
  assert.ok(bytes.length <= a.overhead + facts.reduce((n, f) => n + a.sizeOfFact(f), 0) + a.sizeOfControl(8));
  const o = b.open(bytes);
  assert.ok(o.ok && o.value.sender === 5 && o.value.payload.facts.length === 3);
  const again = b.open(bytes);
  assert.equal(again.ok, false);
  assert.equal(!again.ok && again.reason, 'replay');
  const forged = bytes.slice();
  forged[10] = forged[10]! ^ 1;
  const f = b.open(forged);
  assert.equal(!f.ok && f.reason, 'bad_tag');
  assert.equal(!f.ok && f.claimedSender, 5);
  const other = provisionalCodec({ self: 7, key: 1 }).seal({ time: 1, facts: [] });
  assert.equal(b.open(other).ok, false);
});
