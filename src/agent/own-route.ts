/**
 * The lanes one drone flies out of the swarm's plan: its own sector and its share of lost members' sectors,
 * priority cells first, or (its own work done) the piece of a slower member's remainder it helps with. Pure.
 */
import { planSectors, type AssistChunk, type TakeOff } from '../sectors/index.js';
import type { NodeId } from '../wire/facts.js';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { cellCentre, cellIndex } from '../wire/frame-of-reference.js';

/** How far along a lane met side-on the vehicle is first sent, metres (see leadInPoint). */
const LEAD_IN_M = 60;

/**
 * The cells a new plan treats as searched: those known searched and those an operator's zone closed, but not
 * the cell under a drone still short of its centre on a lane.
 */
export function searchedForPlan(o: {
  readonly frame: AreaFrame;
  readonly covered: ReadonlySet<number>;
  readonly closed: ReadonlySet<number>;
  readonly here: LocalPoint;
  /** The far end of the lane being flown, when the drone is searching along one. */
  readonly laneEnd: LocalPoint | undefined;
}): ReadonlySet<number> {
  const { frame, closed, here, laneEnd } = o;
  // A cell counts as searched once the camera is within half a sweep of its centre, but the part beyond the
  // centre is seen only as the drone flies on: a plan made before the drone reached the centre of the cell
  // under it keeps that cell, so the drone carries on along the lane instead of skipping to the next one.
  let covered: ReadonlySet<number> = closed.size ? new Set([...o.covered, ...closed]) : o.covered;
  if (laneEnd) {
    const under = cellIndex(frame, here);
    const mid = cellCentre(frame, under);
    const centreAhead = Math.hypot(mid.x - laneEnd.x, mid.y - laneEnd.y) < Math.hypot(here.x - laneEnd.x, here.y - laneEnd.y);
    if (centreAhead && o.covered.has(under) && !closed.has(under)) covered = new Set([...covered].filter((c) => c !== under));
  }
  return covered;
}

export interface OwnRoute {
  /** Waypoints, lane start and lane end in turn, before they are fitted to the zones. */
  readonly work: readonly LocalPoint[];
  /** The unsearched cells those lanes cover. */
  readonly cells: readonly number[];
  /** Metres still to fly: own sector (from here), then the share (from the sector's end). */
  readonly ownM: number;
  readonly shareM: number;
  /** The drone has work of its own (a sector, a lost member's share): helping another gives way to it. */
  readonly ownWork: boolean;
}

export function ownRoute(o: {
  readonly frame: AreaFrame;
  readonly self: NodeId;
  readonly takeOff: TakeOff;
  /** This drone's share of the orphaned members' cells. */
  readonly share: readonly number[];
  readonly covered: ReadonlySet<number>;
  readonly here: LocalPoint;
  readonly assisting: AssistChunk | undefined;
}): OwnRoute {
  const { frame, self, takeOff, share, covered, here } = o;
  const base = takeOff.plan;
  // one lane direction for every layer, so the snake order is the same everywhere
  const axis = { axis: base.axis, ranks: takeOff.ranks };
  // flying order: own priority cells, a share of a lost member's priority cells, then own rest and shared rest,
  // each stretch from where the last one ends
  const mine = base.sectors.get(self) ?? [];
  const pr = takeOff.priority;
  const stretches = [mine.filter((c) => pr.has(c)), share.filter((c) => pr.has(c)), mine.filter((c) => !pr.has(c)), share.filter((c) => !pr.has(c))];
  const legs: LocalPoint[][] = [];
  const metres = [0, 0];
  const ownCells: number[] = [];
  let from = here;
  stretches.forEach((cells, k) => {
    if (cells.length === 0) return;
    const p = planSectors({ frame, searchable: cells, covered, members: [{ id: self, pos: from }], ...axis });
    const path = p.paths.get(self) ?? [];
    legs.push([...path]);
    ownCells.push(...(p.sectors.get(self) ?? []));
    metres[k % 2]! += p.lengths.get(self) ?? 0;
    from = path[path.length - 1] ?? from;
  });
  let work: readonly LocalPoint[] = legs.flat();
  const ownWork = ownCells.length > 0;
  if (!ownWork && o.assisting) {
    const help = planSectors({ frame, searchable: o.assisting.cells, covered, members: [{ id: self, pos: here }], ...axis });
    ownCells.push(...(help.sectors.get(self) ?? []));
    work = help.paths.get(self) ?? [];
  }
  return { work, cells: ownCells, ownM: metres[0]!, shareM: metres[1]!, ownWork };
}

/**
 * A point on the lane `wp` starts, a little past its start. A detour round a no-fly zone meets its lane
 * side-on; in GUIDED the vehicle heads for its next target from where it is, so sent straight on to the lane's
 * far end while still sliding across the lane, it flies the whole lane askew, and lanes one sweep apart then
 * leave a strip unseen. Heading first for a point just along the lane brings it onto the line.
 */
export function leadInPoint(path: readonly LocalPoint[], wp: number): LocalPoint | undefined {
  const a = path[wp]!;
  const b = path[wp + 1];
  if (!b) return undefined;
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const d = Math.min(LEAD_IN_M, len / 2);
  return d < 1 ? undefined : { x: a.x + ((b.x - a.x) / len) * d, y: a.y + ((b.y - a.y) / len) * d };
}
