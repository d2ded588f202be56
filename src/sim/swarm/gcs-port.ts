/**
 * The ground station's seat in the simulated swarm: a gossip node on the simulated radio, seen by the ground
 * station through its MeshPort interface. Operator facts (recall, rescued, new area) go out over the same
 * simulated channel as everything else.
 */
import type { Fact, FactId, NodeId } from '../../wire/facts.js';
import type { GossipNode } from '../../gossip/engine.js';
import type { MeshPort, MeshStats } from '../../gcs/mesh-port.js';

export class SimGcsPort implements MeshPort {
  private readonly listeners = new Set<(facts: readonly Fact[]) => void>();

  constructor(
    readonly nodeId: NodeId,
    private readonly node: GossipNode,
    private readonly publishFact: (f: Fact) => void,
    private readonly nowS: () => number,
    private readonly dutyFraction: number,
  ) {}

  /** Called by the simulator with what the station's gossip node learned. */
  heard(facts: readonly Fact[]): void {
    if (facts.length === 0) return;
    for (const l of this.listeners) l(facts);
  }

  onFacts(cb: (facts: readonly Fact[]) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  publish(facts: readonly Fact[]): void {
    for (const f of facts) this.publishFact(f);
  }

  stats(): MeshStats {
    const s = this.node.stats;
    return {
      members: this.node.membership().map((m) => ({ id: m.id, state: m.state === 'dead' ? 'gone' : m.state })),
      links: [
        {
          name: 'simulated LoRa',
          framesSent: s.packetsSent,
          framesReceived: s.packetsHeard,
          bytesSent: s.bytesSent,
          bytesReceived: 0,
          dutyCycleUsed: this.node.airtimeUsed(this.nowS()) / (3600 * this.dutyFraction),
          rejects: s.rejects.summary(),
        },
      ],
    };
  }

  whoHolds(id: FactId): NodeId[] {
    return this.node.holdersOf(id);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
