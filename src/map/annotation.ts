/**
 * Operator annotations: free-text notes pinned to a place, kept in the map document (shared between
 * ground stations over IP) but not gossiped on the radio, where airtime is kept for facts.
 */
import { decode } from 'cbor-x';
import { encoder } from '../wire/cbor.js';
import type { LocalPoint } from '../wire/frame-of-reference.js';

export interface Annotation {
  /** Unique: "<author node>:<author's counter>". */
  readonly id: string;
  readonly author: number;
  /** Mission seconds. */
  readonly t: number;
  readonly pos: LocalPoint;
  readonly text: string;
}

export const MAX_NOTE_TEXT = 500;

export function encodeAnnotation(n: Annotation): Uint8Array {
  return encoder.encode([n.id, n.author, n.t, n.pos.x, n.pos.y, n.text.slice(0, MAX_NOTE_TEXT)]);
}

/** Decodes a stored note, or undefined when it is not one. */
export function decodeAnnotation(bytes: Uint8Array): Annotation | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length > 4 * MAX_NOTE_TEXT + 64) return undefined;
  try {
    const a: unknown = decode(bytes);
    if (!Array.isArray(a) || a.length !== 6) return undefined;
    const [id, author, t, x, y, text] = a;
    const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
    if (typeof id !== 'string' || !int(author) || !int(t) || !int(x) || !int(y) || typeof text !== 'string') return undefined;
    return { id, author, t, pos: { x, y }, text };
  } catch {
    return undefined;
  }
}
