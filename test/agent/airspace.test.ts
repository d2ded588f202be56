import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Airspace, insideZone, stoppingPoint } from '../../src/agent/airspace.js';
import { distanceToZone } from '../../src/sectors/route.js';
import type { AreaFact, Fact } from '../../src/wire/facts.js';
import type { Polygon } from '../../src/sectors/index.js';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';

const STATION = 250;
const isOperator = (id: number) => id === STATION;
const ring = [{ x: 0, y: 0 }, { x: 400, y: 0 }, { x: 400, y: 200 }, { x: 0, y: 200 }];
const zoneFact = (origin: number, seq: number, rings = [ring]): AreaFact => ({ kind: 'area', origin, seq, t: 300, role: 'nofly', rings, priority: 1 });

test('a zone drawn by the station is learned once; one from a drone (not an operator) is refused', () => {
  const a = new Airspace([], isOperator);
  assert.equal(a.learn(zoneFact(2, 7)), false);
  assert.equal(a.refused, 1);
  assert.equal(a.zones().length, 0);
  assert.equal(a.learn(zoneFact(STATION, 1)), true);
  assert.equal(a.learn(zoneFact(STATION, 1)), false, 'the same fact again changes nothing');
  assert.equal(a.version, 1);
  assert.equal(a.zones().length, 1);
  // search areas and priority regions are not zones
  assert.equal(a.learn({ ...zoneFact(STATION, 2), role: 'search' }), false);
});

test('a withdrawn zone is dropped, also when the withdrawal arrives first', () => {
  const a = new Airspace([], isOperator);
  a.learn(zoneFact(STATION, 1));
  const withdraw = (seq: number): Fact => ({ kind: 'supersede', origin: STATION, seq: 100 + seq, t: 400, target: { origin: STATION, seq }, outcome: 'withdrawn' });
  assert.equal(a.learn(withdraw(1)), true);
  assert.equal(a.zones().length, 0);
  assert.equal(a.learn(withdraw(2)), false);
  assert.equal(a.learn(zoneFact(STATION, 2)), false, 'a zone already withdrawn never comes into force');
  assert.equal(a.zones().length, 0);
});

test("the mission's zones are always in force, and the way out of a zone is the nearest edge plus the margin", () => {
  const mission: Polygon = [[{ x: 1000, y: 0 }, { x: 1100, y: 0 }, { x: 1100, y: 1000 }, { x: 1000, y: 1000 }]];
  const a = new Airspace([mission], isOperator);
  const inside = { x: 1020, y: 500 };
  const out = a.wayOut(inside, 30);
  assert.equal(insideZone(out, mission), false);
  assert.ok(Math.abs(out.x - 970) < 1e-6 && Math.abs(out.y - 500) < 1e-6, `out ${JSON.stringify(out)}`);
  const free = { x: 500, y: 500 };
  assert.equal(a.wayOut(free, 30), free, 'outside every zone: stay');
});

test('the way out of one zone never leads into another', () => {
  const a = new Airspace([], isOperator);
  // two zones 20 m apart: leaving the left one across its near edge would land in the gap, too close to the right one
  a.learn(zoneFact(STATION, 1, [[{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 1000 }, { x: 0, y: 1000 }]]));
  a.learn(zoneFact(STATION, 2, [[{ x: 120, y: 0 }, { x: 400, y: 0 }, { x: 400, y: 1000 }, { x: 120, y: 1000 }]]));
  const out = a.wayOut({ x: 95, y: 500 }, 30);
  for (const z of a.zones()) {
    assert.equal(insideZone(out, z), false);
    assert.ok(distanceToZone(out, z) >= 29.7, `${JSON.stringify(out)} is ${distanceToZone(out, z).toFixed(1)} m from a zone`);
  }
  assert.ok(out.x < 0, `left by the far side: ${JSON.stringify(out)}`);
});

test('cells an operator zone covers or comes within the clearance of are closed; the others stay open', () => {
  const frame = { originLat: 0, originLon: 0, epoch: 0, cellSize: 50, cols: 20 } as unknown as AreaFrame;
  const searchable = Array.from({ length: 200 }, (_, i) => i);
  const a = new Airspace([], isOperator);
  assert.equal(a.closedCells(frame, searchable).size, 0);
  a.learn(zoneFact(STATION, 1, [[{ x: 100, y: 100 }, { x: 300, y: 100 }, { x: 300, y: 300 }, { x: 100, y: 300 }]]));
  const closed = a.closedCells(frame, searchable);
  // centres at 125, 175, 225, 275 inside; 75 and 325 are 25 m away (beyond the 10 m clearance)
  assert.equal(closed.size, 16);
  assert.ok(closed.has(2 * 20 + 2) && closed.has(5 * 20 + 5));
  assert.ok(!closed.has(1 * 20 + 1) && !closed.has(6 * 20 + 6));
});

test("a copter's stopping point lies along its heading, as far as fence.md's run-on", () => {
  const p = { x: 100, y: 100 };
  const at10 = stoppingPoint(p, 10, 0); // north at 10 m/s
  assert.ok(Math.abs(at10.x - 100) < 1e-9);
  assert.ok(Math.abs(at10.y - 100 - 25.7) < 1, `run-on ${(at10.y - 100).toFixed(1)} m at 10 m/s (recorded 25.7)`);
  const at8 = stoppingPoint(p, 0, -8); // west at 8 m/s
  assert.ok(Math.abs(100 - at8.x - 17.2) < 1, `run-on ${(100 - at8.x).toFixed(1)} m at 8 m/s (recorded 17.2)`);
  assert.deepEqual(stoppingPoint(p, 0.1, 0.1), p, 'hovering: where it is');
});
