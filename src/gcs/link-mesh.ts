/**
 * A MeshPort straight on one radio link, for the ground station until the gossip engine is wired in:
 * the station's facts are packed into sealed packets (src/wire codec + AEAD) and sent once; every
 * packet heard is opened, checked (keyring, replay window) and its facts handed to the station.
 * It hears its radio neighbours only: no relaying, no anti-entropy, no retransmission. Those are the
 * gossip engine's job; this adapter is replaced by the gossip node's port when it lands.
 */
import type { Link, ReceivedPacket as LinkPacket } from '../links/link.js';
import { BatchBuilder } from '../wire/codec.js';
import { maxPayloadFor, sealPacket, type PacketKeyring } from '../wire/packet.js';
import { ReceivePath } from '../wire/receive.js';
import type { ReservedSequence } from '../wire/sequence.js';
import { priorityOf, type Fact, type NodeId } from '../wire/facts.js';
import { missionSeconds, type AreaFrame } from '../wire/frame-of-reference.js';
import type { MeshPort, MeshStats, MemberHealth } from './mesh-port.js';

export interface DirectLinkMeshOptions {
  readonly link: Link;
  readonly keyring: PacketKeyring;
  readonly self: NodeId;
  readonly frame: AreaFrame;
  /** Packet counters (half of the AEAD nonce): must never repeat, also across restarts. */
  readonly packetCounter: ReservedSequence;
  readonly clock?: () => number;
}

export class DirectLinkMesh implements MeshPort {
  readonly nodeId: NodeId;
  private readonly receive: ReceivePath;
  private readonly listeners = new Set<(facts: readonly Fact[]) => void>();
  private readonly heard = new Map<NodeId, MemberHealth>();
  private readonly outbox: Fact[] = [];
  private sending = false;
  private readonly clock: () => number;
  private readonly unsubscribe: () => void;
  sendFailures = 0;

  constructor(private readonly opts: DirectLinkMeshOptions) {
    this.nodeId = opts.self;
    this.clock = opts.clock ?? Date.now;
    this.receive = new ReceivePath(opts.keyring);
    this.unsubscribe = opts.link.on('packet', (p) => this.onPacket(p));
  }

  private onPacket(p: LinkPacket): void {
    const r = this.receive.acceptPacket(p.data);
    if (!r.ok) return; // counted by the receive path
    this.heard.set(r.value.sender, {
      id: r.value.sender, lastHeardMs: this.clock(), state: 'alive',
      ...(p.rssi !== undefined ? { rssi: p.rssi } : {}),
      ...(p.snr !== undefined ? { snr: p.snr } : {}),
    });
    if (r.value.payload.facts.length === 0) return;
    for (const cb of this.listeners) {
      try {
        cb(r.value.payload.facts);
      } catch {
        // A listener's failure must not stop the receive loop.
      }
    }
  }

  onFacts(cb: (facts: readonly Fact[]) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  publish(facts: readonly Fact[]): void {
    this.outbox.push(...facts);
    this.outbox.sort((a, b) => priorityOf(a.kind) - priorityOf(b.kind));
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      const maxPayload = maxPayloadFor(this.opts.link.mtu, this.nodeId, false);
      while (this.outbox.length) {
        const time = Math.max(0, missionSeconds(this.opts.frame, this.clock()));
        const batch = new BatchBuilder({ sender: this.nodeId, time, maxPayload });
        const left: Fact[] = [];
        for (const f of this.outbox) if (batch.add(f) === undefined) left.push(f);
        if (batch.count === 0) {
          // A fact too large for one packet of this link: drop it rather than stall the queue.
          this.outbox.shift();
          this.sendFailures++;
          continue;
        }
        this.outbox.splice(0, this.outbox.length, ...left);
        const packet = sealPacket(this.nodeId, this.opts.packetCounter.take(), batch.encode(), this.opts.keyring);
        const res = await this.opts.link.send(packet);
        if (!res.ok) {
          this.sendFailures++;
          if (res.reason === 'queue_full') {
            this.outbox.unshift(...batch.facts);
            await new Promise<void>((r) => {
              const off = this.opts.link.on('writable', () => {
                off();
                r();
              });
              setTimeout(r, 2000).unref();
            });
          }
        }
      }
    } finally {
      this.sending = false;
    }
  }

  stats(): MeshStats {
    const s = this.opts.link.stats;
    return {
      members: [...this.heard.values()],
      links: [{
        name: this.opts.link.name, framesSent: s.sent, framesReceived: s.received, bytesSent: s.sentBytes, bytesReceived: s.receivedBytes,
        rejects: { ...this.receive.rejects.summary(), ...(s.rejectedFrames ? { frames: s.rejectedFrames } : {}) },
      }],
    };
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.listeners.clear();
    await this.opts.link.close();
  }
}
