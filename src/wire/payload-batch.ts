/** Filling one packet with facts in priority order, to a byte budget. */
import type { Fact, NodeId } from './facts.js';
import { cborBytesSize, cborIntSize } from './packing.js';
import { MAX_PAYLOAD_CELLS, compareCanonical, timeProblem, type PacketPayload } from './payload-format.js';
import { emitFacts, encodePayload } from './payload-encode.js';

/** Options for a batch: who sends, when, and how much room the link gives. */
export interface BatchOptions {
  readonly sender: NodeId;
  /** The sender's mission seconds (becomes the packet time). */
  readonly time: number;
  /** Largest payload in bytes (see maxPayloadFor in packet.ts to derive it from a link MTU). */
  readonly maxPayload: number;
  readonly control?: Uint8Array;
}

/**
 * Fills one packet. Facts are offered in the caller's order (its priority order); each is taken only if the
 * payload still fits, and `add` reports exactly how many bytes it added (facts are written in canonical
 * order, so the figure is the growth of the whole payload, which is what the budget needs).
 */
export class BatchBuilder {
  private readonly sorted: Fact[] = [];
  private readonly keys = new Set<string>();
  private bytes: number;
  private cells = 0;

  constructor(readonly options: BatchOptions) {
    const tp = timeProblem(options.time);
    if (tp) throw new RangeError(tp);
    this.bytes = cborIntSize(options.time) + (options.control ? cborBytesSize(options.control.length) : 0);
    if (this.bytes > options.maxPayload)
      throw new RangeError(`a payload budget of ${options.maxPayload} bytes has no room for the packet time and control records`);
  }

  /** Payload bytes so far. */
  get size(): number {
    return this.bytes;
  }

  get remaining(): number {
    return this.options.maxPayload - this.bytes;
  }

  get count(): number {
    return this.sorted.length;
  }

  get facts(): readonly Fact[] {
    return this.sorted;
  }

  /** Bytes the fact would add now, without adding it (undefined if it is already in the batch). */
  cost(fact: Fact): number | undefined {
    const key = `${fact.origin}:${fact.seq}`;
    if (this.keys.has(key)) return undefined;
    const at = this.insertionPoint(fact);
    this.sorted.splice(at, 0, fact);
    try {
      return this.measure() - this.bytes;
    } finally {
      this.sorted.splice(at, 1);
    }
  }

  /**
   * Adds the fact if it fits; returns the bytes it added, or undefined if it does not fit (or is already in).
   * Throws RangeError for a fact outside the documented ranges.
   */
  add(fact: Fact): number | undefined {
    const key = `${fact.origin}:${fact.seq}`;
    if (this.keys.has(key)) return undefined;
    const cells = fact.kind === 'coverage' ? fact.cells.length : 0;
    if (this.cells + cells > MAX_PAYLOAD_CELLS) return undefined;
    const at = this.insertionPoint(fact);
    this.sorted.splice(at, 0, fact);
    const size = this.measure();
    if (size > this.options.maxPayload) {
      this.sorted.splice(at, 1);
      return undefined;
    }
    const added = size - this.bytes;
    this.bytes = size;
    this.cells += cells;
    this.keys.add(key);
    return added;
  }

  payload(): PacketPayload {
    const { time, control } = this.options;
    return control ? { time, facts: [...this.sorted], control } : { time, facts: [...this.sorted] };
  }

  encode(): Uint8Array {
    return encodePayload(this.payload(), this.options.sender);
  }

  private measure(): number {
    const { time, control, sender } = this.options;
    // The builder keeps ids unique and sorted itself, so the emitter need not check them again.
    return cborIntSize(time) + emitFacts(this.sorted, sender, time, undefined, true) + (control ? cborBytesSize(control.length) : 0);
  }

  private insertionPoint(f: Fact): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.sorted[mid]!;
      if (compareCanonical(m, f) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
