/**
 * What the gossip engine needs from the wire layer: exact sizes to fill packets to the MTU, and sealing /
 * opening of packets (authentication, replay window) with a typed rejection for anything bad.
 * The engine depends on this small interface only, so it runs over the project's wire codec or over the
 * stand-in used by the simulator (provisional-codec.ts).
 */
import type { Fact, NodeId } from '../wire/facts.js';
import type { Decoded } from '../wire/reject.js';

export interface GossipPayload {
  /** Sender's mission seconds when the packet was built. */
  readonly time: number;
  readonly facts: readonly Fact[];
  /** Opaque to the wire layer: the gossip engine's control records (control.ts). */
  readonly control?: Uint8Array;
}

export interface OpenedPacket {
  readonly sender: NodeId;
  readonly payload: GossipPayload;
}

/** A rejection, with the sender the packet claimed to come from when the header was readable. */
export type OpenResult = Decoded<OpenedPacket> & { readonly claimedSender?: NodeId };

/** One node's packet codec: it holds that node's send counter and its replay windows. */
export interface PacketCodec {
  /** Largest frame the radio carries (LoRa: 255). */
  readonly maxPacketBytes: number;
  /** Upper bound of the bytes a packet has beyond its facts and control (header, nonce, tag, framing). */
  readonly overhead: number;
  /** Exact encoded size of one fact inside a packet. */
  sizeOfFact(fact: Fact): number;
  /** Encoded size of a control field of n bytes (0 when absent). */
  sizeOfControl(n: number): number;
  /** Exact bytes on air of this payload once sealed (the final check before sending). */
  packetBytes(payload: GossipPayload): number;
  seal(payload: GossipPayload): Uint8Array;
  open(bytes: Uint8Array): OpenResult;
}
