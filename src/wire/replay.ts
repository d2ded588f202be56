/**
 * Per-sender replay window: the highest packet counter accepted from each sender and a sliding bitmap of
 * the `size` counters below it (as IPsec/DTLS do). A counter above the highest is new; one that fell out of
 * the window or whose bit is set is a replay. Memory is one small bitmap per keyring member (unknown
 * senders are refused before they get here).
 */
import type { NodeId } from './facts.js';

interface SenderWindow {
  highest: number;
  readonly bits: Uint32Array;
}

export class ReplayWindow {
  private readonly senders = new Map<NodeId, SenderWindow>();

  /** `size`: counters remembered below the highest (a multiple of 32). Reordering deeper than that is refused. */
  constructor(readonly size = 256) {
    if (size < 32 || size % 32 !== 0) throw new RangeError('replay window size must be a multiple of 32');
  }

  /** True if `counter` was never accepted from `sender` and is not too old to tell. */
  isFresh(sender: NodeId, counter: number): boolean {
    const w = this.senders.get(sender);
    if (!w || counter > w.highest) return true;
    if (w.highest - counter >= this.size) return false;
    const slot = counter % this.size;
    return (w.bits[slot >>> 5]! & (1 << (slot & 31))) === 0;
  }

  /** Records an authenticated packet (call only after the tag verified, so forgeries cannot move the window). */
  accept(sender: NodeId, counter: number): void {
    let w = this.senders.get(sender);
    if (!w) {
      w = { highest: counter, bits: new Uint32Array(this.size / 32) };
      this.senders.set(sender, w);
    } else if (counter > w.highest) {
      const gap = counter - w.highest;
      if (gap >= this.size) w.bits.fill(0);
      else for (let c = w.highest + 1; c < counter; c++) this.clear(w, c);
      w.highest = counter;
    }
    const slot = counter % this.size;
    w.bits[slot >>> 5]! |= 1 << (slot & 31);
  }

  /** Highest counter accepted from the sender, if any. */
  highest(sender: NodeId): number | undefined {
    return this.senders.get(sender)?.highest;
  }

  private clear(w: SenderWindow, c: number): void {
    const slot = c % this.size;
    w.bits[slot >>> 5]! &= ~(1 << (slot & 31));
  }
}
