import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const sa = Array.from({ length: 100 }, () => a.next());
  const sb = Array.from({ length: 100 }, () => b.next());
  const sc = Array.from({ length: 100 }, () => c.next());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.ok(sa.every((v) => v >= 0 && v < 1));
});

test('streams are roughly uniform and forks are independent but reproducible', () => {
  const r = seededRandom('x');
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) bins[r.int(10)]++;
  for (const n of bins) assert.ok(Math.abs(n - 10_000) < 500, `bin count ${n}`);
  assert.equal(seededRandom(7).fork('radio').next(), seededRandom(7).fork('radio').next());
  assert.notEqual(seededRandom(7).fork('radio').next(), seededRandom(7).fork('gossip').next());
  let sum = 0;
  let sq = 0;
  const g = seededRandom(3);
  for (let i = 0; i < 50_000; i++) {
    const v = g.gaussian();
    sum += v;
    sq += v * v;
  }
  assert.ok(Math.abs(sum / 50_000) < 0.03);
  assert.ok(Math.abs(sq / 50_000 - 1) < 0.05);
});
