/**
 * The wire layer's public API (pure: no files, clocks or randomness). The one edge module,
 * `sequence-file.ts` (persisted counters), is imported on its own by the agent's composition root.
 */
export * from './facts.js';
export * from './frame-of-reference.js';
export * from './reject.js';
export { encodeFrame, framedLength, FrameDecoder, DEFAULT_MAX_FRAME_PAYLOAD } from './framing.js';
export {
  BatchBuilder,
  canonicalOrder,
  compareCanonical,
  decodePayload,
  encodePayload,
  payloadSize,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_CELLS,
  type BatchOptions,
  type PacketPayload,
} from './codec.js';
export { factProblem, MAX_COORD, MAX_TIME, MAX_COVERAGE_CELLS } from './fact-check.js';
export {
  headerLength,
  maxPayloadFor,
  onAirLength,
  openPacket,
  packetOverhead,
  peekHeader,
  sealOverhead,
  sealPacket,
  MAX_COUNTER,
  MAX_PACKET_BYTES,
  TAG_BYTES,
  type OpenedPacket,
  type PacketKeyring,
  type SealKeys,
} from './packet.js';
export { ReplayWindow } from './replay.js';
export { ReceivePath, type ReceivedPacket, type ReceiveRejection } from './receive.js';
export { ReservedSequence, MemoryReservationStore, SequenceExhausted, type ReservationStore } from './sequence.js';
export {
  Keyring,
  generateIdentity,
  newSwarmKey,
  parseProvisioning,
  provisioningFile,
  signingKeyOf,
  verifyingKeyOf,
  type MemberIdentity,
  type NodeIdentity,
  type ProvisioningFile,
} from './keyring.js';
export { attest, canonicalFactBytes, decodeAttestation, encodeAttestation, verifyAttestation, type Attestation } from './attestation.js';
