/**
 * Per-sender defence. An authenticated sender that uses more airtime than any honest node could (twice the
 * regional duty cycle over a sliding window) is throttled: its packets are ignored for a while, so the swarm
 * does not relay its flood. Invalid packets (bad tag, malformed, replayed) are counted per claimed sender
 * and reported; they never throttle the claimed sender's authenticated packets, because a forger could
 * otherwise silence an honest member by claiming its id.
 */
import type { NodeId } from '../wire/facts.js';
import type { RejectReason } from '../wire/reject.js';

export interface SenderReport {
  readonly sender: NodeId;
  readonly reason: 'flooding' | 'invalid';
  readonly at: number;
  readonly detail: string;
}

export interface DefenceConfig {
  /** Airtime fraction a sender may use over `windowS` before it is throttled. */
  readonly maxAirtimeFraction: number;
  readonly windowS: number;
  readonly throttleS: number;
  /** Invalid packets per claimed sender within `windowS` that trigger a report. */
  readonly invalidReportAfter: number;
}

interface SenderState {
  times: number[];
  airtimes: number[];
  sum: number;
  throttledUntil: number;
  invalid: number[];
  reportedInvalidAt: number;
}

export class SenderGuard {
  private readonly senders = new Map<NodeId, SenderState>();
  readonly reports: SenderReport[] = [];
  throttledPackets = 0;

  constructor(readonly cfg: DefenceConfig) {}

  private state(id: NodeId): SenderState {
    let s = this.senders.get(id);
    if (!s) this.senders.set(id, (s = { times: [], airtimes: [], sum: 0, throttledUntil: -Infinity, invalid: [], reportedInvalidAt: -Infinity }));
    return s;
  }

  /** Accounts an authenticated packet; returns false if the sender is (now) throttled. */
  admit(id: NodeId, airtimeS: number, now: number): SenderReport | boolean {
    const s = this.state(id);
    if (now < s.throttledUntil) {
      this.throttledPackets++;
      return false;
    }
    s.times.push(now);
    s.airtimes.push(airtimeS);
    s.sum += airtimeS;
    while (s.times.length && s.times[0]! < now - this.cfg.windowS) {
      s.times.shift();
      s.sum -= s.airtimes.shift()!;
    }
    if (s.sum > this.cfg.maxAirtimeFraction * this.cfg.windowS) {
      s.throttledUntil = now + this.cfg.throttleS;
      s.times = [];
      s.airtimes = [];
      s.sum = 0;
      const r: SenderReport = { sender: id, reason: 'flooding', at: now, detail: `over ${(this.cfg.maxAirtimeFraction * 100).toFixed(1)}% airtime` };
      this.reports.push(r);
      this.throttledPackets++;
      return r;
    }
    return true;
  }

  invalid(id: NodeId | undefined, reason: RejectReason, now: number): SenderReport | undefined {
    if (id === undefined) return undefined;
    const s = this.state(id);
    s.invalid.push(now);
    while (s.invalid.length && s.invalid[0]! < now - this.cfg.windowS) s.invalid.shift();
    if (s.invalid.length >= this.cfg.invalidReportAfter && now - s.reportedInvalidAt > this.cfg.windowS) {
      s.reportedInvalidAt = now;
      const r: SenderReport = { sender: id, reason: 'invalid', at: now, detail: `${s.invalid.length} invalid packets (last: ${reason})` };
      this.reports.push(r);
      return r;
    }
    return undefined;
  }

  isThrottled(id: NodeId, now: number): boolean {
    return now < (this.senders.get(id)?.throttledUntil ?? -Infinity);
  }
}
