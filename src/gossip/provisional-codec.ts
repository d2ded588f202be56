/**
 * Stand-in packet codec for simulations and tests until the project's wire codec is used: facts as plain
 * CBOR arrays, a 7-byte header (version, sender, counter), a 16-byte tag slot and a 64-packet replay window.
 * The tag is a keyed checksum, not cryptography: it only models the size and the "forged packets are
 * rejected" behaviour of the real AEAD so that the simulator's airtime and defence figures are realistic.
 */
import { Encoder } from 'cbor-x';
import {
  ACK_RESULTS,
  ACTIVITIES,
  AREA_ROLES,
  COMMAND_ACTIONS,
  HAZARD_TYPES,
  OUTCOMES,
  ROAD_SEVERITIES,
  VICTIM_CONDITIONS,
  type Fact,
  type NodeId,
} from '../wire/facts.js';
import type { LocalPoint } from '../wire/frame-of-reference.js';
import { accept, reject, type Decoded } from '../wire/reject.js';
import type { GossipPayload, OpenResult, PacketCodec } from './codec.js';

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false } as never);
const VERSION = 1;
const HEADER = 7;
const TAG = 16;
const KINDS = ['status', 'victim', 'road', 'hazard', 'supersede', 'coverage', 'area', 'command', 'ack', 'mission'] as const;

type Arr = (number | Arr)[];

function pt(p: LocalPoint): number[] {
  return [p.x, p.y];
}

export function factToArray(f: Fact): Arr {
  const base = [KINDS.indexOf(f.kind as (typeof KINDS)[number]), f.origin, f.seq, f.t];
  switch (f.kind) {
    case 'status':
      return [...base, ...pt(f.pos), f.alt, f.battery, f.mode, f.armed ? 1 : 0, ACTIVITIES.indexOf(f.activity), f.sector, f.heading];
    case 'victim':
      return [...base, ...pt(f.pos), f.count, VICTIM_CONDITIONS.indexOf(f.condition), f.confidence];
    case 'road':
      return [...base, ROAD_SEVERITIES.indexOf(f.severity), f.path.flatMap(pt)];
    case 'hazard':
      return [...base, HAZARD_TYPES.indexOf(f.hazard), ...pt(f.pos), f.radius];
    case 'supersede':
      return [...base, f.target.origin, f.target.seq, OUTCOMES.indexOf(f.outcome)];
    case 'coverage':
      return [...base, [...f.cells]];
    case 'area':
      return [...base, AREA_ROLES.indexOf(f.role), f.priority, f.rings.map((r) => r.flatMap(pt))];
    case 'command':
      return [...base, f.target, COMMAND_ACTIONS.indexOf(f.action)];
    case 'ack':
      return [...base, f.target.origin, f.target.seq, ACK_RESULTS.indexOf(f.result)];
    case 'mission':
      return [...base, f.version, f.areas.flatMap((a) => [a.origin, a.seq]), f.launch.flatMap(pt)];
    case 'attest':
      throw new RangeError('the stand-in codec carries no attestations');
  }
}

const isInt = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function points(v: unknown, min: number, max: number): LocalPoint[] | undefined {
  if (!Array.isArray(v) || v.length % 2 !== 0 || v.length < 2 * min || v.length > 2 * max) return undefined;
  const out: LocalPoint[] = [];
  for (let i = 0; i < v.length; i += 2) {
    if (!isInt(v[i], -1e7, 1e7) || !isInt(v[i + 1], -1e7, 1e7)) return undefined;
    out.push({ x: v[i], y: v[i + 1] });
  }
  return out;
}

function enumAt<T extends readonly string[]>(list: T, v: unknown): T[number] | undefined {
  return isInt(v, 0, list.length - 1) ? list[v] : undefined;
}

/** Strict decode of one fact array; undefined when anything is off. */
export function factFromArray(a: unknown): Fact | undefined {
  if (!Array.isArray(a) || a.length < 4) return undefined;
  const [k, origin, seq, t] = a;
  const kind = enumAt(KINDS, k);
  if (!kind || !isInt(origin, 1, 0xffff) || !isInt(seq, 1, 0xffffffff) || !isInt(t, 0, 0xffffffff)) return undefined;
  const id = { origin, seq, t };
  const r = a.slice(4);
  switch (kind) {
    case 'status': {
      const activity = enumAt(ACTIVITIES, r[6]);
      if (r.length !== 9 || !activity) return undefined;
      const [x, y, alt, battery, mode, armed, , sector, heading] = r;
      if (!isInt(x, -1e7, 1e7) || !isInt(y, -1e7, 1e7) || !isInt(alt, -1000, 10000) || !isInt(battery, 0, 100)) return undefined;
      if (!isInt(mode, 0, 255) || !isInt(armed, 0, 1) || !isInt(sector, -1, 0xffff) || !isInt(heading, 0, 359)) return undefined;
      return { kind, ...id, pos: { x, y }, alt, battery, mode, armed: armed === 1, activity, sector, heading };
    }
    case 'victim': {
      const condition = enumAt(VICTIM_CONDITIONS, r[3]);
      const [x, y, count, , confidence] = r;
      if (r.length !== 5 || !condition || !isInt(x, -1e7, 1e7) || !isInt(y, -1e7, 1e7)) return undefined;
      if (!isInt(count, 1, 255) || !isInt(confidence, 0, 100)) return undefined;
      return { kind, ...id, pos: { x, y }, count, condition, confidence };
    }
    case 'road': {
      const severity = enumAt(ROAD_SEVERITIES, r[0]);
      const path = points(r[1], 2, 16);
      if (r.length !== 2 || !severity || !path) return undefined;
      return { kind, ...id, severity, path };
    }
    case 'hazard': {
      const hazard = enumAt(HAZARD_TYPES, r[0]);
      const [, x, y, radius] = r;
      if (r.length !== 4 || !hazard || !isInt(x, -1e7, 1e7) || !isInt(y, -1e7, 1e7) || !isInt(radius, 0, 65535)) return undefined;
      return { kind, ...id, hazard, pos: { x, y }, radius };
    }
    case 'supersede': {
      const outcome = enumAt(OUTCOMES, r[2]);
      if (r.length !== 3 || !outcome || !isInt(r[0], 1, 0xffff) || !isInt(r[1], 1, 0xffffffff)) return undefined;
      return { kind, ...id, target: { origin: r[0], seq: r[1] }, outcome };
    }
    case 'coverage': {
      const cells = r[0];
      if (r.length !== 1 || !Array.isArray(cells) || cells.length > 4096) return undefined;
      if (!cells.every((c, i) => isInt(c, 0, 0xffffffff) && (i === 0 || c > (cells[i - 1] as number)))) return undefined;
      return { kind, ...id, cells: cells as number[] };
    }
    case 'area': {
      const role = enumAt(AREA_ROLES, r[0]);
      const rings = Array.isArray(r[2]) && r[2].length >= 1 && r[2].length <= 16 ? r[2].map((ring) => points(ring, 3, 256)) : undefined;
      if (r.length !== 3 || !role || !isInt(r[1], 1, 9) || !rings || rings.some((x) => !x)) return undefined;
      return { kind, ...id, role, priority: r[1], rings: rings as LocalPoint[][] };
    }
    case 'command': {
      const action = enumAt(COMMAND_ACTIONS, r[1]);
      if (r.length !== 2 || !action || !isInt(r[0], 0, 0xffff)) return undefined;
      return { kind, ...id, target: r[0], action };
    }
    case 'ack': {
      const result = enumAt(ACK_RESULTS, r[2]);
      if (r.length !== 3 || !result || !isInt(r[0], 1, 0xffff) || !isInt(r[1], 1, 0xffffffff)) return undefined;
      return { kind, ...id, target: { origin: r[0], seq: r[1] }, result };
    }
    case 'mission': {
      const ids = r[1];
      const launch = Array.isArray(r[2]) && r[2].length === 0 ? [] : points(r[2], 1, 16);
      if (r.length !== 3 || !isInt(r[0], 1, 0xffff) || !Array.isArray(ids) || ids.length < 2 || ids.length > 32 || ids.length % 2 !== 0 || !launch) return undefined;
      const areas: { origin: number; seq: number }[] = [];
      for (let i = 0; i < ids.length; i += 2) {
        if (!isInt(ids[i], 1, 0xffff) || !isInt(ids[i + 1], 1, 0xffffffff)) return undefined;
        areas.push({ origin: ids[i] as number, seq: ids[i + 1] as number });
      }
      return { kind, ...id, version: r[0], areas, launch };
    }
  }
}

/** Keyed 16-byte checksum (FNV-1a lanes) standing in for the AEAD tag. */
function tag(key: number, bytes: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(TAG);
  for (let lane = 0; lane < 4; lane++) {
    let h = (0x811c9dc5 ^ key ^ Math.imul(lane + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
    out[lane * 4] = h >>> 24;
    out[lane * 4 + 1] = (h >>> 16) & 0xff;
    out[lane * 4 + 2] = (h >>> 8) & 0xff;
    out[lane * 4 + 3] = h & 0xff;
  }
  return out;
}

export interface ProvisionalCodecOptions {
  readonly self: NodeId;
  /** Shared swarm key (a number here); packets sealed with another key are rejected as bad_tag. */
  readonly key?: number;
  readonly maxPacketBytes?: number;
}

export function provisionalCodec(opts: ProvisionalCodecOptions): PacketCodec {
  const key = opts.key ?? 0x5eed;
  const max = opts.maxPacketBytes ?? 255;
  let counter = 0;
  const windows = new Map<NodeId, { top: number; seen: bigint }>();

  const checkReplay = (sender: NodeId, ctr: number): boolean => {
    const w = windows.get(sender);
    if (!w) {
      windows.set(sender, { top: ctr, seen: 1n });
      return true;
    }
    if (ctr > w.top) {
      const shift = ctr - w.top;
      w.seen = shift >= 64 ? 1n : ((w.seen << BigInt(shift)) | 1n) & 0xffffffffffffffffn;
      w.top = ctr;
      return true;
    }
    const back = w.top - ctr;
    if (back >= 64) return false;
    const bit = 1n << BigInt(back);
    if (w.seen & bit) return false;
    w.seen |= bit;
    return true;
  };

  return {
    maxPacketBytes: max,
    // header + tag + CBOR array head (1) + time (≤5) + facts array head (≤3)
    overhead: HEADER + TAG + 1 + 5 + 3,
    sizeOfFact: (f) => cbor.encode(factToArray(f)).length,
    sizeOfControl: (n) => (n === 0 ? 0 : n + (n < 24 ? 1 : n < 256 ? 2 : 3)),
    packetBytes(p: GossipPayload) {
      const body: unknown[] = [p.time, p.facts.map(factToArray)];
      if (p.control && p.control.length) body.push(p.control);
      return HEADER + (cbor.encode(body) as Uint8Array).length + TAG;
    },
    seal(p: GossipPayload) {
      counter++;
      const body: unknown[] = [p.time, p.facts.map(factToArray)];
      if (p.control && p.control.length) body.push(p.control);
      const enc = cbor.encode(body) as Uint8Array;
      const out = new Uint8Array(HEADER + enc.length + TAG);
      out[0] = VERSION;
      out[1] = opts.self >>> 8;
      out[2] = opts.self & 0xff;
      out[3] = counter >>> 24;
      out[4] = (counter >>> 16) & 0xff;
      out[5] = (counter >>> 8) & 0xff;
      out[6] = counter & 0xff;
      out.set(enc, HEADER);
      out.set(tag(key, out, HEADER + enc.length), HEADER + enc.length);
      return out;
    },
    open(bytes: Uint8Array): OpenResult {
      if (bytes.length > max) return reject('oversize', `${bytes.length} B`);
      if (bytes.length < HEADER + TAG + 1) return reject('truncated', `${bytes.length} B`);
      if (bytes[0] !== VERSION) return reject('unknown_version', String(bytes[0]));
      const sender = (bytes[1]! << 8) | bytes[2]!;
      const ctr = ((bytes[3]! << 24) | (bytes[4]! << 16) | (bytes[5]! << 8) | bytes[6]!) >>> 0;
      const bodyEnd = bytes.length - TAG;
      const want = tag(key, bytes, bodyEnd);
      for (let i = 0; i < TAG; i++)
        if (want[i] !== bytes[bodyEnd + i]) return { ...reject('bad_tag', 'tag mismatch'), claimedSender: sender };
      if (sender === 0) return { ...reject('unknown_sender', '0'), claimedSender: sender };
      const body = decodeBody(bytes.subarray(HEADER, bodyEnd));
      if (!body.ok) return { ...body, claimedSender: sender };
      if (!checkReplay(sender, ctr)) return { ...reject('replay', `${sender}#${ctr}`), claimedSender: sender };
      return accept({ sender, payload: body.value });
    },
  };
}

function decodeBody(bytes: Uint8Array): Decoded<GossipPayload> {
  let v: unknown;
  try {
    v = cbor.decode(bytes);
  } catch (e) {
    return reject('malformed', `cbor: ${(e as Error).message}`);
  }
  if (!Array.isArray(v) || v.length < 2 || v.length > 3) return reject('malformed', 'payload shape');
  const [time, rawFacts, control] = v;
  if (!isInt(time, 0, 0xffffffff)) return reject('out_of_range', 'time');
  if (!Array.isArray(rawFacts) || rawFacts.length > 64) return reject('malformed', 'facts');
  const facts: Fact[] = [];
  for (const a of rawFacts) {
    const f = factFromArray(a);
    if (!f) return reject('malformed', 'fact');
    facts.push(f);
  }
  if (control !== undefined && !(control instanceof Uint8Array)) return reject('malformed', 'control');
  return accept(control ? { time, facts, control } : { time, facts });
}
