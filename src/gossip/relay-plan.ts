/**
 * Relay selection from what a node sees of its neighbourhood: the neighbours heard lately, where their packets
 * said they were, and how strong they were heard. A fact heard from some transmitters is worth relaying by the
 * expected number of neighbours that would get it from us and did not already from them (or from anyone we
 * know holds it). The more a relay adds, the earlier its slot; copies heard while waiting lower what it adds,
 * and below a threshold the relay is cancelled (Trickle-style suppression weighed by coverage, so that a few
 * well-placed relays carry a fact instead of every node that heard it).
 *
 * Links are modelled from the signal: a neighbour heard at SNR s has a margin s − (demodulation floor) that,
 * with log-distance path loss, says how far its signal would carry; the median over neighbours is the
 * neighbourhood's range, whatever the terrain or altitude. A link of distance d then works with probability
 * (1 − loss) · Φ(10·n·log10(range / d) / σ).
 */
import type { NodeId } from '../wire/facts.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface RelayPlanConfig {
  /** A neighbour not heard for this long is forgotten (seconds). */
  readonly keepS: number;
  /** Path-loss exponent assumed for the range estimate. */
  readonly pathLossExponent: number;
  /** Spread of a link's margin around the model (static shadowing and fading), dB. */
  readonly sigmaDb: number;
  /** Losses the distance model does not see (collisions, interference), as a probability. */
  readonly linkLoss: number;
  /**
   * The same loss as counted for the transmitters already heard. Lower than `linkLoss`: copies sent by
   * transmitters we did not hear cover our neighbours too, and a neighbour near a transmitter that lost its
   * copy is left to the repairs rather than to every relay around it.
   */
  readonly coverLoss: number;
  /**
   * A neighbour this likely to have missed every transmitter heard counts for at least `bridgeGain`: a node
   * that alone links a sparse part of the swarm relays even over a weak link to a single member.
   */
  readonly bridgeMiss: number;
  readonly bridgeGain: number;
  /** Range assumed before any neighbour has been heard with a position (metres). */
  readonly defaultRangeM: number;
  /** SNR needed to demodulate at the spreading factor in use (dB). */
  readonly demodSnrDb: number;
}

/** Semtech's demodulation floor by spreading factor (SX127x/SX126x datasheets), dB. */
export function demodSnrDb(sf: number): number {
  return -7.5 - 2.5 * (Math.min(12, Math.max(7, sf)) - 7);
}

interface Entry {
  at: number;
  snr: number;
  pos?: Point;
}

/** A transmitter heard sending a fact: its id, and where it said it was. */
export interface Heard {
  readonly id: NodeId;
  readonly pos?: Point | undefined;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 through erf; error < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export class Neighbourhood {
  private readonly table = new Map<NodeId, Entry>();
  private rangeCache: { at: number; m: number } | undefined;

  constructor(private readonly cfg: RelayPlanConfig) {}

  /** A packet heard from `id` at `snr`, sent from `pos` when the packet said. */
  heard(id: NodeId, snr: number, pos: Point | undefined, now: number): void {
    const e = this.table.get(id);
    if (e) {
      e.at = now;
      e.snr = snr;
      if (pos) e.pos = pos;
    } else this.table.set(id, pos ? { at: now, snr, pos } : { at: now, snr });
  }

  /** Neighbours heard within `keepS` (expired ones are dropped). */
  private current(now: number): [NodeId, Entry][] {
    const out: [NodeId, Entry][] = [];
    for (const [id, e] of this.table) {
      if (now - e.at > this.cfg.keepS) this.table.delete(id);
      else out.push([id, e]);
    }
    return out;
  }

  /** The neighbourhood's range: median over neighbours of how far each one's margin says its signal carries. */
  rangeM(me: Point | undefined, now: number): number {
    if (this.rangeCache && now - this.rangeCache.at < 10) return this.rangeCache.m;
    const est: number[] = [];
    if (me)
      for (const [, e] of this.current(now)) {
        if (!e.pos) continue;
        const d = Math.hypot(e.pos.x - me.x, e.pos.y - me.y);
        if (d < 100) continue; // too close for the distance to mean anything at a position's resolution
        est.push(d * 10 ** ((e.snr - this.cfg.demodSnrDb) / (10 * this.cfg.pathLossExponent)));
      }
    est.sort((a, b) => a - b);
    const m = est.length >= 3 ? est[est.length >> 1]! : this.cfg.defaultRangeM;
    this.rangeCache = { at: now, m };
    return m;
  }

  /** Probability that a packet crosses a link of `d` metres in a neighbourhood of range `range`. */
  linkByDistance(d: number, range: number, loss = this.cfg.linkLoss): number {
    const margin = 10 * this.cfg.pathLossExponent * Math.log10(range / Math.max(1, d));
    return (1 - loss) * phi(margin / this.cfg.sigmaDb);
  }

  /** Probability that our packet reaches a neighbour heard at `snr` (links are symmetric in the mean). */
  linkBySnr(snr: number): number {
    return (1 - this.cfg.linkLoss) * phi((snr - this.cfg.demodSnrDb) / this.cfg.sigmaDb);
  }

  /**
   * Expected number of neighbours that would get a fact from our relay and not from the transmitters already
   * heard sending it (nor are known to hold it). Neighbours or transmitters without a position count as not
   * covered (unless they are the transmitter itself): doubt favours relaying.
   */
  gain(me: Point | undefined, heard: readonly Heard[], holders: ReadonlySet<NodeId> | undefined, now: number): number {
    const range = this.rangeM(me, now);
    let g = 0;
    for (const [id, e] of this.current(now)) {
      if (holders?.has(id) || heard.some((h) => h.id === id)) continue;
      let miss = 1;
      if (e.pos)
        for (const h of heard) {
          if (!h.pos) continue;
          miss *= 1 - this.linkByDistance(Math.hypot(h.pos.x - e.pos.x, h.pos.y - e.pos.y), range, this.cfg.coverLoss);
        }
      const reach = miss * this.linkBySnr(e.snr);
      // a neighbour only we reach (a bridge to a sparse part of the swarm) is worth a relay on its own
      g += miss >= this.cfg.bridgeMiss ? Math.max(reach, this.cfg.bridgeGain) : reach;
    }
    return g;
  }

  /** Neighbours heard within `keepS`. */
  size(now: number): number {
    return this.current(now).length;
  }
}
