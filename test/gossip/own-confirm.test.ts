/** Own facts nobody took up are sent again, a bounded number of times, and only with someone to hear them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OwnFactConfirmations } from '../../src/gossip/own-confirm.js';
import type { VictimFact } from '../../src/wire/facts.js';

const fact: VictimFact = { kind: 'victim', origin: 1, seq: 1, t: 0, pos: { x: 0, y: 0 }, count: 1, condition: 'injured', confidence: 80 };
const never = () => false;

test('sent again after 30 s, 60 s, then given up; never while nobody was heard; never once another holds it', () => {
  const c = new OwnFactConfirmations({ confirmS: 30, retries: 3 }, () => 1);
  c.sent('1:1', fact, 0);
  assert.deepEqual(c.due(29, 10, never, never), []);
  assert.deepEqual(c.due(30, -Infinity, never, never), [], 'nobody heard since: no use sending');
  assert.equal(c.nextAt(), 60);
  assert.deepEqual(c.due(60, 45, never, never), [fact]);
  c.sent('1:1', fact, 61);
  assert.equal(c.nextAt(), 121, 'the wait doubles');
  assert.deepEqual(c.due(121, 100, never, never), [fact]);
  c.sent('1:1', fact, 122);
  assert.equal(c.nextAt(), 122 + 120);
  assert.deepEqual(c.due(242, 200, never, never), [fact]);
  c.sent('1:1', fact, 243);
  assert.equal(c.nextAt(), Infinity, 'sent again three times: no more checks');

  const held = new OwnFactConfirmations({ confirmS: 30, retries: 3 }, () => 1);
  held.sent('1:1', fact, 0);
  assert.deepEqual(held.due(30, 10, never, () => true), []);
  assert.equal(held.nextAt(), Infinity, 'someone holds it: done');

  const off = new OwnFactConfirmations({ confirmS: 30, retries: 0 }, () => 1);
  off.sent('1:1', fact, 0);
  assert.equal(off.nextAt(), Infinity);
});

test('a resend waiting in the queue is not checked again until it went on air', () => {
  const c = new OwnFactConfirmations({ confirmS: 30, retries: 3 }, () => 1);
  c.sent('1:1', fact, 0);
  assert.deepEqual(c.due(30, 10, () => true, never), []);
  assert.equal(c.nextAt(), Infinity, 'no wake-up for it while queued (a past time here made the engine spin)');
  c.sent('1:1', fact, 40);
  assert.equal(c.nextAt(), 100);
});
