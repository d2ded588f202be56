/** Discrete-event queue: events run in (time, insertion) order, so a run is a pure function of its inputs. */
export class EventQueue {
  private readonly at: number[] = [];
  private readonly order: number[] = [];
  private readonly fns: (() => void)[] = [];
  private seq = 0;
  now = 0;

  push(at: number, fn: () => void): void {
    const a = this.at;
    let i = a.length;
    a.push(at);
    this.order.push(this.seq++);
    this.fns.push(fn);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  get size(): number {
    return this.at.length;
  }

  /** Runs events up to and including `until`; the clock ends at `until`. */
  runUntil(until: number): void {
    while (this.at.length && this.at[0]! <= until) {
      const t = this.at[0]!;
      const fn = this.fns[0]!;
      this.popTop();
      this.now = t;
      fn();
    }
    this.now = until;
  }

  private less(i: number, j: number): boolean {
    return this.at[i]! < this.at[j]! || (this.at[i] === this.at[j] && this.order[i]! < this.order[j]!);
  }

  private swap(i: number, j: number): void {
    [this.at[i], this.at[j]] = [this.at[j]!, this.at[i]!];
    [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    [this.fns[i], this.fns[j]] = [this.fns[j]!, this.fns[i]!];
  }

  private popTop(): void {
    const last = this.at.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.order.pop();
    this.fns.pop();
    let i = 0;
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
