import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, localPolygon, scenarioFrame } from '../../src/mission/index.js';
import { handOver, laneAxis, launchPointIndex, priorityCells, searchableCells, takeOffPlan, type TakeOffInput } from '../../src/sectors/index.js';
import { type LocalPoint } from '../../src/wire/frame-of-reference.js';

// the shipped earthquake town with its no-fly zone, 10 drones as `murmur sim --drones 10` flies it; its two launch
// points stand 100 m apart, so here three stand at the two ends and the middle of the town across its lanes
const town = loadScenario('maps/scenarios/earthquake-town.json');
const frame = scenarioFrame(town);
const nofly = town.nofly.map((p) => localPolygon(frame, p));
const searchable = searchableCells(frame, town.area.map((p) => localPolygon(frame, p)), nofly);
const ns = laneAxis(frame, searchable) === 'north-south';
const across = searchable.map((c) => ((ns ? c % frame.cols : Math.floor(c / frame.cols)) + 0.5) * frame.cellSize);
const [lo, hi] = [Math.min(...across), Math.max(...across)];
const sites: LocalPoint[] = [lo, (lo + hi) / 2, hi].map((a) => (ns ? { x: a, y: 0 } : { x: 0, y: a }));
const input: TakeOffInput = {
  frame,
  searchable,
  roster: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  launchSites: sites,
  nofly,
  cruiseSpeedMps: town.search.cruiseSpeedMps,
  ...(town.search.transitSpeedMps ? { transitSpeedMps: town.search.transitSpeedMps } : {}),
};
const centre = (c: number): LocalPoint => ({ x: ((c % frame.cols) + 0.5) * frame.cellSize, y: (Math.floor(c / frame.cols) + 0.5) * frame.cellSize });
const mean = (cells: readonly number[]): LocalPoint => {
  const ps = cells.map(centre);
  return { x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length };
};
const d = (a: LocalPoint, b: LocalPoint) => Math.hypot(a.x - b.x, a.y - b.y);

test('launch points are shared out in roster order: teams of consecutive members', () => {
  assert.deepEqual(Array.from({ length: 10 }, (_, k) => launchPointIndex(k, 10, 3)), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  assert.deepEqual(Array.from({ length: 2 }, (_, k) => launchPointIndex(k, 2, 3)), [0, 1]);
  const t = takeOffPlan(input);
  assert.deepEqual(t.launchOf(1), sites[0]);
  assert.deepEqual(t.launchOf(5), sites[1]);
  assert.deepEqual(t.launchOf(10), sites[2]);
});

test('the take-off plan gives every searchable cell to exactly one member, each its own sector near its launch point', () => {
  const t = takeOffPlan(input);
  const all = [...t.plan.sectors.values()].flat();
  assert.equal(all.length, searchable.length);
  assert.equal(new Set(all).size, searchable.length, 'no cell in two sectors');
  for (const id of input.roster) assert.ok((t.plan.sectors.get(id)?.length ?? 0) > 0.5 * (searchable.length / 10), `member ${id} has a real sector`);
  assert.deepEqual(input.roster.map((id) => t.sectorIndex(id)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(t.sectorIndex(11), -1);
  // each team's sectors lie nearer its own launch point than another team's do, on the whole
  for (const [team, point] of [[[1, 2, 3, 4], 0], [[8, 9, 10], 2]] as const) {
    const own = mean(team.flatMap((id) => t.plan.sectors.get(id)!));
    const others = mean(input.roster.filter((id) => !(team as readonly number[]).includes(id)).flatMap((id) => t.plan.sectors.get(id)!));
    assert.ok(d(own, sites[point]!) < d(others, sites[point]!), `team at launch point ${point}: own sectors ${d(own, sites[point]!).toFixed(0)} m away, others' ${d(others, sites[point]!).toFixed(0)} m`);
  }
});

test('the take-off plan is the same whatever order the roster and cells come in (every node computes it alike)', () => {
  const a = takeOffPlan(input);
  const b = takeOffPlan({ ...input, roster: [...input.roster].reverse(), searchable: [...searchable].reverse() });
  assert.deepEqual([...b.plan.sectors].sort((x, y) => x[0] - y[0]), [...a.plan.sectors].sort((x, y) => x[0] - y[0]));
  // the speeds are inputs too: a slower transit makes the flight to a far sector dearer, so far sectors shrink
  const slow = takeOffPlan({ ...input, launchSites: [sites[0]!], transitSpeedMps: input.cruiseSpeedMps });
  const fast = takeOffPlan({ ...input, launchSites: [sites[0]!], transitSpeedMps: 3 * input.cruiseSpeedMps });
  const far = (t: typeof a) => Math.max(...input.roster.map((id) => d(mean(t.plan.sectors.get(id)!), sites[0]!)));
  const farthest = (t: typeof a) => input.roster.find((id) => d(mean(t.plan.sectors.get(id)!), sites[0]!) === far(t))!;
  assert.ok(slow.plan.sectors.get(farthest(slow))!.length < fast.plan.sectors.get(farthest(fast))!.length, 'the farthest sector is smaller when transit is slower');
});

test("a lost member's unsearched cells go to members still searching, its searched cells and closed cells to no one", () => {
  const t = takeOffPlan(input);
  const lost = t.plan.sectors.get(3)!;
  const searched = new Set(lost.slice(0, Math.floor(lost.length / 3)));
  const closed = new Set(lost.slice(lost.length - 5));
  const recipients = input.roster.filter((id) => id !== 3);
  const shares = handOver({ frame, takeOff: t, recipients, orphaned: [3], coveredBy: (id) => (id === 3 ? searched : undefined), closed });
  const given = [...shares.values()].flat();
  const expected = lost.filter((c) => !searched.has(c) && !closed.has(c));
  assert.deepEqual([...given].sort((x, y) => x - y), [...expected].sort((x, y) => x - y));
  assert.ok(![...shares.keys()].includes(3));
  // the nearest members take it: a member of the same launch team takes more than the far team together
  const near = [1, 2, 4].reduce((s, id) => s + (shares.get(id)?.length ?? 0), 0);
  const far = [8, 9, 10].reduce((s, id) => s + (shares.get(id)?.length ?? 0), 0);
  assert.ok(near > far, `near team took ${near} cells, far team ${far}`);
  assert.equal(handOver({ frame, takeOff: t, recipients, orphaned: [], coveredBy: () => undefined }).size, 0);
});

// the town's centre, 500 m square, is its priority region
const priority = town.priority.map((p) => localPolygon(frame, p.polygon));
const first = (t: ReturnType<typeof takeOffPlan>, id: number) => t.plan.sectors.get(id)!.filter((c) => t.priority.has(c)).length;

test('priority ground is shared by the whole roster and flown first, so the swarm sees all of it in about its share of the time', () => {
  const t = takeOffPlan({ ...input, priority });
  const plain = takeOffPlan(input);
  const pcells = priorityCells(frame, searchable, priority);
  assert.deepEqual([...t.priority].sort((a, b) => a - b), pcells);
  assert.ok(pcells.length >= 80, `${pcells.length} priority cells`);
  // the same cells, each to one member
  assert.deepEqual([...t.plan.sectors.values()].flat().sort((a, b) => a - b), [...searchable].sort((a, b) => a - b));
  for (const id of input.roster) {
    const sector = t.plan.sectors.get(id)!;
    const k = first(t, id);
    // members from a launch point far from it take fewer (their flight there counts), but everyone takes part
    assert.ok(k >= 1, `member ${id} searches ${k} of ${pcells.length} priority cells`);
    assert.ok(sector.slice(0, k).every((c) => t.priority.has(c)), `member ${id} flies its priority cells before the rest`);
  }
  // without the order a few sectors hold the whole centre (here four, 30% of it each)
  const most = (p: typeof t) => Math.max(...input.roster.map((id) => p.plan.sectors.get(id)!.filter((c) => t.priority.has(c)).length));
  assert.ok(most(t) <= 0.15 * pcells.length && most(plain) >= 2 * most(t), `at most ${most(t)} priority cells in a sector, against ${most(plain)}`);
  // every member is done with the priority ground after its flight there and its tenth of it (metres of path)
  const reach = Math.max(...input.roster.map((id) => Math.min(...pcells.map((c) => d(t.launchOf(id), centre(c))))));
  const done = Math.max(...input.roster.map((id) => t.first!.lengths.get(id)!));
  assert.ok(done <= reach + 2 * (pcells.length / 10) * frame.cellSize, `priority done after ${done.toFixed(0)} m; flight there ${reach.toFixed(0)} m`);
  // and the whole search costs more flight, 14% here: everyone flies to the centre first, then out
  const flown = (p: typeof t) => input.roster.reduce((s, id) => s + p.plan.lengths.get(id)!, 0);
  assert.ok(flown(t) <= 1.2 * flown(plain), `${flown(t).toFixed(0)} m flown against ${flown(plain).toFixed(0)} m`);
  // every node plans it alike
  const again = takeOffPlan({ ...input, priority, roster: [...input.roster].reverse(), searchable: [...searchable].reverse() });
  assert.deepEqual([...again.plan.sectors].sort((x, y) => x[0] - y[0]), [...t.plan.sectors].sort((x, y) => x[0] - y[0]));
});

test("a member lost before its priority stretch: its priority cells are shared out first, before anyone's rest", () => {
  const t = takeOffPlan({ ...input, priority });
  const lost = t.plan.sectors.get(5)!;
  const recipients = input.roster.filter((id) => id !== 5);
  const shares = handOver({ frame, takeOff: t, recipients, orphaned: [5], coveredBy: () => undefined });
  assert.deepEqual([...shares.values()].flat().sort((a, b) => a - b), [...lost].sort((a, b) => a - b));
  const takers = [...shares].filter(([, cells]) => cells.some((c) => t.priority.has(c)));
  assert.ok(takers.length >= 2, `${takers.length} members take its priority cells`);
  for (const [id, cells] of shares) {
    const k = cells.filter((c) => t.priority.has(c)).length;
    assert.ok(cells.slice(0, k).every((c) => t.priority.has(c)), `member ${id}: priority cells first in its share`);
  }
});
