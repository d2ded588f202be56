/**
 * A simulated downward camera with a detector, from the scenario's ground truth. Pure and seeded: the same
 * flight and seed give the same detections. A victim whose position passes within half the sweep width of
 * the flown segment is detected with the scenario's probability (once per pass), placed with a few metres of
 * error; false positives appear at the configured rate per km² swept.
 */
import type { Random } from '../../core/random.js';
import type { LocalPoint } from '../../wire/frame-of-reference.js';
import type { VictimCondition } from '../../wire/facts.js';

export interface GroundVictim {
  readonly index: number;
  readonly pos: LocalPoint;
  readonly count: number;
  readonly condition: VictimCondition;
}

export interface Detection {
  readonly pos: LocalPoint;
  readonly count: number;
  readonly condition: VictimCondition;
  /** Percent. */
  readonly confidence: number;
  /** Ground-truth victim index, or -1 for a false positive (the simulator's bookkeeping; never on air). */
  readonly truth: number;
}

export interface CameraModel {
  readonly sweepWidthM: number;
  readonly detectionProbability: number;
  readonly falsePositivesPerKm2: number;
  /** Position error σ of a detection, metres. */
  readonly positionErrorM: number;
}

function distanceToSegment(p: LocalPoint, a: LocalPoint, b: LocalPoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
}

export class SimulatedCamera {
  /** Victims this camera already had its chance at (one draw per victim, as one pass of a lane). */
  private readonly tried = new Set<number>();

  constructor(
    private readonly model: CameraModel,
    private readonly victims: readonly GroundVictim[],
    private readonly random: Random,
  ) {}

  /** Detections while the camera sweeps the segment a → b. */
  sweep(a: LocalPoint, b: LocalPoint): Detection[] {
    const out: Detection[] = [];
    const half = this.model.sweepWidthM / 2;
    for (const v of this.victims) {
      if (this.tried.has(v.index) || distanceToSegment(v.pos, a, b) > half) continue;
      this.tried.add(v.index);
      if (!this.random.chance(this.model.detectionProbability)) continue;
      out.push({
        pos: {
          x: Math.round(v.pos.x + this.random.gaussian() * this.model.positionErrorM),
          y: Math.round(v.pos.y + this.random.gaussian() * this.model.positionErrorM),
        },
        count: v.count,
        condition: v.condition,
        confidence: 70 + this.random.int(30),
        truth: v.index,
      });
    }
    const km2 = (Math.hypot(b.x - a.x, b.y - a.y) * this.model.sweepWidthM) / 1e6;
    if (this.random.chance(Math.min(1, km2 * this.model.falsePositivesPerKm2))) {
      const t = this.random.next();
      const side = (this.random.next() - 0.5) * this.model.sweepWidthM;
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      out.push({
        pos: {
          x: Math.round(a.x + t * (b.x - a.x) - (side * (b.y - a.y)) / len),
          y: Math.round(a.y + t * (b.y - a.y) + (side * (b.x - a.x)) / len),
        },
        count: 1,
        condition: 'unknown',
        confidence: 40 + this.random.int(30),
        truth: -1,
      });
    }
    return out;
  }
}
