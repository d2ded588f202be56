/** Node movement for the simulator: random waypoint inside a rectangle, or fixed positions. */
import type { Random } from '../../core/random.js';

export interface Point {
  x: number;
  y: number;
}

export interface Mobility {
  /** Position at time t (seconds); calls come with non-decreasing t per node in a run. */
  at(t: number): Point;
}

export function fixed(p: Point): Mobility {
  return { at: () => p };
}

interface Leg {
  t0: number;
  t1: number;
  from: Point;
  to: Point;
}

/** Random waypoint: fly to a random point at a random speed, pause, repeat. Legs are drawn lazily. */
export function randomWaypoint(
  random: Random,
  area: { w: number; h: number },
  speed: readonly [number, number] = [5, 15],
  pauseS: readonly [number, number] = [0, 60],
  start?: Point,
): Mobility {
  const legs: Leg[] = [];
  let cursor = 0;
  let pos = start ?? { x: random.range(0, area.w), y: random.range(0, area.h) };
  let t = 0;
  const extend = (until: number) => {
    while (t <= until) {
      const to = { x: random.range(0, area.w), y: random.range(0, area.h) };
      const d = Math.hypot(to.x - pos.x, to.y - pos.y);
      const v = random.range(speed[0], speed[1]);
      const t1 = t + d / v;
      legs.push({ t0: t, t1, from: pos, to });
      const pause = random.range(pauseS[0], pauseS[1]);
      legs.push({ t0: t1, t1: t1 + pause, from: to, to });
      pos = to;
      t = t1 + pause;
    }
  };
  return {
    at(time) {
      extend(time);
      if (cursor >= legs.length || legs[cursor]!.t0 > time) cursor = 0;
      while (legs[cursor]!.t1 < time) cursor++;
      const l = legs[cursor]!;
      const f = l.t1 > l.t0 ? (time - l.t0) / (l.t1 - l.t0) : 1;
      return { x: l.from.x + (l.to.x - l.from.x) * f, y: l.from.y + (l.to.y - l.from.y) * f };
    },
  };
}
