/** The report's measure of ground the cameras really had in view, beside cell coverage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaSeenPct, type Segment } from '../../src/sim/swarm/seen-area.js';

const square = (x0: number, y0: number, s: number) => [[{ x: x0, y: y0 }, { x: x0 + s, y: y0 }, { x: x0 + s, y: y0 + s }, { x: x0, y: y0 + s }, { x: x0, y: y0 }]];
const lane = (x: number, y0: number, y1: number): Segment => [{ x, y: y0 }, { x, y: y1 }];

test('lanes one sweep apart through the cells\' centres, flown edge to edge, see all of the area', () => {
  const area = [square(0, 0, 200)];
  const lanes = [25, 75, 125, 175].map((x) => lane(x, 0, 200));
  assert.equal(areaSeenPct(area, [], lanes, 25), 100);
});

test('what lanes leave unseen shows: a lane missing, lanes ending at the end cells\' centres, lanes 4 m off their line', () => {
  const area = [square(0, 0, 200)];
  const missing = areaSeenPct(area, [], [25, 75, 175].map((x) => lane(x, 0, 200)), 25);
  assert.ok(Math.abs(missing - 75) < 2, `one lane of four missing: ${missing.toFixed(1)}%`);
  // ending at the centres of the end cells leaves the corners beyond the end discs
  const short = areaSeenPct(area, [], [25, 75, 125, 175].map((x) => lane(x, 25, 175)), 25);
  assert.ok(short < 99 && short > 90, `lanes ending at cell centres: ${short.toFixed(1)}%`);
  // every other lane 4 m off: strips between lanes 58 m apart are not seen
  const askew = areaSeenPct(area, [], [25, 79, 125, 179].map((x) => lane(x, 0, 200)), 25);
  assert.ok(askew < 99 && askew > 90, `lanes off their line: ${askew.toFixed(1)}%`);
});

test('a no-fly zone is not part of what had to be seen', () => {
  const area = [square(0, 0, 200)];
  const nofly = [square(100, 0, 200)]; // the right half (and beyond the area)
  assert.equal(areaSeenPct(area, nofly, [25, 75].map((x) => lane(x, 0, 200)), 25), 100);
  assert.equal(areaSeenPct(area, [], [], 25), 0);
});
