/**
 * The packet payload codec: a CBOR sequence (RFC 8742) of small integers, written and read by cbor-x.
 *
 *   time · { [origin] head [kind] [seq] dt body… }* · [control]
 *
 * - `time`: the sender's mission seconds when the packet was built.
 * - facts go in canonical order, by time then origin then seq (whatever order they were added in), so
 *   each fact's time is a small non-negative delta from the previous one (the first: zig-zag of the age
 *   against the packet time).
 * - a negative token −o switches the current origin to o (the first fact's origin is the sender unless a
 *   switch says otherwise).
 * - head = seqCode·8 + code. seqCode is the seq for an origin's first fact in the packet, otherwise the
 *   zig-zag of (seq − that origin's previous seq − 1): 0 for the next fact of the same origin. A seqCode
 *   of 2^29 − 1 means the absolute seq follows. Codes 0..6 are the compact forms of status, victim,
 *   road, hazard, supersede, coverage, command; code 7 is followed by kind·2 + wide (areas, acks,
 *   missions, wide forms).
 * - body: the kind's fields packed into as few integers as their ranges allow ("compact" form); values
 *   outside the compact ranges use the "wide" form, one plainer token per field.
 * - control: an optional byte string, last, carrying the gossip layer's own records.
 *
 * See docs/wire.md for every field, its unit and its cost. Decoding never throws: it checks the CBOR
 * structure before cbor-x sees it (only integers up to 32 bits and one trailing byte string are allowed,
 * so no tag, float, map or nesting ever reaches cbor-x), then the shape, then every range.
 */
import { decodeMultiple } from 'cbor-x';
import { encoder } from './cbor.js';
import {
  ACK_RESULTS,
  ACTIVITIES,
  AREA_ROLES,
  COMMAND_ACTIONS,
  HAZARD_TYPES,
  MAX_NODE_ID,
  MAX_SEQ,
  OUTCOMES,
  ROAD_SEVERITIES,
  VICTIM_CONDITIONS,
  compareFactIds,
  type Fact,
  type FactKind,
  type NodeId,
} from './facts.js';
import type { LocalPoint } from './frame-of-reference.js';
import { MAX_COVERAGE_CELLS, MAX_LAUNCH_POINTS, MAX_MISSION_AREAS, MAX_TIME, factProblem } from './fact-check.js';
import { U32_MAX, cborBytesSize, cborIntSize, deinterleave, interleave, unzigzag, zigzag } from './packing.js';
import { accept, reject, type Decoded, type RejectReason } from './reject.js';

/** What one packet carries once opened. */
export interface PacketPayload {
  /** The sender's mission seconds when it built the packet. */
  readonly time: number;
  readonly facts: readonly Fact[];
  /** Opaque gossip control records (digests, requests), encoded by the gossip layer. */
  readonly control?: Uint8Array;
}

/** Largest payload the decoder looks at (a LoRa frame is at most 255 bytes; UDP links may use more). */
export const MAX_PAYLOAD_BYTES = 1024;
/** Coverage cells one payload may expand to: bounds what a 1 KB hostile payload can make a decoder allocate. */
export const MAX_PAYLOAD_CELLS = 16384;

const cellsOf = (facts: readonly Fact[]): number => {
  let n = 0;
  for (const f of facts) if (f.kind === 'coverage') n += f.cells.length;
  return n;
};

/** Kind numbers, as written in the escape token (kind·2 + wide). */
const KIND_INDEX: Record<FactKind, number> = {
  status: 0,
  victim: 1,
  road: 2,
  hazard: 3,
  supersede: 4,
  coverage: 5,
  command: 6,
  area: 7,
  ack: 8,
  mission: 9,
  attest: 10,
};
const KIND_OF_INDEX: readonly FactKind[] = ['status', 'victim', 'road', 'hazard', 'supersede', 'coverage', 'command', 'area', 'ack', 'mission', 'attest'];
/**
 * An attestation's digest, status digest and signature travel as one byte string of this length; a MACed
 * one (tesla.ts) has an 8-byte MAC in place of the signature.
 */
export const ATTEST_BLOB_BYTES = 16 + 8 + 64;
export const TESLA_ATTEST_BLOB_BYTES = 16 + 8 + 8;
/** Head codes 0..6 are the compact forms of kinds 0..6; code 7 means "kind·2 + wide follows" (areas, wide forms). */
const ESCAPE_CODE = 7;
/** ArduCopter modes a drone spends its flight in: STABILIZE, AUTO, GUIDED, LOITER, RTL, LAND, BRAKE. */
const COMMON_MODES = [0, 3, 4, 5, 6, 9, 17] as const;
const SEQ_ESC = 2 ** 29 - 1;
/** Compact status ranges: altitude −10..245 m, sector −1..49. */
const ALT_LO = -10;
const ALT_CODES = 256;
const SECTOR_CODES = 51;
/** Activities the compact status form can carry: with more, its second token would not fit 32 bits. */
const NARROW_ACTIVITIES = 9;

class DecodeFailure {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {}
}
const fail = (reason: RejectReason, detail: string): never => {
  throw new DecodeFailure(reason, detail);
};

function enumIndex(values: readonly string[], v: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw new RangeError(`"${v}" is not one of ${values.join(', ')}`);
  return i;
}

const posToken = (p: LocalPoint): number => interleave(zigzag(p.x), zigzag(p.y));
function tokenPos(v: number): LocalPoint {
  const [a, b] = deinterleave(v);
  return { x: unzigzag(a), y: unzigzag(b) };
}

interface Body {
  readonly wide: boolean;
  /** Integers, and for attestations one byte string. */
  readonly tokens: readonly (number | Uint8Array)[];
}

function pathTokens(points: readonly LocalPoint[], wide: boolean, out: number[]): void {
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const prev = points[i - 1];
    out.push(wide || !prev ? posToken(p) : interleave(zigzag(p.x - prev.x), zigzag(p.y - prev.y)));
  }
}

function pathFits(points: readonly LocalPoint[]): boolean {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (Math.abs(b.x - a.x) > 32767 || Math.abs(b.y - a.y) > 32767) return false;
  }
  return true;
}

/** The body tokens of a fact (independent of where it sits in a packet). */
function bodyOf(f: Fact): Body {
  switch (f.kind) {
    case 'status': {
      const act = enumIndex(ACTIVITIES, f.activity);
      const modeCode = (COMMON_MODES as readonly number[]).indexOf(f.mode);
      const s1 = posToken(f.pos) * 16 + (f.armed ? 8 : 0) + modeCode;
      // the compact form has room for the first NARROW_ACTIVITIES activities only (it fills 32 bits)
      if (modeCode >= 0 && act < NARROW_ACTIVITIES && f.alt >= ALT_LO && f.alt < ALT_LO + ALT_CODES && f.sector + 1 < SECTOR_CODES && s1 <= U32_MAX) {
        const s2 = (((f.heading * 101 + f.battery) * NARROW_ACTIVITIES + act) * ALT_CODES + (f.alt - ALT_LO)) * SECTOR_CODES + (f.sector + 1);
        return { wide: false, tokens: [s1, s2] };
      }
      return {
        wide: true,
        tokens: [posToken(f.pos), zigzag(f.alt), (f.battery * 2 + (f.armed ? 1 : 0)) * ACTIVITIES.length + act, f.mode, f.sector + 1, f.heading],
      };
    }
    case 'victim': {
      const cond = enumIndex(VICTIM_CONDITIONS, f.condition);
      const v2 = (f.count - 1) * 101 + f.confidence;
      const v1 = posToken(f.pos) * 5 + cond;
      return v1 <= U32_MAX ? { wide: false, tokens: [v1, v2] } : { wide: true, tokens: [posToken(f.pos), cond, v2] };
    }
    case 'hazard': {
      const type = enumIndex(HAZARD_TYPES, f.hazard);
      const h1 = posToken(f.pos) * 5 + type;
      return h1 <= U32_MAX
        ? { wide: false, tokens: [h1, f.radius] }
        : { wide: true, tokens: [posToken(f.pos), type, f.radius] };
    }
    case 'road': {
      const wide = !pathFits(f.path);
      const tokens = [(f.path.length - 2) * 2 + enumIndex(ROAD_SEVERITIES, f.severity)];
      pathTokens(f.path, wide, tokens);
      return { wide, tokens };
    }
    case 'area': {
      const wide = !f.rings.every(pathFits);
      const tokens = [enumIndex(AREA_ROLES, f.role) * 9 + (f.priority - 1), f.rings.length - 1];
      for (const ring of f.rings) {
        tokens.push(ring.length - 3);
        pathTokens(ring, wide, tokens);
      }
      return { wide, tokens };
    }
    case 'supersede': {
      const o = f.target.origin === f.origin ? 0 : f.target.origin;
      return { wide: false, tokens: [o * 6 + enumIndex(OUTCOMES, f.outcome), f.target.seq] };
    }
    case 'coverage': {
      // Run-length: (runs − 1), first start, then (length − 1) and, for later runs, (gap − 2) before it.
      const runs: number[] = [];
      const cells = f.cells;
      let start = cells[0]!;
      let prev = start;
      for (let i = 1; i <= cells.length; i++) {
        const c = cells[i];
        if (c === prev + 1) {
          prev = c;
          continue;
        }
        runs.push(start, prev);
        if (c !== undefined) start = prev = c;
      }
      const tokens = [runs.length / 2 - 1];
      for (let r = 0; r < runs.length; r += 2) {
        tokens.push(r === 0 ? runs[0]! : runs[r]! - runs[r - 1]! - 2, runs[r + 1]! - runs[r]!);
      }
      return { wide: false, tokens };
    }
    case 'command':
      return { wide: false, tokens: [f.target * 4 + enumIndex(COMMAND_ACTIONS, f.action)] };
    case 'ack': {
      const o = f.target.origin === f.origin ? 0 : f.target.origin;
      return { wide: false, tokens: [o * 3 + enumIndex(ACK_RESULTS, f.result), f.target.seq] };
    }
    case 'attest': {
      // from and the status seq as distances back from the attestation's own seq (small), then the blob
      const blob = new Uint8Array(16 + 8 + f.signature.length);
      blob.set(f.digest, 0);
      blob.set(f.statusDigest, 16);
      blob.set(f.signature, 24);
      return {
        wide: false,
        tokens: [f.count === 0 ? 0 : f.seq - f.from, f.to - f.from, f.count, f.statusSeq === 0 ? 0 : f.seq - f.statusSeq, blob],
      };
    }
    case 'mission': {
      // version, area count − 1, launch count, then each area (origin, 0 for the mission's own, and seq),
      // then each launch point as an absolute position token
      const tokens = [f.version, f.areas.length - 1, f.launch.length];
      for (const a of f.areas) tokens.push(a.origin === f.origin ? 0 : a.origin, a.seq);
      for (const p of f.launch) tokens.push(posToken(p));
      return { wide: false, tokens };
    }
  }
}

const bodyCache = new WeakMap<Fact, Body>();
function cachedBody(f: Fact): Body {
  let b = bodyCache.get(f);
  if (!b) {
    const problem = factProblem(f);
    if (problem) throw new RangeError(`cannot encode fact ${f.origin}:${f.seq}: ${problem}`);
    b = bodyOf(f);
    bodyCache.set(f, b);
  }
  return b;
}

/** Orders facts by time, then origin, then seq: the canonical order inside a packet. */
export function compareCanonical(a: Fact, b: Fact): number {
  return a.t - b.t || compareFactIds(a, b);
}

/** Canonical order inside a packet: by time, then origin, then seq (see compareCanonical). */
export function canonicalOrder(facts: readonly Fact[], _sender?: NodeId): Fact[] {
  return [...facts].sort(compareCanonical);
}

/**
 * Emits the token stream of facts already in canonical order (to `out` if given) and returns its size in
 * bytes. Sizes are exact: the same arithmetic as cbor-x's integer heads.
 */
function emitFacts(sorted: readonly Fact[], sender: NodeId, time: number, out?: number[], unique = false): number {
  let size = 0;
  let origin = sender;
  let prev: Fact | undefined;
  const lastSeq = new Map<NodeId, number>();
  const ids = unique ? undefined : new Set<number>();
  const put = (v: number | Uint8Array) => {
    size += typeof v === 'number' ? cborIntSize(v) : cborBytesSize(v.length);
    out?.push(v as number);
  };
  for (const f of sorted) {
    const body = cachedBody(f);
    if (ids) {
      const id = f.origin * 2 ** 32 + f.seq;
      if (ids.has(id) || (prev && compareCanonical(prev, f) >= 0)) throw new RangeError(`fact ${f.origin}:${f.seq} twice or out of canonical order`);
      ids.add(id);
    }
    if (f.origin !== origin) {
      put(-f.origin);
      origin = f.origin;
    }
    const last = lastSeq.get(origin);
    const seqCode = last === undefined ? f.seq : zigzag(f.seq - last - 1);
    const kind = KIND_INDEX[f.kind];
    const code = body.wide || kind >= ESCAPE_CODE ? ESCAPE_CODE : kind;
    put(Math.min(seqCode, SEQ_ESC) * 8 + code);
    if (code === ESCAPE_CODE) put(kind * 2 + (body.wide ? 1 : 0));
    if (seqCode >= SEQ_ESC) put(f.seq);
    put(prev ? f.t - prev.t : zigzag(time - f.t));
    for (const tok of body.tokens) put(tok);
    lastSeq.set(origin, f.seq);
    prev = f;
  }
  return size;
}

function timeProblem(time: number): string | undefined {
  return Number.isInteger(time) && time >= 0 && time <= MAX_TIME ? undefined : `packet time ${time} outside 0..${MAX_TIME}`;
}

/** Exact size in bytes of the encoded payload. */
export function payloadSize(payload: PacketPayload, sender: NodeId): number {
  const sorted = canonicalOrder(payload.facts, sender);
  return (
    cborIntSize(payload.time) +
    emitFacts(sorted, sender, payload.time) +
    (payload.control ? cborBytesSize(payload.control.length) : 0)
  );
}

/** Encodes a payload (facts in any order; they are written in canonical order). Throws on invalid facts. */
export function encodePayload(payload: PacketPayload, sender: NodeId): Uint8Array {
  const tp = timeProblem(payload.time);
  if (tp) throw new RangeError(tp);
  if (!Number.isInteger(sender) || sender < 1 || sender > MAX_NODE_ID) throw new RangeError(`sender ${sender} outside 1..${MAX_NODE_ID}`);
  if (cellsOf(payload.facts) > MAX_PAYLOAD_CELLS) throw new RangeError(`more than ${MAX_PAYLOAD_CELLS} coverage cells in one payload`);
  const items: (number | Uint8Array)[] = [payload.time];
  emitFacts(canonicalOrder(payload.facts, sender), sender, payload.time, items as number[]);
  if (payload.control) items.push(payload.control);
  const arr = encoder.encode(items);
  // cbor-x wrote one array; a CBOR sequence is its items without the array head.
  const n = items.length;
  const head = n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  return new Uint8Array(arr.buffer, arr.byteOffset + head, arr.length - head).slice();
}

/**
 * Walks the CBOR sequence before cbor-x reads it: only integers with heads up to 32 bits and a single
 * byte string at the very end are allowed. Returns the number of items.
 */
function checkStructure(bytes: Uint8Array): number {
  let i = 0;
  let items = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const major = b >> 5;
    const info = b & 31;
    if (major > 2) fail('malformed', `CBOR major type ${major} at byte ${i}`);
    if (info > 26) fail('malformed', `CBOR additional info ${info} at byte ${i}`);
    const headLen = info < 24 ? 1 : info === 24 ? 2 : info === 25 ? 3 : 5;
    if (i + headLen > bytes.length) fail('truncated', 'payload ends inside an integer');
    let value = info;
    if (info >= 24) {
      value = 0;
      for (let k = 1; k < headLen; k++) value = value * 256 + bytes[i + k]!;
    }
    i += headLen;
    items++;
    if (major === 2) {
      if (value > bytes.length - i) fail('truncated', `byte string of ${value} bytes, ${bytes.length - i} left`);
      i += value;
      // Only an attestation's blob may sit between facts; any other byte string is the control, last.
      if (i !== bytes.length && value !== ATTEST_BLOB_BYTES && value !== TESLA_ATTEST_BLOB_BYTES) fail('malformed', 'control bytes must be the last item');
    }
  }
  return items;
}

class Tokens {
  i = 0;
  constructor(readonly items: readonly unknown[]) {}
  get atEnd(): boolean {
    return this.i >= this.items.length || this.items[this.i] instanceof Uint8Array;
  }
  peek(): unknown {
    return this.items[this.i];
  }
  bytes(what: string, n: number, alt = n): Uint8Array {
    const v = this.items[this.i++];
    if (!(v instanceof Uint8Array)) fail(v === undefined ? 'truncated' : 'malformed', `${what} is not a byte string`);
    const len = (v as Uint8Array).length;
    if (len !== n && len !== alt) fail('malformed', `${what} of ${len} bytes, not ${n}`);
    return new Uint8Array(v as Uint8Array);
  }
  uint(what: string): number {
    if (this.atEnd) fail('truncated', `payload ends before ${what}`);
    const v = this.items[this.i++];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail('malformed', `${what} is not an unsigned integer`);
    return v as number;
  }
}

function readPath(r: Tokens, n: number, wide: boolean): LocalPoint[] {
  const points: LocalPoint[] = [];
  for (let k = 0; k < n; k++) {
    const v = r.uint('a path point');
    const prev = points[k - 1];
    if (wide || !prev) points.push(tokenPos(v));
    else {
      const d = tokenPos(v);
      points.push({ x: prev.x + d.x, y: prev.y + d.y });
    }
  }
  return points;
}

function enumAt<T extends string>(values: readonly T[], i: number, what: string): T {
  const v = values[i];
  if (v === undefined) fail('out_of_range', `${what} code ${i}`);
  return v as T;
}

function readBody(r: Tokens, kind: FactKind, wide: boolean, id: { origin: number; seq: number; t: number }, budget: { cells: number }): Fact {
  if (wide && (kind === 'supersede' || kind === 'coverage' || kind === 'command' || kind === 'ack' || kind === 'mission' || kind === 'attest'))
    fail('malformed', `${kind} has no wide form`);
  switch (kind) {
    case 'attest': {
      const back = r.uint('attested range start');
      const span = r.uint('attested range');
      const count = r.uint('attested count');
      const sback = r.uint('attested status');
      const blob = r.bytes('attestation', ATTEST_BLOB_BYTES, TESLA_ATTEST_BLOB_BYTES);
      const from = count === 0 ? 0 : id.seq - back;
      return {
        kind, ...id, from, to: from + span, count, statusSeq: sback === 0 ? 0 : id.seq - sback,
        digest: blob.slice(0, 16), statusDigest: blob.slice(16, 24), signature: blob.slice(24),
      };
    }
    case 'status': {
      if (!wide) {
        const s1 = r.uint('status position');
        let s2 = r.uint('status state');
        const sector = (s2 % SECTOR_CODES) - 1;
        s2 = Math.floor(s2 / SECTOR_CODES);
        const alt = (s2 % ALT_CODES) + ALT_LO;
        s2 = Math.floor(s2 / ALT_CODES);
        const act = s2 % NARROW_ACTIVITIES;
        s2 = Math.floor(s2 / NARROW_ACTIVITIES);
        const battery = s2 % 101;
        const heading = Math.floor(s2 / 101);
        const modeCode = s1 % 8;
        const mode = COMMON_MODES[modeCode];
        if (mode === undefined) fail('out_of_range', `mode code ${modeCode}`);
        return {
          kind, ...id, pos: tokenPos(Math.floor(s1 / 16)), alt, battery, mode: mode as number,
          armed: (s1 & 8) !== 0, activity: enumAt(ACTIVITIES, act, 'activity'), sector, heading,
        };
      }
      const pos = tokenPos(r.uint('status position'));
      const alt = unzigzag(r.uint('altitude'));
      const b = r.uint('battery/armed/activity');
      const mode = r.uint('mode');
      const sector = r.uint('sector') - 1;
      const heading = r.uint('heading');
      return {
        kind, ...id, pos, alt, battery: Math.floor(b / (2 * ACTIVITIES.length)), mode,
        armed: Math.floor(b / ACTIVITIES.length) % 2 === 1, activity: enumAt(ACTIVITIES, b % ACTIVITIES.length, 'activity'), sector, heading,
      };
    }
    case 'victim': {
      let pos: LocalPoint;
      let cond: number;
      if (wide) {
        pos = tokenPos(r.uint('victim position'));
        cond = r.uint('condition');
      } else {
        const v1 = r.uint('victim position');
        pos = tokenPos(Math.floor(v1 / 5));
        cond = v1 % 5;
      }
      const v2 = r.uint('count/confidence');
      return {
        kind, ...id, pos, count: Math.floor(v2 / 101) + 1,
        condition: enumAt(VICTIM_CONDITIONS, cond, 'condition'), confidence: v2 % 101,
      };
    }
    case 'hazard': {
      let pos: LocalPoint;
      let type: number;
      if (wide) {
        pos = tokenPos(r.uint('hazard position'));
        type = r.uint('hazard type');
      } else {
        const h1 = r.uint('hazard position');
        pos = tokenPos(Math.floor(h1 / 5));
        type = h1 % 5;
      }
      return { kind, ...id, hazard: enumAt(HAZARD_TYPES, type, 'hazard'), pos, radius: r.uint('radius') };
    }
    case 'road': {
      const r0 = r.uint('road shape');
      const n = Math.floor(r0 / 2) + 2;
      if (n > 16) fail('out_of_range', `road of ${n} points`);
      return { kind, ...id, path: readPath(r, n, wide), severity: enumAt(ROAD_SEVERITIES, r0 % 2, 'severity') };
    }
    case 'area': {
      const a0 = r.uint('area role');
      const nRings = r.uint('ring count') + 1;
      if (nRings > 16) fail('out_of_range', `area of ${nRings} rings`);
      const rings: LocalPoint[][] = [];
      for (let k = 0; k < nRings; k++) {
        const n = r.uint('ring size') + 3;
        if (n > 256) fail('out_of_range', `ring of ${n} points`);
        rings.push(readPath(r, n, wide));
      }
      return { kind, ...id, role: enumAt(AREA_ROLES, Math.floor(a0 / 9), 'role'), priority: (a0 % 9) + 1, rings };
    }
    case 'supersede': {
      const t1 = r.uint('supersede target');
      const o = Math.floor(t1 / 6);
      return {
        kind, ...id, target: { origin: o === 0 ? id.origin : o, seq: r.uint('target seq') },
        outcome: enumAt(OUTCOMES, t1 % 6, 'outcome'),
      };
    }
    case 'coverage': {
      const runs = r.uint('run count') + 1;
      if (runs > MAX_COVERAGE_CELLS) fail('out_of_range', `${runs} coverage runs`);
      const cells: number[] = [];
      let prevEnd = -2;
      for (let k = 0; k < runs; k++) {
        const a = r.uint('run start');
        const start = k === 0 ? a : prevEnd + 2 + a;
        const len = r.uint('run length') + 1;
        if (cells.length + len > MAX_COVERAGE_CELLS) fail('out_of_range', `coverage of more than ${MAX_COVERAGE_CELLS} cells`);
        if (len > budget.cells) fail('oversize', `more than ${MAX_PAYLOAD_CELLS} coverage cells in one payload`);
        budget.cells -= len;
        for (let c = 0; c < len; c++) cells.push(start + c);
        prevEnd = start + len - 1;
      }
      return { kind, ...id, cells };
    }
    case 'command': {
      const k1 = r.uint('command');
      return { kind, ...id, target: Math.floor(k1 / 4), action: enumAt(COMMAND_ACTIONS, k1 % 4, 'action') };
    }
    case 'ack': {
      const a1 = r.uint('ack target');
      const o = Math.floor(a1 / 3);
      return { kind, ...id, target: { origin: o === 0 ? id.origin : o, seq: r.uint('target seq') }, result: enumAt(ACK_RESULTS, a1 % 3, 'result') };
    }
    case 'mission': {
      const version = r.uint('mission version');
      const nAreas = r.uint('area count') + 1;
      const nLaunch = r.uint('launch count');
      if (nAreas > MAX_MISSION_AREAS || nLaunch > MAX_LAUNCH_POINTS) fail('out_of_range', `mission of ${nAreas} areas, ${nLaunch} launch points`);
      const areas: { origin: number; seq: number }[] = [];
      for (let k = 0; k < nAreas; k++) {
        const o = r.uint('area origin');
        areas.push({ origin: o === 0 ? id.origin : o, seq: r.uint('area seq') });
      }
      const launch: LocalPoint[] = [];
      for (let k = 0; k < nLaunch; k++) launch.push(tokenPos(r.uint('launch point')));
      return { kind, ...id, version, areas, launch };
    }
  }
}

/** Decodes a payload from `sender`. Never throws; every problem is a typed rejection. */
export function decodePayload(bytes: Uint8Array, sender: NodeId): Decoded<PacketPayload> {
  try {
    if (!(bytes instanceof Uint8Array)) return reject('malformed', 'payload is not bytes');
    if (bytes.length === 0) return reject('truncated', 'empty payload');
    if (bytes.length > MAX_PAYLOAD_BYTES) return reject('oversize', `payload of ${bytes.length} bytes > ${MAX_PAYLOAD_BYTES}`);
    checkStructure(bytes);
    const items = decodeMultiple(bytes) as unknown[];
    if (!Array.isArray(items)) return reject('malformed', 'not a CBOR sequence');
    const r = new Tokens(items);
    const time = r.uint('packet time');
    const tp = timeProblem(time);
    if (tp) return reject('out_of_range', tp);
    const facts: Fact[] = [];
    const budget = { cells: MAX_PAYLOAD_CELLS };
    let origin = sender;
    let prev: Fact | undefined;
    const lastSeq = new Map<NodeId, number>();
    const ids = new Set<number>();
    while (!r.atEnd) {
      const tok = r.peek();
      if (typeof tok !== 'number' || !Number.isInteger(tok)) fail('malformed', 'fact token is not an integer');
      if ((tok as number) < 0) {
        r.i++;
        const o = -(tok as number);
        if (o > MAX_NODE_ID) fail('out_of_range', `origin ${o}`);
        if (o === origin) fail('malformed', `origin switch to the current origin ${o}`);
        if (r.atEnd) fail('truncated', 'origin switch without a fact');
        const next = r.peek();
        if (typeof next === 'number' && next < 0) fail('malformed', 'two origin switches in a row');
        origin = o;
        continue;
      }
      const head = r.uint('fact head');
      let code = head % 8;
      let wide = false;
      if (code === ESCAPE_CODE) {
        const k = r.uint('kind');
        if (k >= KIND_OF_INDEX.length * 2) fail('malformed', `kind token ${k}`);
        code = k >> 1;
        wide = (k & 1) === 1;
        if (!wide && code < ESCAPE_CODE) fail('malformed', 'escaped compact form of a kind that has a code');
      }
      const kind = KIND_OF_INDEX[code]!;
      const seqCode = Math.floor(head / 8);
      const last = lastSeq.get(origin);
      const seq =
        seqCode === SEQ_ESC ? r.uint('sequence number') : last === undefined ? seqCode : last + 1 + unzigzag(seqCode);
      if (seq < 1 || seq > MAX_SEQ) fail('out_of_range', `seq ${seq}`);
      const dt = r.uint('time');
      const t = prev ? prev.t + dt : time - unzigzag(dt);
      if (t < 0 || t > MAX_TIME) fail('out_of_range', `fact time ${t}`);
      const fact = readBody(r, kind, wide, { origin, seq, t }, budget);
      const problem = factProblem(fact);
      if (problem) fail('out_of_range', problem);
      const id = origin * 2 ** 32 + seq;
      if (ids.has(id) || (prev && compareCanonical(prev, fact) >= 0)) fail('malformed', `fact ${origin}:${seq} repeated or out of canonical order`);
      ids.add(id);
      facts.push(fact);
      lastSeq.set(origin, seq);
      prev = fact;
    }
    const last = r.peek();
    const control = last instanceof Uint8Array ? new Uint8Array(last) : undefined;
    return accept(control ? { time, facts, control } : { time, facts });
  } catch (err) {
    if (err instanceof DecodeFailure) return reject(err.reason, err.detail);
    const msg = err instanceof Error ? err.message : String(err);
    return reject(/end of buffer|unexpected end/i.test(msg) ? 'truncated' : 'malformed', `CBOR: ${msg}`);
  }
}

/** Options for a batch: who sends, when, and how much room the link gives. */
export interface BatchOptions {
  readonly sender: NodeId;
  /** The sender's mission seconds (becomes the packet time). */
  readonly time: number;
  /** Largest payload in bytes (see maxPayloadFor in packet.ts to derive it from a link MTU). */
  readonly maxPayload: number;
  readonly control?: Uint8Array;
}

/**
 * Fills one packet. Facts are offered in the caller's order (its priority order); each is taken only if the
 * payload still fits, and `add` reports exactly how many bytes it added (facts are written in canonical
 * order, so the figure is the growth of the whole payload, which is what the budget needs).
 */
export class BatchBuilder {
  private readonly sorted: Fact[] = [];
  private readonly keys = new Set<string>();
  private bytes: number;
  private cells = 0;

  constructor(readonly options: BatchOptions) {
    const tp = timeProblem(options.time);
    if (tp) throw new RangeError(tp);
    this.bytes = cborIntSize(options.time) + (options.control ? cborBytesSize(options.control.length) : 0);
    if (this.bytes > options.maxPayload)
      throw new RangeError(`a payload budget of ${options.maxPayload} bytes has no room for the packet time and control records`);
  }

  /** Payload bytes so far. */
  get size(): number {
    return this.bytes;
  }

  get remaining(): number {
    return this.options.maxPayload - this.bytes;
  }

  get count(): number {
    return this.sorted.length;
  }

  get facts(): readonly Fact[] {
    return this.sorted;
  }

  /** Bytes the fact would add now, without adding it (undefined if it is already in the batch). */
  cost(fact: Fact): number | undefined {
    const key = `${fact.origin}:${fact.seq}`;
    if (this.keys.has(key)) return undefined;
    const at = this.insertionPoint(fact);
    this.sorted.splice(at, 0, fact);
    try {
      return this.measure() - this.bytes;
    } finally {
      this.sorted.splice(at, 1);
    }
  }

  /**
   * Adds the fact if it fits; returns the bytes it added, or undefined if it does not fit (or is already in).
   * Throws RangeError for a fact outside the documented ranges.
   */
  add(fact: Fact): number | undefined {
    const key = `${fact.origin}:${fact.seq}`;
    if (this.keys.has(key)) return undefined;
    const cells = fact.kind === 'coverage' ? fact.cells.length : 0;
    if (this.cells + cells > MAX_PAYLOAD_CELLS) return undefined;
    const at = this.insertionPoint(fact);
    this.sorted.splice(at, 0, fact);
    const size = this.measure();
    if (size > this.options.maxPayload) {
      this.sorted.splice(at, 1);
      return undefined;
    }
    const added = size - this.bytes;
    this.bytes = size;
    this.cells += cells;
    this.keys.add(key);
    return added;
  }

  payload(): PacketPayload {
    const { time, control } = this.options;
    return control ? { time, facts: [...this.sorted], control } : { time, facts: [...this.sorted] };
  }

  encode(): Uint8Array {
    return encodePayload(this.payload(), this.options.sender);
  }

  private measure(): number {
    const { time, control, sender } = this.options;
    // The builder keeps ids unique and sorted itself, so the emitter need not check them again.
    return cborIntSize(time) + emitFacts(this.sorted, sender, time, undefined, true) + (control ? cborBytesSize(control.length) : 0);
  }

  private insertionPoint(f: Fact): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.sorted[mid]!;
      if (compareCanonical(m, f) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
