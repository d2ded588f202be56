/**
 * The mission's take-off plan and the hand-over of lost members' remainders, as pure functions of the mission
 * and the roster: every agent flies by them, and the ground station draws the same sectors from the same
 * inputs (see docs/sectors.md). Layer 1 (takeOffPlan) divides the whole searchable area among the whole
 * roster once and for all; layer 2 (handOver) divides the unsearched part of orphaned members' sectors among
 * the members still searching.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import type { Polygon } from './grid.js';
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
  /** Lane direction set by the mission; absent: along the searchable cells' longer extent. */
  readonly laneAxis?: LaneAxis;
  readonly cruiseSpeedMps: number;
  /** Speed between lanes (default: cruise; never slower). */
  readonly transitSpeedMps?: number;
}

export interface TakeOff {
  readonly plan: SectorPlan;
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
  const ranks = regionRanks(i.frame, axis, i.searchable, i.nofly ?? []);
  const effortPerM = effortPerMetre(i);
  const plan = planSectors({
    ranks,
    axis,
    frame: i.frame,
    searchable: i.searchable,
    covered: new Set(),
    members: i.roster.map((id) => ({ id, pos: launchOf(id) })),
    // blocks in the order of the launch points across the lanes (ties: by id)
    orderBy: 'position',
    entryEffortPerM: effortPerM,
  });
  return { plan, ranks, effortPerM, launchOf, sectorIndex: (id) => inOrder.indexOf(id) };
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
  const { effortPerM, ranks, launchOf } = i.takeOff;
  return shareOut({
    frame: i.frame,
    axis: base.axis,
    ranks,
    cells: orphanCells,
    effortPerM,
    candidates: i.recipients.map((id) => {
      const path = base.paths.get(id) ?? [];
      const launch = launchOf(id);
      const entryM = path[0] ? Math.hypot(path[0].x - launch.x, path[0].y - launch.y) : 0;
      return { id, from: path[path.length - 1] ?? launch, busy: (base.sectors.get(id)?.length ?? 0) + entryM * effortPerM };
    }),
  });
}
