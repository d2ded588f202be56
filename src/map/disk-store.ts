/**
 * The map document on disk: a full snapshot (`map.am`) plus an append-only log of incremental chunks
 * (`map.log`), each record `[u32 length][u32 crc32][chunk]`. `flush()` appends the changes since the last
 * flush and fsyncs before returning, so a fact is durable once flush() returned: acknowledge only then.
 * `compact()` writes a new snapshot beside the old one, fsyncs, renames it into place, then empties the
 * log. A crash at any point leaves either the old snapshot + log or the new snapshot + (possibly still)
 * the old log, whose changes Automerge applies idempotently.
 *
 * Damage is never silent and never destroys evidence. A record failing its length or CRC check (a torn
 * last record after a crash, a flipped byte, a bad sector) is skipped and reading resyncs at the next
 * record whose checksum holds; the facts of records whose history went with the damage are salvaged
 * (MapDocument.salvage). An unreadable `map.am` is named and the log alone is loaded. Then the damaged
 * file is renamed aside (`<name>.damaged-<time>`), the recovered map written as a fresh snapshot, and a
 * warning says what was skipped and kept; facts still missing come back from the mesh, which re-sends
 * what this node lacks.
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
  /** Bytes of the log that held no valid record (0 after a clean shutdown). */
  readonly tornBytes: number;
  /** What was found damaged and what became of it; empty when nothing was. One line each. */
  readonly warnings: string[];
}

export interface LogScan {
  /** Every record whose length and checksum hold, in order. */
  readonly chunks: Uint8Array[];
  /** Stretches that held no valid record: offset and length in bytes. */
  readonly damaged: { at: number; bytes: number }[];
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

/** The record starting at `at`, if its length fits and its checksum holds (flush never writes an empty one). */
function recordAt(buf: Uint8Array, view: DataView, at: number): Uint8Array | undefined {
  if (at + HEADER > buf.length) return undefined;
  const len = view.getUint32(at);
  if (len === 0 || at + HEADER + len > buf.length) return undefined;
  const chunk = buf.subarray(at + HEADER, at + HEADER + len);
  return crc32(chunk) >>> 0 === view.getUint32(at + 4) ? chunk : undefined;
}

/**
 * Splits a log into its checksummed records. Past a bad one it resyncs at the next offset where a whole
 * record's checksum holds (a random false match is a 1 in 2^32 chance per offset, and the chunk must then
 * still load as Automerge changes).
 */
export function readLog(buf: Uint8Array): LogScan {
  const chunks: Uint8Array[] = [];
  const damaged: { at: number; bytes: number }[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at < buf.length) {
    const chunk = recordAt(buf, view, at);
    if (chunk) {
      chunks.push(chunk);
      at += HEADER + chunk.length;
      continue;
    }
    const start = at;
    do at++;
    while (at < buf.length && !recordAt(buf, view, at));
    damaged.push({ at: start, bytes: at - start });
  }
  return { chunks, damaged };
}

/** A name beside `path` for keeping a damaged file: `<path>.damaged-<UTC time>` (never overwrites one). */
function asideName(path: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let name = `${path}.damaged-${stamp}`;
  for (let n = 2; existsSync(name); n++) name = `${path}.damaged-${stamp}-${n}`;
  return name;
}

const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

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

  /** Opens (or creates) the map stored in `dir`. `nowMs` names the files damaged parts are kept in. */
  static open(dir: string, actor?: string, opts: DiskStoreOptions = {}, nowMs = Date.now()): OpenedMap {
    mkdirSync(dir, { recursive: true });
    const snap = join(dir, 'map.am');
    const logPath = join(dir, 'map.log');
    const warnings: string[] = [];
    let map: MapDocument | undefined;
    let snapDamaged = false;
    if (existsSync(snap)) {
      try {
        map = MapDocument.load(readFileSync(snap), actor);
      } catch (err) {
        const kept = asideName(snap, nowMs);
        renameSync(snap, kept);
        snapDamaged = true;
        warnings.push(`${snap} is unreadable (${(err as Error).message.split('\n')[0]}); kept as ${kept}; loading ${logPath} alone, the rest comes back from the mesh`);
      }
    }
    map ??= MapDocument.create(actor);
    let tornBytes = 0;
    let logBytes = 0;
    if (existsSync(logPath)) {
      const buf = readFileSync(logPath);
      const log = readLog(buf);
      let badChunks = 0;
      for (const chunk of log.chunks) {
        try {
          map.applyBytes(chunk);
        } catch {
          badChunks++;
        }
      }
      logBytes = buf.length;
      tornBytes = log.damaged.reduce((n, d) => n + d.bytes, 0);
      if (tornBytes > 0 || badChunks > 0 || snapDamaged) {
        const before = map.size;
        const salvaged = map.salvage(log.chunks).length;
        const kept = asideName(logPath, nowMs);
        renameSync(logPath, kept);
        const stretches = log.damaged.length === 1 ? '1 damaged stretch' : `${log.damaged.length} damaged stretches`;
        const where = log.damaged.map((d) => `${plural(d.bytes, 'byte')} at ${d.at.toLocaleString('en-US')}`).join(', ');
        warnings.push(
          `${logPath}: skipped ${stretches}${where ? ` (${where})` : ''}${badChunks ? ` and ${plural(badChunks, 'record')} Automerge refused` : ''}; ` +
            `loaded ${plural(log.chunks.length - badChunks, 'record')}: ${plural(before, 'fact')}, and ${salvaged} more salvaged from records whose history was lost; ` +
            `kept the whole log as ${kept}`,
        );
      }
    }
    const damaged = warnings.length > 0;
    const fd = openSync(logPath, 'a+');
    const store = new DiskStore(dir, fd, damaged ? 0 : logBytes, opts);
    // After damage the recovered map becomes the snapshot (the damaged files were kept aside); otherwise
    // everything loaded is already on disk: start the incremental stream after it.
    if (damaged) store.compact(map);
    else map.saveIncremental();
    return { map, store, tornBytes, warnings };
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
