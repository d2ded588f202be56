/**
 * Membership from heartbeats carried through gossip: a member's freshest evidence of life (its own status
 * time, a heartbeat entry relayed by anyone, or hearing it directly) decides its state. A member heard only
 * through others is alive. alive → suspect → dead after configurable silences; any newer evidence makes it
 * alive again.
 */
import type { NodeId } from '../wire/facts.js';

export type MemberState = 'alive' | 'suspect' | 'dead';

export interface MemberView {
  readonly id: NodeId;
  /** Mission seconds of the freshest evidence of life. */
  readonly heartbeat: number;
  readonly state: MemberState;
  /** When the state last changed (local time, seconds). */
  readonly since: number;
}

export interface MembershipChange {
  readonly id: NodeId;
  readonly from: MemberState | 'unknown';
  readonly to: MemberState;
  readonly at: number;
}

export interface MembershipTimings {
  readonly suspectAfterS: number;
  readonly deadAfterS: number;
}

interface Member {
  heartbeat: number;
  state: MemberState;
  since: number;
}

export class Membership {
  private readonly members = new Map<NodeId, Member>();

  constructor(
    readonly self: NodeId,
    readonly timings: MembershipTimings,
  ) {}

  /** Records that `id` was alive at `t`; returns the state change it causes, if any. */
  evidence(id: NodeId, t: number, now: number): MembershipChange | undefined {
    if (id === this.self) return undefined;
    const m = this.members.get(id);
    const age = now - t;
    if (!m) {
      if (age > this.timings.deadAfterS) return undefined; // stale news of someone never seen: ignore
      const state: MemberState = age > this.timings.suspectAfterS ? 'suspect' : 'alive';
      this.members.set(id, { heartbeat: t, state, since: now });
      return { id, from: 'unknown', to: state, at: now };
    }
    if (t <= m.heartbeat) return undefined;
    m.heartbeat = t;
    const to: MemberState = age > this.timings.deadAfterS ? m.state : age > this.timings.suspectAfterS ? (m.state === 'dead' ? 'dead' : 'suspect') : 'alive';
    if (to === m.state) return undefined;
    const change: MembershipChange = { id, from: m.state, to, at: now };
    m.state = to;
    m.since = now;
    return change;
  }

  heartbeatOf(id: NodeId): number | undefined {
    return this.members.get(id)?.heartbeat;
  }

  tick(now: number): MembershipChange[] {
    const out: MembershipChange[] = [];
    for (const [id, m] of this.members) {
      const age = now - m.heartbeat;
      const to: MemberState = age > this.timings.deadAfterS ? 'dead' : age > this.timings.suspectAfterS ? 'suspect' : 'alive';
      if (to !== m.state && (to !== 'alive')) {
        out.push({ id, from: m.state, to, at: now });
        m.state = to;
        m.since = now;
      }
    }
    return out;
  }

  /** Earliest time a member's state may change without new evidence. */
  nextTransitionAt(): number {
    let t = Infinity;
    for (const m of this.members.values()) {
      if (m.state === 'alive') t = Math.min(t, m.heartbeat + this.timings.suspectAfterS + 1e-6);
      else if (m.state === 'suspect') t = Math.min(t, m.heartbeat + this.timings.deadAfterS + 1e-6);
    }
    return t;
  }

  view(): MemberView[] {
    return [...this.members].map(([id, m]) => ({ id, heartbeat: m.heartbeat, state: m.state, since: m.since })).sort((a, b) => a.id - b.id);
  }

  stateOf(id: NodeId): MemberState | undefined {
    return this.members.get(id)?.state;
  }

  ids(): NodeId[] {
    return [...this.members.keys()];
  }
}
