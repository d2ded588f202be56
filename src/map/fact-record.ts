/**
 * How facts are stored inside the map document: each fact a small array of integers (kind and enums as
 * indices, points flattened); a batch of facts ingested together is one CBOR "segment", held as one
 * Automerge byte string (see document.ts for why, by measurement).
 *
 * The layout is the map's own storage format, independent of the radio codec (src/wire/codec.ts), so
 * the two can evolve separately. Decoding validates strictly: a document merged from another ground
 * station is outside input too.
 */
import { decode } from 'cbor-x';
import { encoder } from '../wire/cbor.js';
import {
  ACK_RESULTS,
  ACTIVITIES,
  AREA_ROLES,
  COMMAND_ACTIONS,
  FACT_KINDS,
  HAZARD_TYPES,
  OUTCOMES,
  ROAD_SEVERITIES,
  VICTIM_CONDITIONS,
  type Fact,
} from '../wire/facts.js';
import type { LocalPoint } from '../wire/frame-of-reference.js';
import { factProblem } from '../wire/fact-check.js';
import { accept, reject, type Decoded, type RejectReason } from '../wire/reject.js';

/** Format version, first element of every record. */
const RECORD_VERSION = 1;
/** A record larger than this is refused before decoding (largest valid area ≈ 16 × 256 points). */
export const MAX_RECORD_BYTES = 64 * 1024;

const flat = (ps: readonly LocalPoint[]): number[] => ps.flatMap((p) => [p.x, p.y]);

function fields(f: Fact): unknown[] {
  switch (f.kind) {
    case 'status':
      return [f.pos.x, f.pos.y, f.alt, f.battery, f.mode, f.armed ? 1 : 0, ACTIVITIES.indexOf(f.activity), f.sector, f.heading];
    case 'victim':
      return [f.pos.x, f.pos.y, f.count, VICTIM_CONDITIONS.indexOf(f.condition), f.confidence];
    case 'road':
      return [ROAD_SEVERITIES.indexOf(f.severity), flat(f.path)];
    case 'hazard':
      return [HAZARD_TYPES.indexOf(f.hazard), f.pos.x, f.pos.y, f.radius];
    case 'supersede':
      return [f.target.origin, f.target.seq, OUTCOMES.indexOf(f.outcome)];
    case 'coverage':
      return [f.cells];
    case 'area':
      return [AREA_ROLES.indexOf(f.role), f.priority, f.rings.map(flat)];
    case 'command':
      return [f.target, COMMAND_ACTIONS.indexOf(f.action)];
    case 'ack':
      return [f.target.origin, f.target.seq, ACK_RESULTS.indexOf(f.result)];
    case 'mission':
      return [f.version, f.areas.flatMap((a) => [a.origin, a.seq]), flat(f.launch)];
    case 'attest':
      // Authorship evidence stays in the gossip layer (docs/wire.md); the map holds what it proved.
      throw new RangeError('attestations are not map records');
  }
}

export function factRecord(f: Fact): unknown[] {
  return [RECORD_VERSION, FACT_KINDS.indexOf(f.kind), f.origin, f.seq, f.t, ...fields(f)];
}

export function encodeFactRecord(f: Fact): Uint8Array {
  return encoder.encode(factRecord(f));
}

class Shape extends Error {}

function num(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Shape('expected an integer');
  return v;
}
function pick<T>(values: readonly T[], v: unknown): T {
  const x = values[num(v)];
  if (x === undefined) throw new Shape('enum index out of range');
  return x;
}
function points(v: unknown, maxPoints: number): LocalPoint[] {
  if (!Array.isArray(v) || v.length % 2 !== 0 || v.length > maxPoints * 2) throw new Shape('bad point list');
  const out: LocalPoint[] = [];
  for (let i = 0; i < v.length; i += 2) out.push({ x: num(v[i]), y: num(v[i + 1]) });
  return out;
}

function build(a: unknown[]): Fact {
  const [, kindIx, origin, seq, t] = a;
  const base = { origin: num(origin), seq: num(seq), t: num(t) };
  const kind = pick(FACT_KINDS, kindIx);
  const r = a.slice(5);
  const want = (n: number) => {
    if (r.length !== n) throw new Shape(`${kind} record has ${r.length} fields, expected ${n}`);
  };
  switch (kind) {
    case 'status':
      want(9);
      return {
        ...base, kind, pos: { x: num(r[0]), y: num(r[1]) }, alt: num(r[2]), battery: num(r[3]), mode: num(r[4]),
        armed: num(r[5]) === 1, activity: pick(ACTIVITIES, r[6]), sector: num(r[7]), heading: num(r[8]),
      };
    case 'victim':
      want(5);
      return { ...base, kind, pos: { x: num(r[0]), y: num(r[1]) }, count: num(r[2]), condition: pick(VICTIM_CONDITIONS, r[3]), confidence: num(r[4]) };
    case 'road':
      want(2);
      return { ...base, kind, severity: pick(ROAD_SEVERITIES, r[0]), path: points(r[1], 16) };
    case 'hazard':
      want(4);
      return { ...base, kind, hazard: pick(HAZARD_TYPES, r[0]), pos: { x: num(r[1]), y: num(r[2]) }, radius: num(r[3]) };
    case 'supersede':
      want(3);
      return { ...base, kind, target: { origin: num(r[0]), seq: num(r[1]) }, outcome: pick(OUTCOMES, r[2]) };
    case 'coverage': {
      want(1);
      const cells = r[0];
      if (!Array.isArray(cells) || cells.length > 4096) throw new Shape('bad cell list');
      return { ...base, kind, cells: cells.map(num) };
    }
    case 'area': {
      want(3);
      const rings = r[2];
      if (!Array.isArray(rings) || rings.length > 16) throw new Shape('bad ring list');
      return { ...base, kind, role: pick(AREA_ROLES, r[0]), priority: num(r[1]), rings: rings.map((ring) => points(ring, 256)) };
    }
    case 'command':
      want(2);
      return { ...base, kind, target: num(r[0]), action: pick(COMMAND_ACTIONS, r[1]) };
    case 'ack':
      want(3);
      return { ...base, kind, target: { origin: num(r[0]), seq: num(r[1]) }, result: pick(ACK_RESULTS, r[2]) };
    case 'mission': {
      want(3);
      const ids = r[1];
      if (!Array.isArray(ids) || ids.length % 2 !== 0 || ids.length > 32) throw new Shape('bad area list');
      const areas = [];
      for (let i = 0; i < ids.length; i += 2) areas.push({ origin: num(ids[i]), seq: num(ids[i + 1]) });
      return { ...base, kind, version: num(r[0]), areas, launch: points(r[2], 16) };
    }
    case 'attest':
      throw new Shape('attestations are not map records');
  }
}

/** Decodes and validates one stored record; never throws. */
export function decodeFactRecord(bytes: Uint8Array): Decoded<Fact> {
  if (!(bytes instanceof Uint8Array)) return reject('malformed', 'record is not a byte string');
  if (bytes.length > MAX_RECORD_BYTES) return reject('oversize', `record of ${bytes.length} bytes`);
  let a: unknown;
  try {
    a = decode(bytes);
  } catch (err) {
    return reject('malformed', `CBOR: ${(err as Error).message}`);
  }
  return recordToFact(a);
}

/** Validates one decoded record array; never throws. */
export function recordToFact(a: unknown): Decoded<Fact> {
  if (!Array.isArray(a) || a.length < 6) return reject('malformed', 'record is not an array of at least 6 items');
  if (a[0] !== RECORD_VERSION) return reject('unknown_version', `record version ${String(a[0])}`);
  let f: Fact;
  try {
    f = build(a);
  } catch (err) {
    if (err instanceof Shape) return reject('malformed', err.message);
    return reject('malformed', String(err));
  }
  const problem = factProblem(f);
  return problem ? reject('out_of_range', problem) : accept(f);
}

const SEGMENT_VERSION = 1;
/** Facts per segment at most (a larger ingest is split), and the byte cap checked before decoding. */
export const MAX_SEGMENT_FACTS = 2000;
export const MAX_SEGMENT_BYTES = 8 * 1024 * 1024;

export function encodeSegment(facts: readonly Fact[]): Uint8Array {
  return encoder.encode([SEGMENT_VERSION, facts.map(factRecord)]);
}

export interface DecodedSegment {
  readonly facts: Fact[];
  readonly rejected: RejectReason[];
}

/** Decodes a segment: the valid facts, and a rejection per bad record (or one for a bad segment). */
export function decodeSegment(bytes: unknown): DecodedSegment {
  if (!(bytes instanceof Uint8Array)) return { facts: [], rejected: ['malformed'] };
  if (bytes.length > MAX_SEGMENT_BYTES) return { facts: [], rejected: ['oversize'] };
  let a: unknown;
  try {
    a = decode(bytes);
  } catch {
    return { facts: [], rejected: ['malformed'] };
  }
  if (!Array.isArray(a) || a.length !== 2 || !Array.isArray(a[1])) return { facts: [], rejected: ['malformed'] };
  if (a[0] !== SEGMENT_VERSION) return { facts: [], rejected: ['unknown_version'] };
  if (a[1].length > MAX_SEGMENT_FACTS) return { facts: [], rejected: ['oversize'] };
  const facts: Fact[] = [];
  const rejected: RejectReason[] = [];
  for (const rec of a[1] as unknown[]) {
    const d = recordToFact(rec);
    if (d.ok) facts.push(d.value);
    else rejected.push(d.reason);
  }
  return { facts, rejected };
}
