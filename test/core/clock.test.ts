import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/clock.js';

test('virtual timers fire in time order, then creation order, and only when advanced', () => {
  const c = new VirtualClock(1000);
  const log: string[] = [];
  c.setTimeout(() => log.push(`b@${c.now()}`), 20);
  c.setTimeout(() => log.push(`a@${c.now()}`), 10);
  c.setTimeout(() => log.push(`c@${c.now()}`), 20);
  assert.deepEqual(log, []);
  c.advance(15);
  assert.deepEqual(log, ['a@1010']);
  assert.equal(c.now(), 1015);
  c.advance(100);
  assert.deepEqual(log, ['a@1010', 'b@1020', 'c@1020']);
  assert.equal(c.now(), 1115);
});

test('intervals repeat until cleared; cleared timeouts never fire', () => {
  const c = new VirtualClock();
  let ticks = 0;
  const h = c.setInterval(() => ticks++, 100);
  let fired = false;
  const t = c.setTimeout(() => (fired = true), 50);
  c.clearTimeout(t);
  c.advance(1000);
  assert.equal(ticks, 10);
  c.clearInterval(h);
  c.advance(1000);
  assert.equal(ticks, 10);
  assert.equal(fired, false);
  assert.equal(c.pending, 0);
});

test('a timer set from inside a timer runs in the same advance when due', () => {
  const c = new VirtualClock();
  const seen: number[] = [];
  c.setTimeout(() => {
    seen.push(c.now());
    c.setTimeout(() => seen.push(c.now()), 5);
  }, 5);
  c.advance(10);
  assert.deepEqual(seen, [5, 10]);
});
