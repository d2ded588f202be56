/**
 * Confirmation of a node's own durable facts. A fact only its origin holds is lost with it, and anti-entropy
 * does not find it while the origin keeps learning others' facts (it never sees itself ahead). So once an own
 * fact has been on air for a while, the origin checks whether any other member is known to hold it (a relay
 * heard, a HAVE list, a matching summary) and, if not, sends it again — Meshtastic's original sender does the
 * same until it hears a rebroadcast — but only if someone was heard since: alone, it would only spend budget.
 */
import type { Fact } from '../wire/facts.js';

interface Entry {
  readonly fact: Fact;
  /** When to check; Infinity while a resend waits in the queue. */
  at: number;
  sends: number;
  sentAt: number;
}

export interface ConfirmSettings {
  /** First check this long after the fact went on air; each later wait doubles. */
  readonly confirmS: number;
  /** Times a fact is sent again at most; 0: off. */
  readonly retries: number;
}

export class OwnFactConfirmations {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: ConfirmSettings,
    private readonly jitter: () => number,
  ) {}

  /** An own fact went on air. */
  sent(key: string, fact: Fact, now: number): void {
    if (this.settings.retries <= 0) return;
    const sends = (this.entries.get(key)?.sends ?? 0) + 1;
    if (sends > this.settings.retries) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, { fact, sends, sentAt: now, at: now + this.settings.confirmS * 2 ** (sends - 1) * this.jitter() });
  }

  /**
   * The facts to send again now. `queued` says whether a fact waits in the send queue already, `heldElsewhere`
   * whether another member is known to hold it; `lastHeardAt` is when any member was last heard.
   */
  due(now: number, lastHeardAt: number, queued: (key: string) => boolean, heldElsewhere: (fact: Fact) => boolean): Fact[] {
    const out: Fact[] = [];
    for (const [key, e] of this.entries) {
      const waiting = queued(key);
      if (e.at === Infinity && !waiting) this.entries.delete(key); // dropped from the queue: a copy was heard
      if (waiting) e.at = Infinity; // still waiting for air (budget): checked again once it went out
      if (e.at > now) continue;
      if (heldElsewhere(e.fact)) this.entries.delete(key);
      else if (lastHeardAt > e.sentAt) {
        out.push(e.fact);
        e.at = Infinity; // until it goes on air again
      } else e.at = now + this.settings.confirmS; // nobody heard since: look again later
    }
    return out;
  }

  /** When the next check is due (Infinity: none). */
  nextAt(): number {
    let t = Infinity;
    for (const e of this.entries.values()) t = Math.min(t, e.at);
    return t;
  }
}
