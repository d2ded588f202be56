import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as Automerge from '@automerge/automerge';
import { MAX_NOTES, MapDocument, actorFor, genesis, type MapSchema } from '../../src/map/document.js';
import { MAX_NOTE_TEXT, encodeAnnotation } from '../../src/map/annotation.js';
import { deriveState } from '../../src/map/state.js';
import { decodeFactRecord, encodeFactRecord, factRecord } from '../../src/map/fact-record.js';
import { anyFact } from '../wire/arbitraries.js';
import { mission } from './arbitraries.js';
import { factKey, type Fact } from '../../src/wire/facts.js';
import { encoder } from '../../src/wire/cbor.js';

const actor = (n: number) => actorFor(n, new Uint8Array([n, 7, 7, 7]));

test('a stored fact record decodes to exactly the fact', () => {
  fc.assert(
    fc.property(anyFact, (f) => {
      const d = decodeFactRecord(encodeFactRecord(f));
      assert.ok(d.ok);
      assert.deepEqual(d.value, f);
    }),
    { numRuns: 500 },
  );
});

test('bad records are rejected with a typed reason, never thrown', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
      const d = decodeFactRecord(bytes);
      if (d.ok) assert.ok(d.value.origin >= 1);
    }),
    { numRuns: 500 },
  );
  const bad = [
    encoder.encode([2, 1, 1, 1, 0, 0, 0, 1, 0, 0]),
    encoder.encode([1, 99, 1, 1, 0]),
    encoder.encode([1, 1, 1, 1, 0, 5, 5, 1, 9, 50]), // victim with condition index 9
    encoder.encode([1, 1, 0, 1, 0, 5, 5, 1, 0, 50]), // origin 0
    encoder.encode({ a: 1 }),
  ];
  const reasons = bad.map((b) => {
    const d = decodeFactRecord(b);
    assert.equal(d.ok, false);
    return d.ok ? '' : d.reason;
  });
  assert.deepEqual(reasons, ['unknown_version', 'malformed', 'malformed', 'out_of_range', 'malformed']);
});

/** Splits `facts` into batches per node, with duplicates, in a generated order. */
const delivery = (n: number) =>
  fc.record({
    order: fc.array(fc.nat(), { minLength: n, maxLength: n }),
    dupes: fc.array(fc.nat({ max: Math.max(0, n - 1) }), { maxLength: 10 }),
    cuts: fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 8 }),
    nodes: fc.integer({ min: 1, max: 3 }),
  });

function deliver(facts: Fact[], d: { order: number[]; dupes: number[]; cuts: number[]; nodes: number }, firstActor: number): MapDocument {
  const seq = facts.map((f, i) => ({ f, k: d.order[i] ?? 0 })).sort((a, b) => a.k - b.k).map((x) => x.f);
  for (const i of d.dupes) if (facts[i]) seq.splice(i % (seq.length + 1), 0, facts[i]);
  const docs = Array.from({ length: d.nodes }, (_, i) => MapDocument.create(actor(firstActor + i)));
  let at = 0;
  let c = 0;
  while (at < seq.length) {
    const size = 1 + (d.cuts[c % d.cuts.length] ?? 0);
    docs[c % docs.length]!.ingest(seq.slice(at, at + size));
    at += size;
    c++;
  }
  // Each node holds a part: merge them all into the first, in the given order.
  const first = docs[0]!;
  for (const other of docs.slice(1)) first.merge(other.doc);
  return first;
}

test('any order, any duplicates, any split across nodes: the same map', () => {
  fc.assert(
    fc.property(
      mission(40).chain((facts) => fc.tuple(fc.constant(facts), delivery(facts.length), delivery(facts.length))),
      ([facts, d1, d2]) => {
        const a = deliver(facts, d1, 1);
        const b = deliver(facts, d2, 11);
        assert.equal(a.size, facts.length);
        assert.deepEqual(a.state(), b.state());
        // The picture depends on the set of facts only.
        assert.deepEqual(a.state(), deriveState(new Map(facts.map((f) => [factKey(f), f]))));
        // Merging again (idempotence) changes nothing.
        const before = a.state();
        assert.deepEqual(a.merge(b.doc), []);
        assert.deepEqual(a.ingest(facts), []);
        assert.deepEqual(a.state(), before);
      },
    ),
    { numRuns: 60 },
  );
});

test('documents created apart, edited apart, then merged both ways, converge', () => {
  fc.assert(
    fc.property(mission(30), mission(30), (xs, ys) => {
      const a = MapDocument.create(actor(1));
      const b = MapDocument.create(actor(2));
      // A fact is immutable: when both missions use an id, both nodes hold the same fact under it.
      const shared = new Map(xs.map((f) => [factKey(f), f]));
      a.ingest(xs);
      b.ingest(ys.map((f) => shared.get(factKey(f)) ?? f));
      const learntByA = a.merge(b.doc);
      b.merge(a.doc);
      assert.deepEqual(a.state(), b.state());
      assert.deepEqual([...a.facts()].map(factKey).sort(), [...b.facts()].map(factKey).sort());
      assert.ok(learntByA.every((f) => !xs.some((x) => factKey(x) === factKey(f))));
      const c = MapDocument.load(a.save(), actor(3));
      assert.deepEqual(c.state(), a.state());
    }),
    { numRuns: 40 },
  );
});

test('victim lifecycle: reported, confirmed, then rescued wins over a later confirm', () => {
  const m = MapDocument.create(actor(1));
  const v: Fact = { kind: 'victim', origin: 3, seq: 1, t: 10, pos: { x: 100, y: 200 }, count: 2, condition: 'injured', confidence: 80 };
  m.ingest([v]);
  assert.equal(m.state().victims[0]!.state, 'reported');
  m.ingest([{ kind: 'supersede', origin: 9, seq: 1, t: 20, target: { origin: 3, seq: 1 }, outcome: 'confirmed' }]);
  assert.equal(m.state().victims[0]!.state, 'confirmed');
  m.ingest([{ kind: 'supersede', origin: 9, seq: 2, t: 30, target: { origin: 3, seq: 1 }, outcome: 'rescued' }]);
  m.ingest([{ kind: 'supersede', origin: 4, seq: 2, t: 40, target: { origin: 3, seq: 1 }, outcome: 'confirmed' }]);
  assert.equal(m.state().victims[0]!.state, 'rescued');
  // A road "cleared" cannot be applied to a victim.
  m.ingest([{ kind: 'supersede', origin: 4, seq: 3, t: 50, target: { origin: 3, seq: 1 }, outcome: 'cleared' }]);
  assert.equal(m.state().victims[0]!.state, 'rescued');
});

test('a supersede heard before its target takes effect when the target arrives', () => {
  const m = MapDocument.create(actor(1));
  m.ingest([{ kind: 'supersede', origin: 9, seq: 1, t: 20, target: { origin: 3, seq: 5 }, outcome: 'cleared' }]);
  assert.equal(m.state().roads.length, 0);
  m.ingest([{ kind: 'road', origin: 3, seq: 5, t: 10, path: [{ x: 0, y: 0 }, { x: 50, y: 0 }], severity: 'impassable' }]);
  assert.equal(m.state().roads[0]!.state, 'cleared');
});

test('members: newest status wins and the track keeps the recent positions in time order', () => {
  const m = MapDocument.create(actor(1));
  const st = (seq: number, t: number, x: number): Fact => ({
    kind: 'status', origin: 5, seq, t, pos: { x, y: 0 }, alt: 40, battery: 90 - t, mode: 4, armed: true, activity: 'searching', sector: 2, heading: 90,
  });
  m.ingest([st(3, 30, 300), st(1, 10, 100)]);
  m.ingest([st(2, 20, 200)]);
  const member = m.state().members[0]!;
  assert.equal(member.last.seq, 3);
  assert.deepEqual(member.track.map((p) => p.x), [100, 200, 300]);
});

test('search area: the newest drawn area replaces the previous one; a withdrawn one is gone', () => {
  const m = MapDocument.create(actor(1));
  const sq = (s: number) => [[{ x: 0, y: 0 }, { x: s, y: 0 }, { x: s, y: s }, { x: 0, y: s }]];
  m.ingest([
    { kind: 'area', origin: 100, seq: 1, t: 5, role: 'search', rings: sq(500), priority: 1 },
    { kind: 'area', origin: 100, seq: 2, t: 9, role: 'search', rings: sq(900), priority: 1 },
    { kind: 'area', origin: 100, seq: 3, t: 9, role: 'nofly', rings: sq(50), priority: 1 },
  ]);
  assert.equal(m.state().searchArea?.seq, 2);
  assert.equal(m.state().noFly.length, 1);
  m.ingest([{ kind: 'supersede', origin: 100, seq: 4, t: 12, target: { origin: 100, seq: 2 }, outcome: 'withdrawn' }]);
  assert.equal(m.state().searchArea?.seq, 1);
});

test('a merged document with garbage or bad records: the bad parts are rejected and counted', () => {
  const a = MapDocument.create(actor(1));
  const cmd: Fact = { kind: 'command', origin: 7, seq: 1, t: 1, target: 0, action: 'rtl' };
  a.ingest([cmd]);
  const good: Fact = { kind: 'command', origin: 7, seq: 2, t: 1, target: 3, action: 'hold' };
  const hostile = Automerge.change(Automerge.clone(a.doc, { actor: actor(2) as Automerge.ActorId }), (d) => {
    d.segments['x:1'] = new Uint8Array([1, 2, 3]);
    d.segments['x:2'] = encoder.encode([1, [factRecord(good), [1, 7, 0, 9, 1, 3, 0]]]); // second: origin 0
    d.segments['x:3'] = encoder.encode([9, []]);
  });
  const b = MapDocument.create(actor(3));
  const learnt = b.merge(hostile);
  assert.deepEqual(learnt.map(factKey).sort(), ['7:1', '7:2']);
  assert.deepEqual(b.rejects.summary(), { malformed: 1, out_of_range: 1, unknown_version: 1 });
});

test('two segments disagreeing on a fact: every node keeps the same one, whatever the merge order', () => {
  const v1: Fact = { kind: 'victim', origin: 5, seq: 1, t: 1, pos: { x: 10, y: 10 }, count: 1, condition: 'unknown', confidence: 50 };
  const v2: Fact = { ...v1, count: 3 };
  const a = MapDocument.create(actor(1));
  const b = MapDocument.create(actor(2));
  a.ingest([v1]);
  b.ingest([v2]);
  const ab = MapDocument.create(actor(3));
  ab.merge(a.doc);
  ab.merge(b.doc);
  const ba = MapDocument.create(actor(4));
  ba.merge(b.doc);
  ba.merge(a.doc);
  assert.deepEqual(ab.get('5:1'), ba.get('5:1'));
  a.merge(b.doc);
  b.merge(a.doc);
  assert.deepEqual(a.get('5:1'), ab.get('5:1'));
  assert.deepEqual(b.get('5:1'), ab.get('5:1'));
});

test('ingest refuses a fact outside the documented ranges and counts it', () => {
  const m = MapDocument.create(actor(1));
  const bad = { kind: 'victim', origin: 3, seq: 1, t: 1, pos: { x: 0.5, y: 0 }, count: 1, condition: 'unknown', confidence: 50 } as Fact;
  assert.deepEqual(m.ingest([bad]), []);
  assert.equal(m.size, 0);
  assert.deepEqual(m.rejects.summary(), { out_of_range: 1 });
});

test('notes from another station are bounded: at most MAX_NOTES kept, the rest refused and counted once', () => {
  // A peer's document with more notes than a map keeps, each as long as a note may be.
  const flood = Automerge.change(Automerge.load<MapSchema>(genesis(), { actor: actor(9) as Automerge.ActorId }), (d) => {
    for (let i = 0; i < MAX_NOTES + 25; i++) d.notes[`9:${i}`] = encodeAnnotation({ id: `9:${i}`, author: 9, t: i, pos: { x: i, y: 0 }, text: 'x'.repeat(MAX_NOTE_TEXT) });
  });
  const map = MapDocument.create(actor(1));
  map.merge(flood);
  assert.equal(map.annotations().length, MAX_NOTES);
  assert.equal(map.rejects.counts.oversize, 25);
  map.merge(flood);
  assert.equal(map.rejects.counts.oversize, 25);
  assert.equal(map.annotate({ id: '1:1', author: 1, t: 1, pos: { x: 0, y: 0 }, text: 'one more' }), false);
});
