/**
 * The ground station's seat in the mesh: a gossip node (on a real radio link, or on the simulator's radio),
 * seen through the station's MeshPort interface. Operator facts (recall, rescued, new area) are gossiped like
 * any drone's, and the station shows per fact which members hold it.
 */
import type { Fact, FactId, NodeId } from '../wire/facts.js';
import type { GossipConfig, GossipNode } from '../gossip/engine.js';
import type { LinkHealth, MeshPort, MeshStats } from './mesh-port.js';

export class GossipMeshPort implements MeshPort {
  private readonly listeners = new Set<(facts: readonly Fact[]) => void>();

  constructor(
    readonly nodeId: NodeId,
    private readonly node: GossipNode,
    /** Hands one of the station's facts to its gossip node (and wakes the radio side). */
    private readonly publishFact: (f: Fact) => void,
    /** The gossip node's clock, seconds. */
    private readonly nowS: () => number,
    private readonly linkName = 'radio',
    private readonly onClose?: () => Promise<void> | void,
    /** The radio device's state, when the station drives a real one. */
    private readonly linkHealth?: () => LinkHealth,
    /** Puts one of the station's own facts on air again (and wakes the radio side). */
    private readonly resendFact?: (id: FactId) => void,
  ) {}

  /** Called with what the station's gossip node learned. */
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

  /** The gossip settings the station's node runs with. */
  get settings(): GossipConfig {
    return this.node.cfg;
  }

  resend(id: FactId): void {
    this.resendFact?.(id);
  }

  stats(): MeshStats {
    const s = this.node.stats;
    return {
      // heartbeat is engine seconds; the page wants Unix ms
      members: this.node.membership().map((m) => ({
        id: m.id,
        state: m.state === 'dead' ? 'gone' : m.state,
        lastHeardMs: Math.round(Date.now() - (this.nowS() - m.heartbeat) * 1000),
      })),
      links: [
        {
          name: this.linkName,
          framesSent: s.packetsSent,
          framesReceived: s.packetsHeard,
          bytesSent: s.bytesSent,
          bytesReceived: 0,
          dutyCycleUsed: this.node.airtimeUsed(this.nowS()) / (this.node.cfg.duty.windowS * this.node.cfg.duty.fraction),
          rejects: s.rejects.summary(),
          ...(this.linkHealth ? this.linkHealth() : {}),
        },
      ],
    };
  }

  whoHolds(id: FactId): NodeId[] {
    return this.node.holdersOf(id);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.onClose?.();
  }
}
