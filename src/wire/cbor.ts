/** The one cbor-x encoder configuration used on air: no records, no typed-array tags. */
import { Encoder } from 'cbor-x';

export const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true });
