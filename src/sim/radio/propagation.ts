/**
 * Radio propagation for the simulator: log-distance path loss calibrated so that the median range (where the
 * mean received power meets the demodulation floor) is `rangeM`, a static per-link shadowing (lognormal,
 * symmetric) and a per-packet fading term: together they make a grey zone where links work sometimes.
 */
import { hashString } from '../../core/random.js';

export interface PropagationConfig {
  readonly txPowerDbm: number;
  /** Distance at which the mean received power equals the sensitivity. */
  readonly rangeM: number;
  readonly pathLossExponent: number;
  /** Static shadowing σ per link, dB. */
  readonly shadowingDb: number;
  /** Per-packet fading σ, dB. */
  readonly fadingDb: number;
  readonly bandwidthHz: number;
  readonly noiseFigureDb: number;
  /** SNR needed to demodulate (SF9: −12.5 dB). */
  readonly demodSnrDb: number;
  /** A stronger signal survives an overlap when it is this much above every interferer (co-SF capture). */
  readonly captureDb: number;
}

export const DEFAULT_PROPAGATION: PropagationConfig = {
  txPowerDbm: 14,
  rangeM: 1500,
  pathLossExponent: 2.8,
  shadowingDb: 3,
  fadingDb: 2,
  bandwidthHz: 125_000,
  noiseFigureDb: 6,
  demodSnrDb: -12.5,
  captureDb: 6,
};

/** SX127x/SX126x demodulation floor by spreading factor (dB). */
export const DEMOD_SNR_DB: Record<number, number> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

export class Propagation {
  readonly noiseDbm: number;
  readonly sensitivityDbm: number;
  private readonly pl0: number;
  private readonly shadow = new Map<number, number>();

  constructor(
    readonly cfg: PropagationConfig,
    private readonly seed: string,
  ) {
    this.noiseDbm = -174 + 10 * Math.log10(cfg.bandwidthHz) + cfg.noiseFigureDb;
    this.sensitivityDbm = this.noiseDbm + cfg.demodSnrDb;
    this.pl0 = cfg.txPowerDbm - this.sensitivityDbm - 10 * cfg.pathLossExponent * Math.log10(cfg.rangeM);
  }

  /** Mean received power over distance d (metres), before shadowing and fading. */
  meanRxDbm(d: number): number {
    return this.cfg.txPowerDbm - this.pl0 - 10 * this.cfg.pathLossExponent * Math.log10(Math.max(1, d));
  }

  /** Static shadowing of the link a–b (same both ways, stable for a seed). */
  shadowing(a: number, b: number): number {
    const k = a < b ? a * 65536 + b : b * 65536 + a;
    let s = this.shadow.get(k);
    if (s === undefined) {
      // Box–Muller from two hashes: deterministic per (seed, link) and independent of event order.
      const u = (hashString(`${this.seed}/${k}/u`) + 1) / 4294967297;
      const v = hashString(`${this.seed}/${k}/v`) / 4294967296;
      s = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * this.cfg.shadowingDb;
      this.shadow.set(k, s);
    }
    return s;
  }

  /** Weakest signal that still matters as interference: 10 dB under the sensitivity. */
  get interferenceFloorDbm(): number {
    return this.sensitivityDbm - 10;
  }

  /** Distance beyond which even a favourable link (3 σ) stays under the interference floor. */
  get maxRangeM(): number {
    const margin = 10 + 3 * (this.cfg.shadowingDb + this.cfg.fadingDb);
    return this.cfg.rangeM * 10 ** (margin / (10 * this.cfg.pathLossExponent));
  }
}

/**
 * A second propagation setting for drones flying at 60 m: the first Fresnel zone of a 2 km link at 868 MHz
 * (13 m radius at mid-path) clears the ground and the two-ray breakpoint (4·h²/λ ≈ 42 km) is far beyond the
 * area, so path loss follows free space (exponent 2). The free-space link budget (14 dBm, −129 dBm at SF9)
 * reaches hundreds of km; 20 dB lost to antenna pattern nulls as drones bank, polarisation and the airframe
 * leaves a median range of about 40 km, taken here as 8 km to stay on the safe side: every node of the 5 km ×
 * 5 km area is in one hop of every other, with a static σ of 4 dB (pattern) and 2 dB fading per packet.
 */
export const AIRBORNE_PROPAGATION: Partial<PropagationConfig> = {
  rangeM: 8000,
  pathLossExponent: 2,
  shadowingDb: 4,
  fadingDb: 2,
};
