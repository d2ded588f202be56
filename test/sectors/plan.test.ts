import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AreaFrame, LocalPoint } from '../../src/wire/frame-of-reference.js';
import { keepLanesClear, overlapBetweenPlans, planSectors, searchableCells, sweptCells, type PlanMember, type Polygon } from '../../src/sectors/index.js';
import { seededRandom } from '../../src/core/random.js';

const frame: AreaFrame = { originLat: 0, originLon: 0, epoch: 0, cellSize: 50, cols: 60 };
// An L-shaped town (2.5 km × 2 km minus a corner) with a courtyard hole and a no-fly square.
const town: Polygon = [
  [
    { x: 0, y: 0 },
    { x: 2500, y: 0 },
    { x: 2500, y: 1200 },
    { x: 1500, y: 1200 },
    { x: 1500, y: 2000 },
    { x: 0, y: 2000 },
  ],
  [
    { x: 600, y: 600 },
    { x: 800, y: 600 },
    { x: 800, y: 800 },
    { x: 600, y: 800 },
  ],
];
const nofly: Polygon = [
  [
    { x: 2000, y: 200 },
    { x: 2300, y: 200 },
    { x: 2300, y: 500 },
    { x: 2000, y: 500 },
  ],
];
const searchable = searchableCells(frame, [town], [nofly]);
const members = (n: number): PlanMember[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, pos: { x: 100 + i * 40, y: -50 } }));

function centreOf(cell: number): LocalPoint {
  const r = Math.floor(cell / frame.cols);
  return { x: (cell - r * frame.cols + 0.5) * frame.cellSize, y: (r + 0.5) * frame.cellSize };
}

test('searchable cells exclude holes and no-fly zones', () => {
  const inHole = searchable.filter((c) => {
    const p = centreOf(c);
    return p.x > 600 && p.x < 800 && p.y > 600 && p.y < 800;
  });
  const inNofly = searchable.filter((c) => {
    const p = centreOf(c);
    return p.x > 2000 && p.x < 2300 && p.y > 200 && p.y < 500;
  });
  assert.equal(inHole.length, 0);
  assert.equal(inNofly.length, 0);
  // area ≈ 2500×1200 + 1500×800 − 200×200 − 300×300 = 4.07 km² → 1628 cells of 50 m
  assert.ok(Math.abs(searchable.length - 1628) <= 10, `cells ${searchable.length}`);
});

test('by a slanted no-fly edge: cells up to the edge are searched, and every lane keeps 10 m from it, near its cells', () => {
  // A zone whose western edge runs from (1020, 0) to (1120, 1000): it passes within a metre or two of some
  // cell centres. Those cells are searched (leaving them out left their ground by the zone unseen), and the
  // lanes through them move aside or stop short so that the copter keeps the clearance.
  const field: Polygon = [[{ x: 0, y: 0 }, { x: 2000, y: 0 }, { x: 2000, y: 1000 }, { x: 0, y: 1000 }]];
  const slanted: Polygon = [[{ x: 1020, y: 0 }, { x: 1800, y: 0 }, { x: 1800, y: 1000 }, { x: 1120, y: 1000 }]];
  const edgeX = (y: number) => 1020 + (100 * y) / 1000;
  const toEdge = (p: LocalPoint) => ((edgeX(p.y) - p.x) * 1000) / Math.hypot(1000, 100);
  const clearance = 10; // metres, the promise in docs/sectors.md
  const cells = searchableCells(frame, [field], [slanted]);
  const west = cells.map(centreOf).filter((p) => p.x < 1200);
  assert.ok(west.every((p) => toEdge(p) > 0), 'no centre inside the zone');
  const near = west.filter((p) => toEdge(p) < clearance);
  assert.ok(near.length > 0, 'cells whose centre is within the clearance are searched');
  for (const axis of ['east-west', 'north-south'] as const) {
    const plan = planSectors({ frame, searchable: cells, covered: new Set(), members: members(3), axis });
    const lanes: [LocalPoint, LocalPoint][] = [];
    for (const path of plan.paths.values()) {
      const clear = keepLanesClear(path, [slanted], axis, frame.cellSize);
      for (let k = 0; k + 1 < clear.length; k += 2) lanes.push([clear[k]!, clear[k + 1]!]);
    }
    // every point of every lane at least the clearance from the edge (sampled every metre)
    for (const [a, b] of lanes) {
      const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y)));
      for (let k = 0; k <= n; k++) {
        const p = { x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n };
        if (p.x < 1200) assert.ok(toEdge(p) >= clearance - 1e-6, `${axis} lane point ${p.x.toFixed(1)},${p.y.toFixed(1)} ${toEdge(p).toFixed(1)} m from the zone`);
      }
    }
    // and every such cell still has a lane within half a sweep of its centre: it counts as searched
    const swept = new Set(lanes.flatMap(([a, b]) => sweptCells(frame, a, b, 55)));
    for (const c of cells) if (toEdge(centreOf(c)) < clearance) assert.ok(swept.has(c), `${axis}: cell ${c} by the edge is swept`);
  }
});

test('every unsearched cell goes to exactly one member, in sectors of equal effort', () => {
  const plan = planSectors({ frame, searchable, covered: new Set(), members: members(7) });
  const seen = new Map<number, number>();
  for (const cells of plan.sectors.values()) for (const c of cells) seen.set(c, (seen.get(c) ?? 0) + 1);
  assert.equal(seen.size, searchable.length);
  assert.ok([...seen.values()].every((n) => n === 1));
  const sizes = [...plan.sectors.values()].map((s) => s.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
});

test('the same view in any order gives the same plan', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), (n, seed) => {
      const rnd = seededRandom(seed);
      const ms: PlanMember[] = Array.from({ length: n }, (_, i) => ({ id: 1 + i * 3, pos: { x: rnd.range(0, 2500), y: rnd.range(0, 2000) } }));
      const shuffled = [...ms].sort(() => rnd.next() - 0.5);
      const covered = new Set(searchable.filter(() => rnd.chance(0.3)));
      const a = planSectors({ frame, searchable, covered, members: ms });
      const b = planSectors({ frame, searchable: [...searchable].reverse(), covered: new Set([...covered].reverse()), members: shuffled });
      assert.deepEqual([...a.paths.entries()].sort((x, y) => x[0] - y[0]), [...b.paths.entries()].sort((x, y) => x[0] - y[0]));
      assert.deepEqual([...a.sectors.entries()].sort((x, y) => x[0] - y[0]), [...b.sectors.entries()].sort((x, y) => x[0] - y[0]));
    }),
    { numRuns: 40 },
  );
});

test("a member's path sweeps every cell of its sector and starts near it", () => {
  const ms: PlanMember[] = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, pos: { x: 250 + i * 500, y: -50 } }));
  const plan = planSectors({ frame, searchable, covered: new Set(), members: ms });
  for (const m of ms) {
    const path = plan.paths.get(m.id)!;
    const swept = new Set<number>();
    assert.equal(path.length % 2, 0);
    // only the lanes (pairs of waypoints) count as searched; transitions between them do not
    for (let i = 0; i < path.length; i += 2) for (const c of sweptCells(frame, path[i]!, path[i + 1]!, frame.cellSize)) swept.add(c);
    const missing = plan.sectors.get(m.id)!.filter((c) => !swept.has(c));
    assert.deepEqual(missing, [], `member ${m.id} misses ${missing.length} cells`);
    // it starts at the end of its block nearest to it, not the far one
    const d0 = Math.hypot(path[0]!.x - m.pos.x, path[0]!.y - m.pos.y);
    const d1 = Math.hypot(path[path.length - 1]!.x - m.pos.x, path[path.length - 1]!.y - m.pos.y);
    assert.ok(d0 <= d1, `member ${m.id} starts ${d0} m away, ends ${d1} m away`);
  }
});

test("re-division after a death gives the dead member's remainder to the others and keeps done work done", () => {
  const ms = members(4);
  const first = planSectors({ frame, searchable, covered: new Set(), members: ms });
  // each member has searched the first half of its sector; member 2 then dies
  const covered = new Set<number>();
  for (const cells of first.sectors.values()) for (const c of cells.slice(0, Math.floor(cells.length / 2))) covered.add(c);
  const deadRemainder = first.sectors.get(2)!.filter((c) => !covered.has(c));
  const after = planSectors({ frame, searchable, covered, members: ms.filter((m) => m.id !== 2) });
  assert.equal(after.sectors.has(2), false);
  const assigned = new Set([...after.sectors.values()].flat());
  assert.ok(deadRemainder.every((c) => assigned.has(c)));
  assert.ok([...covered].every((c) => !assigned.has(c)));
  assert.equal(assigned.size, searchable.length - covered.size);
});

test('briefly different views overlap little', () => {
  const ms = members(8);
  const covered = new Set(searchable.filter((_, i) => i % 3 === 0));
  const a = planSectors({ frame, searchable, covered, members: ms });
  // another agent has not yet heard the latest coverage fact (20 cells)
  const stale = new Set([...covered].slice(0, covered.size - 20));
  const b = planSectors({ frame, searchable, covered: stale, members: ms });
  // each sector boundary moves by at most the number of cells the views disagree on
  const planned = [...a.sectors.values()].reduce((n, s) => n + s.length, 0);
  const overlap = overlapBetweenPlans(a, b);
  assert.ok(overlap * planned <= (ms.length - 1) * 20, `overlap ${overlap} of ${planned} cells`);
  assert.ok(overlap > 0);
  // once gossip converges the views agree and the overlap is gone
  assert.equal(overlapBetweenPlans(a, planSectors({ frame, searchable, covered, members: [...ms].reverse() })), 0);
});

test('a sector is one stretch of the snake: lane changes are one cell long, not a return down the lane', () => {
  const plan = planSectors({ frame, searchable, covered: new Set(), members: members(7), axis: 'north-south' });
  for (const [id, path] of plan.paths) {
    // transitions (odd → even waypoint) from one lane to the next are one cell wide, except where the
    // area's outline (the L's notch, the hole) makes the next lane start elsewhere; never back down a lane
    let long = 0;
    for (let i = 1; i + 1 < path.length; i += 2) {
      const a = path[i]!;
      const b = path[i + 1]!;
      if (a.x === b.x) continue; // a gap along the same lane (hole, no-fly zone)
      if (Math.abs(a.x - b.x) === frame.cellSize && a.y === b.y) continue;
      long += Math.hypot(a.x - b.x, a.y - b.y);
    }
    assert.ok(long <= 500, `member ${id} flies ${long} m of long lane changes`);
  }
});

test('with an entry cost, sectors far from the launch site are smaller, and flying time evens out', () => {
  const launch = { x: 0, y: -100 };
  const ms = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, pos: launch }));
  const perM = 1 / (1.5 * frame.cellSize); // transit 1.5× search speed
  const flat = planSectors({ frame, searchable, covered: new Set(), members: ms, orderBy: 'id', axis: 'north-south' });
  const fair = planSectors({ frame, searchable, covered: new Set(), members: ms, orderBy: 'id', axis: 'north-south', entryEffortPerM: perM });
  const time = (p: typeof flat, id: number) => {
    const path = p.paths.get(id)!;
    return p.sectors.get(id)!.length + Math.hypot(path[0]!.x - launch.x, path[0]!.y - launch.y) * perM;
  };
  const spread = (p: typeof flat) => {
    const ts = ms.map((m) => time(p, m.id));
    return Math.max(...ts) - Math.min(...ts);
  };
  assert.ok(fair.sectors.get(6)!.length < flat.sectors.get(6)!.length, 'the farthest sector shrinks');
  assert.ok(spread(fair) < spread(flat) / 2, `spread ${spread(fair).toFixed(1)} vs ${spread(flat).toFixed(1)} cells`);
  // still a partition of the whole area
  assert.equal([...fair.sectors.values()].reduce((n, s) => n + s.length, 0), searchable.length);
});

test('a partial cell at the edge of the area is searched; a cell beside it with no ground inside is not', () => {
  const f = { originLat: 0, originLon: 0, epoch: 0, cellSize: 55, cols: 4 };
  // the area ends at x = 70: the second column's centres (x = 82.5) are outside, but 15 m of its cells are inside
  const area = [[{ x: 0, y: 0 }, { x: 70, y: 0 }, { x: 70, y: 110 }, { x: 0, y: 110 }]];
  const cells = searchableCells(f, [area]);
  assert.deepEqual(cells, [0, 1, 4, 5]);
});
