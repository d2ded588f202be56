/**
 * LoRa time on air as the links describe their radios (bandwidth in Hz, coding rate as the 4/x denominator).
 * The formula itself lives once, in the gossip core (src/gossip/airtime.ts), so the links, the gossip budget
 * and the modem firmware (firmware-bridge/lib/modem_core/airtime.cpp, same reference vectors) agree.
 */
import { loraTimeOnAir, symbolTime, type LoraParams } from '../gossip/airtime.js';

export interface LoraModulation {
  /** Spreading factor 5..12. */
  readonly sf: number;
  /** Bandwidth in Hz (125000, 250000, 500000, …). */
  readonly bwHz: number;
  /** Coding rate denominator: 5 means 4/5 … 8 means 4/8. */
  readonly cr: number;
  /** Preamble symbols (default 8; Meshtastic uses 16). */
  readonly preamble?: number;
  /** Explicit header (default true). */
  readonly explicitHeader?: boolean;
  /** Payload CRC (default true). */
  readonly crc?: boolean;
  /** Low data-rate optimisation; by default on when a symbol lasts 16 ms or more, as radios choose it. */
  readonly lowDataRateOptimize?: boolean;
}

/** Symbol duration in milliseconds. */
export function symbolMs(m: LoraModulation): number {
  return symbolTime(toLoraParams(m)) * 1000;
}

/** Milliseconds a LoRa packet of `bytes` payload bytes occupies the channel (the gossip core's formula). */
export function loraAirtimeMs(m: LoraModulation, bytes: number): number {
  return loraTimeOnAir(bytes, toLoraParams(m)) * 1000;
}

/** The radio settings as a link describes them, in the form the gossip core's airtime budget takes. */
export function toLoraParams(m: LoraModulation): LoraParams {
  const p: { -readonly [K in keyof LoraParams]: LoraParams[K] } = { sf: m.sf, bw: m.bwHz, cr: m.cr - 4 };
  if (m.preamble !== undefined) p.preamble = m.preamble;
  if (m.crc !== undefined) p.crc = m.crc;
  if (m.explicitHeader !== undefined) p.implicitHeader = !m.explicitHeader;
  if (m.lowDataRateOptimize !== undefined) p.lowDataRateOptimize = m.lowDataRateOptimize;
  return p;
}

/** Meshtastic's default LongFast preset (SF11, 250 kHz, 4/5, 16-symbol preamble). */
export const MESHTASTIC_LONG_FAST: LoraModulation = { sf: 11, bwHz: 250_000, cr: 5, preamble: 16 };
