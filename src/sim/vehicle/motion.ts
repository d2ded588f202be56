/**
 * Horizontal motion of the simulated ArduCopter: straight legs flown with acceleration and jerk limits, as the
 * recorded ArduCopter 4.8.0-dev flies them over MAVLink (../shared/ardupilot-behaviour, fence.md "GUIDED turns and
 * lanes", and real SITL through `murmur bench fidelity`). What is reproduced, not how ArduPilot computes it:
 *
 * - a leg is a straight line; a position target given while moving at an angle to the motion is not turned
 *   towards: the copter brakes along its old heading (run-on 17 m at 8 m/s, 25 m at 10 m/s), then flies a
 *   straight line from where it stopped, so a lane commanded by its far end is joined only linearly;
 * - a target roughly ahead (a carrot re-sent along the way) is flown towards without braking;
 * - speeding up is jerk-limited, braking for an arrival follows a jerk-aware square-root curve.
 */

export interface Vec2 {
  n: number;
  e: number;
}

/** The copter's horizontal state, changed in place. */
export interface Kinematics {
  readonly pos: Vec2;
  readonly vel: Vec2;
  readonly acc: Vec2;
}

/** How a controller shapes a leg (m/s², m/s³, s). */
export interface Shaping {
  /** acceleration cap speeding up */
  readonly acc: number;
  /** jerk speeding up */
  readonly jerk: number;
  /** deceleration of the arrival curve */
  readonly dec: number;
  /** jerk of the arrival curve */
  readonly decJerk: number;
  /** time constant of the speed loop near the commanded speed */
  readonly tau: number;
  /** deceleration and jerk of the brake along the old heading when the target changes direction */
  readonly brake: number;
  readonly brakeJerk: number;
}

/**
 * GUIDED position targets (ArduCopter's position controller): fitted to real SITL with copter.parm — a 112 m
 * goto within 1 m in ≈ 14.5 s, 90 % of WP_SPD 10 m/s after ≈ 4 s, braking from ≈ 19 m, run-on 16.5–16.8 m at
 * 8 m/s and 24.6 m at 10 m/s. `acc` scales with WP_ACC (2.5).
 */
export function guidedShaping(wpAcc: number): Shaping {
  const k = wpAcc / 2.5;
  return { acc: 2.5 * k, jerk: 5 * k, dec: 3 * k, decJerk: 5 * k, tau: 1.0, brake: 2.5 * k, brakeJerk: 2.3 * k };
}

/**
 * Waypoint navigation (RTL, AUTO legs): smoother S-curves, WP_JERK 1 m/s³ speeding up, ≈ 2 m/s² at most; fitted to
 * real SITL's RTL from 100 m (0.8 m/s 1.5 s after the command, 9.4 m/s after 7.5 s, braking from ≈ 27 m).
 */
export function waypointShaping(wpAcc: number, wpJerk: number): Shaping {
  const k = wpAcc / 2.5;
  return { acc: 2 * k, jerk: Math.max(0.2, wpJerk), dec: 2 * k, decJerk: 2.5 * k, tau: 1.5, brake: 2.5 * k, brakeJerk: 2.3 * k };
}

/**
 * The fastest level flight the lean limit allows, measured on real SITL (its quad's drag) by asking 20 m/s of
 * DO_CHANGE_SPEED on a 300 m leg: 10.28 m/s at 30° (ATC_ANGLE_MAX's default; 15 asked gives the same, and so does
 * WP_SPD 5 or 15 — WP_SPD is not the limit: 8 asked under WP_SPD 5 flew 8.14), 12.72 at 38°, 15.15 at 45°.
 * Linear between the measurements and beyond them.
 */
const LEVEL_SPEED_AT_LEAN: ReadonlyArray<readonly [number, number]> = [
  [30, 10.28],
  [38, 12.72],
  [45, 15.15],
];

export function levelSpeedLimit(leanDeg: number): number {
  const t = LEVEL_SPEED_AT_LEAN;
  const i = leanDeg <= t[1]![0] ? 0 : 1;
  const [a, va] = t[i]!;
  const [b, vb] = t[i + 1]!;
  return Math.max(1, va + ((leanDeg - a) * (vb - va)) / (b - a));
}

/** Distance to stop from speed v with deceleration a reached at jerk j. */
export function stopDistance(v: number, a: number, j: number): number {
  return (v * v) / (2 * a) + (v * a) / (2 * j);
}

/** The speed from which the copter stops within d (inverse of stopDistance). */
export function stopSpeed(d: number, a: number, j: number): number {
  if (d <= 0) return 0;
  const h = a / (2 * j);
  return a * (-h + Math.sqrt(h * h + (2 * d) / a));
}

/** A straight leg towards `to`, started at `from`; `brakeDir` set while braking along the old heading first. */
export interface Leg {
  from: Vec2;
  readonly to: Vec2;
  brakeDir: Vec2 | undefined;
  /** taken on the move at a small angle: steered straight at, from wherever the copter is */
  readonly pursuit?: boolean;
}

/** Beyond this angle between the motion and the new target the copter brakes along its heading first. */
const BRAKE_ANGLE_DEG = 45;
/** A new target continues the old leg's line only while that leg's end is this close (a carrot fed ahead). */
const CARROT_REACH_M = 50;
/** Below this speed a new leg starts where the copter is. */
const MOVING_MS = 0.5;

const cosOf = (deg: number) => Math.cos((deg * Math.PI) / 180);

/**
 * Starts a leg to `to` from the copter's present state. `prev` is the leg it was flying: a target that moves
 * on along the same line while the copter has not reached the old one (a carrot fed ahead on a lane) continues
 * that line, so the copter closes onto it rather than chasing the point.
 */
export function startLeg(k: Kinematics, to: Vec2, prev?: Leg): Leg {
  const sp = Math.hypot(k.vel.n, k.vel.e);
  const dn = to.n - k.pos.n;
  const de = to.e - k.pos.e;
  const dist = Math.hypot(dn, de);
  if (sp < MOVING_MS || dist < 0.5) return { from: { ...k.pos }, to, brakeDir: undefined };
  const cos = (k.vel.n * dn + k.vel.e * de) / (sp * dist);
  if (cos >= cosOf(BRAKE_ANGLE_DEG)) {
    // only a target re-sent a carrot's length on from the old one continues its line: the carrots recorded were
    // 20 and 40 m ahead. A leg's far end still a long way off says nothing of the new line, and continuing it
    // from there pulled the copter sideways onto that line's extension at up to 47 m/s (into a no-fly zone on
    // a generated town), where ArduCopter heads for the new target.
    if (prev && !prev.brakeDir && Math.hypot(prev.to.n - k.pos.n, prev.to.e - k.pos.e) <= CARROT_REACH_M) {
      const on = { n: to.n - prev.to.n, e: to.e - prev.to.e };
      const step = Math.hypot(on.n, on.e);
      const ahead = (prev.to.n - k.pos.n) * k.vel.n + (prev.to.e - k.pos.e) * k.vel.e > 0;
      if (ahead && step > 0.1 && (on.n * k.vel.n + on.e * k.vel.e) / (step * sp) >= cosOf(BRAKE_ANGLE_DEG))
        return { from: { ...prev.to }, to, brakeDir: undefined };
    }
    return { from: { ...k.pos }, to, brakeDir: undefined, pursuit: true };
  }
  return { from: { ...k.pos }, to, brakeDir: { n: k.vel.n / sp, e: k.vel.e / sp } };
}

/** Moves acceleration towards `want` at no more than `jerk`, then velocity by the acceleration. */
function applyAcc(k: Kinematics, want: Vec2, jerk: number, dt: number): void {
  const dn = want.n - k.acc.n;
  const de = want.e - k.acc.e;
  const d = Math.hypot(dn, de);
  const step = jerk * dt;
  if (d > step) {
    k.acc.n += (dn / d) * step;
    k.acc.e += (de / d) * step;
  } else {
    k.acc.n = want.n;
    k.acc.e = want.e;
  }
  k.vel.n += k.acc.n * dt;
  k.vel.e += k.acc.e * dt;
}

function clampLen(v: Vec2, max: number): Vec2 {
  const m = Math.hypot(v.n, v.e);
  return m > max ? { n: (v.n / m) * max, e: (v.e / m) * max } : v;
}

/** Cross-track loop: keeps the copter on the leg's line (natural frequency, rad/s). */
const CROSS_W = 1.2;
const CROSS_ACC_FACTOR = 2;

/** One step of flying `leg` at up to `speed`. */
export function stepLeg(k: Kinematics, leg: Leg, speed: number, s: Shaping, dt: number): void {
  if (leg.brakeDir) {
    const d = leg.brakeDir;
    const along = k.vel.n * d.n + k.vel.e * d.e;
    if (along > 0.05) {
      // brake along the old heading, easing off as the speed goes, so that it ends at rest
      const a = -Math.min(s.brake, Math.sqrt(2 * s.brakeJerk * along));
      const cn = k.vel.n - along * d.n;
      const ce = k.vel.e - along * d.e;
      applyAcc(k, { n: a * d.n - 2 * CROSS_W * cn, e: a * d.e - 2 * CROSS_W * ce }, s.brakeJerk, dt);
      return;
    }
    // stopped along the old heading: the straight line starts here
    leg.brakeDir = undefined;
    leg.from = { ...k.pos };
  }
  // a target taken on the move, without braking, is pursued: the line runs from where the copter is
  if (leg.pursuit) leg.from = { n: k.pos.n, e: k.pos.e };
  const ln = leg.to.n - leg.from.n;
  const le = leg.to.e - leg.from.e;
  const len = Math.hypot(ln, le);
  if (len < 0.01) {
    // hold a point
    const want = clampLen({ n: CROSS_W * CROSS_W * (leg.to.n - k.pos.n) - 2 * CROSS_W * k.vel.n, e: CROSS_W * CROSS_W * (leg.to.e - k.pos.e) - 2 * CROSS_W * k.vel.e }, s.acc);
    applyAcc(k, want, s.jerk, dt);
    return;
  }
  const u = { n: ln / len, e: le / len };
  const rn = k.pos.n - leg.from.n;
  const re = k.pos.e - leg.from.e;
  const along = rn * u.n + re * u.e;
  const remaining = len - along;
  const cross = { n: rn - along * u.n, e: re - along * u.e };
  const vA = k.vel.n * u.n + k.vel.e * u.e;
  const vC = { n: k.vel.n - vA * u.n, e: k.vel.e - vA * u.e };
  // still speeding up, the copter covers more ground before its deceleration can build up: take it off
  const aAlong = k.acc.n * u.n + k.acc.e * u.e;
  const lead = aAlong > 0 && vA > 0 ? (vA * aAlong) / s.decJerk + (aAlong * aAlong * aAlong) / (3 * s.decJerk * s.decJerk) : 0;
  const room = Math.max(0, Math.abs(remaining) - lead);
  const vDes = Math.sign(remaining) * Math.min(speed, stopSpeed(room, s.dec, s.decJerk));
  let aA = (vDes - vA) / s.tau;
  const braking = aA * vA < 0;
  aA = Math.max(-(braking ? s.dec : s.acc), Math.min(braking ? s.dec : s.acc, aA));
  // near the end the speed loop alone would lag behind the arrival curve: track the curve's own deceleration
  if (braking && Math.abs(remaining) > 0.01) aA = Math.sign(aA) * Math.max(Math.abs(aA), Math.min(s.dec, (vA * vA) / (2 * Math.abs(remaining))));
  // sideways the copter may lean further than it accelerates along its path (a carrot re-sent ahead on a lane
  // is joined within ≈ 50 m, as recorded)
  const aC = clampLen({ n: -CROSS_W * CROSS_W * cross.n - 2 * CROSS_W * vC.n, e: -CROSS_W * CROSS_W * cross.e - 2 * CROSS_W * vC.e }, CROSS_ACC_FACTOR * s.acc);
  applyAcc(k, { n: aA * u.n + aC.n, e: aA * u.e + aC.e }, braking ? s.decJerk : s.jerk, dt);
}

/** Brakes to a stop where the copter is going (BRAKE mode, the end of a velocity target, take-off). */
export function stepBrake(k: Kinematics, s: Shaping, dt: number): void {
  const sp = Math.hypot(k.vel.n, k.vel.e);
  if (sp < 0.05) {
    k.vel.n = k.vel.e = k.acc.n = k.acc.e = 0;
    return;
  }
  const a = Math.min(s.brake, Math.sqrt(2 * s.brakeJerk * sp));
  applyAcc(k, { n: (-a * k.vel.n) / sp, e: (-a * k.vel.e) / sp }, s.brakeJerk, dt);
}

/** Flies a velocity target (GUIDED velocity commands): speed change at the shaping's limits. */
export function stepVelocity(k: Kinematics, want: Vec2, s: Shaping, dt: number): void {
  const a = clampLen({ n: (want.n - k.vel.n) / 0.4, e: (want.e - k.vel.e) / 0.4 }, s.acc);
  applyAcc(k, a, s.jerk, dt);
}
