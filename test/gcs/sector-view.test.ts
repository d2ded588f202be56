import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, scenarioFrame } from '../../src/mission/index.js';
import { missionTakeOff } from '../../src/agent/mission-settings.js';
import { cellOutline, pointInPolygon, takeOffPlan } from '../../src/sectors/index.js';
import { deriveState } from '../../src/map/state.js';
import { SectorWatch } from '../../src/gcs/sector-view.js';
import { factKey, type Activity, type Fact } from '../../src/wire/facts.js';
import { cellCentre, toLocal, type AreaFrame } from '../../src/wire/frame-of-reference.js';
import type { MemberHealth } from '../../src/gcs/mesh-port.js';

const town = loadScenario('maps/scenarios/earthquake-town.json');
const frame = scenarioFrame(town);
const roster = [1, 2, 3, 4, 5, 6];
const input = missionTakeOff(town, frame, roster);

let seq = 0;
const status = (origin: number, activity: Activity, t = 100): Fact => ({
  kind: 'status', origin, seq: ++seq, t, pos: { x: 0, y: 0 }, alt: 60, battery: 80, mode: 4, armed: true, activity, sector: origin - 1, heading: 0,
});
const stateOf = (facts: Fact[]) => deriveState(new Map(facts.map((f) => [factKey(f), f])));
const none = new Map<number, MemberHealth>();
/** The cells whose centres an outline's rings enclose. */
function enclosed(f: AreaFrame, rings: [number, number][][], among: readonly number[]): number[] {
  const local = rings.map((r) => r.map(([lon, lat]) => toLocal(f, lat, lon)));
  return among.filter((c) => pointInPolygon(cellCentre(f, c), local));
}

test('an outline encloses exactly its cells, holes and separate pieces included', () => {
  const f: AreaFrame = { originLat: 0, originLon: 0, epoch: 0, cellSize: 10, cols: 10 };
  // a 4x4 block with its centre cell missing, and a lone cell apart
  const cells = [11, 12, 13, 14, 21, 23, 24, 31, 32, 33, 34, 41, 42, 43, 44, 77];
  const rings = cellOutline(f, cells);
  assert.equal(rings.length, 3, 'outer ring, hole, lone cell');
  const all = Array.from({ length: 100 }, (_, i) => i);
  assert.deepEqual(all.filter((c) => pointInPolygon(cellCentre(f, c), rings)), cells);
  assert.equal(rings.find((r) => r.length === 5 && r.some((p) => p.x === 70 && p.y === 70))?.length, 5, 'a lone cell is 4 corners, closed');
});

test('the station outlines the take-off plan the drones fly, and a recalled drone’s remainder as shares of the others', () => {
  const watch = new SectorWatch(input);
  const plan = takeOffPlan(input).plan;
  const searching = roster.map((id) => status(id, 'searching'));
  const pic = watch.picture(stateOf(searching), searching, () => undefined, none, 100);
  const own = pic.features.filter((x) => x.properties.kind === 'own');
  assert.equal(own.length, roster.length);
  for (const feat of own) {
    const id = Number(feat.properties.member);
    assert.equal(feat.properties.sector, id - 1);
    const sector = plan.sectors.get(id)!;
    assert.deepEqual(enclosed(frame, (feat.geometry as { coordinates: [number, number][][] }).coordinates, input.searchable).sort((a, b) => a - b), [...sector].sort((a, b) => a - b));
  }
  assert.equal(pic.features.filter((x) => x.properties.kind === 'share').length, 0);
  // on the ground before take-off ('idle'), nothing is handed over to anyone
  const ground = roster.map((id) => status(id, 'idle', 5));
  const before = new SectorWatch(input).picture(stateOf(ground), ground, () => undefined, none, 5);
  assert.deepEqual([before.rows.filter((r) => r.orphaned).length, before.features.filter((x) => x.properties.kind === 'share').length], [0, 0]);

  // drone 3 recalled after searching a third of its sector: the others take over the rest, and only the rest
  const s3 = plan.sectors.get(3)!;
  const done = s3.slice(0, Math.floor(s3.length / 3));
  const facts = [...searching.filter((f) => f.origin !== 3), status(3, 'returning', 200), { kind: 'coverage', origin: 3, seq: ++seq, t: 150, cells: [...done].sort((a, b) => a - b) } as Fact];
  const after = watch.picture(stateOf(facts), facts, () => undefined, none, 200);
  const shares = after.features.filter((x) => x.properties.kind === 'share');
  assert.ok(shares.length >= 1);
  const taken = shares.flatMap((x) => enclosed(frame, (x.geometry as { coordinates: [number, number][][] }).coordinates, input.searchable));
  assert.deepEqual(taken.sort((a, b) => a - b), s3.filter((c) => !done.includes(c)).sort((a, b) => a - b));
  assert.equal(after.rows.find((r) => r.member === 3)?.orphaned, true);
  assert.equal(after.rows.reduce((n, r) => n + r.shareCells, 0), s3.length - done.length);

  // an operator's zone over part of that remainder: those cells go to no one (the drones leave them out)
  const last = cellCentre(frame, s3[s3.length - 1]!);
  const h = frame.cellSize / 4;
  const zone: Fact = { kind: 'area', origin: 250, seq: 9, t: 210, role: 'nofly', priority: 0, rings: [[{ x: last.x - h, y: last.y - h }, { x: last.x + h, y: last.y - h }, { x: last.x + h, y: last.y + h }, { x: last.x - h, y: last.y + h }]] };
  const zoned = watch.picture(stateOf([...facts, zone]), [...facts, zone], () => undefined, none, 210);
  const takenNow = zoned.features.filter((x) => x.properties.kind === 'share').flatMap((x) => enclosed(frame, (x.geometry as { coordinates: [number, number][][] }).coordinates, input.searchable));
  assert.ok(!takenNow.includes(s3[s3.length - 1]!) && takenNow.length < taken.length, `${takenNow.length} cells taken over with the zone, ${taken.length} without`);

  // a drone the membership declared gone is handed over too; one never heard is, as the drones hold it lost
  const gone = new Map<number, MemberHealth>([[5, { id: 5, state: 'gone' }]]);
  const few = searching.filter((f) => f.origin !== 6);
  const lost = watch.picture(stateOf(few), few, () => undefined, gone, 100);
  assert.deepEqual(lost.rows.filter((r) => r.orphaned).map((r) => r.member), [5, 6]);
});

test('a newer mission from the station replaces the outlines with its own plan', () => {
  const watch = new SectorWatch(input);
  // a search area: the west half of the town's cells' bounding box
  const xs = input.searchable.map((c) => cellCentre(frame, c).x);
  const ys = input.searchable.map((c) => cellCentre(frame, c).y);
  const [x0, x1, y0, y1] = [Math.min(...xs), (Math.min(...xs) + Math.max(...xs)) / 2, Math.min(...ys), Math.max(...ys)];
  const area: Fact = { kind: 'area', origin: 250, seq: 1, t: 300, role: 'search', priority: 0, rings: [[{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }]] };
  const mission: Fact = { kind: 'mission', origin: 250, seq: 2, t: 300, version: 1, areas: [{ origin: 250, seq: 1 }], launch: [] };
  const facts = [...roster.map((id) => status(id, 'searching', 320)), area, mission];
  const byKey = new Map(facts.map((f) => [factKey(f), f]));
  const pic = watch.picture(stateOf(facts), facts, (k) => byKey.get(k), none, 320);
  assert.equal(pic.missionVersion, 1);
  const cells = pic.features.filter((x) => x.properties.kind === 'own').flatMap((x) => enclosed(frame, (x.geometry as { coordinates: [number, number][][] }).coordinates, input.searchable.concat()));
  assert.ok(cells.length > 0);
  assert.ok(cells.every((c) => cellCentre(frame, c).x <= x1 + frame.cellSize), 'every outline lies in the new area');
});
