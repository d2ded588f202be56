/**
 * The Murmur modem serial protocol (version 1), host side: encoders for commands and a decoder for what the
 * modem says. Each message travels as one frame of src/wire/framing.ts. The firmware side is
 * firmware-bridge/lib/modem_core/protocol.h; the description is firmware-bridge/PROTOCOL.md.
 */
import { accept, reject, type Decoded } from '../wire/reject.js';

export const MODEM_PROTOCOL_VERSION = 1;
export const MODEM_MTU = 255;

export const Cmd = { HELLO: 0x01, CONFIGURE: 0x02, SEND: 0x03, STATUS: 0x04, RX_ACK: 0x05 } as const;
export const Evt = {
  HELLO_OK: 0x81,
  CONFIG_OK: 0x82,
  ACCEPTED: 0x83,
  QUEUE_FULL: 0x84,
  STATUS_OK: 0x85,
  ERROR: 0x8f,
  RX: 0x90,
  TX_DONE: 0x91,
  BOOT: 0x92,
} as const;

export const ModemErrorCode = { 1: 'bad length', 2: 'bad parameter', 3: 'unknown command', 4: 'radio failure' } as const;

export interface ModemRadioConfig {
  readonly freqHz: number;
  readonly bwHz: number;
  readonly sf: number;
  /** 5..8 for 4/5..4/8 */
  readonly cr: number;
  readonly powerDbm: number;
  readonly syncWord: number;
  /** Duty-cycle limit in permille of the hour (10 = 1 %, 1000 = none). */
  readonly dutyPermille: number;
}

/** EU868 g3 sub-band (869.4–869.65 MHz, 10 %), SF9 / 125 kHz: the firmware's defaults, except the duty limit. */
export const DEFAULT_MODEM_CONFIG: ModemRadioConfig = {
  freqHz: 869_525_000,
  bwHz: 125_000,
  sf: 9,
  cr: 5,
  powerDbm: 14,
  syncWord: 0x12,
  dutyPermille: 100,
};

export interface ModemStatus {
  readonly queued: number;
  readonly slots: number;
  readonly airtimeUsedMs: number;
  readonly windowS: number;
  readonly dutyPermille: number;
  readonly temperatureC: number;
  readonly transmitted: number;
  readonly received: number;
  readonly rxDropped: number;
  readonly serialRejects: number;
  readonly radioBusy: boolean;
  readonly rxPending: number;
  readonly queueFullReplies: number;
}

export type ModemMessage =
  | { type: 'hello_ok'; version: number; bootId: number; mtu: number; txSlots: number; rxSlots: number; rxBase: number }
  | { type: 'config_ok'; config: ModemRadioConfig }
  | { type: 'accepted' | 'queue_full'; tag: number; queued: number; slots: number }
  | { type: 'status'; status: ModemStatus }
  | { type: 'error'; command: number; code: number; detail: string }
  | { type: 'rx'; seq: number; rssi: number; snr: number; data: Uint8Array }
  | { type: 'tx_done'; tag: number; airtimeMs: number; queued: number; slots: number }
  | { type: 'boot'; bootId: number };

export function encodeHello(): Uint8Array {
  return Uint8Array.of(Cmd.HELLO);
}

export function encodeStatusRequest(): Uint8Array {
  return Uint8Array.of(Cmd.STATUS);
}

export function encodeConfigure(c: ModemRadioConfig): Uint8Array {
  const m = new Uint8Array(17);
  const v = new DataView(m.buffer);
  m[0] = Cmd.CONFIGURE;
  v.setUint32(1, c.freqHz);
  v.setUint32(5, c.bwHz);
  m[9] = c.sf;
  m[10] = c.cr;
  v.setInt8(11, c.powerDbm);
  m[12] = c.syncWord;
  v.setUint16(13, c.dutyPermille);
  return m;
}

export function encodeSend(tag: number, data: Uint8Array): Uint8Array {
  const m = new Uint8Array(5 + data.length);
  m[0] = Cmd.SEND;
  new DataView(m.buffer).setUint32(1, tag >>> 0);
  m.set(data, 5);
  return m;
}

export function encodeRxAck(seq: number): Uint8Array {
  return Uint8Array.of(Cmd.RX_ACK, (seq >> 8) & 0xff, seq & 0xff);
}

/** Bytes a SEND adds around the payload before framing (type + tag). */
export const SEND_OVERHEAD = 5;

function decodeConfig(v: DataView, m: Uint8Array): ModemRadioConfig {
  return {
    freqHz: v.getUint32(1),
    bwHz: v.getUint32(5),
    sf: m[9]!,
    cr: m[10]!,
    powerDbm: v.getInt8(11),
    syncWord: m[12]!,
    dutyPermille: v.getUint16(13),
  };
}

/** Decodes one message from the modem; bad input is a typed rejection, never an exception. */
export function decodeModemMessage(m: Uint8Array): Decoded<ModemMessage> {
  if (m.length === 0) return reject('truncated', 'empty message');
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const need = (n: number, exact = true): Decoded<never> | undefined =>
    (exact ? m.length !== n : m.length < n)
      ? reject(m.length < n ? 'truncated' : 'malformed', `message 0x${m[0]!.toString(16)} of ${m.length} bytes, expected ${exact ? '' : '≥ '}${n}`)
      : undefined;
  switch (m[0]) {
    case Evt.HELLO_OK:
      return (
        need(12) ??
        accept({
          type: 'hello_ok',
          version: m[1]!,
          bootId: v.getUint32(2),
          mtu: m[6]!,
          txSlots: m[7]!,
          rxSlots: v.getUint16(8),
          rxBase: v.getUint16(10),
        })
      );
    case Evt.CONFIG_OK:
      return need(17) ?? accept({ type: 'config_ok', config: decodeConfig(v, m) });
    case Evt.ACCEPTED:
    case Evt.QUEUE_FULL:
      return (
        need(7) ??
        accept({
          type: m[0] === Evt.ACCEPTED ? 'accepted' : 'queue_full',
          tag: v.getUint32(1),
          queued: m[5]!,
          slots: m[6]!,
        } as const)
      );
    case Evt.STATUS_OK:
      return (
        need(36) ??
        accept({
          type: 'status',
          status: {
            queued: m[1]!,
            slots: m[2]!,
            airtimeUsedMs: v.getUint32(3),
            windowS: v.getUint32(7),
            dutyPermille: v.getUint16(11),
            temperatureC: v.getInt16(13) / 10,
            transmitted: v.getUint32(15),
            received: v.getUint32(19),
            rxDropped: v.getUint32(23),
            serialRejects: v.getUint32(27),
            radioBusy: m[31] !== 0,
            rxPending: v.getUint16(32),
            queueFullReplies: v.getUint16(34),
          },
        })
      );
    case Evt.ERROR: {
      const bad = need(3);
      if (bad) return bad;
      const code = m[2]!;
      const detail = ModemErrorCode[code as keyof typeof ModemErrorCode] ?? `code ${code}`;
      return accept({ type: 'error', command: m[1]!, code, detail });
    }
    case Evt.RX: {
      const bad = need(7, false);
      if (bad) return bad;
      if (m.length - 6 > MODEM_MTU) return reject('oversize', `RX of ${m.length - 6} bytes`);
      return accept({ type: 'rx', seq: v.getUint16(1), rssi: v.getInt16(3), snr: v.getInt8(5) / 4, data: m.slice(6) });
    }
    case Evt.TX_DONE:
      return (
        need(11) ??
        accept({ type: 'tx_done', tag: v.getUint32(1), airtimeMs: v.getUint32(5), queued: m[9]!, slots: m[10]! })
      );
    case Evt.BOOT:
      return need(5) ?? accept({ type: 'boot', bootId: v.getUint32(1) });
    default:
      return reject('malformed', `unknown message type 0x${m[0]!.toString(16)}`);
  }
}
