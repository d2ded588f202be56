/**
 * The wire benchmark's seeded corpus: 1,000 facts of a 2-hour mission over a 5 km × 5 km area.
 * 30 drones each sweep their block of a 6 × 5 grid in east-west lanes 50 m apart at 8 m/s, 40–80 m up,
 * batteries draining; the ground station (node 1) confirms and resolves reports. Mix: 60% status,
 * 15% coverage (the cells swept since the drone's previous coverage fact, as row runs), 10% victims,
 * 10% blocked roads (2–5 point polylines), 2.5% hazards, 2.5% supersedes.
 */
import { seededRandom, type Random } from '../src/core/random.js';
import type { Fact, NodeId } from '../src/wire/facts.js';
import { ACTIVITIES, HAZARD_TYPES, VICTIM_CONDITIONS } from '../src/wire/facts.js';
import type { LocalPoint } from '../src/wire/frame-of-reference.js';

export const CORPUS_AREA_M = 5000;
export const CORPUS_CELL_M = 25;
export const CORPUS_COLS = CORPUS_AREA_M / CORPUS_CELL_M;
export const CORPUS_SECONDS = 7200;
const DRONES = 30;
const GROUND = 1;
const SPEED = 8;
const LANE = 50;
const BLOCK_W = CORPUS_AREA_M / 6;
const BLOCK_H = CORPUS_AREA_M / 5;

interface Drone {
  readonly id: NodeId;
  readonly x0: number;
  readonly y0: number;
  readonly start: number;
  readonly alt: number;
  readonly sector: number;
}

/** Where a drone is at time t: boustrophedon lanes across its block, repeated. */
function droneAt(d: Drone, t: number): { pos: LocalPoint; heading: number; lane: number; along: number } {
  const s = Math.max(0, t - d.start) * SPEED;
  const laneLen = BLOCK_W - LANE;
  const lanes = Math.floor(BLOCK_H / LANE);
  const laneIdx = Math.floor(s / laneLen) % lanes;
  const along = s % laneLen;
  const east = laneIdx % 2 === 0;
  const x = d.x0 + LANE / 2 + (east ? along : laneLen - along);
  const y = d.y0 + LANE / 2 + laneIdx * LANE;
  return { pos: { x: Math.round(x), y: Math.round(y) }, heading: east ? 90 : 270, lane: laneIdx, along };
}

function cellsBetween(d: Drone, t0: number, t1: number): number[] {
  const cells = new Set<number>();
  for (let t = t0; t <= t1; t += 2) {
    const p = droneAt(d, t).pos;
    const col = Math.floor(p.x / CORPUS_CELL_M);
    const row = Math.floor(p.y / CORPUS_CELL_M);
    if (col >= 0 && col < CORPUS_COLS && row >= 0) cells.add(row * CORPUS_COLS + col);
  }
  return [...cells].sort((a, b) => a - b);
}

const near = (rnd: Random, p: LocalPoint, r: number): LocalPoint => ({
  x: Math.min(CORPUS_AREA_M, Math.max(0, Math.round(p.x + rnd.range(-r, r)))),
  y: Math.min(CORPUS_AREA_M, Math.max(0, Math.round(p.y + rnd.range(-r, r)))),
});

type Draft = { t: number; origin: NodeId; make: (seq: number) => Fact };

export function wireCorpus(seed: number, total = 1000): Fact[] {
  const rnd = seededRandom(`wire-corpus/${seed}`);
  const drones: Drone[] = [];
  for (let i = 0; i < DRONES; i++) {
    drones.push({
      id: i + 2,
      x0: (i % 6) * BLOCK_W,
      y0: Math.floor(i / 6) * BLOCK_H,
      start: Math.round(rnd.range(0, 300)),
      alt: 40 + 5 * rnd.int(9),
      sector: i,
    });
  }
  const n = (share: number) => Math.round(total * share);
  const drafts: Draft[] = [];
  const pick = () => drones[rnd.int(drones.length)]!;
  const when = (d: Drone) => Math.round(rnd.range(d.start + 30, CORPUS_SECONDS));

  for (let k = 0; k < n(0.6); k++) {
    const d = pick();
    const t = when(d);
    const at = droneAt(d, t);
    const battery = Math.max(15, Math.round(100 - ((t - d.start) / 60) * 1.1) % 100);
    drafts.push({
      t, origin: d.id,
      make: (seq) => ({
        kind: 'status', origin: d.id, seq, t, pos: at.pos, alt: d.alt + rnd.int(5) - 2, battery,
        mode: rnd.chance(0.9) ? 4 : rnd.chance(0.5) ? 3 : 6, armed: true,
        activity: rnd.chance(0.9) ? 'searching' : ACTIVITIES[rnd.int(5)]!, sector: d.sector,
        heading: (at.heading + rnd.int(21) - 10 + 360) % 360,
      }),
    });
  }
  for (let k = 0; k < n(0.15); k++) {
    const d = pick();
    const t = when(d);
    const span = 20 + rnd.int(120);
    const cells = cellsBetween(d, t - span, t);
    drafts.push({ t, origin: d.id, make: (seq) => ({ kind: 'coverage', origin: d.id, seq, t, cells }) });
  }
  const reports: Draft[] = [];
  for (let k = 0; k < n(0.1); k++) {
    const d = pick();
    const t = when(d);
    const pos = near(rnd, droneAt(d, t).pos, 60);
    const count = rnd.chance(0.75) ? 1 : 2 + rnd.int(4);
    const draft: Draft = {
      t, origin: d.id,
      make: (seq) => ({
        kind: 'victim', origin: d.id, seq, t, pos, count,
        condition: VICTIM_CONDITIONS[rnd.int(VICTIM_CONDITIONS.length)]!, confidence: 50 + rnd.int(50),
      }),
    };
    drafts.push(draft);
    reports.push(draft);
  }
  for (let k = 0; k < n(0.1); k++) {
    const d = pick();
    const t = when(d);
    const points = 2 + (rnd.chance(0.6) ? 0 : rnd.int(4));
    const path: LocalPoint[] = [near(rnd, droneAt(d, t).pos, 150)];
    let dir = rnd.range(0, 2 * Math.PI);
    for (let i = 1; i < points; i++) {
      dir += rnd.range(-0.5, 0.5);
      const len = rnd.range(30, 200);
      const p = path[i - 1]!;
      path.push(near(rnd, { x: p.x + Math.cos(dir) * len, y: p.y + Math.sin(dir) * len }, 0));
    }
    const severity = rnd.chance(0.6) ? 'impassable' : 'partial';
    const draft: Draft = { t, origin: d.id, make: (seq) => ({ kind: 'road', origin: d.id, seq, t, path, severity }) };
    drafts.push(draft);
    reports.push(draft);
  }
  const hazards = Math.floor(n(0.05) / 2);
  for (let k = 0; k < hazards; k++) {
    const d = pick();
    const t = when(d);
    const pos = near(rnd, droneAt(d, t).pos, 100);
    const hazard = HAZARD_TYPES[rnd.int(HAZARD_TYPES.length)]!;
    const radius = 20 + rnd.int(480);
    const draft: Draft = { t, origin: d.id, make: (seq) => ({ kind: 'hazard', origin: d.id, seq, t, hazard, pos, radius }) };
    drafts.push(draft);
    reports.push(draft);
  }
  // Seqs are assigned in time order per origin; supersedes need their targets' ids, so they come after.
  const facts = assignSeqs(drafts);
  const targets = facts.filter((f) => f.kind === 'victim' || f.kind === 'road' || f.kind === 'hazard');
  const sups: Draft[] = [];
  for (let k = 0; k < n(0.05) - hazards; k++) {
    const target = targets[rnd.int(targets.length)]!;
    const byGround = rnd.chance(0.6);
    const origin = byGround ? GROUND : target.origin;
    const t = Math.min(CORPUS_SECONDS, target.t + 60 + rnd.int(900));
    const outcome =
      target.kind === 'victim' ? (['confirmed', 'rescued', 'false_alarm'] as const)[rnd.int(3)]! : target.kind === 'road' ? 'cleared' : 'resolved';
    sups.push({
      t, origin,
      make: (seq) => ({ kind: 'supersede', origin, seq, t, target: { origin: target.origin, seq: target.seq }, outcome }),
    });
  }
  // A supersede takes the next seq of its origin after everything generated above.
  const maxSeq = new Map<NodeId, number>();
  for (const f of facts) maxSeq.set(f.origin, Math.max(maxSeq.get(f.origin) ?? 0, f.seq));
  const extra = assignSeqs(sups).map((f) => ({ ...f, seq: f.seq + (maxSeq.get(f.origin) ?? 0) }) as Fact);
  return [...facts, ...extra].sort((a, b) => a.t - b.t || a.origin - b.origin || a.seq - b.seq);
}

/** Numbers each origin's facts 1, 2, … in time order. */
function assignSeqs(drafts: Draft[]): Fact[] {
  const order = drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.t - b.d.t || a.i - b.i);
  const next = new Map<NodeId, number>();
  return order.map(({ d }) => {
    const s = (next.get(d.origin) ?? 0) + 1;
    next.set(d.origin, s);
    return d.make(s);
  });
}
