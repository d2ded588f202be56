import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan, parseKml, parsePlan, parseShapes, MissionFileError } from '../../src/mission/mission-file.js';
import { loadScenario, localPolygon, scenarioFrame } from '../../src/mission/index.js';
import { searchableCells, takeOffPlan } from '../../src/sectors/index.js';
import { missionTakeOff, rosterProblem } from '../../src/agent/mission-settings.js';

const murmur = (...args: string[]) => spawnSync(process.execPath, ['bin/murmur.js', ...args], { encoding: 'utf8' });

// A town block near Grenoble with a courtyard (hole), a launch point, and a no-fly zone drawn in Google Earth.
const AREA = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[5.72, 45.18], [5.73, 45.18], [5.73, 45.187], [5.72, 45.187], [5.72, 45.18]], [[5.724, 45.183], [5.726, 45.183], [5.726, 45.184], [5.724, 45.184], [5.724, 45.183]]] } },
    { type: 'Feature', properties: { name: 'launch' }, geometry: { type: 'Point', coordinates: [5.7195, 45.1795] } },
  ],
};
const NOFLY_KML = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>hospital pad</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
5.727,45.185,0 5.729,45.185,0 5.729,45.186,0 5.727,45.186,0 5.727,45.185,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>`;

test('murmur mission create: a plan from GeoJSON and KML, with holes, a zone and a launch point, in the scenarios\' 55 m cells', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-mission-'));
  try {
    writeFileSync(join(dir, 'area.geojson'), JSON.stringify(AREA));
    writeFileSync(join(dir, 'zone.kml'), NOFLY_KML);
    const out = join(dir, 'mission.json');
    const r = murmur('mission', 'create', '--area', join(dir, 'area.geojson'), '--nofly', join(dir, 'zone.kml'), '--out', out, '--epoch', '1790000000');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 search polygon\(s\), 1 no-fly zone\(s\), 0 priority region\(s\), 1 launch point\(s\)/);
    const plan = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(plan.frame.cellSize, 55);
    assert.equal(plan.area[0].coordinates.length, 2, 'the hole is kept');
    assert.deepEqual(plan.launch, [{ lat: 45.1795, lon: 5.7195 }]);
    // the grid holds the whole area east and north of the origin, and the hole and the zone are not searched
    const frame = plan.frame;
    const area = localPolygon(frame, plan.area[0]);
    assert.ok(area[0]!.every((p) => p.x > 0 && p.y > 0 && p.x < frame.cols * frame.cellSize));
    const all = searchableCells(frame, [[area[0]!]]).length;
    const minusHole = searchableCells(frame, [area]).length;
    const minusZone = searchableCells(frame, [area], [localPolygon(frame, plan.nofly[0])]).length;
    assert.ok(all > minusHole && minusHole > minusZone, `${all} ${minusHole} ${minusZone}`);
    // the same file is every drone's mission (agent.json "mission"): it loads, and numbers the cells as the
    // station does (a frame one column wider would put every coverage cell elsewhere on the station's map)
    const asMission = loadScenario(out);
    assert.deepEqual(scenarioFrame(asMission), parsePlan(readFileSync(out, 'utf8'), out).frame);
    assert.equal(asMission.radio.sf, 9);
    assert.equal(asMission.search.sweepWidthM, 55);
    // an existing plan is not overwritten by mistake
    const again = murmur('mission', 'create', '--area', join(dir, 'area.geojson'), '--out', out);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /exists: give another --out, or --force/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mistakes in mission files are one line naming the file and the feature', () => {
  const bad = (text: string, file = 'a.geojson') => {
    try {
      buildPlan({ name: 'x', area: { ...parseShapes(text, file), file }, epoch: 0 });
    } catch (err) {
      assert.ok(err instanceof MissionFileError);
      assert.ok(!err.message.includes('\n'), err.message);
      return err.message;
    }
    assert.fail('accepted');
  };
  assert.equal(bad('{"type":"Polygon","coordinates":[[[45.18,5.72],[45.19,5.72],[45.19,95.8]]]}'), 'a.geojson, outer ring, point 3: [45.19, 95.8] is not a longitude, latitude pair (longitude first)');
  assert.equal(bad('{"type":"FeatureCollection","features":[{"geometry":{"type":"LineString","coordinates":[]}}]}'), 'a.geojson: feature 1: geometry type "LineString" is not a Polygon, MultiPolygon or Point');
  assert.equal(bad('{"type":"Polygon","coordinates":[[[5.7,45.1],[5.8,45.1],[5.7,45.1]]]}'), 'a.geojson, outer ring: a ring needs at least 3 distinct points, it has 2');
  assert.match(bad('{"type":"Polygon","coordinates":[[[5.0,45.0],[6.0,45.0],[6.0,46.0]]]}'), /^a.geojson: the area spans 77.9 × 111.2 km; at most 30 km a side/);
  assert.match(bad('{"type":'), /^a.geojson: not JSON/);
  assert.equal(bad('<kml><Placemark><Point></Point></Placemark></kml>', 'z.kml'), 'z.kml: point 1: needs coordinates');
  assert.equal(parseKml(NOFLY_KML, 'zone.kml').polygons[0]!.coordinates[0]!.length, 4);
  // through the command: exit 2 and the one line, no stack trace
  const r = murmur('mission', 'create', '--area', 'no/such/area.geojson');
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n')[0], 'murmur mission: no/such/area.geojson: no such file');
  assert.ok(!r.stderr.includes('    at '), r.stderr);
});

test("a station's data directory belongs to one mission: started with another origin, it refuses in one line", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-gcs-data-'));
  try {
    const { spawn } = await import('node:child_process');
    const first = spawn(process.execPath, ['bin/murmur.js', 'gcs', '--radio', 'loopback', '--origin', '45.18,5.72', '--port', '0', '--data', dir, '--status-every', '0']);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      first.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('ground station node')) resolve();
      });
      first.once('exit', (code) => reject(new Error(`gcs exited ${code}`)));
    });
    first.kill('SIGINT');
    await new Promise((r) => first.once('exit', r));
    const frame = JSON.parse(readFileSync(join(dir, 'frame.json'), 'utf8'));
    assert.equal(frame.cellSize, 55);
    const other = murmur('gcs', '--radio', 'loopback', '--origin', '42.62,13.27', '--port', '0', '--data', dir);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /^murmur gcs: data directory .* belongs to another mission \(origin 45.18,5.72, epoch \d+, 55 m cells × 200\): give another --data for this one\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a mission names its drones (--roster): agents with another roster are refused, and the station started with it outlines their sectors', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-roster-'));
  try {
    writeFileSync(join(dir, 'area.geojson'), JSON.stringify(AREA));
    const out = join(dir, 'mission.json');
    const bad = murmur('mission', 'create', '--area', join(dir, 'area.geojson'), '--out', out, '--roster', '3,x');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^murmur mission: --roster 3,x: expected node ids 1\.\.65535 as 2,3,4,5 or 2-5\n$/);
    const r = murmur('mission', 'create', '--area', join(dir, 'area.geojson'), '--out', out, '--roster', '7,2-4', '--epoch', '1790000000');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /, roster 2,3,4,7\n$/);
    const mission = loadScenario(out);
    assert.deepEqual(mission.roster, [2, 3, 4, 7]);
    assert.equal(rosterProblem([7, 4, 3, 2], mission, out), undefined);
    assert.match(rosterProblem([2, 3, 4], mission, out) ?? '', /^the roster 2,3,4 is not the mission's \(2,3,4,7 in .*mission\.json\)/);

    // the station reads the same file: one outline per drone, the sectors of the drones' own take-off plan
    const { spawn } = await import('node:child_process');
    const gcs = spawn(process.execPath, ['bin/murmur.js', 'gcs', '--radio', 'loopback', '--plan', out, '--port', '0', '--data', join(dir, 'gcs'), '--status-every', '0']);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        gcs.stdout.on('data', (b: Buffer) => {
          text += b.toString();
          const m = /operator \(may act\): (\S+)/.exec(text);
          if (m) resolve(m[1]!);
        });
        gcs.once('exit', (code) => reject(new Error(`gcs exited ${code}`)));
      });
      const [base, token] = url.split('#token=') as [string, string];
      const view = (await (await fetch(`${base}api/state`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
        sectors?: { rows: { member: number; sector: number; cells: number }[] };
        geojson: { features: { properties: Record<string, unknown> }[] };
      };
      const frame = scenarioFrame(mission);
      const plan = takeOffPlan(missionTakeOff(mission, frame, mission.roster!)).plan;
      assert.deepEqual(view.sectors?.rows.map((x) => [x.member, x.sector, x.cells]), [2, 3, 4, 7].map((id, i) => [id, i, plan.sectors.get(id)!.length]));
      assert.equal(view.geojson.features.filter((f) => f.properties.layer === 'sector' && f.properties.kind === 'own').length, 4);
    } finally {
      gcs.kill('SIGINT');
      await new Promise((r) => gcs.once('exit', r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
