/** Test fixtures for basemaps: solid-colour PNG tiles and a PMTiles v3 archive of them. */
import { deflateSync, crc32 } from 'node:zlib';
import { pmtilesArchive as packTiles } from '../../src/basemap/pmtiles-write.js';

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

/** A PMTiles v3 archive of raster PNG tiles, packed by the basemap builder's writer. */
export function pmtilesArchive(tiles: readonly Tile[], bounds: [number, number, number, number]): Buffer {
  return packTiles(tiles, { tileType: 2, tileCompression: 1, bounds, metadata: { name: 'test basemap' } });
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
