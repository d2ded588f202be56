/**
 * Help for the slowest: a member that has finished its sector (and its share of any lost member's) takes the
 * far end of what a live member still has to fly, instead of flying home while one drone does the last lanes
 * alone. Every finished member computes the same assignment from the same view (helpers in id order, each to
 * the member whose finish it brings forward most), so helpers rarely pick the same lanes; where views differ,
 * the coverage they report makes the later one skip what the other searched. The owner is never told: it flies
 * its remainder from its own end as before and skips the lanes it hears searched, so a helper that is lost on
 * the way costs nothing but its own time.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import { planSectors, type LaneAxis } from './plan.js';
import { centre, dist, toCell } from './snake.js';
import type { CellRanks } from './regions.js';

export interface AssistOwner {
  readonly id: NodeId;
  /** Where it was last heard (its flying order starts at the end of its remainder nearer to this). */
  readonly pos: LocalPoint;
  /** Cells it still has to search, in any order. */
  readonly remaining: readonly number[];
}

export interface AssistHelper {
  readonly id: NodeId;
  readonly pos: LocalPoint;
}

export interface AssistInput {
  readonly frame: AreaFrame;
  readonly axis: LaneAxis;
  readonly ranks?: CellRanks;
  readonly owners: readonly AssistOwner[];
  /** Members free to help (finished and airborne), this node among them. */
  readonly helpers: readonly AssistHelper[];
  readonly cruiseSpeedMps: number;
  readonly transitSpeedMps: number;
  /** Smallest piece worth the flight, cells (default 4: about a quarter-kilometre of lane). */
  readonly minCells?: number;
}

export interface AssistChunk {
  readonly owner: NodeId;
  /** The cells to search, the owner's far end of its remainder. */
  readonly cells: readonly number[];
}

/**
 * Which helper takes which piece of whose remainder. A helper that arrives after travelling t seconds and an
 * owner that keeps searching meanwhile finish together when the helper takes (n − t·v/cell)/2 of the owner's n
 * cells from the far end; a helper goes where that brings a finish forward most, and nowhere when no piece
 * reaches `minCells`. Pure and deterministic: the same view in any order gives the same assignment.
 */
export function assistChunks(i: AssistInput): Map<NodeId, AssistChunk> {
  const out = new Map<NodeId, AssistChunk>();
  const cs = i.frame.cellSize;
  const minCells = i.minCells ?? 4;
  const owners = [...i.owners]
    .filter((o) => o.remaining.length >= 2 * minCells)
    .sort((a, b) => a.id - b.id)
    .map((o) => {
      // the owner's flying order from where it is: what it does last is what a helper takes
      const order = planSectors({ frame: i.frame, searchable: o.remaining, covered: new Set(), members: [{ id: o.id, pos: o.pos }], axis: i.axis, ...(i.ranks ? { ranks: i.ranks } : {}) }).sectors.get(o.id) ?? [];
      return { id: o.id, order, kept: order.length };
    });
  const cellAt = (cell: number) => {
    const c = toCell(i.frame, i.axis, cell);
    return centre(i.frame, i.axis, c.lane, c.along);
  };
  for (const h of [...i.helpers].sort((a, b) => a.id - b.id)) {
    let best: { k: number; gainS: number; owner: (typeof owners)[number] } | undefined;
    for (const o of owners) {
      if (o.kept < 2 * minCells || o.id === h.id) continue;
      const tail = cellAt(o.order[o.kept - 1]!);
      const travelS = dist(h.pos, tail) / i.transitSpeedMps;
      const perCellS = cs / i.cruiseSpeedMps;
      const k = Math.floor((o.kept - travelS / perCellS) / 2);
      if (k < minCells) continue;
      // the owner's finish comes forward by the k cells it no longer flies
      const gainS = k * perCellS;
      if (!best || gainS > best.gainS + 1e-9) best = { k, gainS, owner: o };
    }
    if (!best) continue;
    const o = best.owner;
    out.set(h.id, { owner: o.id, cells: o.order.slice(o.kept - best.k, o.kept) });
    o.kept -= best.k;
  }
  return out;
}
