/**
 * Time for the edges. Anything that waits (retries, heartbeats, timeouts) takes a Clock instead of calling
 * Date.now / setTimeout, so the same code runs in real time on a drone, at K× in a demo, and in virtual time in
 * the deterministic simulator and in tests.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds (Unix epoch for the system clock; any origin for others). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

/** Resolves after `ms` of this clock's time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Real time. */
export const systemClock: Clock = (() => {
  let next = 1;
  const live = new Map<number, ReturnType<typeof globalThis.setTimeout>>();
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      live.set(
        id,
        globalThis.setTimeout(() => {
          live.delete(id);
          fn();
        }, ms),
      );
      return { id };
    },
    clearTimeout(h) {
      if (!h) return;
      const t = live.get(h.id);
      if (t !== undefined) globalThis.clearTimeout(t);
      live.delete(h.id);
    },
    setInterval(fn, ms) {
      const id = next++;
      live.set(id, globalThis.setInterval(fn, ms));
      return { id };
    },
    clearInterval(h) {
      if (!h) return;
      const t = live.get(h.id);
      if (t !== undefined) globalThis.clearInterval(t);
      live.delete(h.id);
    },
  };
})();

/**
 * Real time sped up K times: now() advances K ms per real ms and a timer of `ms` fires after ms/K real ms.
 * For demos and SITL-style runs at a speed-up.
 */
export function scaledClock(speedup: number, start = Date.now()): Clock {
  const realStart = Date.now();
  const now = () => start + (Date.now() - realStart) * speedup;
  return {
    now,
    setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms / speedup),
    clearTimeout: (h) => systemClock.clearTimeout(h),
    setInterval: (fn, ms) => systemClock.setInterval(fn, Math.max(1, ms / speedup)),
    clearInterval: (h) => systemClock.clearInterval(h),
  };
}

interface Scheduled {
  at: number;
  order: number;
  id: number;
  fn: () => void;
  every?: number;
}

/**
 * Discrete-event virtual time: nothing happens until advanced; timers fire in (time, creation order), so a
 * run is a pure function of its inputs. Used by the swarm simulator and by tests.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: Scheduled[] = [];
  private readonly cancelled = new Set<number>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, Math.max(0, ms));
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, Math.max(1, ms), Math.max(1, ms));
  }

  clearTimeout(h: TimerHandle | undefined): void {
    if (h) this.cancelled.add(h.id);
  }

  clearInterval(h: TimerHandle | undefined): void {
    if (h) this.cancelled.add(h.id);
  }

  /** Time of the next pending timer, or undefined. */
  nextAt(): number | undefined {
    while (this.heap.length && this.cancelled.has(this.heap[0]!.id)) this.pop();
    return this.heap[0]?.at;
  }

  /** Runs every timer due up to `until` (inclusive), then sets the time to `until`. Returns timers fired. */
  advanceTo(until: number): number {
    let fired = 0;
    for (;;) {
      const at = this.nextAt();
      if (at === undefined || at > until) break;
      const job = this.pop()!;
      this.t = job.at;
      if (job.every !== undefined) {
        job.at += job.every;
        job.order = this.seq++;
        this.push(job);
      }
      fired++;
      job.fn();
    }
    if (until > this.t) this.t = until;
    return fired;
  }

  advance(ms: number): number {
    return this.advanceTo(this.t + ms);
  }

  /** Pending timers (cancelled ones excluded). */
  get pending(): number {
    return this.heap.filter((j) => !this.cancelled.has(j.id)).length;
  }

  private schedule(fn: () => void, delay: number, every?: number): TimerHandle {
    const id = ++this.seq;
    const job: Scheduled = { at: this.t + delay, order: id, id, fn };
    if (every !== undefined) job.every = every;
    this.push(job);
    return { id };
  }

  private less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private push(j: Scheduled): void {
    const h = this.heap;
    h.push(j);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Scheduled | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    if (top && this.cancelled.has(top.id) && top.every === undefined) this.cancelled.delete(top.id);
    return top;
  }
}
