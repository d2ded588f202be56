/**
 * Generates the shipped scenarios and the earthquake town's vector layers from a seed, so the files in
 * maps/ are reproducible and contain no downloaded map data: `npx tsx maps/tools/generate-scenarios.ts`.
 * The places are invented; coordinates sit in plausible terrain so the web map looks like a real area.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom, type Random } from '../../src/core/random.js';
import { toLatLon, type AreaFrame, type LocalPoint } from '../../src/wire/frame-of-reference.js';
import { pointInPolygon } from '../../src/sectors/grid.js';

const here = dirname(fileURLToPath(import.meta.url));
const mapsDir = join(here, '..');
const EPOCH = 1_796_000_000; // 2026-11-30T… UTC: a fixed mission epoch keeps the files stable

type Pt = LocalPoint;
const r1 = (v: number) => Math.round(v * 1e6) / 1e6;

function lonLat(frame: AreaFrame, p: Pt): [number, number] {
  const ll = toLatLon(frame, p);
  return [r1(ll.lon), r1(ll.lat)];
}
function ring(frame: AreaFrame, pts: Pt[]): [number, number][] {
  const r = pts.map((p) => lonLat(frame, p));
  return [...r, r[0]!];
}
function polygon(frame: AreaFrame, rings: Pt[][]) {
  return { type: 'Polygon' as const, coordinates: rings.map((r) => ring(frame, r)) };
}
function rect(x0: number, y0: number, x1: number, y1: number): Pt[] {
  return [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ];
}
/** An irregular outline around a centre: radii jittered per vertex. */
function blob(rnd: Random, cx: number, cy: number, rx: number, ry: number, n: number, jitter: number): Pt[] {
  return Array.from({ length: n }, (_, i) => {
    const a = (i / n) * 2 * Math.PI;
    const k = 1 - jitter + rnd.next() * jitter;
    return { x: Math.round(cx + Math.cos(a) * rx * k), y: Math.round(cy + Math.sin(a) * ry * k) };
  });
}
const CONDITIONS = ['unknown', 'ambulatory', 'injured', 'injured', 'critical', 'deceased'] as const;

function write(name: string, value: unknown) {
  writeFileSync(join(mapsDir, name), JSON.stringify(value, null, 1) + '\n');
}

// ---------------------------------------------------------------- earthquake town (~4 km²)
function earthquakeTown() {
  const rnd = seededRandom('earthquake-town');
  const frame: AreaFrame = { originLat: 42.615, originLon: 13.27, epoch: EPOCH, cellSize: 50, cols: 60 };
  const outline = blob(rnd, 1250, 1100, 1250, 1050, 14, 0.15);
  const town = [outline];
  // streets: a curved main road through the centre, a jittered grid of side streets
  const streets: Pt[][] = [];
  streets.push(Array.from({ length: 12 }, (_, i) => ({ x: Math.round(i * 230), y: Math.round(1100 + 180 * Math.sin(i / 2)) })));
  for (let x = 150; x < 2500; x += 170 + rnd.int(60)) streets.push([{ x, y: 0 }, { x: x + rnd.int(80) - 40, y: 2200 }]);
  for (let y = 120; y < 2200; y += 160 + rnd.int(60)) streets.push([{ x: 0, y }, { x: 2500, y: y + rnd.int(60) - 30 }]);
  const clip = (line: Pt[]) => {
    // keep the street where it is inside the town: sample it and keep the longest inside run
    const pts: Pt[] = [];
    for (let i = 0; i < line.length - 1; i++)
      for (let k = 0; k < 20; k++) {
        const a = line[i]!;
        const b = line[i + 1]!;
        pts.push({ x: Math.round(a.x + ((b.x - a.x) * k) / 20), y: Math.round(a.y + ((b.y - a.y) * k) / 20) });
      }
    const inside = pts.filter((p) => pointInPolygon(p, town));
    return inside.length >= 2 ? [inside[0]!, ...inside.filter((_, i) => i % 10 === 5), inside[inside.length - 1]!] : undefined;
  };
  const roads = streets.map(clip).filter((s): s is Pt[] => s !== undefined);
  // buildings: small footprints along streets, inside the town
  const buildings: Pt[][] = [];
  for (let i = 0; i < 420; i++) {
    const x = rnd.range(60, 2440);
    const y = rnd.range(60, 2140);
    const w = 10 + rnd.int(20);
    const h = 8 + rnd.int(16);
    const c = { x, y };
    if (!pointInPolygon(c, town)) continue;
    buildings.push(rect(Math.round(x), Math.round(y), Math.round(x + w), Math.round(y + h)));
  }
  const victims = Array.from({ length: 24 }, (_, i) => {
    const b = buildings[(i * 17) % buildings.length]!;
    const p = { x: b[0]!.x + rnd.range(-12, 12), y: b[0]!.y + rnd.range(-12, 12) };
    const [lon, lat] = lonLat(frame, p);
    return { lat, lon, count: 1 + (rnd.chance(0.3) ? rnd.int(4) : 0), condition: CONDITIONS[rnd.int(CONDITIONS.length)]! };
  });
  const blocked = [1, 3, 6, 9, 12, 15].map((k, i) => {
    const s = roads[k % roads.length]!;
    const a = s[Math.min(1, s.length - 1)]!;
    const b = s[Math.min(2, s.length - 1)]!;
    return { path: [lonLat(frame, a), lonLat(frame, b)], severity: i % 3 === 0 ? 'partial' : 'impassable' };
  });
  const hazards = [
    { type: 'fire', p: { x: 900, y: 1300 }, radiusM: 60 },
    { type: 'gas', p: { x: 1600, y: 700 }, radiusM: 120 },
    { type: 'collapse', p: { x: 1250, y: 1150 }, radiusM: 40 },
  ].map((h) => {
    const [lon, lat] = lonLat(frame, h.p);
    return { type: h.type, lat, lon, radiusM: h.radiusM };
  });
  const launch = [{ x: 1250, y: 30 }, { x: 1350, y: 30 }].map((p) => {
    const [lon, lat] = lonLat(frame, p);
    return { lat, lon };
  });
  const layersDir = join(mapsDir, 'earthquake-town');
  mkdirSync(layersDir, { recursive: true });
  const fc = (features: unknown[]) => ({ type: 'FeatureCollection', features });
  writeFileSync(join(layersDir, 'boundary.geojson'), JSON.stringify(fc([{ type: 'Feature', properties: { name: 'Town limits' }, geometry: polygon(frame, town) }])) + '\n');
  writeFileSync(
    join(layersDir, 'roads.geojson'),
    JSON.stringify(fc(roads.map((s, i) => ({ type: 'Feature', properties: { name: i === 0 ? 'Via Principale' : `Street ${i}`, highway: i === 0 ? 'primary' : 'residential' }, geometry: { type: 'LineString', coordinates: s.map((p) => lonLat(frame, p)) } })))) + '\n',
  );
  writeFileSync(
    join(layersDir, 'buildings.geojson'),
    JSON.stringify(fc(buildings.map((b) => ({ type: 'Feature', properties: { building: 'yes' }, geometry: polygon(frame, [b]) })))) + '\n',
  );
  write('scenarios/earthquake-town.json', {
    name: 'earthquake-town',
    description:
      'A hill town of about 4 km² after a strong earthquake: collapsed buildings, blocked streets, a gas leak and a fire. Two drones are lost mid-search. The radios use the EU868 869.4–869.65 MHz sub-band, where 10% duty cycle is allowed: ten drones reporting coverage every minute for half an hour need more than the 1% of the other sub-bands.',
    area: [polygon(frame, town)],
    nofly: [],
    priority: [{ polygon: polygon(frame, [rect(1000, 900, 1500, 1400)]), weight: 2 }],
    frame: { originLat: frame.originLat, originLon: frame.originLon, epoch: EPOCH, cellSize: 55 },
    truth: { victims, roads: blocked, hazards },
    launch,
    radio: { sf: 9, bwHz: 125000, cr: 5, dutyCyclePct: 10, medianRangeM: 1500, extraLoss: 0.1 },
    // lanes north-south: the drones launch from the south edge, so every sector starts close to them
    search: { altitudeM: 60, sweepWidthM: 55, cruiseSpeedMps: 10, transitSpeedMps: 15, detectionProbability: 0.95, falsePositivesPerKm2: 0.3, batteryReturnPct: 25, laneAxis: 'north-south' },
    faults: [
      { type: 'crash', drone: 3, atS: 420 },
      { type: 'crash', drone: 7, atS: 600 },
    ],
    durationS: 3600,
    layers: 'earthquake-town',
  });
}

// ---------------------------------------------------------------- flood valley (long and thin)
function floodValley() {
  const rnd = seededRandom('flood-valley');
  const frame: AreaFrame = { originLat: 46.05, originLon: 11.08, epoch: EPOCH, cellSize: 50, cols: 200 };
  // a river valley 7 km long and 500–800 m wide, winding gently
  const left: Pt[] = [];
  const right: Pt[] = [];
  for (let i = 0; i <= 14; i++) {
    const y = i * 500;
    const cx = 600 + 250 * Math.sin(i / 3);
    const w = 250 + rnd.int(150);
    left.push({ x: Math.round(cx - w), y });
    right.push({ x: Math.round(cx + w), y });
  }
  const valley = [...left, ...right.reverse()].map((p) => ({ x: Math.max(0, p.x), y: p.y }));
  const inValley = (p: Pt) => pointInPolygon(p, [valley]);
  const victims: { lat: number; lon: number; count: number; condition: string }[] = [];
  while (victims.length < 18) {
    const p = { x: rnd.range(0, 1400), y: rnd.range(0, 7000) };
    if (!inValley(p)) continue;
    const [lon, lat] = lonLat(frame, p);
    victims.push({ lat, lon, count: 1 + rnd.int(3), condition: CONDITIONS[rnd.int(CONDITIONS.length)]! });
  }
  write('scenarios/flood-valley.json', {
    name: 'flood-valley',
    description: 'A 7 km river valley after a flash flood: people on roofs and islands, the valley road cut in places. Drones spread along a long thin area, so the mesh is a chain.',
    area: [polygon(frame, [valley])],
    nofly: [],
    priority: [],
    frame: { originLat: frame.originLat, originLon: frame.originLon, epoch: EPOCH, cellSize: 55 },
    truth: {
      victims,
      roads: [1500, 3200, 5100].map((y, i) => ({ path: [lonLat(frame, { x: 600 + 250 * Math.sin(y / 1500), y }), lonLat(frame, { x: 600 + 250 * Math.sin(y / 1500), y: y + 120 })], severity: i === 1 ? 'partial' : 'impassable' })),
      hazards: [{ type: 'flood', ...Object.fromEntries(Object.entries(toLatLon(frame, { x: 650, y: 3500 })).map(([k, v]) => [k, r1(v)])), radiusM: 900 }],
    },
    // teams launch from three points along the valley road: a 7 km valley is beyond one battery from one end
    launch: [{ x: 600, y: 100 }, { x: 650, y: 3500 }, { x: 600, y: 6800 }].map((p) => Object.fromEntries(Object.entries(toLatLon(frame, p)).map(([k, v]) => [k, r1(v)]))),
    radio: { sf: 9, bwHz: 125000, cr: 5, dutyCyclePct: 1, medianRangeM: 1500, extraLoss: 0.1 },
    // lanes across the valley: sectors are then stretches of the valley, each near one launch point, instead
    // of 7 km strips that every drone would have to fly end to end
    search: { altitudeM: 60, sweepWidthM: 55, cruiseSpeedMps: 10, transitSpeedMps: 15, detectionProbability: 0.95, falsePositivesPerKm2: 0.3, batteryReturnPct: 25, laneAxis: 'east-west' },
    faults: [
      { type: 'radio_partition', groups: [[1, 2, 3], [4, 5, 6, 7, 8, 9, 10]], fromS: 600, toS: 1200 },
      { type: 'fc_reboot', drone: 2, atS: 900, downS: 30 },
    ],
    durationS: 5400,
  });
}

// ---------------------------------------------------------------- wildfire edge with a no-fly zone
function wildfireEdge() {
  const rnd = seededRandom('wildfire-edge');
  const frame: AreaFrame = { originLat: 38.72, originLon: -9.05, epoch: EPOCH, cellSize: 50, cols: 100 };
  const area = rect(0, 0, 3000, 1500);
  // the fire front itself and the water-bomber corridor above it: no drones
  const nofly = [
    [{ x: 1800, y: 900 }, { x: 3000, y: 700 }, { x: 3000, y: 1500 }, { x: 1700, y: 1500 }],
    rect(1100, 0, 1300, 500),
  ];
  const victims: { lat: number; lon: number; count: number; condition: string }[] = [];
  while (victims.length < 14) {
    const p = { x: rnd.range(50, 2950), y: rnd.range(50, 1450) };
    if (nofly.some((z) => pointInPolygon(p, [z]))) continue;
    const [lon, lat] = lonLat(frame, p);
    victims.push({ lat, lon, count: 1 + rnd.int(3), condition: CONDITIONS[rnd.int(CONDITIONS.length)]! });
  }
  write('scenarios/wildfire-edge.json', {
    name: 'wildfire-edge',
    description: 'The edge of a wildfire beside scattered houses: the fire front and a water-bomber corridor are no-fly zones; a hostile transmitter jams part of the channel.',
    area: [polygon(frame, [area])],
    nofly: nofly.map((z) => polygon(frame, [z])),
    priority: [],
    frame: { originLat: frame.originLat, originLon: frame.originLon, epoch: EPOCH, cellSize: 55 },
    truth: {
      victims,
      roads: [{ path: [lonLat(frame, { x: 200, y: 700 }), lonLat(frame, { x: 900, y: 760 })], severity: 'impassable' }],
      hazards: [{ type: 'fire', ...Object.fromEntries(Object.entries(toLatLon(frame, { x: 2400, y: 1150 })).map(([k, v]) => [k, r1(v)])), radiusM: 500 }],
    },
    launch: [{ x: 100, y: 100 }].map((p) => Object.fromEntries(Object.entries(toLatLon(frame, p)).map(([k, v]) => [k, r1(v)]))),
    radio: { sf: 9, bwHz: 125000, cr: 5, dutyCyclePct: 1, medianRangeM: 1500, extraLoss: 0.1 },
    search: { altitudeM: 60, sweepWidthM: 55, cruiseSpeedMps: 10, transitSpeedMps: 15, detectionProbability: 0.9, falsePositivesPerKm2: 0.5, batteryReturnPct: 25 },
    faults: [
      { type: 'hostile_transmitter', ...Object.fromEntries(Object.entries(toLatLon(frame, { x: 1500, y: 600 })).map(([k, v]) => [k, r1(v)])), fromS: 300, toS: 1500, packetsPerMin: 30 },
      { type: 'battery_failure', drone: 4, atS: 800 },
    ],
    durationS: 3600,
  });
}

mkdirSync(join(mapsDir, 'scenarios'), { recursive: true });
earthquakeTown();
floodValley();
wildfireEdge();
console.log('scenarios written to', join(mapsDir, 'scenarios'));
