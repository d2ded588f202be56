/**
 * How the ground station joins the mesh. The station needs four things of a mesh node: the facts it
 * hears, a way to publish its own, statistics for the health panel, and (when the gossip engine can say)
 * which members hold a given fact. Any mesh node — the gossip engine over real radio links, or the
 * in-process loopback below for tests and demos — is adapted to this interface.
 */
import { factKey, type Fact, type FactId, type NodeId } from '../wire/facts.js';

export interface MemberHealth {
  readonly id: NodeId;
  /** Unix ms when last heard directly or through gossip; undefined if never. */
  readonly lastHeardMs?: number;
  readonly state?: 'alive' | 'suspect' | 'gone';
  /** Last received signal strength, dBm, for a direct neighbour. */
  readonly rssi?: number;
  readonly snr?: number;
}

export interface LinkStats {
  readonly name: string;
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Share of the regional duty-cycle budget used over the current window, 0..1. */
  readonly dutyCycleUsed?: number;
  readonly rejects?: Readonly<Record<string, number>>;
  /** Whether the device is open and working (undefined: the port cannot tell). */
  readonly up?: boolean;
  /** Why it is not up, in words an operator can act on. */
  readonly error?: string;
  /** Unix ms of the last frame heard from the radio. */
  readonly lastHeardMs?: number;
}

/** What the station knows of its radio device, beyond the gossip node's counters. */
export interface LinkHealth {
  readonly up: boolean;
  readonly error?: string;
  readonly lastHeardMs?: number;
}

export interface MeshStats {
  readonly members: readonly MemberHealth[];
  readonly links: readonly LinkStats[];
}

export interface MeshPort {
  readonly nodeId: NodeId;
  /** Calls `cb` with facts heard from the mesh (possibly duplicates). Returns an unsubscribe function. */
  onFacts(cb: (facts: readonly Fact[]) => void): () => void;
  /** Hands the station's own facts to the mesh for dissemination. */
  publish(facts: readonly Fact[]): void;
  stats(): MeshStats;
  /**
   * Puts one of the station's own facts on air again (an order some drone has not answered yet). Absent: the
   * mesh delivers every fact it is handed (the in-process loopback).
   */
  resend?(id: FactId): void;
  /** Members known to hold the fact, when the mesh tracks it (digests / acknowledgements). */
  whoHolds?(id: FactId): NodeId[];
  close(): Promise<void>;
}

/**
 * An in-process mesh: every port hears what any other port publishes, asynchronously (as a radio
 * would deliver it), and the hub records who holds which fact. Used by tests, the benchmark and
 * `murmur gcs --radio loopback`.
 */
export class LoopbackHub {
  private readonly ports = new Map<NodeId, LoopbackPort>();
  private readonly holders = new Map<string, Set<NodeId>>();

  port(nodeId: NodeId, clock: () => number = Date.now): LoopbackPort {
    const p = new LoopbackPort(this, nodeId, clock);
    this.ports.set(nodeId, p);
    return p;
  }

  /** @internal */
  deliver(from: LoopbackPort, facts: readonly Fact[]): void {
    for (const f of facts) this.hold(f, from.nodeId);
    const targets = [...this.ports.values()].filter((p) => p !== from);
    setImmediate(() => {
      for (const p of targets) {
        if (!this.ports.has(p.nodeId)) continue;
        for (const f of facts) this.hold(f, p.nodeId);
        p.receive(facts, from.nodeId);
      }
    });
  }

  /** @internal */
  detach(p: LoopbackPort): void {
    this.ports.delete(p.nodeId);
  }

  private hold(f: Fact, node: NodeId): void {
    const key = factKey(f);
    let s = this.holders.get(key);
    if (!s) this.holders.set(key, (s = new Set()));
    s.add(node);
  }

  holdersOf(id: FactId): NodeId[] {
    return [...(this.holders.get(factKey(id)) ?? [])].sort((a, b) => a - b);
  }
}

export class LoopbackPort implements MeshPort {
  private readonly listeners = new Set<(facts: readonly Fact[]) => void>();
  private sent = 0;
  private received = 0;
  private bytesSent = 0;
  private bytesReceived = 0;
  private readonly heard = new Map<NodeId, number>();

  constructor(
    private readonly hub: LoopbackHub,
    readonly nodeId: NodeId,
    private readonly clock: () => number,
  ) {}

  onFacts(cb: (facts: readonly Fact[]) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  publish(facts: readonly Fact[]): void {
    if (facts.length === 0) return;
    this.sent++;
    this.bytesSent += JSON.stringify(facts).length;
    this.hub.deliver(this, facts);
  }

  /** @internal */
  receive(facts: readonly Fact[], from: NodeId): void {
    this.received++;
    this.bytesReceived += JSON.stringify(facts).length;
    this.heard.set(from, this.clock());
    for (const cb of this.listeners) cb(facts);
  }

  stats(): MeshStats {
    return {
      members: [...this.heard].map(([id, t]) => ({ id, lastHeardMs: t, state: 'alive' as const })),
      links: [{ name: 'loopback', framesSent: this.sent, framesReceived: this.received, bytesSent: this.bytesSent, bytesReceived: this.bytesReceived }],
    };
  }

  whoHolds(id: FactId): NodeId[] {
    return this.hub.holdersOf(id);
  }

  async close(): Promise<void> {
    this.hub.detach(this);
    this.listeners.clear();
  }
}
