/**
 * The mission's take-off plan and the hand-over of lost members' remainders, as pure functions of the mission
 * and the roster: every agent flies by them, and the ground station draws the same sectors from the same
 * inputs (see docs/sectors.md). Layer 1 (takeOffPlan) divides the whole searchable area among the whole
 * roster once and for all; layer 2 (handOver) divides the unsearched part of orphaned members' sectors among
 * the members still searching. Priority regions change the order, not the effort: their cells are divided among
 * the whole roster first and every member flies its stretch of them before its stretch of the rest, so the
 * swarm sees all priority ground in about its share of the time; a lost member's priority cells go first too.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import { priorityCells, type Polygon } from './grid.js';
import { laneAxis, planSectors, type LaneAxis, type SectorPlan } from './plan.js';
import { regionRanks, type CellRanks } from './regions.js';
import { shareOut } from './share.js';

/** What the take-off plan depends on: the mission and the roster, nothing any one drone saw. */
export interface TakeOffInput {
  readonly frame: AreaFrame;
  /** The mission's searchable cells. */
  readonly searchable: readonly number[];
  /** Every member of the search (any order). */
  readonly roster: readonly NodeId[];
  /** The mission's launch points, shared out in roster order (see launchPointIndex); none: the area origin. */
  readonly launchSites?: readonly LocalPoint[];
  /** The mission's own no-fly zones (an operator's zone drawn later must not reorder anyone's sector). */
  readonly nofly?: readonly Polygon[];
  /** The mission's priority regions: the ground every member searches first. */
  readonly priority?: readonly Polygon[];
  /** Lane direction set by the mission; absent: along the searchable cells' longer extent. */
  readonly laneAxis?: LaneAxis;
  readonly cruiseSpeedMps: number;
  /** Speed between lanes (default: cruise; never slower). */
  readonly transitSpeedMps?: number;
}

export interface TakeOff {
  /** Each member's sector in flying order: its stretch of the priority cells, then its stretch of the rest. */
  readonly plan: SectorPlan;
  /** The priority stretches alone (absent: the mission has no priority ground). */
  readonly first?: SectorPlan;
  /** Searchable cells in priority regions (flown first). */
  readonly priority: ReadonlySet<number>;
  /** The order the mission's cells are flown in (regionRanks). */
  readonly ranks: CellRanks;
  /** Search effort (cells) of one metre flown outside a lane. */
  readonly effortPerM: number;
  /** Where a member takes off. */
  launchOf(id: NodeId): LocalPoint;
  /** A member's sector: its place in the roster in id order (-1: not in the roster). */
  sectorIndex(id: NodeId): number;
}

/**
 * Which of n launch points the k-th of N roster members (sorted by id, from 0) takes off from: consecutive
 * members share a point (teams of ⌈N/n⌉ or ⌊N/n⌋), so members in id order are also in launch-point order.
 */
export function launchPointIndex(k: number, members: number, points: number): number {
  return Math.min(points - 1, Math.floor((k * points) / Math.max(1, members)));
}

/** Search effort (cells) of one metre flown outside a lane, at the transit speed. */
export function effortPerMetre(i: Pick<TakeOffInput, 'frame' | 'cruiseSpeedMps' | 'transitSpeedMps'>): number {
  return i.cruiseSpeedMps / (Math.max(i.cruiseSpeedMps, i.transitSpeedMps ?? i.cruiseSpeedMps) * i.frame.cellSize);
}

/**
 * The whole roster's take-off plan, with sectors sized so that every member, flying from its launch site,
 * finishes its own at about the same time. Pure: the same inputs give the same plan on every node.
 */
export function takeOffPlan(i: TakeOffInput): TakeOff {
  const inOrder = [...i.roster].sort((a, b) => a - b);
  const sites = i.launchSites ?? [];
  const launchOf = (id: NodeId): LocalPoint => {
    const k = Math.max(0, inOrder.indexOf(id));
    return sites.length ? sites[launchPointIndex(k, inOrder.length, sites.length)]! : { x: 0, y: 0 };
  };
  const axis = i.laneAxis ?? laneAxis(i.frame, i.searchable);
  const effortPerM = effortPerMetre(i);
  const priority = new Set(priorityCells(i.frame, i.searchable, i.priority ?? []));
  const ranks = priority.size ? stagedRanks(i, axis, priority) : regionRanks(i.frame, axis, i.searchable, i.nofly ?? []);
  const common = {
    ranks,
    axis,
    frame: i.frame,
    covered: new Set<number>(),
    // blocks in the order of the members' positions across the lanes (ties: by id)
    orderBy: 'position' as const,
    entryEffortPerM: effortPerM,
  };
  const members = i.roster.map((id) => ({ id, pos: launchOf(id) }));
  if (priority.size === 0) {
    const plan = planSectors({ ...common, searchable: i.searchable, members });
    return { plan, priority, ranks, effortPerM, launchOf, sectorIndex: (id) => inOrder.indexOf(id) };
  }
  // the priority ground shared by everyone, then the rest cut so that all finish together: each member starts
  // on it where its priority stretch ends, busy until then
  const first = planSectors({ ...common, searchable: i.searchable.filter((c) => priority.has(c)), members });
  const after = members.map((m) => {
    const path = first.paths.get(m.id) ?? [];
    return { id: m.id, pos: path[path.length - 1] ?? m.pos, busy: effortOf(first, m.id, i.frame.cellSize, effortPerM) };
  });
  const rest = planSectors({ ...common, orderBy: 'nearest', searchable: i.searchable.filter((c) => !priority.has(c)), members: after });
  const plan = joinPlans(first, rest);
  return { plan, first, priority, ranks, effortPerM, launchOf, sectorIndex: (id) => inOrder.indexOf(id) };
}

/**
 * The flying order with priority ground: the priority cells ranked among themselves, then the rest ranked among
 * themselves, so the rest's lanes are cut where the priority ground lies (as round a hole) instead of crossing
 * it, searched already, once per lane.
 */
function stagedRanks(i: TakeOffInput, axis: LaneAxis, priority: ReadonlySet<number>): CellRanks {
  const first = regionRanks(i.frame, axis, i.searchable.filter((c) => priority.has(c)), i.nofly ?? []);
  const then = regionRanks(i.frame, axis, i.searchable.filter((c) => !priority.has(c)), i.nofly ?? []);
  const ranks = new Map(first);
  for (const [c, r] of then) ranks.set(c, first.size + r);
  return ranks;
}

/**
 * A member's effort in a plan (cells): its cells, and every metre it flies off them (to its stretch, across gaps
 * and between regions) at the transit rate.
 */
function effortOf(plan: SectorPlan, id: NodeId, cellSize: number, effortPerM: number): number {
  const cells = plan.sectors.get(id)?.length ?? 0;
  return cells + Math.max(0, (plan.lengths.get(id) ?? 0) - Math.max(0, cells - 1) * cellSize) * effortPerM;
}

/** Two plans flown one after the other by the same members: sectors and paths end to end. */
function joinPlans(a: SectorPlan, b: SectorPlan): SectorPlan {
  const sectors = new Map<NodeId, readonly number[]>();
  const paths = new Map<NodeId, readonly LocalPoint[]>();
  const lengths = new Map<NodeId, number>();
  for (const id of new Set([...a.sectors.keys(), ...b.sectors.keys()])) {
    sectors.set(id, [...(a.sectors.get(id) ?? []), ...(b.sectors.get(id) ?? [])]);
    paths.set(id, [...(a.paths.get(id) ?? []), ...(b.paths.get(id) ?? [])]);
    lengths.set(id, (a.lengths.get(id) ?? 0) + (b.lengths.get(id) ?? 0));
  }
  return { axis: a.axis, sectors, paths, lengths, remaining: a.remaining + b.remaining };
}

export interface HandOverInput {
  readonly frame: AreaFrame;
  readonly takeOff: TakeOff;
  /** Members still searching (they take shares). */
  readonly recipients: readonly NodeId[];
  /** Members whose unsearched cells are handed out. */
  readonly orphaned: readonly NodeId[];
  /** Cells each orphaned member searched itself (only its own coverage moves a boundary). */
  readonly coveredBy: (id: NodeId) => ReadonlySet<number> | undefined;
  /** Cells left out like searched ones (closed by an operator's zone). */
  readonly closed?: ReadonlySet<number>;
}

/**
 * Each recipient's share of what the orphaned members left unsearched of their take-off sectors (recipients
 * that take nothing are absent). Costs are nominal, from the take-off plan, so every node holding the same
 * view of the orphans' coverage gets the same shares whatever it knows of the others' progress.
 */
export function handOver(i: HandOverInput): Map<NodeId, number[]> {
  const base = i.takeOff.plan;
  const orphanCells: number[] = [];
  for (const id of i.orphaned) {
    const done = i.coveredBy(id);
    for (const c of base.sectors.get(id) ?? []) if (!done?.has(c) && !i.closed?.has(c)) orphanCells.push(c);
  }
  if (orphanCells.length === 0 || i.recipients.length === 0) return new Map();
  const { effortPerM, ranks, launchOf, priority, first } = i.takeOff;
  const share = (cells: readonly number[], stage: SectorPlan, extra: (id: NodeId) => number) =>
    shareOut({
      frame: i.frame,
      axis: base.axis,
      ranks,
      cells,
      effortPerM,
      candidates: i.recipients.map((id) => {
        const path = stage.paths.get(id) ?? [];
        return { id, from: path[path.length - 1] ?? launchOf(id), busy: effortOf(stage, id, i.frame.cellSize, effortPerM) + extra(id) };
      }),
    });
  if (!first) return share(orphanCells, base, () => 0);
  // a lost member's priority cells are shared out among the others' priority stretches, before anyone's rest
  const firstShares = share(orphanCells.filter((c) => priority.has(c)), first, () => 0);
  const restShares = share(orphanCells.filter((c) => !priority.has(c)), base, (id) => firstShares.get(id)?.length ?? 0);
  const out = new Map<NodeId, number[]>();
  for (const id of i.recipients) {
    const cells = [...(firstShares.get(id) ?? []), ...(restShares.get(id) ?? [])];
    if (cells.length) out.set(id, cells);
  }
  return out;
}
