/** Reconnect back-off: doubles from `initialMs` up to `maxMs`, reset once a connection held. Pure. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 5_000, factor: 2 };

export class Backoff {
  private attempt = 0;
  constructor(readonly policy: BackoffPolicy = DEFAULT_BACKOFF) {}

  /** Delay before the next attempt, ms. */
  next(): number {
    const d = Math.min(this.policy.maxMs, this.policy.initialMs * this.policy.factor ** this.attempt);
    this.attempt++;
    return d;
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
