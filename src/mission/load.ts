/**
 * Reads and validates a scenario file. Every problem names the field and what was expected, so a scenario
 * author can fix it without reading the code.
 */
import { readFileSync } from 'node:fs';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { toLocal } from '../wire/frame-of-reference.js';
import { VICTIM_CONDITIONS, ROAD_SEVERITIES, HAZARD_TYPES } from '../wire/facts.js';
import type { GeoPolygon, Scenario, ScenarioFault } from './types.js';
import type { Polygon } from '../sectors/grid.js';

export class ScenarioError extends Error {}

/**
 * Side overlap between neighbouring lanes when the mission sets neither it nor the cell size, percent. Lanes
 * flown a few metres off their line, and the camera footprint's rounded ends, leave slivers unseen between
 * lanes exactly one sweep apart; a little overlap closes them for a little more flying (see docs/sectors.md).
 */
export const DEFAULT_SIDE_OVERLAP_PCT = 10;

type Obj = Record<string, unknown>;

function obj(v: unknown, at: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ScenarioError(`${at}: expected an object`);
  return v as Obj;
}
function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new ScenarioError(`${at}: expected an array`);
  return v;
}
function num(v: unknown, at: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ScenarioError(`${at}: expected a number`);
  if (v < min || v > max) throw new ScenarioError(`${at}: ${v} is outside ${min}..${max}`);
  return v;
}
function int(v: unknown, at: string, min: number, max: number): number {
  const n = num(v, at, min, max);
  if (!Number.isInteger(n)) throw new ScenarioError(`${at}: expected a whole number`);
  return n;
}
function str(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new ScenarioError(`${at}: expected a string`);
  return v;
}
function oneOf<T extends string>(v: unknown, at: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) throw new ScenarioError(`${at}: expected one of ${options.join(', ')}`);
  return v as T;
}
function lat(v: unknown, at: string): number {
  return num(v, at, -90, 90);
}
function lon(v: unknown, at: string): number {
  return num(v, at, -180, 180);
}
function lonLat(v: unknown, at: string): readonly [number, number] {
  const a = arr(v, at);
  if (a.length < 2) throw new ScenarioError(`${at}: expected [lon, lat]`);
  return [lon(a[0], `${at}[0]`), lat(a[1], `${at}[1]`)];
}
function polygon(v: unknown, at: string): GeoPolygon {
  const o = obj(v, at);
  if (o.type !== 'Polygon') throw new ScenarioError(`${at}.type: expected "Polygon"`);
  const rings = arr(o.coordinates, `${at}.coordinates`).map((r, i) => {
    const ring = arr(r, `${at}.coordinates[${i}]`).map((p, j) => lonLat(p, `${at}.coordinates[${i}][${j}]`));
    if (ring.length < 3) throw new ScenarioError(`${at}.coordinates[${i}]: a ring needs at least 3 points`);
    return ring;
  });
  if (rings.length === 0) throw new ScenarioError(`${at}.coordinates: no outer ring`);
  return { type: 'Polygon', coordinates: rings };
}

function fault(v: unknown, at: string): ScenarioFault {
  const o = obj(v, at);
  const type = oneOf(o.type, `${at}.type`, ['crash', 'battery_failure', 'fc_reboot', 'radio_partition', 'hostile_transmitter', 'operator_zone'] as const);
  switch (type) {
    case 'crash':
    case 'battery_failure':
      return { type, drone: int(o.drone, `${at}.drone`, 1, 1000), atS: num(o.atS, `${at}.atS`, 0) };
    case 'fc_reboot':
      return { type, drone: int(o.drone, `${at}.drone`, 1, 1000), atS: num(o.atS, `${at}.atS`, 0), downS: num(o.downS, `${at}.downS`, 0, 3600) };
    case 'radio_partition': {
      const groups = arr(o.groups, `${at}.groups`).map((g, i) => arr(g, `${at}.groups[${i}]`).map((d, j) => int(d, `${at}.groups[${i}][${j}]`, 0, 1000)));
      const fromS = num(o.fromS, `${at}.fromS`, 0);
      const toS = num(o.toS, `${at}.toS`, fromS);
      return { type, groups, fromS, toS };
    }
    case 'operator_zone':
      return { type, atS: num(o.atS, `${at}.atS`, 0), polygon: polygon(o.polygon, `${at}.polygon`) };
    case 'hostile_transmitter': {
      const fromS = num(o.fromS, `${at}.fromS`, 0);
      return {
        type,
        lat: lat(o.lat, `${at}.lat`),
        lon: lon(o.lon, `${at}.lon`),
        fromS,
        toS: num(o.toS, `${at}.toS`, fromS),
        packetsPerMin: num(o.packetsPerMin, `${at}.packetsPerMin`, 0, 6000),
      };
    }
  }
}

function roster(v: unknown, at: string): number[] {
  const ids = arr(v, at).map((id, i) => int(id, `${at}[${i}]`, 1, 65535));
  if (ids.length === 0) throw new ScenarioError(`${at}: at least one node id`);
  if (new Set(ids).size !== ids.length) throw new ScenarioError(`${at}: lists a node twice`);
  return ids.sort((a, b) => a - b);
}

/** Validates a parsed scenario object. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const o = obj(value, source);
  const frame = obj(o.frame, `${source}.frame`);
  const truth = obj(o.truth, `${source}.truth`);
  const radio = obj(o.radio, `${source}.radio`);
  const search = obj(o.search, `${source}.search`);
  const area = arr(o.area, `${source}.area`).map((p, i) => polygon(p, `${source}.area[${i}]`));
  if (area.length === 0) throw new ScenarioError(`${source}.area: at least one polygon`);
  const launch = arr(o.launch, `${source}.launch`).map((p, i) => {
    const l = obj(p, `${source}.launch[${i}]`);
    return { lat: lat(l.lat, `${source}.launch[${i}].lat`), lon: lon(l.lon, `${source}.launch[${i}].lon`) };
  });
  if (launch.length === 0) throw new ScenarioError(`${source}.launch: at least one launch point`);
  const s: Scenario = {
    name: str(o.name, `${source}.name`),
    description: str(o.description ?? '', `${source}.description`),
    area,
    nofly: arr(o.nofly ?? [], `${source}.nofly`).map((p, i) => polygon(p, `${source}.nofly[${i}]`)),
    priority: arr(o.priority ?? [], `${source}.priority`).map((p, i) => {
      const r = obj(p, `${source}.priority[${i}]`);
      return { polygon: polygon(r.polygon, `${source}.priority[${i}].polygon`), weight: int(r.weight, `${source}.priority[${i}].weight`, 1, 9) };
    }),
    frame: {
      originLat: lat(frame.originLat, `${source}.frame.originLat`),
      originLon: lon(frame.originLon, `${source}.frame.originLon`),
      epoch: int(frame.epoch, `${source}.frame.epoch`, 0, 2 ** 40),
      cellSize: 0, // set below: from the sweep width and the side overlap unless the mission gives it
      // the station reads the same file's cols (mission-file.ts): both must number the cells alike
      ...(frame.cols === undefined ? {} : { cols: int(frame.cols, `${source}.frame.cols`, 1, 65535) }),
    },
    truth: {
      victims: arr(truth.victims, `${source}.truth.victims`).map((v, i) => {
        const at = `${source}.truth.victims[${i}]`;
        const x = obj(v, at);
        return { lat: lat(x.lat, `${at}.lat`), lon: lon(x.lon, `${at}.lon`), count: int(x.count, `${at}.count`, 1, 255), condition: oneOf(x.condition, `${at}.condition`, VICTIM_CONDITIONS) };
      }),
      roads: arr(truth.roads ?? [], `${source}.truth.roads`).map((v, i) => {
        const at = `${source}.truth.roads[${i}]`;
        const x = obj(v, at);
        const path = arr(x.path, `${at}.path`).map((p, j) => lonLat(p, `${at}.path[${j}]`));
        if (path.length < 2 || path.length > 16) throw new ScenarioError(`${at}.path: 2..16 points`);
        return { path, severity: oneOf(x.severity, `${at}.severity`, ROAD_SEVERITIES) };
      }),
      hazards: arr(truth.hazards ?? [], `${source}.truth.hazards`).map((v, i) => {
        const at = `${source}.truth.hazards[${i}]`;
        const x = obj(v, at);
        return { type: oneOf(x.type, `${at}.type`, HAZARD_TYPES), lat: lat(x.lat, `${at}.lat`), lon: lon(x.lon, `${at}.lon`), radiusM: num(x.radiusM, `${at}.radiusM`, 0, 65535) };
      }),
    },
    launch,
    ...(o.roster === undefined ? {} : { roster: roster(o.roster, `${source}.roster`) }),
    radio: {
      sf: int(radio.sf, `${source}.radio.sf`, 7, 12),
      bwHz: Number(oneOf(String(radio.bwHz), `${source}.radio.bwHz`, ['125000', '250000', '500000'] as const)),
      cr: int(radio.cr, `${source}.radio.cr`, 5, 8),
      dutyCyclePct: num(radio.dutyCyclePct, `${source}.radio.dutyCyclePct`, 0.01, 100),
      medianRangeM: num(radio.medianRangeM, `${source}.radio.medianRangeM`, 10, 100_000),
      extraLoss: num(radio.extraLoss ?? 0, `${source}.radio.extraLoss`, 0, 0.99),
    },
    search: {
      altitudeM: num(search.altitudeM, `${source}.search.altitudeM`, 5, 500),
      sweepWidthM: num(search.sweepWidthM, `${source}.search.sweepWidthM`, 5, 1000),
      cruiseSpeedMps: num(search.cruiseSpeedMps, `${source}.search.cruiseSpeedMps`, 1, 30),
      ...(search.transitSpeedMps === undefined ? {} : { transitSpeedMps: num(search.transitSpeedMps, `${source}.search.transitSpeedMps`, 1, 30) }),
      detectionProbability: num(search.detectionProbability, `${source}.search.detectionProbability`, 0, 1),
      falsePositivesPerKm2: num(search.falsePositivesPerKm2 ?? 0, `${source}.search.falsePositivesPerKm2`, 0, 100),
      batteryReturnPct: num(search.batteryReturnPct ?? 25, `${source}.search.batteryReturnPct`, 0, 100),
      ...(search.laneAxis === undefined ? {} : { laneAxis: oneOf(search.laneAxis, `${source}.search.laneAxis`, ['north-south', 'east-west'] as const) }),
      sideOverlapPct: 0,
    },
    faults: arr(o.faults ?? [], `${source}.faults`).map((f, i) => fault(f, `${source}.faults[${i}]`)),
    durationS: num(o.durationS, `${source}.durationS`, 60, 24 * 3600),
    ...(o.layers === undefined ? {} : { layers: str(o.layers, `${source}.layers`) }),
  };
  // Lane spacing = cell size = sweep × (1 − side overlap): the mission gives either, the other follows.
  const sweep = s.search.sweepWidthM;
  const overlap = search.sideOverlapPct === undefined ? undefined : num(search.sideOverlapPct, `${source}.search.sideOverlapPct`, 0, 50);
  const cellSize = frame.cellSize !== undefined ? num(frame.cellSize, `${source}.frame.cellSize`, 5, 500) : Math.round(sweep * (1 - (overlap ?? DEFAULT_SIDE_OVERLAP_PCT) / 100) * 10) / 10;
  if (sweep < cellSize)
    throw new ScenarioError(`${source}.search.sweepWidthM: ${sweep} m is narrower than a coverage cell (${cellSize} m): one lane must cover a whole cell`);
  if (frame.cellSize !== undefined && overlap !== undefined && Math.abs(cellSize - sweep * (1 - overlap / 100)) > 0.5)
    throw new ScenarioError(`${source}.search.sideOverlapPct: ${overlap}% disagrees with frame.cellSize ${cellSize} m (lane spacing = sweep × (1 − side overlap)): give one of them`);
  if (cellSize < 5) throw new ScenarioError(`${source}.search.sweepWidthM: ${sweep} m gives lanes closer than 5 m`);
  Object.assign(s.frame, { cellSize });
  Object.assign(s.search, { sideOverlapPct: overlap ?? Math.round((1 - cellSize / sweep) * 1000) / 10 });
  if (s.search.sweepWidthM < s.frame.cellSize)
    throw new ScenarioError(`${source}.search.sweepWidthM: ${s.search.sweepWidthM} m is narrower than a coverage cell (${s.frame.cellSize} m): one lane must cover a whole cell`);
  return s;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read scenario ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseScenario(value, path);
}

/** The area frame of a scenario: local metres from its origin, cells wide enough to span the whole area. */
export function scenarioFrame(s: Scenario): AreaFrame {
  if (s.frame.cols !== undefined) return { ...s.frame, cols: s.frame.cols };
  const base = { ...s.frame, cols: 1 };
  let maxX = 0;
  for (const p of s.area) for (const [lo, la] of p.coordinates[0]!) maxX = Math.max(maxX, toLocal(base, la, lo).x);
  return { ...s.frame, cols: Math.ceil(maxX / s.frame.cellSize) + 1 };
}

/** A GeoJSON polygon in the frame's local metres (closing points dropped). */
export function localPolygon(frame: AreaFrame, p: GeoPolygon): Polygon {
  return p.coordinates.map((ring) => {
    const pts: LocalPoint[] = ring.map(([lo, la]) => toLocal(frame, la, lo));
    const first = pts[0]!;
    const last = pts[pts.length - 1]!;
    if (pts.length > 3 && Math.abs(first.x - last.x) < 1e-9 && Math.abs(first.y - last.y) < 1e-9) pts.pop();
    return pts;
  });
}
