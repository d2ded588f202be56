/**
 * The simulator's report, computed from what happened (coverage passes, detections, facts created and who
 * learned them when), never from what was planned.
 */
import type { Polygon } from '../../sectors/index.js';
import { seenGround, type Segment } from './seen-area.js';
import type { LocalPoint } from '../../wire/frame-of-reference.js';
import { distanceToSegment, pointInPolygon } from '../../sectors/grid.js';
import type { AreaFrame } from '../../wire/frame-of-reference.js';
import type { Fact, NodeId } from '../../wire/facts.js';

export interface RunRecord {
  readonly frame: AreaFrame;
  readonly searchable: readonly number[];
  readonly cellArea: number;
  readonly sweepWidthM: number;
  readonly cruiseSpeedMps: number;
  readonly victims: readonly { index: number; inArea: boolean; pos: LocalPoint }[];
  /** Priority regions of the mission (local metres): their ground is to be seen first. */
  readonly priority: readonly Polygon[];
  /** The search area and its no-fly zones (local metres), for the ground really seen. */
  readonly area: readonly Polygon[];
  readonly nofly: readonly Polygon[];
  /** Zones an operator drew during the run, each counted in noflyMs from countFromS (mission seconds). */
  readonly operatorZones: { polygon: Polygon; countFromS: number }[];
  /** Searchable cells an operator's zone closed: no longer to be searched, left out of coverage. */
  readonly closed: Set<number>;
  /** Every camera segment flown on a search lane (one a second). */
  readonly sweeps: Segment[];
  /** Mission second each camera segment was flown (as sweeps). */
  readonly sweepAtS: number[];
  /** Every cell swept on a search lane: one entry per cell per second of flight. */
  readonly coverage: { cell: number; atS: number; drone: NodeId }[];
  readonly detections: { truth: number; atS: number; fact: string | undefined; drone: NodeId }[];
  /** Durable facts created (status excluded), by key. */
  readonly created: Map<string, { fact: Fact; atS: number; origin: NodeId }>;
  /** Fact key → node → mission second it first held the fact. */
  readonly learned: Map<string, Map<NodeId, number>>;
  /** Drone-milliseconds in the air during each mission second (index = second). */
  readonly flyingBySecond: number[];
  /** When and where each drone first reached search height (priority_bound_s counts from there). */
  readonly airborne?: Map<NodeId, { atS: number; pos: LocalPoint }>;
  /** Speed between lanes (default: cruise). */
  readonly transitSpeedMps?: number;
  /** Drone-milliseconds flown inside no-fly zones (an operator's from its countFromS). */
  noflyMs: number;
  /** Times a drone's membership view declared dead a member whose drone was still flying. */
  falseDeaths: number;
  dronesLost: number;
  endMs: number;
  readonly startMs: number;
}

export interface SwarmFigures {
  victims_total: number;
  victims_in_area: number;
  /** Victims found inside the searchable area (the area minus the mission's no-fly zones). */
  victims_found: number;
  /** Victims found outside the searchable area (seen from a lane's edge beyond it): not in victims_found. */
  victims_found_outside: number;
  /** Victims on searchable ground found (the same as victims_found). */
  victims_found_in_area: number;
  /** Victims on searchable ground that a search frame showed but the detector never flagged (the detector's miss). */
  victims_missed_in_view: number;
  /** Victims on searchable ground that no search frame ever showed (the plan's miss). */
  victims_never_in_view: number;
  false_positives: number;
  coverage_pct: number;
  /**
   * Percent of the area (minus no-fly zones) that some frame really showed: cells count as searched once a lane
   * passes within half a sweep of their centre, so this is lower where lanes run a little off their line, end at
   * a cell's centre, or where a partial cell at the edge is not searchable.
   */
  area_seen_pct: number;
  overlap_pct: number;
  time_to_full_coverage_s: number | null;
  /** The searchable ground (area less no-fly zones) at the full sweep width and search speed by the drones in the air. */
  ideal_time_s: number | null;
  /** time_to_full_coverage_s / ideal_time_s. */
  time_ratio: number | null;
  /** When 98% of the priority regions' ground had been seen (null: no priority region, or never). */
  time_to_priority_seen_s: number | null;
  /** Priority ground / (sweep × speed × drones launched): no take-off, no flight to it. */
  priority_ideal_s: number | null;
  /**
   * The earliest any plan could see all the priority ground: each drone sweeping it from when it reached search
   * height plus the straight flight from there to the nearest priority ground at transit speed (null: no priority
   * region). Take-off and that flight alone take longer than 0.3 × priority_ideal_s on most missions.
   */
  priority_bound_s: number | null;
  time_to_95pct_victims_s: number | null;
  sighting_to_all_maps_p95_s: number | null;
  max_duty_cycle_pct: number;
  bytes_on_air: number;
  facts_created: number;
  facts_lost: number;
  drones_lost: number;
  /** Times a drone declared dead a member that was not lost (every drone's view counted). */
  false_deaths: number;
  drone_seconds_flown: number;
  /**
   * Drone-seconds flown inside no-fly zones: a scenario's from the start, an operator's from 60 s after it
   * was drawn (0 is the only acceptable figure).
   */
  nofly_drone_s: number;
  simulated_s: number;
}

export type SwarmReport = SwarmFigures;

/** A pass: the same drone over the same cell within this many seconds is one look, not two. */
const SAME_PASS_S = 60;
/** Coverage counted as full (the acceptance threshold). */
export const FULL_COVERAGE = 0.995;

function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * The earliest time T at which drones free from the `ready` times can have swept `work` drone-seconds between
 * them: Σ max(0, T − ready) = work (water-filling).
 */
function sweepBound(ready: readonly number[], work: number): number {
  const r = [...ready].sort((a, b) => a - b);
  let sum = 0;
  for (let k = 1; k <= r.length; k++) {
    sum += r[k - 1]!;
    const t = (work + sum) / k;
    if (k === r.length || t <= r[k]!) return t;
  }
  return Infinity;
}

export function swarmReport(rec: RunRecord, end: { liveIds: readonly NodeId[]; maxDutyPct: number; bytesOnAir: number; drones?: number }): SwarmFigures {
  // cells an operator's zone closed are out of the count: "covered" means every cell still to be searched
  const open = rec.searchable.filter((c) => !rec.closed.has(c));
  const searchable = new Set(open);
  // passes per cell, in time order
  const passes = new Map<number, { drone: NodeId; last: number; n: number }>();
  const firstCovered: number[] = [];
  const events = rec.coverage.filter((e) => searchable.has(e.cell)).sort((a, b) => a.atS - b.atS);
  for (const e of events) {
    const p = passes.get(e.cell);
    if (!p) {
      passes.set(e.cell, { drone: e.drone, last: e.atS, n: 1 });
      firstCovered.push(e.atS);
    } else {
      if (p.drone !== e.drone || e.atS - p.last > SAME_PASS_S) p.n++;
      p.drone = e.drone;
      p.last = e.atS;
    }
  }
  const total = open.length;
  const covered = passes.size;
  const twice = [...passes.values()].filter((p) => p.n > 1).length;
  const needed = Math.ceil(FULL_COVERAGE * total);
  const tFull = firstCovered.length >= needed ? firstCovered[needed - 1]! : null;

  // drone-seconds flown up to full coverage (all flying time when it was never reached)
  const flownS = rec.flyingBySecond.reduce((a, b) => a + (b ?? 0), 0) / 1000;
  const simS = (rec.endMs - rec.startMs) / 1000;
  // Ideal time: the searchable area swept at cruise speed with the sweep width by the drones actually in
  // the air on average until full coverage: area / (sweep × speed × N̄), N̄ = drone-seconds flown / time.
  const horizon = tFull ?? simS;
  let flownUntil = 0;
  for (let i = 0; i < Math.min(rec.flyingBySecond.length, Math.ceil(horizon)); i++) flownUntil += (rec.flyingBySecond[i] ?? 0) / 1000;
  const nAvg = horizon > 0 ? flownUntil / horizon : 0;
  const ground = seenGround(rec.area, [...rec.nofly, ...rec.operatorZones.map((z) => z.polygon)], rec.sweeps, rec.sweepWidthM / 2, rec.sweepAtS);
  const areaM2 = ground.areaM2;
  const ideal = nAvg > 0 ? areaM2 / (rec.sweepWidthM * rec.cruiseSpeedMps * nAvg) : null;

  // victims
  const inArea = rec.victims.filter((v) => v.inArea).length;
  const inAreaSet = new Set(rec.victims.filter((v) => v.inArea).map((v) => v.index));
  const half = rec.sweepWidthM / 2;
  const inView = (p: LocalPoint) => rec.sweeps.some(([a, b]) => distanceToSegment(p, a, b) <= half);
  const foundAt = new Map<number, number>();
  const foundOutside = new Set<number>();
  for (const d of rec.detections) {
    if (d.truth < 0) continue;
    if (!inAreaSet.has(d.truth)) foundOutside.add(d.truth);
    else if (!foundAt.has(d.truth)) foundAt.set(d.truth, d.atS);
  }
  const found = foundAt.size;
  const missedInArea = rec.victims.filter((v) => v.inArea && !foundAt.has(v.index));
  const missedInView = missedInArea.filter((v) => inView(v.pos)).length;

  // priority ground: when 98% of it had been seen
  let prioritySeen: number | null = null;
  let priorityIdeal: number | null = null;
  let priorityBound: number | null = null;
  if (rec.priority.length) {
    const times: number[] = [];
    ground.points.forEach((p, i) => {
      if (rec.priority.some((poly) => pointInPolygon(p, poly))) times.push(ground.firstSeenS[i]!);
    });
    times.sort((a, b) => a - b);
    const need = Math.ceil(0.98 * times.length);
    if (times.length && times[need - 1]! < Infinity) prioritySeen = times[need - 1]!;
    const launched = end.drones ?? 0;
    const priorityM2 = times.length * (ground.areaM2 / Math.max(1, ground.inside));
    if (times.length && launched > 0) priorityIdeal = priorityM2 / (rec.sweepWidthM * rec.cruiseSpeedMps * launched);
    const inPriority = ground.points.filter((p) => rec.priority.some((poly) => pointInPolygon(p, poly)));
    if (inPriority.length && rec.airborne?.size) {
      const speed = Math.max(rec.cruiseSpeedMps, rec.transitSpeedMps ?? rec.cruiseSpeedMps);
      const ready = [...rec.airborne.values()].map((a) => a.atS + Math.min(...inPriority.map((p) => Math.hypot(p.x - a.pos.x, p.y - a.pos.y))) / speed);
      priorityBound = sweepBound(ready, priorityM2 / (rec.sweepWidthM * rec.cruiseSpeedMps));
    }
  }
  const fp = rec.detections.filter((d) => d.truth < 0 && d.fact !== undefined).length;
  const times = [...foundAt.values()].sort((a, b) => a - b);
  const need95 = Math.ceil(0.95 * inArea);
  const t95 = need95 === 0 ? 0 : times.length >= need95 ? times[need95 - 1]! : null;

  // facts: sighting → every live map, and facts lost
  const live = new Set(end.liveIds);
  const spread: number[] = [];
  let lost = 0;
  for (const [key, c] of rec.created) {
    const holders = rec.learned.get(key) ?? new Map<NodeId, number>();
    const gossiped = [...holders.keys()].some((n) => n !== c.origin);
    const mustSurvive = live.has(c.origin) || gossiped;
    const missing = [...live].filter((n) => !holders.has(n));
    if (mustSurvive && missing.length > 0) lost++;
    if (c.fact.kind === 'victim' && missing.length === 0 && live.size > 0)
      spread.push(Math.max(...[...live].map((n) => holders.get(n)!)) - c.atS);
  }
  return {
    victims_total: rec.victims.length,
    victims_in_area: inArea,
    victims_found: found,
    victims_found_outside: foundOutside.size,
    victims_found_in_area: rec.victims.filter((v) => v.inArea && foundAt.has(v.index)).length,
    victims_missed_in_view: missedInView,
    victims_never_in_view: missedInArea.length - missedInView,
    false_positives: fp,
    coverage_pct: round((covered / Math.max(1, total)) * 100),
    area_seen_pct: round(ground.inside === 0 ? 0 : (100 * ground.seen) / ground.inside),
    overlap_pct: round((twice / Math.max(1, total)) * 100),
    time_to_full_coverage_s: tFull === null ? null : round(tFull, 1),
    ideal_time_s: ideal === null ? null : round(ideal, 1),
    time_ratio: ideal === null || tFull === null ? null : round(tFull / ideal, 3),
    time_to_priority_seen_s: prioritySeen === null ? null : round(prioritySeen, 1),
    priority_ideal_s: priorityIdeal === null ? null : round(priorityIdeal, 1),
    priority_bound_s: priorityBound === null ? null : round(priorityBound, 1),
    time_to_95pct_victims_s: t95 === null ? null : round(t95, 1),
    sighting_to_all_maps_p95_s: (() => {
      const q = quantile(spread, 0.95);
      return q === null ? null : round(q, 1);
    })(),
    max_duty_cycle_pct: round(end.maxDutyPct, 3),
    bytes_on_air: end.bytesOnAir,
    facts_created: rec.created.size,
    facts_lost: lost,
    drones_lost: rec.dronesLost,
    false_deaths: rec.falseDeaths,
    drone_seconds_flown: Math.round(flownS),
    nofly_drone_s: Math.round(rec.noflyMs / 1000),
    simulated_s: Math.round(simS),
  };
}
