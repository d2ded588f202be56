/** Lane ends beside a no-fly zone reach the end cell's edge where the zone allows; elsewhere they stay put. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reachTowardZones, LANE_END_ZONE_MARGIN_M } from '../../src/sectors/lane-ends.js';

const rect = (x0: number, y0: number, x1: number, y1: number) => [[{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }, { x: x0, y: y0 }]];

test('a lane ending before a zone is carried on towards it, keeping the margin; the other end stays', () => {
  // cells of 55 m; the lane runs east along y = 27.5 from the centre of cell 0 to the centre of cell 4 (x = 247.5);
  // a zone starts at x = 300: the cell beyond (centre 302.5) is inside it
  const zone = rect(300, -100, 400, 100);
  const [start, end] = reachTowardZones([{ x: 27.5, y: 27.5 }, { x: 247.5, y: 27.5 }], [zone], 55);
  assert.deepEqual(start, { x: 27.5, y: 27.5 }, 'nothing beyond the start');
  assert.equal(end!.y, 27.5);
  assert.ok(end!.x > 247.5 && end!.x <= 300 - LANE_END_ZONE_MARGIN_M, `moved to ${end!.x}, at most to ${300 - LANE_END_ZONE_MARGIN_M}`);
  // further from the zone, up to the cell's edge and no further
  const [, far] = reachTowardZones([{ x: 27.5, y: 27.5 }, { x: 192.5, y: 27.5 }], [rect(250, -100, 400, 100)], 55);
  assert.ok(far!.x > 192.5 && far!.x <= 250 - LANE_END_ZONE_MARGIN_M + 1e-9, `moved to ${far!.x}`);
});

test('lanes at the area\'s edge, one-cell lanes and a path without zones are left as they are', () => {
  const path = [{ x: 27.5, y: 27.5 }, { x: 247.5, y: 27.5 }, { x: 247.5, y: 82.5 }, { x: 247.5, y: 82.5 }];
  assert.deepEqual(reachTowardZones(path, [], 55), path);
  // a zone far off: no end moves
  assert.deepEqual(reachTowardZones(path, [rect(1000, 1000, 1100, 1100)], 55), path);
  // the one-cell lane (start = end) has no direction to move in
  const moved = reachTowardZones(path, [rect(300, -100, 400, 200)], 55);
  assert.deepEqual(moved.slice(2), path.slice(2));
});

test('lane ends reach to the end cell\'s edge, at the edge of the searched ground and where another run takes over; one-cell lanes reach both ways', async () => {
  const { reachLaneEnds } = await import('../../src/sectors/lane-ends.js');
  // searchable: x 0..220, y 0..220 (cells of 55 m); a lane up the first column, a one-cell lane in the third
  const searchableAt = (p: { x: number; y: number }) => p.x >= 0 && p.y >= 0 && p.x < 220 && p.y < 220;
  const path = [{ x: 27.5, y: 27.5 }, { x: 27.5, y: 192.5 }, { x: 137.5, y: 82.5 }, { x: 137.5, y: 82.5 }];
  const out = reachLaneEnds(path, { zones: [], cellSize: 55, axis: 'north-south', searchableAt });
  // the first lane's ends move to the area's edge (the cells beyond are not searched)
  assert.deepEqual(out[0], { x: 27.5, y: 0 });
  assert.deepEqual(out[1], { x: 27.5, y: 220 });
  // the one-cell lane has searchable cells on both sides along the lane, flown by other runs that end at
  // their centres: it reaches towards its cell's edges all the same, or the ground between the runs is never
  // seen, stopping 15 m short so that it does not count the cells beyond as searched (their centres stay more
  // than half a sweep away, even from a start taken 10 m early)
  assert.deepEqual(out.slice(2), [{ x: 137.5, y: 70 }, { x: 137.5, y: 95 }]);
  // alone in a strip one cell long, it spans its cell
  const strip = (p: { x: number; y: number }) => p.x >= 110 && p.x < 165 && p.y >= 55 && p.y < 110;
  const one = reachLaneEnds(path.slice(2), { zones: [], cellSize: 55, axis: 'north-south', searchableAt: strip });
  assert.deepEqual(one, [{ x: 137.5, y: 55 }, { x: 137.5, y: 110 }]);
});
