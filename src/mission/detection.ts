/** What a drone's detector reports from one camera frame; the same shape from the simulated camera and a real one. */
import type { LocalPoint } from '../wire/frame-of-reference.js';
import type { VictimCondition } from '../wire/facts.js';

export interface Detection {
  readonly pos: LocalPoint;
  readonly count: number;
  readonly condition: VictimCondition;
  /** Percent. */
  readonly confidence: number;
  /** Ground-truth victim index, or -1 for a false positive (the simulator's bookkeeping; never on air). */
  readonly truth: number;
}
