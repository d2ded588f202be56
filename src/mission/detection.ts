/** What a drone's detector reports from one camera frame; the same shape from the simulated camera and a real one. */
import type { LocalPoint } from '../wire/frame-of-reference.js';
import type { HazardType, RoadSeverity, VictimCondition } from '../wire/facts.js';

export interface Detection {
  readonly pos: LocalPoint;
  readonly count: number;
  readonly condition: VictimCondition;
  /** Percent. */
  readonly confidence: number;
  /** Ground-truth victim index, or -1 for a false positive (the simulator's bookkeeping; never on air). */
  readonly truth: number;
}

/**
 * What the camera shows of the ground besides people: a blocked road (its path, whole metres) or a hazard (fire,
 * gas, a collapse…) with the radius it affects. A drone reports each once; ground teams route by them.
 */
export type GroundObservation =
  | { readonly kind: 'road'; readonly path: readonly LocalPoint[]; readonly severity: RoadSeverity }
  | { readonly kind: 'hazard'; readonly hazard: HazardType; readonly pos: LocalPoint; readonly radius: number };
