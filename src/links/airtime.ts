/**
 * LoRa time on air (Semtech SX126x datasheet §6.1.4). Pure, so the gossip engine can budget airtime with the
 * same numbers the modem firmware charges (firmware-bridge/lib/modem_core/airtime.cpp: same formula, same
 * reference vectors in firmware-bridge/test/vectors/airtime.txt).
 */
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
  return (2 ** m.sf * 1000) / m.bwHz;
}

/** Milliseconds a LoRa packet of `bytes` payload bytes occupies the channel. */
export function loraAirtimeMs(m: LoraModulation, bytes: number): number {
  const tSym = symbolMs(m);
  const de = (m.lowDataRateOptimize ?? tSym >= 16) ? 1 : 0;
  const crc = m.crc === false ? 0 : 1;
  const ih = m.explicitHeader === false ? 1 : 0;
  const blocks = Math.max(Math.ceil((8 * bytes - 4 * m.sf + 28 + 16 * crc - 20 * ih) / (4 * (m.sf - 2 * de))), 0);
  const payloadSymbols = 8 + blocks * m.cr;
  return ((m.preamble ?? 8) + 4.25) * tSym + payloadSymbols * tSym;
}

/** Meshtastic's default LongFast preset (SF11, 250 kHz, 4/5, 16-symbol preamble). */
export const MESHTASTIC_LONG_FAST: LoraModulation = { sf: 11, bwHz: 250_000, cr: 5, preamble: 16 };
