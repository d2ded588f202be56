/**
 * Packs tiles that a tile tool cut (tilemaker's {z}/{x}/{y}.pbf folder) into one PMTiles v3 archive, the
 * single file the ground station serves by byte ranges. Only the container is written here: the tiles are
 * tilemaker's, byte for byte. Layout per the PMTiles v3 spec: 127-byte header, root directory, metadata,
 * leaf directories, tile data ordered by tile id; directories and metadata gzip-compressed.
 */
import { gzipSync } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

export interface ArchiveTile {
  readonly z: number;
  readonly x: number;
  readonly y: number;
  readonly data: Uint8Array;
}

export interface ArchiveOptions {
  /** 1 = Mapbox vector tile, 2 = PNG, 3 = JPEG, 4 = WebP. */
  readonly tileType: 1 | 2 | 3 | 4;
  /** How the tile bytes are compressed: 1 = none, 2 = gzip (tilemaker's default). */
  readonly tileCompression: 1 | 2;
  readonly bounds: readonly [number, number, number, number];
  readonly metadata: Record<string, unknown>;
}

interface Entry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

/** Readers fetch the first 16 KiB at once: header and root directory must fit there. */
const ROOT_BUDGET = 16_384 - 127;

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function directory(entries: readonly Entry[]): Buffer {
  const b: number[] = [];
  varint(b, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(b, e.tileId - last);
    last = e.tileId;
  }
  for (const e of entries) varint(b, e.runLength);
  for (const e of entries) varint(b, e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    varint(b, i > 0 && prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  });
  return gzipSync(Buffer.from(b));
}

/** Root directory alone, or a root of leaves (each `leafSize` entries) when the tiles are too many for it. */
function directories(entries: readonly Entry[]): { root: Buffer; leaves: Buffer } {
  const root = directory(entries);
  if (root.length <= ROOT_BUDGET) return { root, leaves: Buffer.alloc(0) };
  for (let leafSize = 4096; ; leafSize *= 2) {
    const parts: Buffer[] = [];
    const rootEntries: Entry[] = [];
    let offset = 0;
    for (let i = 0; i < entries.length; i += leafSize) {
      const leaf = directory(entries.slice(i, i + leafSize));
      rootEntries.push({ tileId: entries[i]!.tileId, offset, length: leaf.length, runLength: 0 });
      parts.push(leaf);
      offset += leaf.length;
    }
    const r = directory(rootEntries);
    if (r.length <= ROOT_BUDGET) return { root: r, leaves: Buffer.concat(parts) };
  }
}

export function pmtilesArchive(tiles: readonly ArchiveTile[], o: ArchiveOptions): Buffer {
  if (tiles.length === 0) throw new Error('no tiles to pack');
  const sorted = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), t })).sort((a, b) => a.id - b.id);
  let offset = 0;
  const entries: Entry[] = sorted.map(({ id, t }) => {
    const e = { tileId: id, offset, length: t.data.length, runLength: 1 };
    offset += t.data.length;
    return e;
  });
  const { root, leaves } = directories(entries);
  const meta = gzipSync(Buffer.from(JSON.stringify(o.metadata)));
  const data = Buffer.concat(sorted.map(({ t }) => t.data));
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'ascii');
  h[7] = 3;
  const u64 = (at: number, v: number) => h.writeBigUInt64LE(BigInt(v), at);
  let at = 127;
  for (const [pos, part] of [[8, root], [24, meta], [40, leaves], [56, data]] as const) {
    u64(pos, at);
    u64(pos + 8, part.length);
    at += part.length;
  }
  u64(72, entries.length); // addressed tiles
  u64(80, entries.length); // tile entries
  u64(88, entries.length); // tile contents
  h[96] = 1; // clustered: tile data in tile-id order
  h[97] = 2; // internal compression: gzip
  h[98] = o.tileCompression;
  h[99] = o.tileType;
  const zs = tiles.map((t) => t.z);
  const minZ = Math.min(...zs);
  const maxZ = Math.max(...zs);
  h[100] = minZ;
  h[101] = maxZ;
  const [w, s, e, n] = o.bounds;
  const e7 = (v: number, pos: number) => h.writeInt32LE(Math.round(v * 1e7), pos);
  e7(w, 102);
  e7(s, 106);
  e7(e, 110);
  e7(n, 114);
  h[118] = Math.max(minZ, maxZ - 1);
  e7((w + e) / 2, 119);
  e7((s + n) / 2, 123);
  return Buffer.concat([h, root, meta, leaves, data]);
}
