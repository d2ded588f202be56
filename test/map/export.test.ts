import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as turf from '@turf/turf';
import { MapDocument } from '../../src/map/document.js';
import { toGeoJSON, type Feature } from '../../src/map/geojson.js';
import { toCoT, COT_TYPES } from '../../src/map/cot.js';
import { CoT } from '../../src/map/tak-cot.js';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';
import type { Fact } from '../../src/wire/facts.js';
import { mission } from './arbitraries.js';

const frame: AreaFrame = { originLat: 45.1, originLon: 5.7, epoch: 1_780_000_000, cellSize: 50, cols: 100 };

const scene: Fact[] = [
  { kind: 'area', origin: 100, seq: 1, t: 0, role: 'search', rings: [[{ x: 0, y: 0 }, { x: 0, y: 2000 }, { x: 2000, y: 2000 }, { x: 2000, y: 0 }]], priority: 1 },
  { kind: 'area', origin: 100, seq: 2, t: 0, role: 'nofly', rings: [[{ x: 100, y: 100 }, { x: 300, y: 100 }, { x: 300, y: 300 }]], priority: 1 },
  { kind: 'victim', origin: 3, seq: 1, t: 10, pos: { x: 400, y: 500 }, count: 2, condition: 'injured', confidence: 90 },
  { kind: 'victim', origin: 3, seq: 2, t: 11, pos: { x: 900, y: 500 }, count: 1, condition: 'critical', confidence: 70 },
  { kind: 'supersede', origin: 100, seq: 3, t: 20, target: { origin: 3, seq: 2 }, outcome: 'rescued' },
  { kind: 'road', origin: 4, seq: 1, t: 12, path: [{ x: 0, y: 1000 }, { x: 800, y: 1020 }, { x: 1500, y: 1100 }], severity: 'impassable' },
  { kind: 'hazard', origin: 4, seq: 2, t: 13, hazard: 'fire', pos: { x: 1500, y: 1500 }, radius: 80 },
  { kind: 'coverage', origin: 3, seq: 3, t: 14, cells: [0, 1, 2, 101] },
  { kind: 'status', origin: 3, seq: 4, t: 15, pos: { x: 420, y: 480 }, alt: 40, battery: 77, mode: 4, armed: true, activity: 'searching', sector: 1, heading: 45 },
  { kind: 'status', origin: 3, seq: 5, t: 16, pos: { x: 450, y: 470 }, alt: 41, battery: 76, mode: 4, armed: true, activity: 'searching', sector: 1, heading: 50 },
  { kind: 'status', origin: 100, seq: 4, t: 16, pos: { x: 0, y: 0 }, alt: 0, battery: 100, mode: 0, armed: false, activity: 'ground_station', sector: -1, heading: 0 },
];

function checkGeoJsonFeature(f: Feature): void {
  assert.equal(f.type, 'Feature');
  assert.equal(typeof f.properties.layer, 'string');
  const positions: number[][] =
    f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates.flat();
  for (const [lon, lat] of positions) {
    assert.ok(lon! >= -180 && lon! <= 180 && lat! >= -90 && lat! <= 90, `position ${lon},${lat}`);
  }
  if (f.geometry.type === 'Polygon') {
    f.geometry.coordinates.forEach((ring, i) => {
      assert.ok(ring.length >= 4);
      assert.deepEqual(ring[0], ring[ring.length - 1], 'ring closed');
      // RFC 7946 right-hand rule: outer ring counter-clockwise, holes clockwise.
      assert.equal(turf.booleanClockwise(ring), i !== 0);
    });
  }
  if (f.geometry.type === 'LineString') assert.ok(f.geometry.coordinates.length >= 2);
}

test('GeoJSON of a scene: every layer present, valid RFC 7946 geometry, states carried', () => {
  const m = MapDocument.create();
  m.ingest(scene);
  const fc_ = toGeoJSON(m.state(), frame);
  assert.equal(fc_.type, 'FeatureCollection');
  for (const f of fc_.features) {
    checkGeoJsonFeature(f);
    assert.ok(turf.booleanValid(f as never), `turf says feature ${f.id} is invalid`);
  }
  const byLayer = (l: string) => fc_.features.filter((f) => f.properties.layer === l);
  assert.deepEqual(byLayer('victim').map((f) => [f.id, f.properties.state]), [['3:1', 'reported'], ['3:2', 'rescued']]);
  assert.equal(byLayer('coverage').length, 4);
  assert.equal(byLayer('search').length, 1);
  assert.equal(byLayer('nofly').length, 1);
  assert.equal(byLayer('road')[0]!.properties.state, 'blocked');
  assert.equal(byLayer('member').length, 2);
  assert.equal(byLayer('track').length, 1);
  // The victim is where it was reported: 400 m east, 500 m north of the origin.
  const [lon, lat] = (byLayer('victim')[0]!.geometry as { coordinates: number[] }).coordinates;
  assert.ok(Math.abs(turf.distance([5.7, 45.1], [lon!, lat!], { units: 'meters' }) - Math.hypot(400, 500)) < 2);
});

test('GeoJSON stays valid for any generated mission', () => {
  fc.assert(
    fc.property(mission(30), (facts) => {
      const m = MapDocument.create();
      m.ingest(facts.filter((f) => f.kind !== 'area' && f.kind !== 'coverage'));
      for (const f of toGeoJSON(m.state(), frame).features) checkGeoJsonFeature(f);
    }),
    { numRuns: 50 },
  );
});

test('CoT events parse back through the CoT schema with the expected types, uids and places', () => {
  const m = MapDocument.create();
  m.ingest(scene);
  const nowMs = Date.UTC(2026, 5, 1, 12, 0, 0);
  const xml = toCoT(m.state(), frame, { nowMs });
  const events = xml.map((x) => {
    assert.match(x, /^<event /);
    return new CoT(x); // throws on an event that fails node-cot's schema
  });
  const byUid = new Map(events.map((e) => [e.raw.event._attributes.uid!, e]));
  const victim = byUid.get('murmur-victim-3-1')!;
  assert.equal(victim.raw.event._attributes.type, COT_TYPES.casualty);
  const [lon, lat] = toGeoJSON(m.state(), frame).features.find((f) => f.id === '3:1')!.geometry.coordinates as number[];
  assert.ok(Math.abs(Number(victim.raw.event.point._attributes.lat) - lat!) < 1e-6);
  assert.ok(Math.abs(Number(victim.raw.event.point._attributes.lon) - lon!) < 1e-6);
  assert.ok(Date.parse(victim.raw.event._attributes.stale!) > nowMs);
  // A rescued victim is sent already stale, so TAK clients drop it.
  const rescued = byUid.get('murmur-victim-3-2')!;
  assert.equal(Date.parse(rescued.raw.event._attributes.stale!), nowMs);
  assert.equal(byUid.get('murmur-node-3')!.raw.event._attributes.type, COT_TYPES.drone);
  assert.equal(byUid.get('murmur-node-100')!.raw.event._attributes.type, COT_TYPES.groundStation);
  assert.equal(byUid.get('murmur-road-4-1')!.raw.event._attributes.type, 'u-d-f');
  assert.equal(byUid.get('murmur-hazard-4-2')!.raw.event._attributes.type, 'u-d-p');
  assert.ok(byUid.has('murmur-search-100-1'));
  assert.ok(byUid.has('murmur-nofly-100-2'));
  // The road's polyline points travel as links.
  const links = (byUid.get('murmur-road-4-1')!.raw.event.detail as { link: unknown[] }).link;
  assert.equal(links.length, 3);
});
