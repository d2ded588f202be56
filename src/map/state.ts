/**
 * The situational picture derived from a set of facts: a pure function of the set, so any two nodes
 * holding the same facts show the same picture whatever the order or duplicates they received them in.
 * Every "which one wins" choice is a maximum over a total order (rank, time, origin, seq), never
 * "the last one merged".
 */
import {
  compareFactIds,
  factKey,
  type AckFact,
  type AreaFact,
  type CommandFact,
  type Fact,
  type HazardFact,
  type MissionFact,
  type NodeId,
  type Outcome,
  type RoadFact,
  type StatusFact,
  type SupersedeFact,
  type VictimFact,
} from '../wire/facts.js';
import type { LocalPoint } from '../wire/frame-of-reference.js';

export type VictimState = 'reported' | 'confirmed' | 'rescued' | 'false_alarm' | 'withdrawn';
export type RoadState = 'blocked' | 'cleared' | 'withdrawn';
export type HazardState = 'active' | 'resolved' | 'withdrawn';

export interface Entity<F extends Fact, S extends string> {
  readonly id: string;
  readonly fact: F;
  readonly state: S;
  /** The supersede that decided the state (absent while the entity is as first reported). */
  readonly decidedBy?: SupersedeFact;
}

export type VictimView = Entity<VictimFact, VictimState>;
export type RoadView = Entity<RoadFact, RoadState>;
export type HazardView = Entity<HazardFact, HazardState>;

export interface TrackPoint extends LocalPoint {
  readonly t: number;
  readonly alt: number;
}

export interface MemberView {
  readonly id: NodeId;
  /** The newest status (by t, then seq). */
  readonly last: StatusFact;
  /** Recent positions, oldest first (at most MAX_TRACK_POINTS). */
  readonly track: readonly TrackPoint[];
  /** Cells this member reported searched. */
  readonly cellsCovered: number;
}

export interface MapState {
  readonly factCount: number;
  readonly victims: readonly VictimView[];
  readonly roads: readonly RoadView[];
  readonly hazards: readonly HazardView[];
  readonly members: readonly MemberView[];
  /** The search area in force: the newest search area not withdrawn. */
  readonly searchArea?: AreaFact;
  readonly noFly: readonly AreaFact[];
  readonly priority: readonly AreaFact[];
  /** Every cell reported searched, sorted. */
  readonly covered: readonly number[];
  /** The order in force per target member (0 = all), newest not withdrawn. */
  readonly commands: readonly CommandFact[];
  /** The mission in force: the highest version not withdrawn (ties: the later fact). */
  readonly mission?: MissionFact;
  /** Every member's answers to operators' facts, in id order. */
  readonly acks: readonly AckFact[];
}

export const MAX_TRACK_POINTS = 120;

/** Later = greater: time first, then the canonical id order, so ties are broken identically everywhere. */
function later(a: Fact, b: Fact): boolean {
  return a.t !== b.t ? a.t > b.t : compareFactIds(a, b) > 0;
}

const RANK: Record<Outcome, number> = { confirmed: 1, rescued: 2, false_alarm: 2, cleared: 2, resolved: 2, withdrawn: 3 };

const VALID_OUTCOMES: Record<Fact['kind'], readonly Outcome[]> = {
  victim: ['confirmed', 'rescued', 'false_alarm', 'withdrawn'],
  road: ['cleared', 'withdrawn'],
  hazard: ['resolved', 'withdrawn'],
  area: ['withdrawn'],
  command: ['withdrawn'],
  coverage: ['withdrawn'],
  mission: ['withdrawn'],
  status: [],
  supersede: [],
  ack: [],
  attest: [],
};

/** The deciding supersede of each target: highest rank, then latest. */
function decide(facts: Iterable<Fact>, byKey: ReadonlyMap<string, Fact>): Map<string, SupersedeFact> {
  const out = new Map<string, SupersedeFact>();
  for (const f of facts) {
    if (f.kind !== 'supersede') continue;
    const key = factKey(f.target);
    const target = byKey.get(key);
    // A supersede whose target is not here yet is kept in the document and takes effect once it is.
    if (!target || !VALID_OUTCOMES[target.kind].includes(f.outcome)) continue;
    const cur = out.get(key);
    if (!cur || RANK[f.outcome] > RANK[cur.outcome] || (RANK[f.outcome] === RANK[cur.outcome] && later(f, cur))) out.set(key, f);
  }
  return out;
}

const byId = (a: { fact: Fact }, b: { fact: Fact }) => compareFactIds(a.fact, b.fact);

export function deriveState(byKey: ReadonlyMap<string, Fact>): MapState {
  const decided = decide(byKey.values(), byKey);
  const victims: VictimView[] = [];
  const roads: RoadView[] = [];
  const hazards: HazardView[] = [];
  const statuses = new Map<NodeId, StatusFact[]>();
  const cellsBy = new Map<NodeId, Set<number>>();
  const covered = new Set<number>();
  let searchArea: AreaFact | undefined;
  const noFly: AreaFact[] = [];
  const priority: AreaFact[] = [];
  const commandByTarget = new Map<NodeId, CommandFact>();
  let mission: MissionFact | undefined;
  const acks: AckFact[] = [];

  for (const [id, f] of byKey) {
    const d = decided.get(id);
    switch (f.kind) {
      case 'victim': {
        const state: VictimState = d ? (d.outcome as VictimState) : 'reported';
        victims.push(d ? { id, fact: f, state, decidedBy: d } : { id, fact: f, state });
        break;
      }
      case 'road': {
        const state: RoadState = d ? (d.outcome as RoadState) : 'blocked';
        roads.push(d ? { id, fact: f, state, decidedBy: d } : { id, fact: f, state });
        break;
      }
      case 'hazard': {
        const state: HazardState = d ? (d.outcome as HazardState) : 'active';
        hazards.push(d ? { id, fact: f, state, decidedBy: d } : { id, fact: f, state });
        break;
      }
      case 'status': {
        let list = statuses.get(f.origin);
        if (!list) statuses.set(f.origin, (list = []));
        list.push(f);
        break;
      }
      case 'coverage': {
        if (d) break;
        let mine = cellsBy.get(f.origin);
        if (!mine) cellsBy.set(f.origin, (mine = new Set()));
        for (const c of f.cells) {
          mine.add(c);
          covered.add(c);
        }
        break;
      }
      case 'area':
        if (d) break;
        if (f.role === 'search') {
          if (!searchArea || later(f, searchArea)) searchArea = f;
        } else (f.role === 'nofly' ? noFly : priority).push(f);
        break;
      case 'command': {
        if (d) break;
        const cur = commandByTarget.get(f.target);
        if (!cur || later(f, cur)) commandByTarget.set(f.target, f);
        break;
      }
      case 'mission':
        if (d) break;
        if (!mission || f.version > mission.version || (f.version === mission.version && later(f, mission))) mission = f;
        break;
      case 'ack':
        acks.push(f);
        break;
      case 'supersede':
        break;
    }
  }

  const members: MemberView[] = [];
  for (const [id, list] of statuses) {
    list.sort((a, b) => (later(a, b) ? 1 : later(b, a) ? -1 : 0));
    const recent = list.slice(-MAX_TRACK_POINTS);
    members.push({
      id,
      last: list[list.length - 1]!,
      track: recent.map((s) => ({ x: s.pos.x, y: s.pos.y, t: s.t, alt: s.alt })),
      cellsCovered: cellsBy.get(id)?.size ?? 0,
    });
  }
  members.sort((a, b) => a.id - b.id);
  const areaOrder = (a: AreaFact, b: AreaFact) => compareFactIds(a, b);
  return {
    factCount: byKey.size,
    victims: victims.sort(byId),
    roads: roads.sort(byId),
    hazards: hazards.sort(byId),
    members,
    ...(searchArea ? { searchArea } : {}),
    noFly: noFly.sort(areaOrder),
    priority: priority.sort(areaOrder),
    covered: [...covered].sort((a, b) => a - b),
    commands: [...commandByTarget.values()].sort((a, b) => a.target - b.target),
    ...(mission ? { mission } : {}),
    acks: acks.sort(compareFactIds),
  };
}

/** The order that applies to `member` now: its own or the all-members one, whichever is later. */
export function commandFor(state: MapState, member: NodeId): CommandFact | undefined {
  const own = state.commands.find((c) => c.target === member);
  const all = state.commands.find((c) => c.target === 0);
  if (!own) return all;
  if (!all) return own;
  return later(own, all) ? own : all;
}
