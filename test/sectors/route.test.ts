import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LocalPoint } from '../../src/wire/frame-of-reference.js';
import { legEntersZone, pointInPolygon, routeAround, type Polygon } from '../../src/sectors/index.js';
import { legDistanceToZone, ROUTE_CLEARANCE_M } from '../../src/sectors/route.js';

const square: Polygon = [[{ x: 0, y: 0 }, { x: 300, y: 0 }, { x: 300, y: 300 }, { x: 0, y: 300 }]];
// an L-shaped zone, clockwise, with a reflex corner
const ell: Polygon = [[{ x: 1000, y: 0 }, { x: 1000, y: 600 }, { x: 1400, y: 600 }, { x: 1400, y: 400 }, { x: 1200, y: 400 }, { x: 1200, y: 0 }]];

const legs = (a: LocalPoint, via: LocalPoint[], b: LocalPoint) => [a, ...via, b].slice(1).map((q, i) => [[a, ...via, b][i]!, q] as const);
const length = (a: LocalPoint, via: LocalPoint[], b: LocalPoint) => legs(a, via, b).reduce((s, [p, q]) => s + Math.hypot(p.x - q.x, p.y - q.y), 0);

test('a clear leg needs no detour', () => {
  assert.deepEqual(routeAround({ x: -100, y: -100 }, { x: 500, y: -50 }, [square]), []);
});

test('a leg across a zone goes round it by the shorter side, keeping the margin', () => {
  const a = { x: -200, y: 250 };
  const b = { x: 500, y: 250 };
  const via = routeAround(a, b, [square], 30);
  assert.ok(via.length >= 2);
  for (const [p, q] of legs(a, via, b)) assert.equal(legEntersZone(p, q, square), false);
  // over the top (y = 300 is nearer than y = 0), and every corner kept 30 m out
  assert.ok(via.every((p) => p.y >= 300 + 29));
  assert.ok(length(a, via, b) < 700 + 2 * 110, `detour ${length(a, via, b).toFixed(0)} m`);
});

test('any leg between points outside the zones is routed without entering one', () => {
  const zones = [square, ell];
  const outside = fc
    .record({ x: fc.integer({ min: -500, max: 2000 }), y: fc.integer({ min: -500, max: 1200 }) })
    .filter((p) => !zones.some((z) => pointInPolygon(p, z)));
  fc.assert(
    fc.property(outside, outside, (a, b) => {
      const via = routeAround(a, b, zones, 20);
      for (const [p, q] of legs(a, via, b)) for (const z of zones) if (legEntersZone(p, q, z)) return false;
      return true;
    }),
    { numRuns: 400, seed: 7 },
  );
});

test("a leg grazing a zone is routed round it: the copter's swing at a waypoint would carry it in", () => {
  // straight from a to b passes 5 m below the square's bottom edge
  const a = { x: -200, y: -5 };
  const b = { x: 500, y: -5 };
  assert.deepEqual(routeAround(a, b, [square], 30, 0), [], 'with no clearance asked, the straight leg is taken');
  const via = routeAround(a, b, [square], 30);
  assert.ok(via.length >= 1, 'routed');
  for (const [p, q] of legs(a, via, b)) assert.ok(legDistanceToZone(p, q, square) >= Math.min(ROUTE_CLEARANCE_M, 5 - 0.5), `leg ${JSON.stringify([p, q])}`);
});

test('a leg from a point near a zone keeps at least that point’s distance from it, and the full clearance where it can', () => {
  const a = { x: 150, y: -8 }; // a lane end 8 m from the zone
  const b = { x: 150, y: -400 };
  assert.deepEqual(routeAround(a, b, [square]), [], 'leaving straight away from the zone needs no detour');
  const along = routeAround(a, { x: 600, y: 150 }, [square]);
  for (const [p, q] of legs(a, along, { x: 600, y: 150 })) assert.ok(legDistanceToZone(p, q, square) >= 7.5);
});

test('a point inside a zone is routed from as if the zone were not there (the agent leaves it first)', () => {
  assert.deepEqual(routeAround({ x: 150, y: 150 }, { x: 150, y: 800 }, [square]), []);
});
