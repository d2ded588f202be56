import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadScenario, parseScenario, scenarioFrame, localPolygon, ScenarioError } from '../../src/mission/index.js';
import { searchableCells, pointInPolygon } from '../../src/sectors/index.js';
import { toLocal } from '../../src/wire/frame-of-reference.js';

const dir = 'maps/scenarios';

test('every shipped scenario loads, and its victims stand inside its area', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 3);
  for (const f of files) {
    const s = loadScenario(`${dir}/${f}`);
    const frame = scenarioFrame(s);
    const area = s.area.map((p) => localPolygon(frame, p));
    for (const v of s.truth.victims) assert.ok(area.some((p) => pointInPolygon(toLocal(frame, v.lat, v.lon), p)), `${f}: victim outside`);
    const cells = searchableCells(frame, area, s.nofly.map((p) => localPolygon(frame, p)));
    assert.ok(cells.length > 100, `${f}: ${cells.length} cells`);
  }
});

test('the earthquake town is about 4 km² and the wildfire edge has a no-fly zone', () => {
  const quake = loadScenario(`${dir}/earthquake-town.json`);
  const frame = scenarioFrame(quake);
  const cells = searchableCells(frame, quake.area.map((p) => localPolygon(frame, p)));
  const km2 = (cells.length * frame.cellSize ** 2) / 1e6;
  assert.ok(km2 > 3.5 && km2 < 4.5, `${km2} km²`);
  assert.equal(quake.faults.filter((f) => f.type === 'crash').length, 2);
  const fire = loadScenario(`${dir}/wildfire-edge.json`);
  assert.ok(fire.nofly.length >= 1);
  const valley = loadScenario(`${dir}/flood-valley.json`);
  const vf = scenarioFrame(valley);
  const outer = localPolygon(vf, valley.area[0]!)[0]!;
  const h = Math.max(...outer.map((p) => p.y)) - Math.min(...outer.map((p) => p.y));
  const w = Math.max(...outer.map((p) => p.x)) - Math.min(...outer.map((p) => p.x));
  assert.ok(h / w > 4, `valley aspect ${h / w}`);
});

test('a broken scenario is refused with the field and what was expected', () => {
  const good = JSON.parse(JSON.stringify(loadScenario(`${dir}/earthquake-town.json`)));
  const cases: [string, (s: any) => void, RegExp][] = [
    ['victim count', (s) => (s.truth.victims[2].count = 0), /truth\.victims\[2\]\.count: 0 is outside 1\.\.255/],
    ['condition', (s) => (s.truth.victims[0].condition = 'fine'), /truth\.victims\[0\]\.condition: expected one of unknown/],
    ['area type', (s) => (s.area[0].type = 'LineString'), /area\[0\]\.type: expected "Polygon"/],
    ['latitude', (s) => (s.launch[0].lat = 123), /launch\[0\]\.lat: 123 is outside -90\.\.90/],
    ['fault type', (s) => (s.faults[0].type = 'meteor'), /faults\[0\]\.type: expected one of crash/],
    ['sweep narrower than a cell', (s) => (s.search.sweepWidthM = 20), /narrower than a coverage cell/],
    ['missing frame', (s) => delete s.frame, /frame: expected an object/],
  ];
  for (const [name, breakIt, msg] of cases) {
    const s = structuredClone(good);
    breakIt(s);
    assert.throws(() => parseScenario(s, 'x'), (e: unknown) => e instanceof ScenarioError && msg.test((e as Error).message), name);
  }
});
