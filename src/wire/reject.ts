/**
 * Typed rejections. Every decoder of outside bytes returns one of these instead of throwing, and every
 * receive loop counts them: bad input is visible in statistics and never takes an agent down.
 */
export const REJECT_REASONS = [
  'truncated', // input ends before the structure does
  'bad_crc', // frame checksum mismatch (line noise)
  'bad_tag', // authentication tag or signature does not verify (forged, corrupted, wrong key)
  'unknown_version', // protocol version we do not speak
  'replay', // packet counter already seen or older than the replay window
  'oversize', // longer than the maximum frame/packet, or a length field beyond its bound
  'out_of_range', // a field outside its documented range
  'unknown_sender', // sender id not in the keyring
  'revoked_sender', // sender id revoked
  'malformed', // structurally invalid (wrong CBOR shape, unknown kind, trailing bytes)
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export function accept<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function reject<T = never>(reason: RejectReason, detail: string): Decoded<T> {
  return { ok: false, reason, detail };
}

/** Counts rejections by reason. */
export class RejectCounter {
  readonly counts: Record<RejectReason, number> = Object.fromEntries(
    REJECT_REASONS.map((r) => [r, 0]),
  ) as Record<RejectReason, number>;

  add(reason: RejectReason): void {
    this.counts[reason]++;
  }

  get total(): number {
    let n = 0;
    for (const r of REJECT_REASONS) n += this.counts[r];
    return n;
  }

  /** Only the non-zero counts, for logs and status pages. */
  summary(): Partial<Record<RejectReason, number>> {
    const out: Partial<Record<RejectReason, number>> = {};
    for (const r of REJECT_REASONS) if (this.counts[r] > 0) out[r] = this.counts[r];
    return out;
  }
}
