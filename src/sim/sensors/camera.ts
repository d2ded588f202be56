/**
 * A simulated downward camera with a detector, from the scenario's ground truth. Pure and seeded: the same
 * flight and seed give the same detections. A victim whose position passes within half the sweep width of
 * the flown segment is in that frame; each frame the detector flags it with the scenario's per-image probability
 * (so a victim near the lane's centre line, in view for several frames, is very likely found, and one at the
 * footprint's edge less so), placed with a few metres of error; false positives appear at the configured rate
 * per km² swept. The agent calls sweep once per second of flight: one frame a second.
 */
import type { Random } from '../../core/random.js';
import type { LocalPoint } from '../../wire/frame-of-reference.js';
import type { VictimCondition } from '../../wire/facts.js';
import { distanceToSegment } from '../../sectors/grid.js';
import type { Detection, GroundObservation } from '../../mission/detection.js';

export type { Detection };

export interface GroundVictim {
  readonly index: number;
  readonly pos: LocalPoint;
  readonly count: number;
  readonly condition: VictimCondition;
}


export interface CameraModel {
  readonly sweepWidthM: number;
  /** Probability that the detector flags a victim in view in one image (one image a second). */
  readonly detectionProbability: number;
  readonly falsePositivesPerKm2: number;
  /** Position error σ of a detection, metres. */
  readonly positionErrorM: number;
}

export class SimulatedCamera {
  /** Victims this camera already reported. */
  private readonly detected = new Set<number>();
  /** Blocked roads and hazards this camera already reported (by index into `ground`). */
  private readonly observed = new Set<number>();

  constructor(
    private readonly model: CameraModel,
    private readonly victims: readonly GroundVictim[],
    private readonly random: Random,
    /** Blocked roads and hazards on the ground (local metres), as the scenario's truth has them. */
    private readonly ground: readonly GroundObservation[] = [],
  ) {}

  /**
   * Blocked roads and hazards in the frame taken over a → b: a road when any of its legs passes within half the
   * sweep of the camera's track, a hazard when its edge does; each reported once by this camera, where it is.
   */
  observe(a: LocalPoint, b: LocalPoint): GroundObservation[] {
    const half = this.model.sweepWidthM / 2;
    const out: GroundObservation[] = [];
    this.ground.forEach((g, i) => {
      if (this.observed.has(i)) return;
      const near =
        g.kind === 'hazard'
          ? distanceToSegment(g.pos, a, b) <= half + g.radius
          : g.path.some((p, k) => distanceToSegment(p, a, b) <= half || (k > 0 && segmentsNear(g.path[k - 1]!, p, a, b, half)));
      if (!near) return;
      this.observed.add(i);
      out.push(g);
    });
    return out;
  }

  /** Detections in the frame taken while the camera swept the segment a → b. */
  sweep(a: LocalPoint, b: LocalPoint): Detection[] {
    const out: Detection[] = [];
    const half = this.model.sweepWidthM / 2;
    for (const v of this.victims) {
      if (this.detected.has(v.index) || distanceToSegment(v.pos, a, b) > half) continue;
      if (!this.random.chance(this.model.detectionProbability)) continue;
      this.detected.add(v.index);
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

/** Do segments p–q and a–b come within d of each other (crossing, or an end within d of the other)? */
function segmentsNear(p: LocalPoint, q: LocalPoint, a: LocalPoint, b: LocalPoint, d: number): boolean {
  if (distanceToSegment(a, p, q) <= d || distanceToSegment(b, p, q) <= d || distanceToSegment(p, a, b) <= d || distanceToSegment(q, a, b) <= d) return true;
  const cross = (o: LocalPoint, s: LocalPoint, t: LocalPoint) => (s.x - o.x) * (t.y - o.y) - (s.y - o.y) * (t.x - o.x);
  return cross(p, q, a) * cross(p, q, b) < 0 && cross(a, b, p) * cross(a, b, q) < 0;
}
