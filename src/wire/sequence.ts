/**
 * Numbers that must never repeat, also across reboots: fact sequence numbers and packet counters (the
 * packet counter is half of the AEAD nonce, so a repeat would leak plaintext). Values are handed out from
 * a block reserved ahead on durable storage: before the first value of a block is used, the block's end is
 * recorded. After a crash the node resumes above everything it ever reserved, skipping at most one
 * block's unused values. The store is the only I/O and is injected (sequence-file.ts writes it to disk).
 */

export interface ReservationStore {
  /** Highest value ever reserved (0 if none). */
  load(): number;
  /** Durably records that values up to `limit` may have been used. Must not return before it is durable. */
  reserve(limit: number): void;
}

export class SequenceExhausted extends Error {}

export class ReservedSequence {
  private nextValue: number;
  private limit: number;

  /**
   * @param block values reserved per write (fewer writes vs. fewer values skipped after a crash)
   * @param max largest value the sequence may hand out
   */
  constructor(
    private readonly store: ReservationStore,
    readonly max: number,
    readonly block = 256,
  ) {
    if (!(block >= 1)) throw new RangeError('block must be at least 1');
    this.limit = store.load();
    if (!Number.isInteger(this.limit) || this.limit < 0) throw new RangeError(`stored reservation ${this.limit} is not a count`);
    this.nextValue = this.limit + 1;
  }

  /** The next unused value; reserves a new block first when the current one is used up. */
  take(): number {
    if (this.nextValue > this.limit) {
      if (this.nextValue > this.max) throw new SequenceExhausted(`sequence exhausted at ${this.max}`);
      const limit = Math.min(this.max, this.limit + this.block);
      this.store.reserve(limit);
      this.limit = limit;
    }
    return this.nextValue++;
  }

  /** The value take() would return next (without reserving anything). */
  peek(): number {
    return this.nextValue;
  }
}

/** In-memory store, for simulations where a "reboot" keeps the store object. */
export class MemoryReservationStore implements ReservationStore {
  writes = 0;
  constructor(private value = 0) {}
  load(): number {
    return this.value;
  }
  reserve(limit: number): void {
    this.value = limit;
    this.writes++;
  }
}
