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

interface Scheduled extends TimerHandle {
  at: number;
  order: number;
  readonly id: number;
  readonly fn: () => void;
  readonly every: number | undefined;
  /** Cleared: never fires again (a flag on the job itself, so clearing costs no lookup). */
  cancelled: boolean;
}

/**
 * Discrete-event virtual time: nothing happens until advanced; timers fire in (time, creation order), so a
 * run is a pure function of its inputs. Used by the swarm simulator and by tests.
 *
 * The queue is a binary heap moved by holes rather than swaps and the handle is the job itself: a swarm run arms
 * a timer per MAVLink message, and this is its innermost loop. The heap's comparisons are the same as a
 * swapping heap's, so equal (time, order) pairs keep the same order as before.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: Scheduled[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, Math.max(0, ms), undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, Math.max(1, ms), Math.max(1, ms));
  }

  clearTimeout(h: TimerHandle | undefined): void {
    if (h) (h as Scheduled).cancelled = true;
  }

  clearInterval(h: TimerHandle | undefined): void {
    if (h) (h as Scheduled).cancelled = true;
  }

  /** Time of the next pending timer, or undefined. */
  nextAt(): number | undefined {
    const h = this.heap;
    while (h.length && h[0]!.cancelled) this.pop();
    return h.length ? h[0]!.at : undefined;
  }

  /** Runs every timer due up to `until` (inclusive), then sets the time to `until`. Returns timers fired. */
  advanceTo(until: number): number {
    let fired = 0;
    const h = this.heap;
    for (;;) {
      while (h.length && h[0]!.cancelled) this.pop();
      if (!h.length || h[0]!.at > until) break;
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
    return this.heap.filter((j) => !j.cancelled).length;
  }

  private schedule(fn: () => void, delay: number, every: number | undefined): TimerHandle {
    const id = ++this.seq;
    const job: Scheduled = { at: this.t + delay, order: id, id, fn, every, cancelled: false };
    this.push(job);
    return job;
  }

  private push(j: Scheduled): void {
    const h = this.heap;
    let i = h.length;
    h.push(j);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (!(j.at < q.at || (j.at === q.at && j.order < q.order))) break;
      h[i] = q;
      i = p;
    }
    h[i] = j;
  }

  private pop(): Scheduled | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    const n = h.length;
    if (n && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m: Scheduled = last;
        let mi = i;
        if (l < n) {
          const a = h[l]!;
          if (a.at < m.at || (a.at === m.at && a.order < m.order)) {
            m = a;
            mi = l;
          }
        }
        if (r < n) {
          const b = h[r]!;
          if (b.at < m.at || (b.at === m.at && b.order < m.order)) {
            m = b;
            mi = r;
          }
        }
        if (mi === i) break;
        h[i] = m;
        i = mi;
      }
      h[i] = last;
    }
    return top;
  }
}
