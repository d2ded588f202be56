/** The station repeats an operator's order until every drone it concerns has answered (order-delivery.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/clock.js';
import { OrderDelivery } from '../../src/gcs/order-delivery.js';
import { factKey, type Fact, type FactId } from '../../src/wire/facts.js';

const ring = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }];
const zone: Fact = { kind: 'area', origin: 250, seq: 1, t: 10, role: 'nofly', rings: [ring], priority: 1 };
const ack = (origin: number, target: FactId, seq = 1): Fact => ({ kind: 'ack', origin, seq, t: 20, target: { origin: target.origin, seq: target.seq }, result: 'accepted' });

function setup(drones: number[]) {
  const clock = new VirtualClock(0);
  const sent: string[] = [];
  const d = new OrderDelivery({ timers: clock, resend: (id) => sent.push(`${clock.now() / 1000}:${factKey(id)}`), drones: () => drones });
  return { clock, sent, d };
}

test('a zone goes out again after 8 s, then every 1.5 x longer up to 30 s, until the last drone answers', () => {
  const { clock, sent, d } = setup([1, 2, 3]);
  d.gave([zone]);
  clock.advance(7_000);
  assert.equal(sent.length, 0);
  clock.advance(1_000);
  assert.deepEqual(sent, ['8:250:1']);
  d.heard([ack(1, zone), ack(2, zone)]);
  assert.deepEqual(d.waitingOn('250:1'), [3]);
  clock.advance(60_000);
  assert.deepEqual(sent.map((s) => Number(s.split(':')[0])), [8, 20, 38, 65], 'waits of 12, 18, 27 s');
  d.heard([ack(3, zone)]);
  clock.advance(120_000);
  assert.equal(sent.length, 4, 'answered by all: no more repeats');
  assert.deepEqual(d.waitingOn('250:1'), []);
});

test('a command to one drone waits on that drone only; a newer command replaces it; a withdrawn zone stops', () => {
  const { clock, sent, d } = setup([1, 2, 3]);
  const recall2: Fact = { kind: 'command', origin: 250, seq: 2, t: 30, target: 2, action: 'rtl' };
  d.gave([recall2, zone]);
  d.heard([ack(1, recall2), ack(3, recall2)]);
  assert.deepEqual(d.waitingOn('250:2'), [2]);
  clock.advance(8_000);
  assert.deepEqual(sent.sort(), ['8:250:1', '8:250:2']);
  // drone 2 answers only the newest command it holds: the recall is not repeated once a resume follows
  const resume2: Fact = { kind: 'command', origin: 250, seq: 3, t: 40, target: 2, action: 'resume' };
  d.gave([resume2]);
  d.heard([{ kind: 'supersede', origin: 250, seq: 4, t: 41, target: { origin: 250, seq: 1 }, outcome: 'withdrawn' }]);
  sent.length = 0;
  clock.advance(8_000);
  assert.deepEqual(sent, ['16:250:3'], 'only the resume goes out again');
  assert.deepEqual(d.waitingOn('250:2'), []);
  assert.deepEqual(d.waitingOn('250:1'), [], 'the withdrawn zone waits on nobody');
  d.close();
});

test("a mission goes out again with its areas (a drone answers it only once it holds them); a drone that is gone is not waited on", () => {
  const drones = [1, 2];
  const { clock, sent, d } = setup(drones);
  const area: Fact = { kind: 'area', origin: 250, seq: 5, t: 50, role: 'search', rings: [ring], priority: 1 };
  const mission: Fact = { kind: 'mission', origin: 250, seq: 6, t: 50, version: 1, areas: [{ origin: 250, seq: 5 }, { origin: 250, seq: 1 }], launch: [] };
  d.gave([area, mission]);
  d.heard([ack(1, mission)]);
  clock.advance(8_000);
  assert.deepEqual(sent.sort(), ['8:250:1', '8:250:5', '8:250:6']);
  drones.splice(1, 1); // drone 2 declared gone by the mesh
  sent.length = 0;
  clock.advance(60_000);
  assert.equal(sent.length, 0);
});
