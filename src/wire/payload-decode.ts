/**
 * Reading a payload. Decoding never throws: it checks the CBOR structure before cbor-x sees it (only integers up
 * to 32 bits and one trailing byte string are allowed, so no tag, float, map or nesting ever reaches cbor-x),
 * then the shape, then every range.
 */
import { decodeMultiple } from 'cbor-x';
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
  type Fact,
  type FactKind,
  type NodeId,
} from './facts.js';
import type { LocalPoint } from './frame-of-reference.js';
import { MAX_COVERAGE_CELLS, MAX_LAUNCH_POINTS, MAX_MISSION_AREAS, MAX_TIME, factProblem } from './fact-check.js';
import { unzigzag } from './packing.js';
import { accept, reject, type Decoded, type RejectReason } from './reject.js';
import {
  ALT_CODES,
  ALT_LO,
  ATTEST_BLOB_BYTES,
  COMMON_MODES,
  ESCAPE_CODE,
  KIND_OF_INDEX,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_CELLS,
  NARROW_ACTIVITIES,
  SECTOR_CODES,
  SEQ_ESC,
  TESLA_ATTEST_BLOB_BYTES,
  compareCanonical,
  timeProblem,
  tokenPos,
  type PacketPayload,
} from './payload-format.js';

class DecodeFailure {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {}
}
const fail = (reason: RejectReason, detail: string): never => {
  throw new DecodeFailure(reason, detail);
};

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
