import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorDesk } from '../../src/agent/commands.js';
import type { AreaFact, Fact } from '../../src/wire/facts.js';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';

const frame: AreaFrame = { originLat: 45.18, originLon: 5.72, epoch: 1_790_000_000, cellSize: 50, cols: 40 };
const desk = () => new OperatorDesk({ self: 3, frame, isOperator: (id) => id === 250 });
const square = (x0: number, y0: number, s: number) => [{ x: x0, y: y0 }, { x: x0 + s, y: y0 }, { x: x0 + s, y: y0 + s }, { x: x0, y: y0 + s }];

test('the newest order that concerns the drone is in force; a resume undoes a recall; each is answered once', () => {
  const d = desk();
  assert.equal(d.order, 'search');
  assert.equal(d.learn({ kind: 'command', origin: 250, seq: 1, t: 100, target: 3, action: 'rtl' }, true), true);
  assert.equal(d.order, 'rtl');
  // an order for another drone is none of this one's business, and is not answered
  d.learn({ kind: 'command', origin: 250, seq: 2, t: 110, target: 4, action: 'resume' }, true);
  assert.equal(d.order, 'rtl');
  d.learn({ kind: 'command', origin: 250, seq: 3, t: 120, target: 0, action: 'resume' }, true);
  assert.equal(d.order, 'search');
  // heard late: an older recall does not undo the newer resume
  d.learn({ kind: 'command', origin: 250, seq: 1, t: 100, target: 3, action: 'rtl' }, true);
  assert.equal(d.order, 'search');
  assert.deepEqual(d.takeAcks(), [
    { target: { origin: 250, seq: 1 }, result: 'accepted' },
    { target: { origin: 250, seq: 3 }, result: 'accepted' },
  ]);
  assert.deepEqual(d.takeAcks(), []);
  // a drone that cannot act says so
  d.learn({ kind: 'command', origin: 250, seq: 4, t: 130, target: 3, action: 'land' }, false);
  assert.deepEqual(d.takeAcks(), [{ target: { origin: 250, seq: 4 }, result: 'refused' }]);
});

test('a node that is not an operator cannot command', () => {
  const d = desk();
  assert.equal(d.learn({ kind: 'command', origin: 2, seq: 9, t: 100, target: 0, action: 'rtl' }, true), false);
  assert.equal(d.order, 'search');
  assert.deepEqual(d.takeAcks(), []);
});

test('a mission is adopted once all its areas are known, a newer one supersedes, an older one is refused', () => {
  const d = desk();
  const area: AreaFact = { kind: 'area', origin: 250, seq: 10, t: 5, role: 'search', rings: [square(0, 0, 500), square(100, 100, 100)], priority: 1 };
  const zone: AreaFact = { kind: 'area', origin: 250, seq: 11, t: 5, role: 'nofly', rings: [square(300, 300, 100)], priority: 1 };
  const m2: Fact = { kind: 'mission', origin: 250, seq: 12, t: 6, version: 2, areas: [{ origin: 250, seq: 10 }, { origin: 250, seq: 11 }], launch: [{ x: 0, y: -20 }] };
  // the mission arrives before its areas: nothing to adopt yet
  assert.equal(d.learn(m2, true), false);
  assert.equal(d.takeMission(), undefined);
  d.learn(area, true);
  assert.equal(d.learn(zone, true), true);
  const m = d.takeMission();
  assert.ok(m);
  assert.equal(m.version, 2);
  assert.deepEqual(m.launch, [{ x: 0, y: -20 }]);
  // 10 x 10 cells, less the 2 x 2 of the hole and the 2 x 2 of the zone (the next centres are 25 m from it)
  assert.equal(m.searchable.length, 100 - 4 - 4);
  assert.ok(!m.searchable.includes(2 * 40 + 2), 'a cell of the hole is searchable');
  assert.ok(m.searchable.includes(0));
  assert.equal(d.takeMission(), undefined);
  const old: Fact = { kind: 'mission', origin: 250, seq: 13, t: 7, version: 1, areas: [{ origin: 250, seq: 10 }], launch: [] };
  assert.equal(d.learn(old, true), false);
  assert.deepEqual(d.takeAcks(), [
    { target: { origin: 250, seq: 11 }, result: 'accepted' },
    { target: { origin: 250, seq: 12 }, result: 'accepted' },
    { target: { origin: 250, seq: 13 }, result: 'refused' },
  ]);
  assert.equal(d.missionVersion, 2);
});
