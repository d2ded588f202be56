/**
 * The packet payload codec: a CBOR sequence (RFC 8742) of small integers, written and read by cbor-x. The format
 * is described in payload-format.ts and docs/wire.md; writing is payload-encode.ts, reading payload-decode.ts,
 * and filling a packet to a budget payload-batch.ts. This module is their one public face.
 */
export {
  ATTEST_BLOB_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_CELLS,
  TESLA_ATTEST_BLOB_BYTES,
  canonicalOrder,
  compareCanonical,
  type PacketPayload,
} from './payload-format.js';
export { encodePayload, payloadSize } from './payload-encode.js';
export { decodePayload } from './payload-decode.js';
export { BatchBuilder, type BatchOptions } from './payload-batch.js';
