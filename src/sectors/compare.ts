import type { NodeId } from '../wire/facts.js';
import type { SectorPlan } from './plan.js';

/**
 * What two agents with different views would both search: for each member, the cells it gets in plan `a`
 * (its own view) that some other member gets in plan `b` (another agent's view), as a fraction of the cells
 * planned. This is the overlap a brief disagreement costs until gossip converges.
 */
export function overlapBetweenPlans(a: SectorPlan, b: SectorPlan): number {
  const ownerB = new Map<number, NodeId>();
  for (const [id, cells] of b.sectors) for (const c of cells) ownerB.set(c, id);
  let planned = 0;
  let doubled = 0;
  for (const [id, cells] of a.sectors)
    for (const c of cells) {
      planned++;
      const o = ownerB.get(c);
      if (o !== undefined && o !== id) doubled++;
    }
  return planned === 0 ? 0 : doubled / planned;
}
