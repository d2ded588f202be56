/**
 * Airtime spent because of what others claim: answers to digests and HAVE lists, repairs offered on a
 * neighbour's summary, and our own digests opened because a neighbour's summary said we were behind. A
 * claim costs its sender one small packet and can ask for everything we hold, so these are budgeted per
 * requester (the packet's claimed sender) and in all, over the duty-cycle window: no claim, from one id or
 * many, makes this node spend more than `totalShare` of its duty budget on answers (docs/wire.md).
 */
import type { NodeId } from '../wire/facts.js';

export interface AnswerBudgetConfig {
  /** Share of the duty budget all answers may use per window... */
  readonly totalShare: number;
  /** ...and answers to one requester. */
  readonly perRequesterShare: number;
  readonly windowS: number;
  /** Airtime of one byte on air (seconds), to charge answers by their size. */
  readonly secondsPerByte: number;
}

export class AnswerBudget {
  private readonly spent: { at: number; who: NodeId; s: number }[] = [];
  private total = 0;
  private readonly byWho = new Map<NodeId, number>();
  refused = 0;

  /** `budgetS`: the node's duty budget per window, seconds of airtime. */
  constructor(
    readonly budgetS: number,
    readonly cfg: AnswerBudgetConfig = { totalShare: 0.3, perRequesterShare: 0.1, windowS: 3600, secondsPerByte: 0.0018 },
  ) {}

  private expire(now: number): void {
    while (this.spent.length && this.spent[0]!.at <= now - this.cfg.windowS) {
      const e = this.spent.shift()!;
      this.total -= e.s;
      this.byWho.set(e.who, (this.byWho.get(e.who) ?? 0) - e.s);
    }
  }

  /** Share of the total answer budget spent in the window ending now (1: used up). */
  usedShare(now: number): number {
    this.expire(now);
    return this.total / (this.cfg.totalShare * this.budgetS);
  }

  /** Charges `bytes` of answer to `who` if both budgets allow it; false (nothing charged) otherwise. */
  take(who: NodeId, bytes: number, now: number): boolean {
    this.expire(now);
    const s = bytes * this.cfg.secondsPerByte;
    if (this.total + s > this.cfg.totalShare * this.budgetS || (this.byWho.get(who) ?? 0) + s > this.cfg.perRequesterShare * this.budgetS) {
      this.refused++;
      return false;
    }
    this.spent.push({ at: now, who, s });
    this.total += s;
    this.byWho.set(who, (this.byWho.get(who) ?? 0) + s);
    return true;
  }
}
