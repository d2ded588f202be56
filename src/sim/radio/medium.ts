/**
 * Shared LoRa channel simulator (discrete events, seeded, much faster than real time).
 *
 * Physics modelled: moving nodes; path loss with per-link shadowing and per-packet fading (grey zone);
 * extra random loss; half-duplex radios (a node transmitting hears nothing, and a reception overlapping
 * its own transmission is lost); collisions at each receiver for overlapping transmissions, timed with
 * the exact LoRa time on air, where a packet survives only if it is `captureDb` stronger than every
 * overlapping signal (capture effect); listen-before-talk (a radio that is receiving defers its
 * transmission); per-node transmit queues for raw frames. Every transmission is checked against the
 * regional duty cycle and recorded, so the report can prove no node exceeded it.
 */
import { loraTimeOnAir, maxWindowFraction, type DutyCycleRule, type LoraParams } from '../../gossip/airtime.js';
import type { Random } from '../../core/random.js';
import { EventQueue } from './event-queue.js';
import type { Mobility, Point } from './mobility.js';
import { Propagation, type PropagationConfig } from './propagation.js';

export interface RxMeta {
  readonly rssi: number;
  readonly snr: number;
}

/** A protocol instance attached to a simulated radio. */
export interface RadioEndpoint {
  /** Earliest time it wants `wake` to be called (Infinity: never). */
  nextWakeAt(now: number): number;
  wake(now: number): void;
  wantsToTransmit(now: number): boolean;
  /** The frame to send now, or undefined. */
  transmit(now: number): Uint8Array | undefined;
  hear(bytes: Uint8Array, rx: RxMeta, now: number): void;
}

export interface MediumConfig {
  readonly lora: LoraParams;
  readonly propagation: PropagationConfig;
  /** Extra random loss per packet and receiver (0.2 = 20%). */
  readonly extraLoss: number;
  readonly duty: DutyCycleRule;
  /** Listen-before-talk backoff range after a busy channel, seconds. */
  readonly lbtBackoffS: readonly [number, number];
  /** The less kind channel's parts (`LESS_KIND_CHANNEL`); absent: the kind defaults. */
  readonly harsh?: ChannelHarshness;
}

/**
 * What makes a channel less kind than the defaults (each part optional):
 * - `summedInterference`: a packet is captured only if it is `captureDb` above the sum of every signal
 *   overlapping it (by default interferers are compared one at a time, which lets a packet survive two
 *   interferers each 6 dB under it that together are only 3 dB under);
 * - `lbtDetectS`: listen-before-talk senses a transmission only once it has been on air this long (CAD needs a
 *   few preamble symbols); by default it is sensed the instant it starts;
 * - `turnaroundS`: RX→TX turnaround: the radio is deaf and not yet sending for this long after deciding to send;
 * - `burstyLoss`: the extra random loss follows a two-state (Gilbert–Elliott) chain per link, with the same mean
 *   as `extraLoss`: bad spells of `meanBadS` losing `lossBad` of packets, good spells of `meanGoodS` losing the
 *   rest of the mean (losses come in bursts, as a drone banks or flies behind a roof; by default they are
 *   independent per packet).
 */
export interface ChannelHarshness {
  readonly summedInterference?: boolean;
  readonly lbtDetectS?: number;
  readonly turnaroundS?: number;
  readonly burstyLoss?: { readonly meanGoodS: number; readonly meanBadS: number; readonly lossBad: number };
}

/**
 * The second channel setting of the benchmark. CAD on an SX126x takes 2–4 symbols plus processing: at SF9 a
 * transmission is sensed 4 symbols (16 ms) after it starts; RX→TX turnaround (host, SPI, PA ramp) 10 ms; loss bad
 * spells of 4 s losing 80% between good spells of 16 s (at 20% mean loss the good state loses 5%).
 */
export const LESS_KIND_CHANNEL: ChannelHarshness = {
  summedInterference: true,
  lbtDetectS: 4 * 0.004096,
  turnaroundS: 0.01,
  burstyLoss: { meanGoodS: 16, meanBadS: 4, lossBad: 0.8 },
};

interface Reception {
  readonly txId: number;
  readonly start: number;
  readonly end: number;
  readonly power: number;
  /** Decodable on its own (above the floor, not randomly lost, receiver not transmitting). */
  ok: boolean;
  /** Summed interference (mW) of every signal that overlapped it (summed-interference mode). */
  interferenceMw: number;
}

interface SimNode {
  readonly id: number;
  endpoint: RadioEndpoint | undefined;
  mobility: Mobility;
  alive: boolean;
  busyUntil: number;
  /** Listen-before-talk or own transmission: do not try before this. */
  deferUntil: number;
  lastWake: number;
  wakeAt: number;
  wakeToken: number;
  readonly rx: Reception[];
  readonly txLog: [number, number][];
  readonly rawQueue: Uint8Array[];
  /** Raw senders (e.g. a jammer) ignore the duty cycle; everyone else is checked. */
  ignoresDuty: boolean;
}

export interface MediumStats {
  transmissions: number;
  receptions: number;
  collisions: number;
  halfDuplexLosses: number;
  randomLosses: number;
  dutyViolations: number;
}

export class RadioMedium {
  readonly events = new EventQueue();
  readonly propagation: Propagation;
  readonly stats: MediumStats = { transmissions: 0, receptions: 0, collisions: 0, halfDuplexLosses: 0, randomLosses: 0, dutyViolations: 0 };
  private readonly nodes = new Map<number, SimNode>();
  private readonly list: SimNode[] = [];
  private txSeq = 0;
  /** Gilbert–Elliott state per link (bursty loss): bad or good, until when. */
  private readonly linkState = new Map<number, { bad: boolean; until: number }>();
  /** Optional link filter: false blocks a→b at time t (partitions). */
  linkFilter: ((a: number, b: number, t: number) => boolean) | undefined;

  constructor(
    readonly cfg: MediumConfig,
    private readonly random: Random,
  ) {
    this.propagation = new Propagation(cfg.propagation, `${random.int(1 << 30)}`);
  }

  get now(): number {
    return this.events.now;
  }

  addNode(id: number, mobility: Mobility, endpoint?: RadioEndpoint, ignoresDuty = false): void {
    const n: SimNode = { id, endpoint, mobility, alive: true, busyUntil: 0, deferUntil: 0, lastWake: -1, wakeAt: Infinity, wakeToken: 0, rx: [], txLog: [], rawQueue: [], ignoresDuty };
    this.nodes.set(id, n);
    this.list.push(n);
    this.reschedule(n);
  }

  /** Replaces a node's protocol (a reboot) or silences it (undefined: crashed). */
  setEndpoint(id: number, endpoint: RadioEndpoint | undefined): void {
    const n = this.nodes.get(id)!;
    n.endpoint = endpoint;
    n.alive = endpoint !== undefined || n.ignoresDuty;
    n.rx.length = 0;
    this.reschedule(n);
  }

  isAlive(id: number): boolean {
    return this.nodes.get(id)?.alive ?? false;
  }

  position(id: number, t = this.now): Point {
    return this.nodes.get(id)!.mobility.at(t);
  }

  /** Queues a raw frame on a node's radio (sent when the radio is free; no protocol involved). */
  sendRaw(id: number, bytes: Uint8Array): void {
    const n = this.nodes.get(id)!;
    n.rawQueue.push(bytes);
    this.events.push(this.now, () => this.tryTransmit(n));
  }

  at(t: number, fn: () => void): void {
    this.events.push(t, fn);
  }

  run(until: number): void {
    this.events.runUntil(until);
  }

  /** Transmissions of a node as [start, duration]. */
  txLog(id: number): readonly [number, number][] {
    return this.nodes.get(id)!.txLog;
  }

  maxDutyFraction(id: number): number {
    return maxWindowFraction(this.txLog(id), this.cfg.duty.windowS);
  }

  /** Asks a node's protocol when it next wants to run (call after any outside change to it). */
  poke(id: number): void {
    this.reschedule(this.nodes.get(id)!);
  }

  private reschedule(n: SimNode): void {
    if (!n.endpoint || !n.alive) return;
    const now = this.now;
    let w = Math.max(now, n.deferUntil, n.endpoint.nextWakeAt(now));
    // Safety net: a protocol that keeps asking for "now" without acting is woken a millisecond later.
    if (w === now && n.lastWake === now) w = now + 0.001;
    if (w === n.wakeAt && w > now) return;
    if (!Number.isFinite(w)) {
      n.wakeAt = Infinity;
      n.wakeToken++;
      return;
    }
    n.wakeAt = w;
    const token = ++n.wakeToken;
    this.events.push(w, () => {
      if (token !== n.wakeToken || !n.alive || !n.endpoint) return;
      n.wakeAt = Infinity;
      n.lastWake = this.now;
      n.endpoint.wake(this.now);
      this.tryTransmit(n);
      this.reschedule(n);
    });
  }

  private channelBusy(n: SimNode, now: number): number {
    let until = 0;
    const detect = this.cfg.harsh?.lbtDetectS ?? 0;
    for (const r of n.rx) if (r.end > now && r.start + detect <= now && r.power >= this.propagation.sensitivityDbm) until = Math.max(until, r.end);
    return until;
  }

  private tryTransmit(n: SimNode): void {
    if (!n.alive) return;
    const now = this.now;
    const raw = n.rawQueue.length > 0;
    if (n.busyUntil > now) {
      if (raw) this.events.push(n.busyUntil, () => this.tryTransmit(n));
      n.deferUntil = Math.max(n.deferUntil, n.busyUntil);
      return;
    }
    if (!raw && (now < n.deferUntil || !(n.endpoint && n.endpoint.wantsToTransmit(now)))) return;
    const busy = this.channelBusy(n, now);
    if (busy > now) {
      const [lo, hi] = this.cfg.lbtBackoffS;
      const retry = busy + this.random.range(lo, hi);
      if (raw) this.events.push(retry, () => this.tryTransmit(n));
      else n.deferUntil = retry;
      return;
    }
    const bytes = raw ? n.rawQueue.shift() : n.endpoint!.transmit(now);
    if (!bytes) return;
    const turnaround = this.cfg.harsh?.turnaroundS ?? 0;
    if (turnaround > 0) {
      // Switching to transmit: deaf from now on (what starts arriving is lost), on air after the turnaround.
      const dur = loraTimeOnAir(bytes.length, this.cfg.lora);
      n.busyUntil = now + turnaround + dur;
      n.deferUntil = n.busyUntil;
      for (const o of n.rx) if (o.end > now && o.ok) {
        o.ok = false;
        this.stats.halfDuplexLosses++;
      }
      this.events.push(now + turnaround, () => {
        if (!n.alive) return;
        this.startTx(n, bytes, this.now);
        if (n.rawQueue.length) this.events.push(n.busyUntil, () => this.tryTransmit(n));
      });
      return;
    }
    this.startTx(n, bytes, now);
    if (n.rawQueue.length) this.events.push(n.busyUntil, () => this.tryTransmit(n));
  }

  private exponential(mean: number): number {
    return -mean * Math.log(1 - this.random.next());
  }

  /** Extra random loss on the link a–b at t: independent per packet, or bursty (two-state chain per link). */
  private lost(a: number, b: number, t: number): boolean {
    const loss = this.cfg.extraLoss;
    const bursty = this.cfg.harsh?.burstyLoss;
    if (!bursty || loss <= 0) return this.random.chance(loss);
    const k = a < b ? a * 65536 + b : b * 65536 + a;
    const piBad = bursty.meanBadS / (bursty.meanBadS + bursty.meanGoodS);
    let st = this.linkState.get(k);
    if (!st) {
      const bad = this.random.chance(piBad);
      st = { bad, until: t + this.exponential(bad ? bursty.meanBadS : bursty.meanGoodS) };
      this.linkState.set(k, st);
    }
    while (st.until <= t) {
      st.bad = !st.bad;
      st.until += this.exponential(st.bad ? bursty.meanBadS : bursty.meanGoodS);
    }
    const lossBad = Math.min(bursty.lossBad, loss / piBad);
    const lossGood = Math.max(0, (loss - piBad * lossBad) / (1 - piBad));
    return this.random.chance(st.bad ? lossBad : lossGood);
  }

  /** Airtime of a node's transmissions within the duty window ending at `end`. */
  private windowUse(n: SimNode, end: number): number {
    let used = 0;
    const from = end - this.cfg.duty.windowS;
    for (let i = n.txLog.length - 1; i >= 0; i--) {
      const [s, d] = n.txLog[i]!;
      if (s + d <= from) break;
      used += Math.min(s + d, end) - Math.max(s, from);
    }
    return used;
  }

  private startTx(src: SimNode, bytes: Uint8Array, now: number): void {
    const dur = loraTimeOnAir(bytes.length, this.cfg.lora);
    const txId = ++this.txSeq;
    src.busyUntil = Math.max(src.busyUntil, now + dur);
    src.deferUntil = Math.max(src.deferUntil, now + dur);
    src.txLog.push([now, dur]);
    this.stats.transmissions++;
    if (!src.ignoresDuty && this.windowUse(src, now + dur) > this.cfg.duty.fraction * this.cfg.duty.windowS + 1e-9)
      this.stats.dutyViolations++;
    const end = now + dur;
    const p = this.propagation;
    const cutoff = p.maxRangeM;
    const from = src.mobility.at(now);
    const floor = p.interferenceFloorDbm;
    const summed = this.cfg.harsh?.summedInterference ?? false;
    const hits: [SimNode, Reception][] = [];
    for (const dst of this.list) {
      if (dst === src || !dst.alive) continue;
      const to = dst.mobility.at(now);
      const d = Math.hypot(to.x - from.x, to.y - from.y);
      if (d > cutoff) continue;
      if (this.linkFilter && !this.linkFilter(src.id, dst.id, now)) continue;
      const power = p.meanRxDbm(d) + p.shadowing(src.id, dst.id) + this.random.gaussian() * p.cfg.fadingDb;
      if (power < floor) continue;
      let ok = power - p.noiseDbm >= p.cfg.demodSnrDb;
      if (ok && dst.busyUntil > now) {
        ok = false;
        this.stats.halfDuplexLosses++;
      }
      if (ok && this.lost(src.id, dst.id, now)) {
        ok = false;
        this.stats.randomLosses++;
      }
      const r: Reception = { txId, start: now, end, power, ok, interferenceMw: 0 };
      // Prune finished receptions, then mark overlaps both ways (capture effect).
      for (let i = dst.rx.length - 1; i >= 0; i--) if (dst.rx[i]!.end < now - 1) dst.rx.splice(i, 1);
      for (const o of dst.rx) {
        if (o.end <= now) continue;
        if (summed) {
          // Decided when the packet ends, against everything that overlapped it.
          r.interferenceMw += 10 ** (o.power / 10);
          o.interferenceMw += 10 ** (r.power / 10);
          continue;
        }
        if (r.power < o.power + p.cfg.captureDb && r.ok) {
          r.ok = false;
          this.stats.collisions++;
        }
        if (o.power < r.power + p.cfg.captureDb && o.ok) {
          o.ok = false;
          this.stats.collisions++;
        }
      }
      dst.rx.push(r);
      hits.push([dst, r]);
    }
    // A node that starts transmitting loses whatever it was receiving (half-duplex).
    for (const o of src.rx) if (o.end > now && o.ok) {
      o.ok = false;
      this.stats.halfDuplexLosses++;
    }
    this.events.push(end, () => {
      for (const [dst, r] of hits) {
        if (r.ok && summed && r.interferenceMw > 0 && r.power - 10 * Math.log10(r.interferenceMw) < p.cfg.captureDb) {
          r.ok = false;
          this.stats.collisions++;
        }
        if (!r.ok || !dst.alive || !dst.endpoint) continue;
        this.stats.receptions++;
        dst.endpoint.hear(bytes, { rssi: r.power, snr: r.power - p.noiseDbm }, this.now);
        this.reschedule(dst);
      }
      this.tryTransmit(src);
      this.reschedule(src);
    });
  }
}
