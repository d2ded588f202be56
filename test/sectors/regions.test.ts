import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';
import { planSectors, regionRanks, searchableCells, legEntersZone, type Polygon } from '../../src/sectors/index.js';

const frame: AreaFrame = { originLat: 0, originLon: 0, epoch: 0, cellSize: 50, cols: 40 };
const area: Polygon = [
  [
    { x: 0, y: 0 },
    { x: 2000, y: 0 },
    { x: 2000, y: 1500 },
    { x: 0, y: 1500 },
  ],
];
// a no-fly block in the middle of the lanes (north-south lanes: columns x = 700..1300 cut at y = 600..900)
const zone: Polygon = [
  [
    { x: 700, y: 600 },
    { x: 1300, y: 600 },
    { x: 1300, y: 900 },
    { x: 700, y: 900 },
  ],
];
const searchable = searchableCells(frame, [area], [zone]);
const centre = (c: number) => ({ x: ((c % frame.cols) + 0.5) * frame.cellSize, y: (Math.floor(c / frame.cols) + 0.5) * frame.cellSize });
/** Legs of a path (waypoints) that would fly through the zone. */
const crossings = (path: readonly { x: number; y: number }[]) => path.slice(1).filter((p, i) => legEntersZone(path[i]!, p, zone)).length;

test('a sector spanning a no-fly zone goes round it twice at most, where lanes flown end to end cross it once per lane', () => {
  const one = [{ id: 1, pos: { x: 0, y: 0 } }];
  const plain = planSectors({ frame, searchable, covered: new Set(), members: one, axis: 'north-south' });
  const ranks = regionRanks(frame, 'north-south', searchable, [zone]);
  const regions = planSectors({ frame, searchable, covered: new Set(), members: one, axis: 'north-south', ranks });
  const lanesCut = new Set(searchable.filter((c) => centre(c).x > 700 && centre(c).x < 1300).map((c) => c % frame.cols)).size;
  assert.ok(crossings(plain.paths.get(1)!) >= lanesCut, `plain snake: ${crossings(plain.paths.get(1)!)} crossings over ${lanesCut} cut lanes`);
  assert.ok(crossings(regions.paths.get(1)!) <= 2, `by regions: ${crossings(regions.paths.get(1)!)} crossings`);
  // the same cells, each once
  assert.deepEqual([...regions.sectors.get(1)!].sort((a, b) => a - b), [...searchable].sort((a, b) => a - b));
  const lanes = (p: readonly { x: number; y: number }[]) => p.length / 2;
  assert.ok(lanes(regions.paths.get(1)!) <= lanes(plain.paths.get(1)!) + lanesCut, 'no lane is split more than once');
});

test('without zones or wide gaps the order is the plain snake, and it is the same whatever order the cells come in', () => {
  const open = searchableCells(frame, [area]);
  const ranks = regionRanks(frame, 'north-south', open, []);
  const one = [{ id: 1, pos: { x: 0, y: 0 } }];
  const plain = planSectors({ frame, searchable: open, covered: new Set(), members: one, axis: 'north-south' });
  const ranked = planSectors({ frame, searchable: open, covered: new Set(), members: one, axis: 'north-south', ranks });
  assert.deepEqual(ranked.paths.get(1), plain.paths.get(1));
  const shuffled = regionRanks(frame, 'north-south', [...searchable].reverse(), [zone]);
  assert.deepEqual([...shuffled].sort((a, b) => a[0] - b[0]), [...regionRanks(frame, 'north-south', searchable, [zone])].sort((a, b) => a[0] - b[0]));
});
