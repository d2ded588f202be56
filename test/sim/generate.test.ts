import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, scenarioFrame, localPolygon } from '../../src/mission/index.js';
import { generateMission, MISSION_KINDS } from '../../src/sim/scenario/generate.js';
import { pointInPolygon, searchableCells } from '../../src/sectors/index.js';
import { toLocal } from '../../src/wire/frame-of-reference.js';

test('generated missions load, and put victims and launch points on searchable ground', () => {
  const kinds = new Set<string>();
  let withHoles = 0;
  let zonesOverEdge = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const s = parseScenario(generateMission({ seed }), `seed ${seed}`);
    kinds.add(s.name.split('-')[1]!);
    const frame = scenarioFrame(s);
    const area = s.area.map((p) => localPolygon(frame, p));
    const zones = s.nofly.map((p) => localPolygon(frame, p));
    assert.ok(zones.length >= 1, `seed ${seed}: a no-fly zone`);
    if (area.some((p) => p.length > 1)) withHoles++;
    // a zone reaching over the area's edge has a corner outside the area
    if (zones.some((z) => z[0]!.some((p) => !area.some((a) => pointInPolygon(p, [a[0]!]))))) zonesOverEdge++;
    const onGround = (lat: number, lon: number) => {
      const p = toLocal(frame, lat, lon);
      return area.some((a) => pointInPolygon(p, a)) && !zones.some((z) => pointInPolygon(p, z));
    };
    assert.ok(s.truth.victims.length >= 10);
    for (const v of s.truth.victims) assert.ok(onGround(v.lat, v.lon), `seed ${seed}: victim off searchable ground`);
    for (const l of s.launch) assert.ok(onGround(l.lat, l.lon), `seed ${seed}: launch point off searchable ground`);
    assert.equal(s.faults.filter((f) => f.type === 'crash').length, 2);
    assert.ok(searchableCells(frame, area, zones).length > 300, `seed ${seed}: too small`);
  }
  assert.deepEqual([...kinds].sort(), [...MISSION_KINDS].sort());
  assert.ok(withHoles >= 8, `holes in ${withHoles} of 12`);
  assert.ok(zonesOverEdge >= 3, `zones over the edge in ${zonesOverEdge} of 12`);
});

test('a seed and a kind give the same mission; another seed another one', () => {
  assert.deepEqual(generateMission({ seed: 7, kind: 'coast' }), generateMission({ seed: 7, kind: 'coast' }));
  assert.notDeepEqual(generateMission({ seed: 7, kind: 'coast' }), generateMission({ seed: 8, kind: 'coast' }));
});
