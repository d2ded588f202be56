/**
 * The on-disk ReservationStore: a small JSON file replaced atomically (write to a temporary file, fsync,
 * rename, fsync the directory), so a power cut leaves either the old or the new reservation, never none.
 * A file that exists but cannot be read is an error, never a silent restart at zero (that would reuse
 * nonces).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAX_SEQ } from './facts.js';
import { MAX_COUNTER } from './packet.js';
import { ReservedSequence, type ReservationStore } from './sequence.js';

/**
 * Values per second the time-based floors allow (sequence.ts): packet counters 64/s (2^29 values last 97
 * days after the key epoch: re-key per mission), fact seqs 16/s (2^32 values: 8.5 years).
 */
export const PACKET_RATE = 64;
export const FACT_RATE = 16;

export class FileReservationStore implements ReservationStore {
  constructor(readonly path: string) {}

  load(): number {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let v: unknown;
    try {
      v = (JSON.parse(text) as { reserved?: unknown }).reserved;
    } catch {
      v = undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new Error(`${this.path}: unreadable sequence reservation; refusing to restart the sequence (restore the file or re-key)`);
    return v;
  }

  reserve(limit: number): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify({ reserved: limit }) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    try {
      const dfd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // Some filesystems refuse fsync on a directory; the rename is still atomic.
    }
  }
}

/**
 * The sequences of one node, persisted under `dir`: fact seqs and packet counters. With the swarm key's
 * epoch (unix seconds, from the provisioning file) they also follow the clock (`nowUnix`, default the
 * system's), so losing or restoring these files never reuses a value.
 */
export function openNodeSequences(
  dir: string,
  block = 256,
  time?: { keyEpoch: number | undefined; nowUnix?: () => number },
): { facts: ReservedSequence; packets: ReservedSequence } {
  const epoch = time?.keyEpoch;
  const since = epoch === undefined ? undefined : () => (time?.nowUnix ?? (() => Date.now() / 1000))() - epoch;
  return {
    facts: new ReservedSequence(new FileReservationStore(`${dir}/fact-seq.json`), MAX_SEQ, block, since && { now: since, rate: FACT_RATE }),
    packets: new ReservedSequence(new FileReservationStore(`${dir}/packet-counter.json`), MAX_COUNTER, block, since && { now: since, rate: PACKET_RATE }),
  };
}
