/**
 * Simulated vehicles in-process: a SimCopter behind an in-memory byte link, both on one Clock. With a
 * VirtualClock the whole exchange (adapter timers, link latency and loss, vehicle physics) is a deterministic
 * discrete-event run: `drive` advances time timer by timer and lets promises settle in between.
 */
import type { VirtualClock, Clock } from '../../core/clock.js';
import { seededRandom } from '../../core/random.js';
import { memoryLinkPair, type ByteLink, type Connector } from '../../vehicle/transport.js';
import { SimCopter, type SimCopterOptions } from './copter.js';
import { SimLink } from './link.js';

export interface InProcessVehicleOptions extends SimCopterOptions {
  /** One-way link delay in clock ms (default 2). */
  readonly latencyMs?: number;
  /** Per-packet loss in each direction, injected by the vehicle's side of the link. */
  readonly loss?: number;
  readonly signingKey?: Uint8Array;
}

export interface InProcessVehicle {
  readonly copter: SimCopter;
  /** Give this to the adapter as `connection`; each call is a fresh link (reconnects work). */
  readonly connect: Connector;
  /** Pulls the cable now; connections are refused until `restoreAt` (clock ms). */
  cut(forMs: number): void;
  setLoss(p: number): void;
}

export function inProcessVehicle(opts: InProcessVehicleOptions): InProcessVehicle {
  const clock: Clock = opts.clock;
  const copter = new SimCopter(opts);
  let current: { a: ByteLink & { cut(): void }; sim: SimLink } | undefined;
  let refuseUntil = -Infinity;
  let loss = opts.loss ?? 0;
  let n = 0;
  const connect: Connector = async () => {
    if (clock.now() < refuseUntil) throw new Error('connection refused');
    const [a, b] = memoryLinkPair({ clock, latencyMs: opts.latencyMs ?? 2, random: seededRandom(opts.sysid * 101 + n) });
    const sim = new SimLink(copter, b, {
      clock,
      loss,
      seed: (opts.seed ?? 0) * 7919 + opts.sysid * 977 + n++,
      ...(opts.signingKey ? { signingKey: opts.signingKey } : {}),
    });
    current = { a, sim };
    return a;
  };
  return {
    copter,
    connect,
    cut(forMs) {
      refuseUntil = clock.now() + forMs;
      current?.a.cut();
      current = undefined;
    },
    setLoss(p) {
      loss = p;
      current?.sim.setLoss(p);
    },
  };
}

/**
 * Runs virtual time until `p` settles (or `maxMs` of virtual time passes, which rejects). Timers fire one at a
 * time and pending promise work runs between them, so the order of events is a function of the inputs only.
 */
export async function drive<T>(clock: VirtualClock, p: Promise<T>, maxMs = 600_000): Promise<T> {
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  const limit = clock.now() + maxMs;
  await flush();
  while (!settled) {
    const at = clock.nextAt();
    if (at === undefined || at > limit) throw new Error(`virtual time ran out after ${maxMs} ms`);
    clock.advanceTo(at);
    await flush();
  }
  return watched;
}

/** Advances virtual time by `ms`, letting promises settle after every timer. */
export async function advance(clock: VirtualClock, ms: number): Promise<void> {
  const until = clock.now() + ms;
  for (;;) {
    const at = clock.nextAt();
    if (at === undefined || at > until) break;
    clock.advanceTo(at);
    await flush();
  }
  clock.advanceTo(until);
  await flush();
}

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
