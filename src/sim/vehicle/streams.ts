/**
 * The simulated copter's telemetry streams (SET_MESSAGE_INTERVAL / GET_MESSAGE_INTERVAL): which messages go out
 * how often, each on a schedule kept against the clock.
 */
import type { MavLinkData } from 'node-mavlink';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { MSG, SEVERITY } from '../../vehicle/mavlink/messages.js';
import { STREAMABLE } from './telemetry-messages.js';

export interface StreamHost {
  readonly clock: Clock;
  build(msgid: number): MavLinkData | undefined;
  emit(data: MavLinkData): void;
  text(severity: number, text: string): void;
}

export class SimStreams {
  private readonly streams = new Map<number, { intervalMs: number; cancel: () => void }>();

  constructor(private readonly h: StreamHost) {}

  /** SET_MESSAGE_INTERVAL: returns the MAV_RESULT. */
  set(id: number, intervalUs: number): number {
    if (id !== MSG.HEARTBEAT && !STREAMABLE.has(id)) {
      this.h.text(SEVERITY.INFO, `No ap_message for mavlink id (${id})`);
      return 2;
    }
    if (id === MSG.HEARTBEAT) return 0;
    this.streams.get(id)?.cancel();
    this.streams.delete(id);
    // 0 = default rate (off on this port), -1 = off.
    if (intervalUs > 0) {
      const intervalMs = Math.max(1, intervalUs / 1000);
      const cancel = steadyInterval(this.h.clock, intervalMs, () => {
        const m = this.h.build(id);
        if (m) this.h.emit(m);
      });
      this.streams.set(id, { intervalMs, cancel });
    }
    return 0;
  }

  /** GET_MESSAGE_INTERVAL's answer, µs: the heartbeat's 1 s, a stream's interval, or -1 when it is off. */
  intervalUs(id: number): number {
    return id === MSG.HEARTBEAT ? 1_000_000 : this.streams.has(id) ? this.streams.get(id)!.intervalMs * 1000 : -1;
  }

  stop(): void {
    for (const s of this.streams.values()) s.cancel();
    this.streams.clear();
  }
}

/**
 * An interval that keeps to its schedule on the clock: each firing is planned from when the previous one was
 * due, not from when its timer ran, so a stream at 5 Hz gives 15 messages in 3 s also at 10× on a busy machine.
 */
function steadyInterval(clock: Clock, ms: number, fn: () => void): () => void {
  let due = clock.now() + ms;
  let handle: TimerHandle | undefined;
  let live = true;
  const arm = () => {
    handle = clock.setTimeout(run, Math.max(0, due - clock.now()));
  };
  const run = () => {
    if (!live) return;
    // a timer that is very late sends once, then keeps the schedule from now
    if (clock.now() - due > 5 * ms) due = clock.now();
    fn();
    due += ms;
    arm();
  };
  arm();
  return () => {
    live = false;
    clock.clearTimeout(handle);
  };
}
