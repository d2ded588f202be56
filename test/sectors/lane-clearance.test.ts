/** Lanes by a no-fly zone keep 10 m from it: moved aside, cut short, or split round a strip across them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepLanesClear } from '../../src/sectors/lane-clearance.js';
import { distanceToZone, legEntersZone } from '../../src/sectors/route.js';
import { distanceToSegment, type Polygon } from '../../src/sectors/grid.js';
import type { LocalPoint } from '../../src/wire/frame-of-reference.js';

const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => [[{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }]];
const lanes = (path: readonly LocalPoint[]) => Array.from({ length: path.length / 2 }, (_, k) => [path[2 * k]!, path[2 * k + 1]!] as const);
/** Closest the lane a → b comes to the zone, sampled every metre. */
function closest(a: LocalPoint, b: LocalPoint, zone: Polygon): number {
  if (legEntersZone(a, b, zone)) return 0;
  const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y)));
  let best = Infinity;
  for (let k = 0; k <= n; k++) best = Math.min(best, distanceToZone({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n }, zone));
  return best;
}

test('a lane 5 m from a zone along it moves aside to 10 m, and no further than it needs', () => {
  // cells of 50 m; the lane runs east along y = 25 through cell centres; the zone starts at y = 30
  const zone = rect(-100, 30, 600, 200);
  const out = keepLanesClear([{ x: 25, y: 25 }, { x: 475, y: 25 }], [zone], 'east-west', 50);
  assert.equal(out.length, 2, 'one lane still');
  assert.deepEqual(out, [{ x: 25, y: 20 }, { x: 475, y: 20 }]);
  // a lane clear of every zone is left as it is
  assert.deepEqual(keepLanesClear([{ x: 25, y: -75 }, { x: 475, y: -75 }], [zone], 'east-west', 50), [{ x: 25, y: -75 }, { x: 475, y: -75 }]);
});

test('a lane running into a zone stops 10 m short of it; a strip across a lane splits it in two', () => {
  const wall = rect(480, -100, 600, 100);
  const [a, b] = keepLanesClear([{ x: 25, y: 25 }, { x: 475, y: 25 }], [wall], 'east-west', 50);
  assert.ok(Math.abs(b!.x - 470) < 1e-6 && b!.y === 25 && a!.x === 25, `stops at ${JSON.stringify(b)}`);
  // a 20 m strip across the lane between two cell centres
  const strip = rect(210, -100, 230, 100);
  const out = keepLanesClear([{ x: 25, y: 25 }, { x: 475, y: 25 }], [strip], 'east-west', 50);
  assert.equal(out.length, 4, 'two lanes');
  for (const [p, q] of lanes(out)) assert.ok(closest(p, q, strip) >= 10 - 1e-6, `${JSON.stringify([p, q])} keeps 10 m`);
  // both parts still reach within 22 m of the centres of the cells beside the strip (175 and 225 are cells 4 and 5)
  const near = (c: LocalPoint) => lanes(out).some(([p, q]) => distanceToSegment(c, p, q) <= 22);
  assert.ok(near({ x: 175, y: 25 }) && near({ x: 275, y: 25 }));
});

test('a slanted edge: every piece of the lane keeps the clearance and passes near every cell centre on the lane', () => {
  // the zone's lower edge rises from y = 28 at x = 0 to y = 60 at x = 1000; the lane runs along y = 25
  const zone: Polygon = [[{ x: 0, y: 28 }, { x: 1000, y: 60 }, { x: 1000, y: 300 }, { x: 0, y: 300 }]];
  const out = keepLanesClear([{ x: 25, y: 25 }, { x: 975, y: 25 }], [zone], 'east-west', 50);
  for (const [p, q] of lanes(out)) assert.ok(closest(p, q, zone) >= 10 - 1e-6, `${JSON.stringify([p, q])}`);
  for (let x = 25; x < 1000; x += 50) assert.ok(lanes(out).some(([p, q]) => distanceToSegment({ x, y: 25 }, p, q) <= 22), `cell centre ${x}`);
  // where the zone has risen far enough, the lane is back on its line and joined into one piece
  assert.ok(lanes(out).some(([p, q]) => p.y === 25 && q.y === 25 && Math.abs(q.x - p.x) > 400));
});
