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
  // One pump keeps sends in flight up to the free slots the radio last reported (at most `window`), so a
  // full queue is waited out instead of being hammered with sends that come back queue_full.
  let inFlight = 0;
  let next = 0;
  const retry: number[] = [];
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const offWritable = o.sender.on('writable', poke);
  const waitEvent = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const free = () => {
    const q = o.sender.queue;
    return q ? q.capacity - q.used : window;
  };
  // Radios that do not report their queue draining (Meshtastic) leave the figures stale: after a quiet
  // spell with nothing in flight, probe with one send; its answer refreshes the figures.
  let lastAnswerAt = Date.now();
  while (next < o.frames || retry.length > 0 || inFlight > 0) {
    if (Date.now() > deadline) break;
    const haveWork = retry.length > 0 || next < o.frames;
    const probe = inFlight === 0 && Date.now() - lastAnswerAt > 50;
    if (o.sender.state !== 'up' || (inFlight >= Math.min(window, free()) && !probe) || !haveWork) {
      await waitEvent(2);
      continue;
    }
    let i: number;
    if (retry.length > 0) i = retry.shift()!;
    else {
      i = next++;
      await o.disrupt?.(i);
    }
    inFlight++;
    const data = frameFor(i, o.payloadBytes);
    void o.sender.send(data).then((r) => {
      inFlight--;
      lastAnswerAt = Date.now();
      if (r.ok) {
        accepted[i] = 1;
        acceptedCount++;
      } else {
        refusals[r.reason] = (refusals[r.reason] ?? 0) + 1;
        if (r.reason !== 'closed' && r.reason !== 'oversize') retry.push(i);
      }
      poke();
    });
  }
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
  offWritable();
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
