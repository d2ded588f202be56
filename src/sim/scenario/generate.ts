/**
 * Random missions on ground none of the planner's authors drew: concave areas with holes (lakes, collapsed
 * blocks), no-fly zones of every shape (thin corridors, blocks reaching over the edge, blobs, triangles),
 * launch points on an edge or inside, victims clustered by roads and buildings and some beside zones and
 * edges, crashes and radio partitions. Pure and seeded: a seed and a kind give the same file on any machine
 * (`murmur scenario generate`; the format and the kinds are in maps/README.md).
 */
import { seededRandom, type Random } from '../../core/random.js';
import { toLatLon, type AreaFrame } from '../../wire/frame-of-reference.js';
import { NOFLY_CLEARANCE_M, pointInPolygon, type Polygon } from '../../sectors/grid.js';
import { along, blob, box, distanceToEdge, inside, rect, ringArea, strip, type Pt } from './shapes.js';

export const MISSION_KINDS = ['town', 'valley', 'coast', 'random'] as const;
export type MissionKind = (typeof MISSION_KINDS)[number];

export interface GenerateOptions {
  readonly seed: number;
  /** Default: by seed, town, valley, coast, random in turn (seed 1 a town). */
  readonly kind?: MissionKind;
  /** Drones the faults are written for (default 10). */
  readonly drones?: number;
}

const EPOCH = 1_796_000_000;
const CONDITIONS = ['unknown', 'ambulatory', 'injured', 'injured', 'critical', 'deceased'] as const;
/** Where each kind is put on the globe (invented places in plausible terrain). */
const ORIGIN: Record<MissionKind, { lat: number; lon: number }> = {
  town: { lat: 37.95, lon: 14.9 },
  valley: { lat: 46.35, lon: 10.6 },
  coast: { lat: 40.6, lon: 14.35 },
  random: { lat: 44.2, lon: 7.4 },
};

/** The kind a seed gets when none is asked for: the four in turn, so consecutive seeds mix them. */
export function kindForSeed(seed: number): MissionKind {
  return MISSION_KINDS[(((Math.round(seed) - 1) % 4) + 4) % 4]!;
}

interface Ground {
  outline: Pt[];
  holes: Pt[][];
  roads: Pt[][];
}

function townGround(rnd: Random): Ground {
  const rx = rnd.range(950, 1250);
  const ry = rnd.range(800, 1050);
  const outline = blob(rnd, 1300, 1100, rx, ry, 16, 0.2, 1 + rnd.int(2));
  const roads: Pt[][] = [];
  for (let x = 200 + rnd.int(100); x < 2600; x += 160 + rnd.int(90)) roads.push([{ x, y: 0 }, { x: x + rnd.int(120) - 60, y: 2300 }]);
  for (let y = 150 + rnd.int(100); y < 2300; y += 150 + rnd.int(90)) roads.push([{ x: 0, y }, { x: 2700, y: y + rnd.int(120) - 60 }]);
  const holes = Array.from({ length: 1 + rnd.int(3) }, () => {
    const w = rnd.range(60, 160);
    const h = rnd.range(50, 140);
    return rect(0, 0, w, h); // placed later
  });
  return { outline, holes, roads };
}

function valleyGround(rnd: Random): Ground {
  const len = rnd.range(3300, 4300);
  const left: Pt[] = [];
  const right: Pt[] = [];
  const phase = rnd.next() * 6;
  const centre: Pt[] = [];
  for (let i = 0; i <= 10; i++) {
    const y = (i / 10) * len;
    const cx = 700 + 260 * Math.sin(i / 2.5 + phase);
    const w = rnd.range(230, 380);
    left.push({ x: Math.round(cx - w), y: Math.round(y) });
    right.push({ x: Math.round(cx + w), y: Math.round(y) });
    centre.push({ x: Math.round(cx + rnd.range(-60, 60)), y: Math.round(y) });
  }
  const lake = blob(rnd, 0, 0, rnd.range(90, 170), rnd.range(70, 140), 10, 0.25);
  return { outline: [...left, ...right.reverse()], holes: [lake], roads: [centre] };
}

function coastGround(rnd: Random): Ground {
  const w = rnd.range(2200, 2800);
  const phase = rnd.next() * 6;
  const bayAt = rnd.range(0.25, 0.75) * w;
  const bayW = rnd.range(200, 400);
  const coastY = (x: number) => {
    const bay = Math.abs(x - bayAt) < bayW ? rnd.range(380, 420) * Math.cos(((x - bayAt) / bayW) * (Math.PI / 2)) : 0;
    return 1100 + 220 * Math.sin(x / 380 + phase) + rnd.range(-40, 40) - bay;
  };
  const coast: Pt[] = [];
  for (let x = w; x >= 0; x -= 100) coast.push({ x: Math.round(x), y: Math.round(coastY(x)) });
  const outline = [{ x: 0, y: 0 }, { x: Math.round(w), y: 0 }, ...coast];
  const road = coast.filter((_, i) => i % 2 === 0).map((p) => ({ x: p.x, y: Math.max(60, p.y - 200) }));
  const feeders = [0.3, 0.7].map((f) => [{ x: Math.round(f * w), y: 0 }, { x: Math.round(f * w + rnd.range(-100, 100)), y: 900 }]);
  const lagoon = blob(rnd, 0, 0, rnd.range(80, 150), rnd.range(60, 120), 9, 0.3);
  return { outline, holes: [lagoon], roads: [road, ...feeders] };
}

function randomGround(rnd: Random): Ground {
  let outline: Pt[];
  if (rnd.chance(0.5)) {
    // an L (or a U) with ragged sides
    const W = rnd.range(1800, 2600);
    const H = rnd.range(1500, 2200);
    const cw = W * rnd.range(0.35, 0.55);
    const ch = H * rnd.range(0.35, 0.55);
    const j = () => rnd.range(-40, 40);
    outline = rnd.chance(0.5)
      ? [{ x: 0, y: 0 }, { x: W, y: j() }, { x: W + j(), y: H - ch }, { x: W - cw, y: H - ch + j() }, { x: W - cw + j(), y: H }, { x: j(), y: H }]
      : [{ x: 0, y: 0 }, { x: W, y: 0 }, { x: W, y: H }, { x: W - cw * 0.7, y: H }, { x: W - cw * 0.7 + j(), y: H - ch }, { x: cw * 0.7, y: H - ch + j() }, { x: cw * 0.7, y: H }, { x: 0, y: H }];
  } else outline = blob(rnd, 1300, 1100, rnd.range(1000, 1300), rnd.range(800, 1100), 8 + rnd.int(7), 0.45, 1 + rnd.int(2));
  const b = box(outline);
  const roads = Array.from({ length: 2 + rnd.int(3) }, () => [
    { x: rnd.range(b.minX, b.maxX), y: b.minY - 50 },
    { x: rnd.range(b.minX, b.maxX), y: rnd.range(b.minY, b.maxY) },
    { x: b.maxX + 50, y: rnd.range(b.minY, b.maxY) },
  ]);
  const holes = Array.from({ length: rnd.int(3) }, () => (rnd.chance(0.5) ? blob(rnd, 0, 0, rnd.range(70, 150), rnd.range(60, 130), 9, 0.3) : rect(0, 0, rnd.range(60, 150), rnd.range(60, 150))));
  return { outline, holes, roads };
}

/** Places hole shapes (drawn round 0,0) well inside the outline and apart from each other. */
function placeHoles(rnd: Random, outline: Pt[], shapes: Pt[][]): Pt[][] {
  const b = box(outline);
  const placed: { ring: Pt[]; c: Pt; r: number }[] = [];
  for (const shape of shapes) {
    const sb = box(shape);
    const r = Math.hypot(sb.maxX - sb.minX, sb.maxY - sb.minY) / 2;
    for (let tries = 0; tries < 200; tries++) {
      const c = { x: rnd.range(b.minX, b.maxX), y: rnd.range(b.minY, b.maxY) };
      if (!pointInPolygon(c, [outline]) || distanceToEdge(c, [outline]) < r + 90) continue;
      if (placed.some((p) => Math.hypot(p.c.x - c.x, p.c.y - c.y) < p.r + r + 90)) continue;
      const ox = c.x - (sb.minX + sb.maxX) / 2;
      const oy = c.y - (sb.minY + sb.maxY) / 2;
      placed.push({ ring: shape.map((p) => ({ x: Math.round(p.x + ox), y: Math.round(p.y + oy) })), c, r });
      break;
    }
  }
  return placed.map((p) => p.ring);
}

/** No-fly zones: thin corridors across the area, blocks over the edge, blobs and triangles inside. */
function noFlyZones(rnd: Random, outline: Pt[], holes: readonly Pt[][], kind: MissionKind): Pt[][] {
  const b = box(outline);
  const n = kind === 'town' ? 1 + rnd.int(2) : 1 + rnd.int(3);
  const zones: Pt[][] = [];
  const kinds = ['strip', 'edge', 'blob', 'triangle'] as const;
  for (let i = 0; i < n; i++) {
    const z = i === 0 ? kinds[rnd.int(2)]! : kinds[rnd.int(kinds.length)]!;
    if (z === 'strip') {
      // a power line or an aircraft corridor: straight or bent, 40-120 m wide, from beyond one side to beyond the other
      const width = rnd.range(40, 120);
      const vertical = rnd.chance(0.5);
      const t0 = rnd.range(0.25, 0.75);
      const t1 = t0 + rnd.range(-0.15, 0.15);
      const line = vertical
        ? [{ x: b.minX + t0 * (b.maxX - b.minX), y: b.minY - 100 }, { x: b.minX + ((t0 + t1) / 2) * (b.maxX - b.minX) + rnd.range(-80, 80), y: (b.minY + b.maxY) / 2 }, { x: b.minX + t1 * (b.maxX - b.minX), y: b.maxY + 100 }]
        : [{ x: b.minX - 100, y: b.minY + t0 * (b.maxY - b.minY) }, { x: (b.minX + b.maxX) / 2, y: b.minY + ((t0 + t1) / 2) * (b.maxY - b.minY) + rnd.range(-80, 80) }, { x: b.maxX + 100, y: b.minY + t1 * (b.maxY - b.minY) }];
      // some corridors stop partway: a zone that touches one edge only
      if (rnd.chance(0.35)) line.pop();
      zones.push(strip(line, width));
    } else if (z === 'edge') {
      const at = outline[rnd.int(outline.length)]!;
      const w = rnd.range(150, 420);
      const h = rnd.range(120, 380);
      zones.push(rect(Math.round(at.x - w / 2), Math.round(at.y - h / 2), Math.round(at.x + w / 2), Math.round(at.y + h / 2)));
    } else {
      for (let tries = 0; tries < 100; tries++) {
        const c = { x: rnd.range(b.minX, b.maxX), y: rnd.range(b.minY, b.maxY) };
        if (!pointInPolygon(c, [outline]) || inside(c, holes.map((h) => [h]))) continue;
        const r = rnd.range(90, 220);
        zones.push(z === 'blob' ? blob(rnd, c.x, c.y, r, r * rnd.range(0.6, 1.2), 9, 0.3) : [0, 1, 2].map((k) => ({ x: Math.round(c.x + r * Math.cos(k * 2.1 + rnd.next())), y: Math.round(c.y + r * Math.sin(k * 2.1 + rnd.next())) })));
        break;
      }
    }
  }
  return zones;
}

/** Keeps the parts of a polyline inside the area: sampled every 25 m. */
function clipInside(line: Pt[], ok: (p: Pt) => boolean): Pt[][] {
  const runs: Pt[][] = [];
  let run: Pt[] = [];
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i]!;
    const c = line[i + 1]!;
    const steps = Math.max(1, Math.ceil(Math.hypot(c.x - a.x, c.y - a.y) / 25));
    for (let k = 0; k < steps; k++) {
      const p = { x: Math.round(a.x + ((c.x - a.x) * k) / steps), y: Math.round(a.y + ((c.y - a.y) * k) / steps) };
      if (ok(p)) run.push(p);
      else if (run.length) {
        runs.push(run);
        run = [];
      }
    }
  }
  if (run.length) runs.push(run);
  return runs.filter((r) => r.length >= 4);
}

export function generateMission(opts: GenerateOptions): Record<string, unknown> {
  const kind = opts.kind ?? kindForSeed(opts.seed);
  const drones = opts.drones ?? 10;
  const rnd = seededRandom(`mission/${kind}/${opts.seed}`);
  const g = kind === 'town' ? townGround(rnd) : kind === 'valley' ? valleyGround(rnd) : kind === 'coast' ? coastGround(rnd) : randomGround(rnd);
  // the frame's origin at the south-west corner, 100 m out
  const b0 = box(g.outline);
  const shift = (p: Pt): Pt => ({ x: Math.round(p.x - b0.minX + 100), y: Math.round(p.y - b0.minY + 100) });
  const outline = g.outline.map(shift);
  const holes = placeHoles(rnd, outline, g.holes);
  const area: Polygon = [outline, ...holes];
  const zones = noFlyZones(rnd, outline, holes, kind);
  const zonePolys: Polygon[] = zones.map((z) => [z]);
  const searchable = (p: Pt, zoneGap = NOFLY_CLEARANCE_M) => pointInPolygon(p, area) && !inside(p, zonePolys) && zonePolys.every((z) => distanceToEdge(p, z) >= zoneGap);
  const roads = g.roads.map((r) => r.map(shift)).flatMap((r) => clipInside(r, (p) => pointInPolygon(p, [outline])));

  // buildings along the roads, on searchable ground
  const buildings: Pt[] = [];
  for (const road of roads)
    for (let i = 0; i < road.length; i += 2) {
      const p = road[i]!;
      const side = rnd.chance(0.5) ? 1 : -1;
      const q = { x: p.x + side * rnd.range(12, 30), y: p.y + side * rnd.range(-30, 30) };
      if (searchable(q, 20)) buildings.push(q);
    }

  // launch points: on an edge (just inside) or inside the area, clear of zones
  const b = box(outline);
  const centroid = { x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2 };
  const launches: Pt[] = [];
  const nLaunch = 1 + rnd.int(kind === 'valley' ? 3 : 2);
  const onEdge = rnd.chance(0.6);
  for (let tries = 0; launches.length < nLaunch && tries < 500; tries++) {
    let p: Pt;
    if (onEdge) {
      const e = rnd.int(outline.length);
      const a = along([outline[e]!, outline[(e + 1) % outline.length]!], rnd.next());
      const d = Math.hypot(centroid.x - a.x, centroid.y - a.y) || 1;
      p = { x: Math.round(a.x + ((centroid.x - a.x) / d) * 25), y: Math.round(a.y + ((centroid.y - a.y) / d) * 25) };
    } else p = { x: Math.round(rnd.range(b.minX, b.maxX)), y: Math.round(rnd.range(b.minY, b.maxY)) };
    if (!searchable(p, 80) || launches.some((l) => Math.hypot(l.x - p.x, l.y - p.y) < 500)) continue;
    launches.push(p);
  }
  if (launches.length === 0) launches.push(buildings[0] ?? centroid);

  // victims: most by buildings and roads, some beside the zones and the area's edges
  const victims: Pt[] = [];
  const nVictims = 10 + rnd.int(11);
  for (let tries = 0; victims.length < nVictims && tries < 5000; tries++) {
    const r = rnd.next();
    let p: Pt;
    if (r < 0.55 && buildings.length) {
      const h = buildings[rnd.int(buildings.length)]!;
      p = { x: h.x + rnd.range(-15, 15), y: h.y + rnd.range(-15, 15) };
    } else if (r < 0.7 && roads.length) {
      const road = roads[rnd.int(roads.length)]!;
      const q = along(road, rnd.next());
      p = { x: q.x + rnd.range(-8, 8), y: q.y + rnd.range(-8, 8) };
    } else if (r < 0.85 && zones.length) {
      // beside a zone: 15-45 m from its edge
      const z = zones[rnd.int(zones.length)]!;
      const e = rnd.int(z.length);
      const q = along([z[e]!, z[(e + 1) % z.length]!], rnd.next());
      const ang = rnd.next() * 2 * Math.PI;
      p = { x: q.x + Math.cos(ang) * rnd.range(15, 45), y: q.y + Math.sin(ang) * rnd.range(15, 45) };
      if (zonePolys.some((zp) => distanceToEdge(p, zp) < 15)) continue;
    } else {
      // near the area's edge: 5-30 m inside
      const e = rnd.int(outline.length);
      const q = along([outline[e]!, outline[(e + 1) % outline.length]!], rnd.next());
      const ang = rnd.next() * 2 * Math.PI;
      p = { x: q.x + Math.cos(ang) * rnd.range(5, 30), y: q.y + Math.sin(ang) * rnd.range(5, 30) };
    }
    p = { x: Math.round(p.x), y: Math.round(p.y) };
    if (!searchable(p, 15)) continue;
    victims.push(p);
  }

  // faults: two crashes, and on some missions a radio partition
  const crashA = 1 + rnd.int(drones);
  let crashB = 1 + rnd.int(drones);
  if (crashB === crashA) crashB = (crashA % drones) + 1;
  const faults: Record<string, unknown>[] = [
    { type: 'crash', drone: crashA, atS: Math.round(rnd.range(250, 600)) },
    { type: 'crash', drone: crashB, atS: Math.round(rnd.range(500, 900)) },
  ];
  if (rnd.chance(0.35)) {
    const cut = 2 + rnd.int(Math.max(1, drones - 3));
    const fromS = Math.round(rnd.range(300, 700));
    faults.push({ type: 'radio_partition', groups: [Array.from({ length: cut }, (_, i) => i + 1), Array.from({ length: drones - cut }, (_, i) => i + cut + 1)], fromS, toS: fromS + Math.round(rnd.range(240, 600)) });
  }

  // priority regions: the centre of a town, on other kinds sometimes a block round a cluster of buildings
  const priority: Pt[][] = [];
  if (kind === 'town' || rnd.chance(0.3)) {
    const c = kind === 'town' ? centroid : buildings[rnd.int(Math.max(1, buildings.length))] ?? centroid;
    const h = rnd.range(200, 320);
    priority.push(rect(Math.round(c.x - h), Math.round(c.y - h), Math.round(c.x + h), Math.round(c.y + h)));
  }

  const origin = ORIGIN[kind];
  const frame: AreaFrame = { originLat: origin.lat + (opts.seed % 7) * 0.01, originLon: origin.lon + (opts.seed % 5) * 0.01, epoch: EPOCH, cellSize: 50, cols: 1 };
  const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
  const ll = (p: Pt) => {
    const q = toLatLon(frame, p);
    return [r6(q.lon), r6(q.lat)] as [number, number];
  };
  const geo = (rings: Pt[][]) => ({ type: 'Polygon', coordinates: rings.map((r) => [...r.map(ll), ll(r[0]!)]) });
  const pos = (p: Pt) => {
    const [lon, lat] = ll(p);
    return { lat, lon };
  };
  const areaKm2 = (ringArea(outline) - holes.reduce((s, h) => s + ringArea(h), 0)) / 1e6;
  const blocked = roads.slice(0, 4).map((r, i) => ({ path: [ll(r[0]!), ll(r[Math.min(r.length - 1, 3)]!)], severity: i % 2 ? 'partial' : 'impassable' }));
  return {
    name: `generated-${kind}-${opts.seed}`,
    description: `A generated ${kind} mission (seed ${opts.seed}): ${areaKm2.toFixed(1)} km², ${holes.length} hole(s), ${zones.length} no-fly zone(s), ${launches.length} launch point(s) ${onEdge ? 'on an edge' : 'inside'}, ${victims.length} victims.`,
    area: [geo([outline, ...holes])],
    nofly: zones.map((z) => geo([z])),
    priority: priority.map((p) => ({ polygon: geo([p]), weight: 2 })),
    frame: { originLat: frame.originLat, originLon: frame.originLon, epoch: EPOCH },
    truth: {
      victims: victims.map((v) => ({ ...pos(v), count: 1 + (rnd.chance(0.3) ? rnd.int(4) : 0), condition: CONDITIONS[rnd.int(CONDITIONS.length)]! })),
      roads: blocked,
      hazards: kind === 'town' && buildings.length ? [{ type: 'collapse', ...pos(buildings[0]!), radiusM: 40 }] : [],
    },
    launch: launches.map(pos),
    radio: { sf: 9, bwHz: 125000, cr: 5, dutyCyclePct: kind === 'valley' || kind === 'random' ? 1 : 10, medianRangeM: 1500, extraLoss: 0.1 },
    search: { altitudeM: 60, sweepWidthM: 55, cruiseSpeedMps: 10, transitSpeedMps: 10, detectionProbability: 0.95, falsePositivesPerKm2: 0.3, batteryReturnPct: 25, ...(kind === 'valley' ? { laneAxis: 'east-west' } : {}) },
    faults,
    durationS: 3600,
  };
}
