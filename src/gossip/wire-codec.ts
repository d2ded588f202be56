/**
 * The gossip engine's PacketCodec over the project's wire layer: compact fact encoding (codec.ts), sealed
 * with ChaCha20-Poly1305 under the swarm key, per-sender replay window (packet.ts, replay.ts). LoRa carries
 * the sealed packet as is (no serial framing on air).
 */
import { decodePayload, encodePayload, payloadSize } from '../wire/codec.js';
import type { NodeId } from '../wire/facts.js';
import { cborBytesSize } from '../wire/packing.js';
import { openPacket, peekHeader, sealOverhead, sealPacket, type PacketKeyring } from '../wire/packet.js';
import { reject } from '../wire/reject.js';
import { ReplayWindow } from '../wire/replay.js';
import type { GossipPayload, OpenResult, PacketCodec } from './codec.js';

export interface WireCodecOptions {
  readonly self: NodeId;
  readonly keyring: PacketKeyring;
  /** Next packet counter for this sender: never repeats, also across reboots (a persisted sequence). */
  readonly nextCounter: () => number;
  readonly maxPacketBytes?: number;
}

export function wireCodec(opts: WireCodecOptions): PacketCodec {
  const { self, keyring } = opts;
  const replay = new ReplayWindow();
  const seal = sealOverhead(self);
  const payload = (p: GossipPayload) => (p.control && p.control.length ? { time: p.time, facts: p.facts, control: p.control } : { time: p.time, facts: p.facts });
  return {
    maxPacketBytes: opts.maxPacketBytes ?? 255,
    // header + tag + the packet time (≤ 5 bytes of CBOR)
    overhead: seal + 5,
    sizeOfFact(f) {
      // Alone in a packet whose time is the fact's own, plus 2 bytes for its age and 3 for an origin
      // switch: an estimate for filling; packetBytes() is the exact check.
      const alone = payloadSize({ time: f.t, facts: [f] }, self) - payloadSize({ time: f.t, facts: [] }, self);
      return alone + 2 + (f.origin === self ? 0 : 3);
    },
    sizeOfControl: (n) => (n === 0 ? 0 : cborBytesSize(n)),
    packetBytes: (p) => seal + payloadSize(payload(p), self),
    seal: (p) => sealPacket(self, opts.nextCounter(), encodePayload(payload(p), self), keyring),
    open(bytes): OpenResult {
      const h = peekHeader(bytes);
      const claimedSender = h.ok ? h.value.sender : undefined;
      const opened = openPacket(bytes, keyring, replay);
      if (!opened.ok) return claimedSender === undefined ? opened : { ...opened, claimedSender };
      const decoded = decodePayload(opened.value.payload, opened.value.sender);
      if (!decoded.ok) return { ...reject(decoded.reason, decoded.detail), claimedSender: opened.value.sender };
      return { ok: true, value: { sender: opened.value.sender, payload: decoded.value } };
    },
  };
}
