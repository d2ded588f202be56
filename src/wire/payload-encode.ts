/**
 * Writing a payload: each fact's body tokens (compact or wide form), then the token stream of a packet with
 * its origin switches, seq codes and time deltas (see payload-format.ts for the layout).
 */
import { encoder } from './cbor.js';
import {
  ACK_RESULTS,
  ACTIVITIES,
  AREA_ROLES,
  COMMAND_ACTIONS,
  HAZARD_TYPES,
  MAX_NODE_ID,
  OUTCOMES,
  ROAD_SEVERITIES,
  VICTIM_CONDITIONS,
  type Fact,
  type NodeId,
} from './facts.js';
import type { LocalPoint } from './frame-of-reference.js';
import { factProblem } from './fact-check.js';
import { U32_MAX, cborBytesSize, cborIntSize, interleave, zigzag } from './packing.js';
import {
  ALT_CODES,
  ALT_LO,
  COMMON_MODES,
  ESCAPE_CODE,
  KIND_INDEX,
  MAX_PAYLOAD_CELLS,
  NARROW_ACTIVITIES,
  SECTOR_CODES,
  SEQ_ESC,
  canonicalOrder,
  compareCanonical,
  posToken,
  timeProblem,
  type PacketPayload,
} from './payload-format.js';

const cellsOf = (facts: readonly Fact[]): number => {
  let n = 0;
  for (const f of facts) if (f.kind === 'coverage') n += f.cells.length;
  return n;
};

function enumIndex(values: readonly string[], v: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw new RangeError(`"${v}" is not one of ${values.join(', ')}`);
  return i;
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

/**
 * Emits the token stream of facts already in canonical order (to `out` if given) and returns its size in
 * bytes. Sizes are exact: the same arithmetic as cbor-x's integer heads.
 */
export function emitFacts(sorted: readonly Fact[], sender: NodeId, time: number, out?: number[], unique = false): number {
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
