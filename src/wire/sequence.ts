/**
 * Numbers that must never repeat, also across reboots: fact sequence numbers and packet counters (the
 * packet counter is half of the AEAD nonce, so a repeat would leak plaintext). Values are handed out from
 * a block reserved ahead on durable storage: before the first value of a block is used, the block's end is
 * recorded. After a crash the node resumes above everything it ever reserved, skipping at most one
 * block's unused values. The store is the only I/O and is injected (sequence-file.ts writes it to disk).
 *
 * The store alone cannot help when its file is lost or an old backup is restored: the sequence would
 * restart low and reuse values (for packet counters: nonces). So a sequence may also follow a clock: the
 * value handed out at time t (seconds since the swarm key was made) never exceeds (t + 1)·rate − 1, and a
 * sequence starts at t·rate + 1 at the earliest. A node that reboots at least a second later, with any file
 * or none, starts above every value it used before (the clock is GPS time on a drone, the station's clock on
 * the ground, and must not run backwards across a reboot).
 */

export interface ReservationStore {
  /** Highest value ever reserved (0 if none). */
  load(): number;
  /** Durably records that values up to `limit` may have been used. Must not return before it is durable. */
  reserve(limit: number): void;
}

export class SequenceExhausted extends Error {}

/** A time-based lower bound: `now()` seconds since the key epoch, `rate` values per second at most. */
export interface SequenceClock {
  readonly now: () => number;
  readonly rate: number;
}

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
    private readonly clock?: SequenceClock,
  ) {
    if (!(block >= 1)) throw new RangeError('block must be at least 1');
    this.limit = store.load();
    if (!Number.isInteger(this.limit) || this.limit < 0) throw new RangeError(`stored reservation ${this.limit} is not a count`);
    this.nextValue = this.limit + 1;
    if (clock) {
      const floor = Math.floor(Math.max(0, clock.now()) * clock.rate) + 1;
      if (floor > this.nextValue) {
        // Start above anything a previous life could have used, whatever the file said (lost, restored).
        this.nextValue = floor;
        this.limit = floor - 1;
      }
    }
  }

  /** The next unused value; reserves a new block first when the current one is used up. */
  take(): number {
    if (this.nextValue > this.limit) {
      if (this.nextValue > this.max) throw new SequenceExhausted(`sequence exhausted at ${this.max}`);
      let limit = Math.min(this.max, this.limit + this.block);
      if (this.clock) {
        // Never reserve (so never use) a value a reboot a second from now would not start above.
        const ceiling = Math.floor((Math.max(0, this.clock.now()) + 1) * this.clock.rate) - 1;
        if (this.nextValue > ceiling)
          throw new SequenceExhausted(
            `value ${this.nextValue} is ahead of the clock (more than ${this.clock.rate} a second, or the clock is behind the sequence file): wait for the clock`,
          );
        limit = Math.min(limit, ceiling);
      }
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
