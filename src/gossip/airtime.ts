/**
 * Airtime: LoRa time on air (Semtech SX126x datasheet §6.1.4) and a regional duty-cycle budget over a
 * sliding window (EU868: 1% of any hour = 36 s). Airtime is the scarcest resource of the mesh, so every
 * transmission of the gossip engine and of the simulated baseline goes through these two.
 */

export interface LoraParams {
  /** Spreading factor 7..12. */
  readonly sf: number;
  /** Bandwidth in Hz (125_000, 250_000, 500_000). */
  readonly bw: number;
  /** Coding rate denominator offset: 1 for 4/5 … 4 for 4/8. */
  readonly cr: number;
  /** Preamble symbols (8 by default). */
  readonly preamble?: number;
  /** Payload CRC on (default true). */
  readonly crc?: boolean;
  /** Implicit header (default false: explicit). */
  readonly implicitHeader?: boolean;
  /** Low data rate optimisation; default: on when a symbol lasts 16 ms or more. */
  readonly lowDataRateOptimize?: boolean;
}

export const SF9_125: LoraParams = { sf: 9, bw: 125_000, cr: 1 };

/** Symbol duration in seconds. */
export function symbolTime(p: LoraParams): number {
  return 2 ** p.sf / p.bw;
}

/** Seconds on air of one LoRa frame carrying `payloadBytes` bytes. */
export function loraTimeOnAir(payloadBytes: number, p: LoraParams): number {
  const tSym = symbolTime(p);
  const nPre = p.preamble ?? 8;
  const crc = p.crc === false ? 0 : 1;
  const ih = p.implicitHeader ? 1 : 0;
  const de = (p.lowDataRateOptimize ?? tSym >= 0.016) ? 1 : 0;
  const num = 8 * payloadBytes - 4 * p.sf + 28 + 16 * crc - 20 * ih;
  const den = 4 * (p.sf - 2 * de);
  const payloadSymbols = 8 + Math.max(Math.ceil(num / den) * (p.cr + 4), 0);
  return (nPre + 4.25) * tSym + payloadSymbols * tSym;
}

export interface DutyCycleRule {
  /** Fraction of the window a node may transmit, e.g. 0.01. */
  readonly fraction: number;
  /** Window length in seconds, e.g. 3600. */
  readonly windowS: number;
}

export const EU868_1PCT: DutyCycleRule = { fraction: 0.01, windowS: 3600 };

/**
 * Transmissions of one radio within a sliding window. `allows(now, d)` is true only if a transmission of
 * d seconds starting now keeps every window ending at or after now within the budget: since past
 * transmissions only age out, checking the window [now + d − W, now + d] is enough.
 */
export class DutyCycleWindow {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private head = 0;

  constructor(readonly rule: DutyCycleRule) {}

  get budgetS(): number {
    return this.rule.fraction * this.rule.windowS;
  }

  /** Airtime already spent within [from, to]. */
  usedBetween(from: number, to: number): number {
    let used = 0;
    for (let i = this.head; i < this.starts.length; i++) {
      const s = Math.max(this.starts[i]!, from);
      const e = Math.min(this.ends[i]!, to);
      if (e > s) used += e - s;
    }
    return used;
  }

  /** Airtime spent in the window ending now. */
  used(now: number): number {
    return this.usedBetween(now - this.rule.windowS, now);
  }

  allows(now: number, durationS: number): boolean {
    // No pruning here: nextAllowed() asks about future times, and pruning for those would forget
    // transmissions that still count now.
    const end = now + durationS;
    return this.usedBetween(end - this.rule.windowS, end) + durationS <= this.budgetS + 1e-9;
  }

  /** Earliest time ≥ now at which a transmission of durationS fits (Infinity if it never can). */
  nextAllowed(now: number, durationS: number): number {
    if (durationS > this.budgetS) return Infinity;
    if (this.allows(now, durationS)) return now;
    // The window slides past old transmissions one by one: try the moments they age out.
    for (let i = this.head; i < this.ends.length; i++) {
      const t = this.ends[i]! + this.rule.windowS - durationS;
      if (t > now && this.allows(t, durationS)) return t;
    }
    return now + this.rule.windowS;
  }

  record(start: number, durationS: number): void {
    this.prune(start);
    this.starts.push(start);
    this.ends.push(start + durationS);
  }

  private prune(now: number): void {
    const horizon = now - this.rule.windowS;
    while (this.head < this.ends.length && this.ends[this.head]! <= horizon) this.head++;
    if (this.head > 1024) {
      this.starts.splice(0, this.head);
      this.ends.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Highest airtime fraction over any window of `windowS` seconds, for transmissions given as [start, duration]. */
export function maxWindowFraction(tx: readonly (readonly [number, number])[], windowS: number): number {
  const sorted = [...tx].sort((a, b) => a[0] - b[0]);
  let best = 0;
  let j = 0;
  let sum = 0;
  // The worst window ends at the end of some transmission.
  for (let i = 0; i < sorted.length; i++) {
    const end = sorted[i]![0] + sorted[i]![1];
    sum += sorted[i]![1];
    while (j <= i && sorted[j]![0] + sorted[j]![1] <= end - windowS) {
      sum -= sorted[j]![1];
      j++;
    }
    // A transmission straddling the window start counts only partly.
    let used = sum;
    const first = sorted[j];
    if (first && first[0] < end - windowS) used -= end - windowS - first[0];
    best = Math.max(best, used / windowS);
  }
  return best;
}
