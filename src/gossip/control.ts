/**
 * The gossip engine's control records, carried in a packet's opaque `control` bytes as one CBOR array of
 * small-integer arrays (compact: ids and seqs are delta-coded, ages quantised):
 *
 * - SUM  [0, count, hash]                 summary of the durable facts held (Trickle's "consistency" check);
 * - HB   [1, epoch, lo, bytes, skip, bytes, …] heartbeats in runs of ids: the low nibble of byte i of a run
 *                                          starting at member lo is the age, in epochs of HB_EPOCH_S seconds before
 *                                          `epoch`, of the freshest evidence that member lo + 2·i was alive, the high
 *                                          nibble that of member lo + 2·i + 1 (15: nothing to say); the next run
 *                                          starts `skip` ids after the end of the one before. Half a byte a member in
 *                                          byte strings (as integers, CBOR spent a fifth more), ages absolute (epochs
 *                                          of mission time), so relaying never blurs them. Runs, because ids are
 *                                          sparse: drones 1..N and a ground station at 250 in one run cost 125 bytes
 *                                          whatever N, in two runs N/2 + 4;
 * - ODG  [2, to, lo, hi, o1, c1, h1, d2, …] per-origin digest of durable facts for origins lo..hi: count and an
 *                                          8-bit set hash per origin (origins absent in range: none held); `to` is
 *                                          the neighbour asked to answer (0: anyone), so that neighbours that
 *                                          cannot hear each other do not all send the same facts;
 * - HAVE [3, origin, s1, d2, d3, …]       "of origin's durable facts I hold exactly these seqs": whoever holds
 *                                          others answers with them;
 * - POS  [4, zx, zy]                      sender's position, area frame, 40 m units, zigzag-coded (relay pruning);
 * - KEY  [5, origin, interval, key]        a disclosed key of origin's chain (wire/tesla.ts: 8-byte key), by the
 *                                          origin or relayed: it proves the origin's MACed facts and attestations;
 * - TAGS [6, mask, bytes]                  4 bytes per durable fact of the packet (canonical order, attestations
 *                                          skipped): its origin's MAC under the interval key of the fact's time,
 *                                          zeros where the sender has none; then one per status whose bit is set in
 *                                          mask (bit k: the packet's k-th status). Relays pass tags on as heard.
 *
 * Status facts are never in SUM/ODG/HAVE: a newer status supersedes an older one, so a missed old status is
 * not "missing"; freshness of members travels in HB instead.
 */
import { Encoder } from 'cbor-x';
import type { NodeId } from '../wire/facts.js';
import { accept, reject, type Decoded } from '../wire/reject.js';

// byte strings plain (no typed-array tag: 2 bytes a heartbeat)
const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false } as never);

export const HB_EPOCH_S = 120;
const TAG_BYTES = 4;
export const HB_MAX_AGE = 14;
/** Ids apart beyond which heartbeats start a new run (about 3 bytes of unused nibbles: what a run's head costs). */
const HB_RUN_GAP = 7;
const MAX_RECORDS = 16;
const MAX_ITEMS = 400;

export type ControlRecord =
  | { readonly type: 'sum'; readonly count: number; readonly hash: number }
  | { readonly type: 'hb'; readonly epoch: number; readonly entries: readonly { readonly id: NodeId; readonly age: number }[] }
  | {
      readonly type: 'odg';
      /** The neighbour asked to answer; 0: anyone. */
      readonly to: NodeId | 0;
      readonly lo: NodeId;
      readonly hi: NodeId;
      readonly entries: readonly { readonly origin: NodeId; readonly count: number; readonly hash: number }[];
    }
  | { readonly type: 'have'; readonly origin: NodeId; readonly seqs: readonly number[] }
  | { readonly type: 'pos'; readonly x: number; readonly y: number }
  | { readonly type: 'key'; readonly origin: NodeId; readonly interval: number; readonly key: Uint8Array }
  | { readonly type: 'tags'; readonly mask: number; readonly tags: Uint8Array };

type RecordItem = number | Uint8Array;

export const POS_UNIT_M = 40;
const zig = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
const unzig = (z: number) => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

function deltas(values: readonly number[]): number[] {
  return values.map((v, i) => (i === 0 ? v : v - values[i - 1]!));
}

/**
 * Members (sorted by id) split into runs wherever a gap would cost more in unused nibbles than a new run's two or
 * three bytes (its skip and its byte string's head).
 */
function hbRuns<T extends { readonly id: NodeId }>(sorted: readonly T[]): T[][] {
  const runs: T[][] = [];
  for (const e of sorted) {
    const run = runs[runs.length - 1];
    if (run && e.id - run[run.length - 1]!.id <= HB_RUN_GAP) run.push(e);
    else runs.push([e]);
  }
  return runs;
}

export function recordToArray(r: ControlRecord): RecordItem[] {
  switch (r.type) {
    case 'sum':
      return [0, r.count, r.hash];
    case 'hb': {
      const list = r.entries.filter((e) => e.age >= 0 && e.age <= HB_MAX_AGE).sort((a, b) => a.id - b.id);
      if (list.length === 0) return [1, r.epoch, 1, new Uint8Array(0)];
      const out: RecordItem[] = [1, r.epoch];
      let end = 0; // first id after the last run
      for (const run of hbRuns(list)) {
        const lo = run[0]!.id;
        const nibbles = new Uint8Array(((run[run.length - 1]!.id - lo) >> 1) + 1).fill(0xff);
        for (const e of run) {
          const i = (e.id - lo) >> 1;
          nibbles[i] = (e.id - lo) & 1 ? (nibbles[i]! & 0x0f) | (e.age << 4) : (nibbles[i]! & 0xf0) | e.age;
        }
        out.push(end === 0 ? lo : lo - end, nibbles);
        end = lo + 2 * nibbles.length;
      }
      return out;
    }
    case 'odg': {
      const d = deltas(r.entries.map((e) => e.origin));
      return [2, r.to, r.lo, r.hi, ...r.entries.flatMap((e, i) => [d[i]!, e.count, e.hash])];
    }
    case 'have':
      return [3, r.origin, ...deltas(r.seqs)];
    case 'pos':
      return [4, zig(Math.round(r.x / POS_UNIT_M)), zig(Math.round(r.y / POS_UNIT_M))];
    case 'key':
      return [5, r.origin, r.interval, r.key];
    case 'tags':
      return [6, r.mask, r.tags];
  }
}

/** Encoded size of one record inside the control array. */
export function recordSize(r: ControlRecord): number {
  return (cbor.encode(recordToArray(r)) as Uint8Array).length;
}

export function encodeControl(records: readonly ControlRecord[]): Uint8Array {
  return cbor.encode(records.map(recordToArray)) as Uint8Array;
}

const isInt = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Strict decode: any shape or range error is a typed rejection, never a throw. */
export function decodeControl(bytes: Uint8Array): Decoded<ControlRecord[]> {
  if (bytes.length > 512) return reject('oversize', 'control');
  let v: unknown;
  try {
    v = cbor.decode(bytes);
  } catch (e) {
    return reject('malformed', `control cbor: ${(e as Error).message}`);
  }
  if (!Array.isArray(v) || v.length > MAX_RECORDS) return reject('malformed', 'control shape');
  const out: ControlRecord[] = [];
  for (const rec of v) {
    if (!Array.isArray(rec) || rec.length === 0 || rec.length > MAX_ITEMS) return reject('malformed', 'record shape');
    // integers, except the heartbeat record's runs of nibbles (every other item from the fourth), a disclosed key
    // and tags (the last item)
    if (rec[0] === 1) {
      const hb = decodeHeartbeats(rec);
      if (!hb.ok) return hb;
      out.push(hb.value);
      continue;
    }
    const last = rec[rec.length - 1];
    const hbBytes = (rec[0] === 5 && rec.length === 4) || (rec[0] === 6 && rec.length === 3) ? (last instanceof Uint8Array ? last : undefined) : undefined;
    if (!(hbBytes ? rec.slice(0, -1) : rec).every((x) => isInt(x, 0, 0xffffffff))) return reject('out_of_range', 'record item');
    const items = rec as number[];
    const body = items.slice(1);
    switch (items[0]) {
      case 0:
        if (body.length !== 2) return reject('malformed', 'sum');
        out.push({ type: 'sum', count: body[0]!, hash: body[1]! });
        break;
      case 6:
        if (!hbBytes || hbBytes.length % TAG_BYTES !== 0 || !isInt(body[0], 0, 0xffff)) return reject('malformed', 'tags');
        out.push({ type: 'tags', mask: body[0], tags: new Uint8Array(hbBytes) });
        break;
      case 5:
        if (!hbBytes || hbBytes.length !== 8 || !isInt(body[0], 1, 0xffff)) return reject('malformed', 'key');
        out.push({ type: 'key', origin: body[0], interval: body[1]!, key: new Uint8Array(hbBytes) });
        break;
      case 2: {
        const [to, lo, hi] = body;
        if (body.length < 3 || (body.length - 3) % 3 !== 0 || !isInt(to, 0, 0xffff) || !isInt(lo, 1, 0xffff) || !isInt(hi, lo, 0xffff))
          return reject('malformed', 'odg');
        const entries: { origin: number; count: number; hash: number }[] = [];
        let o = 0;
        for (let i = 3; i < body.length; i += 3) {
          const d = body[i]!;
          if (i > 3 && d === 0) return reject('malformed', 'odg order');
          o += d;
          if (o < lo || o > hi || !isInt(body[i + 2], 0, 0xffff)) return reject('out_of_range', 'odg entry');
          entries.push({ origin: o, count: body[i + 1]!, hash: body[i + 2]! });
        }
        out.push({ type: 'odg', to, lo, hi, entries });
        break;
      }
      case 3: {
        if (body.length < 1 || !isInt(body[0], 1, 0xffff)) return reject('malformed', 'have');
        const seqs: number[] = [];
        let s = 0;
        for (let i = 1; i < body.length; i++) {
          const d = body[i]!;
          if (i > 1 && d === 0) return reject('malformed', 'have order');
          s += d;
          if (!isInt(s, 1, 0xffffffff)) return reject('out_of_range', 'have seq');
          seqs.push(s);
        }
        out.push({ type: 'have', origin: body[0], seqs });
        break;
      }
      case 4:
        if (body.length !== 2 || !isInt(body[0], 0, 4_000_000) || !isInt(body[1], 0, 4_000_000)) return reject('malformed', 'pos');
        out.push({ type: 'pos', x: unzig(body[0]) * POS_UNIT_M, y: unzig(body[1]) * POS_UNIT_M });
        break;
      default:
        return reject('malformed', `record type ${items[0]}`);
    }
  }
  return accept(out);
}

/** A heartbeat record [1, epoch, lo, nibbles, skip, nibbles, …] (see HB above). */
function decodeHeartbeats(rec: unknown[]): Decoded<ControlRecord> {
  if (rec.length < 4 || rec.length % 2 !== 0 || !isInt(rec[1], 0, 0xffffffff)) return reject('malformed', 'hb');
  const entries: { id: number; age: number }[] = [];
  let end = 0;
  let bytes = 0;
  for (let k = 2; k < rec.length; k += 2) {
    const skip = rec[k];
    const nibbles = rec[k + 1];
    if (!(nibbles instanceof Uint8Array) || !isInt(skip, k === 2 ? 1 : 0, 0xffff)) return reject('malformed', 'hb');
    bytes += nibbles.length;
    if (bytes > 512) return reject('malformed', 'hb');
    const lo = end + skip;
    for (let i = 0; i < nibbles.length; i++)
      for (let j = 0; j < 2; j++) {
        const age = (nibbles[i]! >> (4 * j)) & 0xf;
        if (age <= HB_MAX_AGE) entries.push({ id: lo + 2 * i + j, age });
      }
    end = lo + 2 * nibbles.length;
  }
  if (entries.some((e) => e.id > 0xffff)) return reject('out_of_range', 'hb member');
  return accept({ type: 'hb', epoch: rec[1], entries });
}
