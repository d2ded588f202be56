import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { localMetres, toLatLon, toLocal, missionSeconds, type AreaFrame } from '../../src/wire/frame-of-reference.js';

const frame: AreaFrame = { originLat: 37.77, originLon: -122.45, epoch: 1_800_000_000, cellSize: 20, cols: 500 };

/** Haversine distance, metres: an independent check of the local projection. */
function haversine(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const R = 6371008.8;
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLon = (b.lon - a.lon) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

test('quantised positions are within 1 m of the true point anywhere in a 10 km area', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 10_000, noNaN: true }), fc.double({ min: 0, max: 10_000, noNaN: true }), (x, y) => {
      const truth = toLatLon(frame, { x, y });
      const q = localMetres(frame, truth.lat, truth.lon);
      const back = toLatLon(frame, q);
      assert.ok(haversine(truth, back) <= 1.0, `error ${haversine(truth, back)} m`);
    }),
  );
});

test('local metres agree with great-circle distance within 0.1%', () => {
  const p = toLatLon(frame, { x: 3000, y: 4000 });
  const d = haversine({ lat: frame.originLat, lon: frame.originLon }, p);
  assert.ok(Math.abs(d - 5000) < 5, `distance ${d}`);
  const back = toLocal(frame, p.lat, p.lon);
  assert.ok(Math.abs(back.x - 3000) < 1e-6 && Math.abs(back.y - 4000) < 1e-6);
});

test('mission time is quantised to the second (error ≤ 0.5 s)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 7200_000 }), (ms) => {
      const s = missionSeconds(frame, frame.epoch * 1000 + ms);
      assert.ok(Math.abs(s - ms / 1000) <= 0.5);
    }),
  );
});
