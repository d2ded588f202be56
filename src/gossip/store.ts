/**
 * What a node knows: durable facts (every kind but status) as a set with per-origin and global digests,
 * and the newest status of each member (a newer status supersedes the older one, so old status is never
 * "missing" anywhere).
 */
import { factKey, type Fact, type FactId, type NodeId, type StatusFact } from '../wire/facts.js';

/** 32-bit mix of a fact id: the set hash is the sum of these, so it updates in O(1) and ignores order. */
export function idHash(origin: number, seq: number): number {
  let h = Math.imul(origin ^ 0x9e3779b9, 0x85ebca6b) ^ seq;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface OriginDigest {
  /** Durable seqs held, ascending. */
  readonly seqs: number[];
  count: number;
  /** 16-bit set hash. */
  hash: number;
}

export interface HeldFact {
  readonly fact: Fact;
  /** Order in which this node learned it (1, 2, …). */
  readonly arrival: number;
  readonly learnedAt: number;
}

export class FactStore {
  private readonly durable = new Map<string, HeldFact>();
  private readonly origins = new Map<NodeId, OriginDigest>();
  private readonly status = new Map<NodeId, StatusFact>();
  private arrivals = 0;
  /** The most recently learned durable facts, newest last (for cheap reconciliation). */
  readonly recent: HeldFact[] = [];
  count = 0;
  hash = 0;

  get arrivalCounter(): number {
    return this.arrivals;
  }

  has(id: FactId): boolean {
    return this.durable.has(factKey(id));
  }

  get(id: FactId): HeldFact | undefined {
    return this.durable.get(factKey(id));
  }

  /** Adds a durable fact; false if already held. */
  addDurable(fact: Fact, now: number): boolean {
    const key = factKey(fact);
    if (this.durable.has(key)) return false;
    const held = { fact, arrival: ++this.arrivals, learnedAt: now };
    this.durable.set(key, held);
    this.recent.push(held);
    if (this.recent.length > RECENT) this.recent.shift();
    let d = this.origins.get(fact.origin);
    if (!d) this.origins.set(fact.origin, (d = { seqs: [], count: 0, hash: 0 }));
    insertSorted(d.seqs, fact.seq);
    d.count++;
    const h = idHash(fact.origin, fact.seq);
    d.hash = (d.hash + (h & 0xffff)) & 0xffff;
    this.count++;
    this.hash = (this.hash + h) >>> 0;
    return true;
  }

  /** Keeps a status if it is newer than the one held from that origin; true if it was. */
  addStatus(s: StatusFact): boolean {
    const cur = this.status.get(s.origin);
    if (cur && cur.seq >= s.seq) return false;
    this.status.set(s.origin, s);
    return true;
  }

  latestStatus(origin: NodeId): StatusFact | undefined {
    return this.status.get(origin);
  }

  statuses(): IterableIterator<StatusFact> {
    return this.status.values();
  }

  origin(origin: NodeId): OriginDigest | undefined {
    return this.origins.get(origin);
  }

  originIds(): NodeId[] {
    return [...this.origins.keys()].sort((a, b) => a - b);
  }

  factsOf(origin: NodeId): Fact[] {
    const d = this.origins.get(origin);
    if (!d) return [];
    return d.seqs.map((seq) => this.durable.get(`${origin}:${seq}`)!.fact);
  }

  durableFacts(): IterableIterator<HeldFact> {
    return this.durable.values();
  }

  /** Knows this fact, or (for status) this status or a newer one from its origin. */
  knows(id: FactId & { kind?: string }): boolean {
    if (this.durable.has(factKey(id))) return true;
    const s = this.status.get(id.origin);
    return s !== undefined && s.seq >= id.seq && id.kind === 'status';
  }
}

const RECENT = 24;

function insertSorted(a: number[], v: number): void {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, v);
}
