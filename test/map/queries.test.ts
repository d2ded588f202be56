import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapDocument } from '../../src/map/document.js';
import { blockedRoads, coverageOf, inNoFly, isBlockedNear, openRoads, victimsNear } from '../../src/map/queries.js';
import { commandFor } from '../../src/map/state.js';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';

const frame: AreaFrame = { originLat: 45.1, originLon: 5.7, epoch: 0, cellSize: 100, cols: 10 };

test('queries the agent asks: victims near, roads, coverage of a polygon, no-fly, orders', () => {
  const m = MapDocument.create();
  m.ingest([
    { kind: 'victim', origin: 1, seq: 1, t: 1, pos: { x: 100, y: 100 }, count: 1, condition: 'unknown', confidence: 50 },
    { kind: 'victim', origin: 1, seq: 2, t: 1, pos: { x: 130, y: 100 }, count: 1, condition: 'unknown', confidence: 50 },
    { kind: 'victim', origin: 1, seq: 3, t: 1, pos: { x: 105, y: 100 }, count: 1, condition: 'unknown', confidence: 50 },
    { kind: 'victim', origin: 1, seq: 4, t: 1, pos: { x: 900, y: 900 }, count: 1, condition: 'unknown', confidence: 50 },
    { kind: 'supersede', origin: 9, seq: 1, t: 2, target: { origin: 1, seq: 3 }, outcome: 'false_alarm' },
    { kind: 'road', origin: 1, seq: 5, t: 1, path: [{ x: 0, y: 500 }, { x: 1000, y: 500 }], severity: 'impassable' },
    { kind: 'road', origin: 1, seq: 6, t: 1, path: [{ x: 500, y: 0 }, { x: 500, y: 1000 }], severity: 'partial' },
    { kind: 'supersede', origin: 9, seq: 2, t: 3, target: { origin: 1, seq: 6 }, outcome: 'cleared' },
    { kind: 'coverage', origin: 2, seq: 1, t: 4, cells: [0, 1, 10, 11, 55] },
    { kind: 'area', origin: 9, seq: 3, t: 1, role: 'nofly', rings: [[{ x: 600, y: 600 }, { x: 700, y: 600 }, { x: 700, y: 700 }, { x: 600, y: 700 }]], priority: 1 },
    { kind: 'command', origin: 9, seq: 4, t: 10, target: 0, action: 'rtl' },
    { kind: 'command', origin: 9, seq: 5, t: 20, target: 7, action: 'resume' },
  ]);
  const s = m.state();
  assert.deepEqual(victimsNear(s, { x: 100, y: 100 }, 50).map((v) => v.id), ['1:1', '1:2']);
  assert.deepEqual(victimsNear(s, { x: 100, y: 100 }, 50, ['false_alarm']).map((v) => v.id), ['1:3']);
  assert.deepEqual(blockedRoads(s).map((r) => r.id), ['1:5']);
  assert.deepEqual(openRoads(s).map((r) => r.id), ['1:6']);
  assert.equal(isBlockedNear(s, { x: 300, y: 520 }, 30), true);
  assert.equal(isBlockedNear(s, { x: 500, y: 300 }, 30), false);
  // The square 0..200 × 0..200 holds cells 0, 1, 10, 11: all searched. 0..400 × 0..200 holds 8, 4 searched.
  assert.deepEqual(coverageOf(s, frame, [[{ x: 0, y: 0 }, { x: 200, y: 0 }, { x: 200, y: 200 }, { x: 0, y: 200 }]]), { cells: 4, covered: 4, fraction: 1 });
  assert.deepEqual(coverageOf(s, frame, [[{ x: 0, y: 0 }, { x: 400, y: 0 }, { x: 400, y: 200 }, { x: 0, y: 200 }]]), { cells: 8, covered: 4, fraction: 0.5 });
  assert.equal(inNoFly(s, { x: 650, y: 650 }), true);
  assert.equal(inNoFly(s, { x: 550, y: 650 }), false);
  assert.equal(commandFor(s, 7)?.action, 'resume');
  assert.equal(commandFor(s, 8)?.action, 'rtl');
});
