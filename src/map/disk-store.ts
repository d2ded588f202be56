/**
 * The map document on disk: a full snapshot (`map.am`) plus an append-only log of incremental chunks
 * (`map.log`), each record `[u32 length][u32 crc32][chunk]`. `flush()` appends the changes since the last
 * flush and fsyncs before returning, so a fact is durable once flush() returned: acknowledge only then.
 * `compact()` writes a new snapshot beside the old one, fsyncs, renames it into place, then empties the
 * log. A crash at any point leaves either the old snapshot + log or the new snapshot + (possibly still)
 * the old log, whose changes Automerge applies idempotently. A torn last record (crash mid-append) fails
 * its length or CRC check and is cut off on the next open.
 *
 * This is the I/O edge of the map (the document itself is pure).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, ftruncateSync, writeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { MapDocument } from './document.js';

export interface DiskStoreOptions {
  /** Compact when the log grows beyond this many bytes. Default 1 MiB. */
  readonly compactLogBytes?: number;
}

export interface OpenedMap {
  readonly map: MapDocument;
  readonly store: DiskStore;
  /** Bytes cut off a torn log tail on open (0 after a clean shutdown). */
  readonly tornBytes: number;
}

const HEADER = 8;

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/** Splits a log into its complete, checksummed chunks; returns them and the length of the valid prefix. */
export function readLog(buf: Uint8Array): { chunks: Uint8Array[]; validBytes: number } {
  const chunks: Uint8Array[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at + HEADER <= buf.length) {
    const len = view.getUint32(at);
    const crc = view.getUint32(at + 4);
    if (at + HEADER + len > buf.length) break;
    const chunk = buf.subarray(at + HEADER, at + HEADER + len);
    if (crc32(chunk) >>> 0 !== crc) break;
    chunks.push(chunk);
    at += HEADER + len;
  }
  return { chunks, validBytes: at };
}

export class DiskStore {
  private logFd: number;
  private logBytes: number;
  private readonly compactLogBytes: number;
  /** Number of flushes that wrote something, and compactions done (for status pages and tests). */
  flushes = 0;
  compactions = 0;

  private constructor(
    readonly dir: string,
    logFd: number,
    logBytes: number,
    opts: DiskStoreOptions,
  ) {
    this.logFd = logFd;
    this.logBytes = logBytes;
    this.compactLogBytes = opts.compactLogBytes ?? 1 << 20;
  }

  get snapshotPath(): string {
    return join(this.dir, 'map.am');
  }

  get logPath(): string {
    return join(this.dir, 'map.log');
  }

  /** Opens (or creates) the map stored in `dir`. */
  static open(dir: string, actor?: string, opts: DiskStoreOptions = {}): OpenedMap {
    mkdirSync(dir, { recursive: true });
    const snap = join(dir, 'map.am');
    const logPath = join(dir, 'map.log');
    const map = existsSync(snap) ? MapDocument.load(readFileSync(snap), actor) : MapDocument.create(actor);
    let tornBytes = 0;
    let validBytes = 0;
    if (existsSync(logPath)) {
      const buf = readFileSync(logPath);
      const log = readLog(buf);
      for (const chunk of log.chunks) map.applyBytes(chunk);
      validBytes = log.validBytes;
      tornBytes = buf.length - log.validBytes;
    }
    const fd = openSync(logPath, 'a+');
    if (tornBytes > 0) {
      ftruncateSync(fd, validBytes);
      fsyncSync(fd);
    }
    // Everything loaded is already on disk: start the incremental stream after it.
    map.saveIncremental();
    return { map, store: new DiskStore(dir, fd, validBytes, opts), tornBytes };
  }

  /**
   * Appends the map's changes since the last flush and fsyncs. Returns the bytes written (0 if nothing
   * changed). Compacts when the log has grown past its limit.
   */
  flush(map: MapDocument): number {
    const chunk = map.saveIncremental();
    if (chunk.length === 0) return 0;
    const rec = new Uint8Array(HEADER + chunk.length);
    const view = new DataView(rec.buffer);
    view.setUint32(0, chunk.length);
    view.setUint32(4, crc32(chunk) >>> 0);
    rec.set(chunk, HEADER);
    let off = 0;
    while (off < rec.length) off += writeSync(this.logFd, rec, off, rec.length - off);
    fsyncSync(this.logFd);
    this.logBytes += rec.length;
    this.flushes++;
    if (this.logBytes > this.compactLogBytes) this.compact(map);
    return rec.length;
  }

  /** Writes a full snapshot and empties the log. */
  compact(map: MapDocument): void {
    const tmp = join(this.dir, 'map.am.tmp');
    const fd = openSync(tmp, 'w');
    try {
      const bytes = map.save();
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.snapshotPath);
    fsyncDir(this.dir);
    ftruncateSync(this.logFd, 0);
    fsyncSync(this.logFd);
    this.logBytes = 0;
    // save() also resets the incremental cursor: the snapshot holds everything.
    this.compactions++;
  }

  /** Bytes on disk (snapshot + log). */
  diskBytes(): number {
    const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
    return size(this.snapshotPath) + size(this.logPath);
  }

  close(): void {
    closeSync(this.logFd);
    this.logFd = -1;
  }
}
