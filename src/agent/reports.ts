/**
 * The facts a drone reports about itself and what it saw: its status, the cells it searched, victims, blocked
 * roads and hazards. Pure builders: the agent supplies the state, the sequence numbers and the time.
 */
import type { VehicleState } from '../vehicle/vehicle.js';
import type { Activity, HazardFact, NodeId, RoadFact, StatusFact, VictimFact } from '../wire/facts.js';
import type { LocalPoint } from '../wire/frame-of-reference.js';
import type { Detection, GroundObservation } from '../mission/detection.js';

export function statusFact(o: {
  readonly self: NodeId;
  readonly seq: number;
  readonly t: number;
  readonly state: VehicleState;
  /** Where the drone is (local metres), if it knows. */
  readonly here: LocalPoint | undefined;
  readonly launch: () => LocalPoint;
  readonly activity: Activity;
  /** Its place in the take-off plan's roster. */
  readonly sectorIndex: () => number;
}): StatusFact {
  const s = o.state;
  // before the first fix (or a report off the mission's map) the drone is where it launches from
  const here = o.here;
  const pos = here && Math.abs(here.x) <= 32767 && Math.abs(here.y) <= 32767 ? here : o.launch();
  return {
    kind: 'status',
    origin: o.self,
    seq: o.seq,
    t: o.t,
    pos: { x: Math.round(pos.x), y: Math.round(pos.y) },
    alt: Math.max(-1000, Math.min(10000, Math.round(s.position?.relAlt ?? 0))),
    battery: Math.max(0, Math.min(100, Math.round(s.battery?.remaining ?? 0))),
    mode: Math.max(0, Math.min(255, s.customMode ?? 0)),
    armed: s.armed ?? false,
    activity: o.activity,
    // the sector of the take-off plan this drone flies: its place in the roster
    sector: o.activity === 'searching' || o.activity === 'transit' ? Math.min(49, o.sectorIndex()) : -1,
    heading: Math.round((((s.heading ?? 0) % 360) + 360) % 360) % 360,
  };
}

/** Cells searched since the last report, sorted, in runs of at most 1,000: one coverage fact each. */
export function coverageChunks(pending: readonly number[]): number[][] {
  const cells = [...new Set(pending)].sort((a, b) => a - b);
  const out: number[][] = [];
  // a coverage fact carries at most 1,000 cells, so one always fits a packet after run-length coding
  for (let i = 0; i < cells.length; i += 1000) out.push(cells.slice(i, i + 1000));
  return out;
}

/** A sighting this close (metres) to a known victim is that victim. */
export function knownVictim(victims: readonly VictimFact[], d: Detection, nearM: number): boolean {
  return victims.some((v) => Math.hypot(v.pos.x - d.pos.x, v.pos.y - d.pos.y) <= nearM);
}

export function victimFact(d: Detection, self: NodeId, seq: number, t: number): VictimFact {
  return {
    kind: 'victim',
    origin: self,
    seq,
    t,
    pos: d.pos,
    count: d.count,
    condition: d.condition,
    confidence: d.confidence,
  };
}

/**
 * A blocked road or a hazard in view, as a fact, unless someone already reported it (same place, same kind):
 * undefined then. `seq` is asked only for a new report.
 */
export function groundFact(
  g: GroundObservation,
  known: { readonly roads: readonly RoadFact[]; readonly hazards: readonly HazardFact[] },
  self: NodeId,
  t: number,
  seq: () => number,
): RoadFact | HazardFact | undefined {
  const near = (p: { x: number; y: number }, q: { x: number; y: number }, m: number) => Math.hypot(p.x - q.x, p.y - q.y) <= m;
  const base = { origin: self, t };
  if (g.kind === 'hazard') {
    if (known.hazards.some((h) => h.hazard === g.hazard && near(h.pos, g.pos, Math.max(30, g.radius)))) return undefined;
    const pos = { x: Math.round(g.pos.x), y: Math.round(g.pos.y) };
    return { kind: 'hazard', ...base, seq: seq(), hazard: g.hazard, pos, radius: Math.max(0, Math.min(65535, Math.round(g.radius))) };
  }
  const a = g.path[0]!;
  const b = g.path[g.path.length - 1]!;
  if (known.roads.some((r) => (near(r.path[0]!, a, 40) && near(r.path.at(-1)!, b, 40)) || (near(r.path[0]!, b, 40) && near(r.path.at(-1)!, a, 40)))) return undefined;
  return { kind: 'road', ...base, seq: seq(), path: g.path.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) })), severity: g.severity };
}
