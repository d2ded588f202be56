/**
 * Pushes numbered frames from one link to another as fast as the radio takes them, honouring back-pressure
 * and link state, optionally pulling cables on the way, and checks the one promise a link makes: every frame
 * the radio accepted arrives exactly once. Used by the tests and `murmur bench link`.
 */
import type { Link } from './link.js';

export interface SoakOptions {
  readonly sender: Link;
  readonly receiver: Link;
  readonly frames: number;
  readonly payloadBytes: number;
  /** Sends in flight at once (waiting for the radio's answer). */
  readonly window?: number;
  /**
   * Called before frame i is offered; may pull a cable (resolve when done). The sender keeps going while the
   * receiver is away: its modem has to hold what it hears.
   */
  readonly disrupt?: (i: number) => Promise<void> | void;
  /** Wait this long for stragglers after the last accepted frame, ms. */
  readonly drainMs?: number;
  /** Give up entirely after this long, ms. */
  readonly timeoutMs?: number;
}

export interface SoakResult {
  offered: number;
  accepted: number;
  /** Refusals by reason (queue_full is back-pressure and is retried). */
  refusals: Record<string, number>;
  received: number;
  /** Accepted frames that never arrived. */
  lost: number;
  /** Frames that arrived more than once. */
  duplicated: number;
  /** Frames that arrived although the radio never confirmed accepting them (answers lost on the cable). */
  unconfirmedArrived: number;
  /** Frames that arrived bit-altered (wrong filler for their number). */
  corrupted: number;
  elapsedMs: number;
  bytes: number;
}

function frameFor(i: number, bytes: number): Uint8Array {
  const f = new Uint8Array(Math.max(4, bytes));
  new DataView(f.buffer).setUint32(0, i);
  for (let k = 4; k < f.length; k++) f[k] = (i * 31 + k) & 0xff;
  return f;
}

function checkFiller(f: Uint8Array, i: number): boolean {
  for (let k = 4; k < f.length; k++) if (f[k] !== ((i * 31 + k) & 0xff)) return false;
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const window = o.window ?? 8;
  const accepted = new Uint8Array(o.frames);
  const seen = new Uint16Array(o.frames);
  const refusals: Record<string, number> = {};
  let received = 0;
  let corrupted = 0;
  let acceptedCount = 0;
  const off = o.receiver.on('packet', (p) => {
    if (p.data.length < 4) return;
    const i = new DataView(p.data.buffer, p.data.byteOffset, p.data.byteLength).getUint32(0);
    if (i >= o.frames) return;
    received++;
    if (seen[i]! < 0xffff) seen[i]!++;
    if (!checkFiller(p.data, i)) corrupted++;
  });
  const start = Date.now();
  const deadline = start + (o.timeoutMs ?? 120_000);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settle = () => {
    inFlight--;
    wake?.();
  };
  const offer = async (i: number): Promise<void> => {
    const data = frameFor(i, o.payloadBytes);
    for (;;) {
      if (Date.now() > deadline) return;
      if (o.sender.state !== 'up') {
        await sleep(5);
        continue;
      }
      const r = await o.sender.send(data);
      if (r.ok) {
        accepted[i] = 1;
        acceptedCount++;
        return;
      }
      refusals[r.reason] = (refusals[r.reason] ?? 0) + 1;
      if (r.reason === 'closed' || r.reason === 'oversize') return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, r.reason === 'queue_full' ? 50 : 5);
        const un = o.sender.on('writable', done);
        function done() {
          clearTimeout(t);
          un();
          resolve();
        }
      });
    }
  };
  for (let i = 0; i < o.frames; i++) {
    if (Date.now() > deadline) break;
    await o.disrupt?.(i);
    while (inFlight >= window) await new Promise<void>((r) => (wake = r));
    inFlight++;
    void offer(i).then(settle, settle);
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  // wait until every accepted frame arrived, or nothing new arrives for drainMs
  let last = received;
  let quietSince = Date.now();
  const drain = o.drainMs ?? 3000;
  for (;;) {
    let missing = 0;
    for (let i = 0; i < o.frames; i++) if (accepted[i] && !seen[i]) missing++;
    if (missing === 0 || Date.now() > deadline) break;
    if (received !== last) {
      last = received;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > drain) break;
    await sleep(10);
  }
  const elapsedMs = Date.now() - start;
  off();
  let lost = 0;
  let duplicated = 0;
  let unconfirmedArrived = 0;
  for (let i = 0; i < o.frames; i++) {
    if (accepted[i] && !seen[i]) lost++;
    if (seen[i]! > 1) duplicated++;
    if (!accepted[i] && seen[i]) unconfirmedArrived++;
  }
  return {
    offered: o.frames,
    accepted: acceptedCount,
    refusals,
    received,
    lost,
    duplicated,
    unconfirmedArrived,
    corrupted,
    elapsedMs,
    bytes: acceptedCount * Math.max(4, o.payloadBytes),
  };
}
