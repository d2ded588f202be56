/** Test fixtures for basemaps: solid-colour PNG tiles and a PMTiles v3 archive of them (no compression). */
import { deflateSync, crc32 } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A 256×256 PNG of one colour with a darker 1-pixel border (so tile edges show in a screenshot). */
export function solidPng(r: number, g: number, b: number, size = 256): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const edge = x === 0 || y === 0;
      row[1 + x * 3] = edge ? r * 0.7 : r;
      row[2 + x * 3] = edge ? g * 0.7 : g;
      row[3 + x * 3] = edge ? b * 0.7 : b;
    }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

export interface Tile {
  readonly z: number;
  readonly x: number;
  readonly y: number;
  readonly data: Buffer;
}

export function tileXY(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x, y };
}

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** A PMTiles v3 archive (raster PNG, uncompressed directory, clustered). */
export function pmtilesArchive(tiles: readonly Tile[], bounds: [number, number, number, number]): Buffer {
  const entries = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: t.data })).sort((a, b) => a.id - b.id);
  let offset = 0;
  const placed = entries.map((e) => {
    const p = { id: e.id, offset, length: e.data.length };
    offset += e.data.length;
    return p;
  });
  const dir: number[] = [];
  varint(dir, placed.length);
  let last = 0;
  for (const e of placed) {
    varint(dir, e.id - last);
    last = e.id;
  }
  for (const _ of placed) varint(dir, 1);
  for (const e of placed) varint(dir, e.length);
  placed.forEach((e, i) => varint(dir, i > 0 && e.offset === placed[i - 1]!.offset + placed[i - 1]!.length ? 0 : e.offset + 1));
  const root = Buffer.from(dir);
  const meta = Buffer.from(JSON.stringify({ name: 'test basemap' }));
  const tileData = Buffer.concat(entries.map((e) => e.data));
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'ascii');
  h[7] = 3;
  const u64 = (at: number, v: number) => h.writeBigUInt64LE(BigInt(v), at);
  u64(8, 127);
  u64(16, root.length);
  u64(24, 127 + root.length);
  u64(32, meta.length);
  u64(40, 127 + root.length + meta.length);
  u64(48, 0);
  u64(56, 127 + root.length + meta.length);
  u64(64, tileData.length);
  u64(72, entries.length);
  u64(80, entries.length);
  u64(88, entries.length);
  h[96] = 1; // clustered
  h[97] = 1; // internal compression: none
  h[98] = 1; // tile compression: none
  h[99] = 2; // png
  const zs = tiles.map((t) => t.z);
  h[100] = Math.min(...zs);
  h[101] = Math.max(...zs);
  h.writeInt32LE(Math.round(bounds[0] * 1e7), 102);
  h.writeInt32LE(Math.round(bounds[1] * 1e7), 106);
  h.writeInt32LE(Math.round(bounds[2] * 1e7), 110);
  h.writeInt32LE(Math.round(bounds[3] * 1e7), 114);
  h[118] = Math.max(...zs);
  h.writeInt32LE(Math.round(((bounds[0] + bounds[2]) / 2) * 1e7), 119);
  h.writeInt32LE(Math.round(((bounds[1] + bounds[3]) / 2) * 1e7), 123);
  return Buffer.concat([h, root, meta, tileData]);
}

/** Checkerboard tiles over a lon/lat box for zooms z0..z1. */
export function checkerTiles(bounds: [number, number, number, number], z0: number, z1: number): Tile[] {
  const light = solidPng(222, 232, 214);
  const dark = solidPng(200, 214, 190);
  const out: Tile[] = [];
  for (let z = z0; z <= z1; z++) {
    const a = tileXY(bounds[0], bounds[3], z);
    const b = tileXY(bounds[2], bounds[1], z);
    for (let x = a.x - 1; x <= b.x + 1; x++) for (let y = a.y - 1; y <= b.y + 1; y++) out.push({ z, x, y, data: (x + y) % 2 ? dark : light });
  }
  return out;
}
