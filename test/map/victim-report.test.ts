import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveState } from '../../src/map/state.js';
import { mapKml, victimRows, victimsCsv } from '../../src/map/victim-report.js';
import { factKey, type Fact } from '../../src/wire/facts.js';
import { toLocal, type AreaFrame } from '../../src/wire/frame-of-reference.js';

const frame: AreaFrame = { originLat: 45.18, originLon: 5.72, epoch: 1_790_000_000, cellSize: 50, cols: 60 };
const facts: Fact[] = [
  { kind: 'victim', origin: 7, seq: 4, t: 31, pos: { x: 950, y: 400 }, count: 2, condition: 'injured', confidence: 88 },
  // the same people seen again by another drone, 6 m away, later
  { kind: 'victim', origin: 9, seq: 2, t: 95, pos: { x: 956, y: 400 }, count: 2, condition: 'injured', confidence: 71 },
  { kind: 'victim', origin: 7, seq: 5, t: 32, pos: { x: 1800, y: 1200 }, count: 1, condition: 'critical', confidence: 64 },
  { kind: 'supersede', origin: 1, seq: 3, t: 40, target: { origin: 7, seq: 5 }, outcome: 'rescued' },
  { kind: 'road', origin: 7, seq: 6, t: 33, path: [{ x: 200, y: 1500 }, { x: 1400, y: 1550 }], severity: 'impassable' },
  { kind: 'hazard', origin: 7, seq: 7, t: 34, hazard: 'fire', pos: { x: 2400, y: 600 }, radius: 120 },
];
const state = deriveState(new Map(facts.map((f) => [factKey(f), f])));

test('a victim row says where (decimal and MGRS, back within a metre), when first and last seen, and by whom', () => {
  const rows = victimRows(state, frame);
  const r = rows.find((x) => x.id === '7:4')!;
  const back = toLocal(frame, r.lat, r.lon);
  assert.ok(Math.hypot(back.x - 950, back.y - 400) < 1);
  assert.match(r.mgrs, /^31T [A-Z]{2} \d{5} \d{5}$/);
  assert.deepEqual([r.firstSeen, r.lastSeen, r.seenBy], [31, 95, [7, 9]]);
  assert.equal(rows.find((x) => x.id === '7:5')!.state, 'rescued');
});

test('CSV: a header and a line per report, times in UTC; KML: a placemark per victim, blocked road and active hazard', () => {
  const lines = victimsCsv(state, frame).split('\r\n');
  assert.equal(lines[0], 'id,state,lat,lon,mgrs,count,condition,confidence,first_seen_utc,last_seen_utc,seen_by');
  assert.equal(lines.length, 1 + 3 + 1); // header, three reports, the final line end
  const v = lines.find((l) => l.startsWith('7:4,'))!.split(',');
  assert.equal(v[1], 'reported');
  assert.equal(v[8], new Date((frame.epoch + 31) * 1000).toISOString().replace('.000Z', 'Z'));
  assert.equal(v[10], '7 9');
  const kml = mapKml(state, frame);
  assert.equal(kml.match(/<Placemark>/g)?.length, 3 + 1 + 1);
  assert.ok(kml.includes('<LineString><coordinates>'));
  assert.ok(kml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'));
});
