/**
 * `murmur basemap build`: an offline basemap of the place a team deploys to, from OpenStreetMap data.
 * osmium clips the extract to the area, tilemaker cuts vector tiles with Murmur's schema (tilemaker/), and the
 * tiles are packed into one .pmtiles file that the ground station serves (`murmur gcs --basemap`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';
import { pmtilesArchive, type ArchiveTile } from './pmtiles-write.js';

export class BasemapError extends Error {}

export type Bbox = [number, number, number, number];

export interface BuildOptions {
  readonly osm: string;
  readonly out: string;
  /** west,south,east,north; default: the extract's own bounds. */
  readonly bbox?: Bbox;
  /** Highest zoom cut (10..14, default 14); the map shows that zoom's detail when zoomed in further. */
  readonly maxzoom?: number;
  readonly log?: (line: string) => void;
}

export interface BuildResult {
  readonly tiles: number;
  readonly bytes: number;
  readonly bbox: Bbox;
  readonly minzoom: number;
  readonly maxzoom: number;
}

export const SCHEMA_DIR = join(projectRoot(import.meta.url), 'src', 'basemap', 'tilemaker');
const INSTALL = 'sudo apt-get install tilemaker osmium-tool (Debian, Raspberry Pi OS, Ubuntu)';

function run(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new BasemapError(`${tool} not found: ${INSTALL}`);
  if (r.status !== 0) {
    const last = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? `exit ${r.status}`;
    throw new BasemapError(`${tool} failed: ${last}`);
  }
  return r.stdout;
}

export function parseBbox(text: string): Bbox {
  const v = text.replace(/[()]/g, '').split(',').map((s) => Number(s.trim()));
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n))) throw new BasemapError(`bbox must be west,south,east,north in degrees, got "${text}"`);
  const [w, s, e, n] = v as Bbox;
  if (!(w < e && s < n && w >= -180 && e <= 180 && s >= -85.06 && n <= 85.06)) throw new BasemapError(`bbox ${text}: west < east and south < north, inside ±180/±85`);
  return [w, s, e, n];
}

function readTiles(dir: string): ArchiveTile[] {
  const out: ArchiveTile[] = [];
  for (const z of readdirSync(dir)) {
    if (!/^\d+$/.test(z)) continue;
    for (const x of readdirSync(join(dir, z)))
      for (const f of readdirSync(join(dir, z, x))) {
        const m = /^(\d+)\.pbf$/.exec(f);
        if (m) out.push({ z: Number(z), x: Number(x), y: Number(m[1]), data: readFileSync(join(dir, z, x, f)) });
      }
  }
  return out;
}

export function buildBasemap(o: BuildOptions): BuildResult {
  const log = o.log ?? (() => undefined);
  if (!o.out.endsWith('.pmtiles')) throw new BasemapError(`--out ${o.out}: the station serves .pmtiles files; name it area.pmtiles`);
  if (!existsSync(o.osm)) throw new BasemapError(`--osm ${o.osm}: no such file (download an extract of the region, e.g. a country or state .osm.pbf)`);
  const maxzoom = o.maxzoom ?? 14;
  if (!Number.isInteger(maxzoom) || maxzoom < 10 || maxzoom > 14) throw new BasemapError('--maxzoom must be a whole number from 10 to 14');
  const work = mkdtempSync(join(tmpdir(), 'murmur-basemap-'));
  try {
    run('tilemaker', ['--help']);
    const bbox = o.bbox ?? parseBbox(run('osmium', ['fileinfo', '-e', '-g', 'data.bbox', o.osm]).trim());
    log(`clipping ${o.osm} to ${bbox.join(',')} with osmium`);
    const clip = join(work, 'area.osm.pbf');
    run('osmium', ['extract', '--set-bounds', '-b', bbox.join(','), o.osm, '-o', clip, '--overwrite']);
    const config = JSON.parse(readFileSync(join(SCHEMA_DIR, 'config.json'), 'utf8')) as { layers: Record<string, { maxzoom: number; minzoom: number }>; settings: { maxzoom: number; basezoom: number } };
    config.settings.maxzoom = maxzoom;
    config.settings.basezoom = maxzoom;
    for (const l of Object.values(config.layers)) {
      l.maxzoom = Math.min(l.maxzoom, maxzoom);
      l.minzoom = Math.min(l.minzoom, maxzoom);
    }
    writeFileSync(join(work, 'config.json'), JSON.stringify(config));
    log(`cutting vector tiles up to zoom ${maxzoom} with tilemaker`);
    const tilesDir = join(work, 'tiles');
    run('tilemaker', ['--input', clip, '--output', tilesDir, '--config', join(work, 'config.json'), '--process', join(SCHEMA_DIR, 'process.lua'), '--threads', '1']);
    const tiles = readTiles(tilesDir);
    if (tiles.length === 0) throw new BasemapError(`tilemaker cut no tile: is ${bbox.join(',')} inside the extract?`);
    const meta = JSON.parse(readFileSync(join(tilesDir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    log(`packing ${tiles.length} tiles into ${o.out}`);
    const archive = pmtilesArchive(tiles, {
      tileType: 1,
      tileCompression: 2,
      bounds: bbox,
      metadata: { ...meta, attribution: '© OpenStreetMap contributors', generator: 'murmur basemap build (osmium, tilemaker)' },
    });
    const tmp = `${o.out}.partial`;
    writeFileSync(tmp, archive);
    renameSync(tmp, o.out);
    const zs = tiles.map((t) => t.z);
    return { tiles: tiles.length, bytes: archive.length, bbox, minzoom: Math.min(...zs), maxzoom: Math.max(...zs) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
