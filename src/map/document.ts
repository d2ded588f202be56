/**
 * The situational map document: every fact the node knows, by fact id, in one Automerge document, plus
 * operator annotations. Entity state (victim confirmed, road cleared, ...) is not stored: it is derived
 * from the facts (state.ts), so it cannot diverge from them and needs no conflict resolution.
 *
 * Representation (chosen by measurement, bench/map.ts): `segments` maps a segment id ("<actor>:<n>",
 * unique per writer) to one byte string holding the batch of facts that writer ingested together
 * (fact-record.ts). Automerge's cost is per operation: one key per fact with a nested map of fields cost
 * ≈ 2.7 s per 10,000 facts and 54 B/fact here, one byte string per fact ≈ 0.5–1.2 s (too close to the
 * 1 s budget on a loaded 2-core machine, and a Raspberry Pi is slower), one byte string per batch a few
 * tens of ms. Facts by id live in the in-memory index, rebuilt from the segments on load and merge.
 * A fact held in two segments (two stations ingested it independently) counts once; should two segments
 * disagree on a fact's content (a faulty peer), the smaller encoding wins, so every node picks the same.
 *
 * Every document starts from the same genesis change (fixed actor, time 0), so documents created
 * independently on different nodes share their root objects and merge without hiding each other's maps.
 *
 * Pure: no clock, no randomness (the actor id is an input), no I/O.
 */
import * as A from '@automerge/automerge';
import { factKey, type Fact, type FactId } from '../wire/facts.js';
import { RejectCounter } from '../wire/reject.js';
import { factProblem } from '../wire/fact-check.js';
import { MAX_SEGMENT_FACTS, decodeSegment, encodeFactRecord, encodeSegment } from './fact-record.js';
import { deriveState, type MapState } from './state.js';
import { decodeAnnotation, encodeAnnotation, type Annotation } from './annotation.js';

export interface MapSchema {
  segments: Record<string, Uint8Array>;
  notes: Record<string, Uint8Array>;
}

const GENESIS_ACTOR = '6d75726d75720000';

/**
 * Most notes a map holds (at most 2 KB each): notes come over IP from other stations, unsigned, and
 * every page shows them all. Past it a note is refused and counted (`oversize`).
 */
export const MAX_NOTES = 2000;

let genesisBytes: Uint8Array | undefined;
/** The shared first change of every map document. */
export function genesis(): Uint8Array {
  genesisBytes ??= A.save(
    A.change(A.init<MapSchema>({ actor: GENESIS_ACTOR as A.ActorId }), { time: 0 }, (d) => {
      d.segments = {};
      d.notes = {};
    }),
  );
  return genesisBytes;
}

/**
 * An Automerge actor id for a node: its node id plus a per-process nonce (a restarted process must not
 * reuse the actor of its previous life, whose unsaved changes may have reached peers).
 */
export function actorFor(node: number, nonce: Uint8Array): string {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return node.toString(16).padStart(4, '0') + hex(nonce);
}

const CHUNK_MAGIC = [0x85, 0x6f, 0x4a, 0x83];

/**
 * The Automerge chunks (changes) in saved bytes: each is magic (4 bytes), checksum (4), type (1), a
 * LEB128 length and that many bytes. Stops at anything else.
 */
export function splitChanges(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 10 <= bytes.length && CHUNK_MAGIC.every((b, i) => bytes[at + i] === b)) {
    let p = at + 9;
    let len = 0;
    let shift = 0;
    for (;;) {
      if (p >= bytes.length || shift > 28) return out;
      const b = bytes[p++]!;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if (p + len > bytes.length) break;
    out.push(bytes.subarray(at, p + len));
    at = p + len;
  }
  return out;
}

export class MapDocument {
  private d: A.Doc<MapSchema>;
  private readonly byKey = new Map<string, Fact>();
  private readonly seenSegments = new Set<string>();
  private segmentCounter = 0;
  private readonly noteById = new Map<string, Annotation>();
  /** Notes already refused (counted once, not at every reindex). */
  private readonly refusedNotes = new Set<string>();
  private cached: MapState | undefined;
  /** Records from merged documents that did not decode or did not match their key. */
  readonly rejects = new RejectCounter();

  private constructor(doc: A.Doc<MapSchema>) {
    this.d = doc;
    this.reindex();
  }

  static create(actor?: string): MapDocument {
    return new MapDocument(A.load<MapSchema>(genesis(), actor ? { actor: actor as A.ActorId } : undefined));
  }

  /** Loads a saved document (a full save, optionally followed by incremental chunks). */
  static load(bytes: Uint8Array, actor?: string): MapDocument {
    return new MapDocument(A.load<MapSchema>(bytes, actor ? { actor: actor as A.ActorId } : undefined));
  }

  get doc(): A.Doc<MapSchema> {
    return this.d;
  }

  get size(): number {
    return this.byKey.size;
  }

  has(id: FactId): boolean {
    return this.byKey.has(factKey(id));
  }

  get(id: FactId | string): Fact | undefined {
    return this.byKey.get(typeof id === 'string' ? id : factKey(id));
  }

  facts(): IterableIterator<Fact> {
    return this.byKey.values();
  }

  /** The derived picture (recomputed only after a change). */
  state(): MapState {
    this.cached ??= deriveState(this.byKey);
    return this.cached;
  }

  /**
   * Adds facts not already held, in one Automerge change. Returns the facts that were new (duplicates,
   * in the batch or already held, are dropped: merging is idempotent). A fact outside the documented
   * ranges is refused and counted in `rejects`.
   */
  ingest(facts: Iterable<Fact>): Fact[] {
    const fresh: Fact[] = [];
    const seen = new Set<string>();
    for (const f of facts) {
      const key = factKey(f);
      if (this.byKey.has(key) || seen.has(key)) continue;
      if (factProblem(f) !== undefined) {
        this.rejects.add('out_of_range');
        continue;
      }
      seen.add(key);
      fresh.push(f);
    }
    if (fresh.length === 0) return fresh;
    const actor = A.getActorId(this.d);
    const segments: [string, Uint8Array][] = [];
    for (let i = 0; i < fresh.length; i += MAX_SEGMENT_FACTS) {
      let id: string;
      do id = `${actor}:${++this.segmentCounter}`;
      while (this.seenSegments.has(id));
      segments.push([id, encodeSegment(fresh.slice(i, i + MAX_SEGMENT_FACTS))]);
    }
    this.d = A.change(this.d, (d) => {
      for (const [id, bytes] of segments) d.segments[id] = bytes;
    });
    for (const [id] of segments) this.seenSegments.add(id);
    for (const f of fresh) this.byKey.set(factKey(f), f);
    this.cached = undefined;
    return fresh;
  }

  annotate(note: Annotation): boolean {
    if (this.noteById.has(note.id)) return false;
    if (this.noteById.size >= MAX_NOTES) {
      this.rejects.add('oversize');
      return false;
    }
    this.d = A.change(this.d, (d) => {
      d.notes[note.id] = encodeAnnotation(note);
    });
    this.noteById.set(note.id, note);
    return true;
  }

  annotations(): Annotation[] {
    return [...this.noteById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Merges another node's document; returns the facts learnt from it. */
  merge(other: A.Doc<MapSchema>): Fact[] {
    this.d = A.merge(this.d, other);
    return this.reindex();
  }

  /** Applies saved or incremental bytes (e.g. from disk or another ground station); returns facts learnt. */
  applyBytes(bytes: Uint8Array): Fact[] {
    this.d = A.loadIncremental(this.d, bytes);
    return this.reindex();
  }

  /**
   * Salvage after damage on disk: the facts and notes held in saved changes (log records) whatever their
   * history. A change whose ancestors were lost cannot be applied (Automerge holds it back until they
   * arrive), but the segments it set are whole fact records: they are ingested anew, as this node's own
   * change. Facts already held are skipped. Returns the facts learnt.
   */
  salvage(saved: Iterable<Uint8Array>): Fact[] {
    const segmentsObj = A.getObjectId(this.d.segments);
    const notesObj = A.getObjectId(this.d.notes);
    const facts: Fact[] = [];
    const notes: Annotation[] = [];
    for (const bytes of saved) {
      for (const change of splitChanges(bytes)) {
        let decoded: A.DecodedChange;
        try {
          decoded = A.decodeChange(change);
        } catch {
          this.rejects.add('malformed');
          continue;
        }
        for (const op of decoded.ops) {
          if (op.action !== 'set' || (op.obj !== segmentsObj && op.obj !== notesObj)) continue;
          const raw: unknown = (op as { value?: unknown }).value;
          const value = raw instanceof Uint8Array ? raw : Array.isArray(raw) ? Uint8Array.from(raw as number[]) : undefined;
          if (!value) continue;
          if (op.obj === segmentsObj) {
            const { facts: got, rejected } = decodeSegment(value);
            for (const r of rejected) this.rejects.add(r);
            facts.push(...got);
          } else {
            const n = decodeAnnotation(value);
            if (n && n.id === op.key) notes.push(n);
          }
        }
      }
    }
    for (const n of notes) this.annotate(n);
    return this.ingest(facts);
  }

  /** Replaces the document by a newer version of itself (e.g. after a sync peer changed it). */
  replace(doc: A.Doc<MapSchema>): Fact[] {
    this.d = doc;
    return this.reindex();
  }

  save(): Uint8Array {
    return A.save(this.d);
  }

  /** The changes since the last save()/saveIncremental() call. */
  saveIncremental(): Uint8Array {
    return A.saveIncremental(this.d);
  }

  heads(): string[] {
    return A.getHeads(this.d);
  }

  /** Picks up segments the document gained (merge, load); validates each record. */
  private reindex(): Fact[] {
    const fresh = new Map<string, Fact>();
    const segments = this.d.segments ?? {};
    for (const id of Object.keys(segments)) {
      if (this.seenSegments.has(id)) continue;
      this.seenSegments.add(id);
      const { facts, rejected } = decodeSegment(segments[id]);
      for (const r of rejected) this.rejects.add(r);
      for (const f of facts) {
        const key = factKey(f);
        const held = this.byKey.get(key);
        if (held) {
          if (held === f) continue;
          // Same id, different content: keep the smaller encoding, whatever the order seen.
          const a = encodeFactRecord(held);
          const b = encodeFactRecord(f);
          if (Buffer.compare(b, a) < 0) {
            this.byKey.set(key, f);
            fresh.set(key, f);
            this.cached = undefined;
          }
          continue;
        }
        this.byKey.set(key, f);
        fresh.set(key, f);
      }
    }
    const notes = this.d.notes ?? {};
    for (const id of Object.keys(notes)) {
      if (this.noteById.has(id) || this.refusedNotes.has(id)) continue;
      const n = decodeAnnotation(notes[id]!);
      if (!n || n.id !== id) this.rejects.add('malformed');
      else if (this.noteById.size >= MAX_NOTES) this.rejects.add('oversize');
      else {
        this.noteById.set(id, n);
        continue;
      }
      this.refusedNotes.add(id);
    }
    if (fresh.size) this.cached = undefined;
    return [...fresh.values()];
  }
}
