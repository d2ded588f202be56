import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PMTiles, type RangeResponse, type Source } from 'pmtiles';
import { readFileSync } from 'node:fs';
import { LoopbackHub } from '../../src/gcs/mesh-port.js';
import { startGroundStation } from '../../src/gcs/ground-station.js';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';
import { launchBrowser, requireChromium, tempDir, waitDrawn } from '../gcs/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { gridTown } from './osm-fixture.js';

/** tilemaker and osmium are Debian packages that .ci/run installs: CI fails without them, a dev machine skips. */
function toolsMissing(): string | undefined {
  const missing = ['tilemaker', 'osmium'].filter((t) => spawnSync(t, ['--help'], { stdio: 'ignore' }).error);
  if (missing.length === 0) return undefined;
  const why = `${missing.join(' and ')} not found: apt-get install tilemaker osmium-tool (.ci/run installs them)`;
  if (process.env.CI) throw new Error(why);
  return why;
}

const TOWN = { lat: 45.18, lon: 5.72 };
// The area frame's centre (where the page opens) falls inside the generated town.
const FRAME: AreaFrame = { originLat: TOWN.lat, originLon: TOWN.lon, epoch: 1_790_000_000, cellSize: 50, cols: 16 };

class FileSource implements Source {
  constructor(private readonly bytes: Buffer) {}
  getKey = () => 'file';
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const b = this.bytes.subarray(offset, offset + length);
    return { data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  }
}

test('murmur basemap build turns an OSM file into a .pmtiles of vector tiles with the streets in it', { timeout: 300_000 }, async (t) => {
  const skip = toolsMissing();
  if (skip) return t.skip(skip);
  const dir = tempDir('basemap-build');
  try {
    const town = gridTown(TOWN.lat, TOWN.lon);
    writeFileSync(join(dir, 'town.osm'), town.xml);
    const out = join(dir, 'town.pmtiles');
    const r = await runCli(['basemap', 'build', '--osm', join(dir, 'town.osm'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    // One line per stage, then what was written.
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['clipping', 'cutting', 'packing', 'wrote']);
    const archive = new PMTiles(new FileSource(readFileSync(out)));
    const header = await archive.getHeader();
    assert.equal(header.tileType, 1, 'vector tiles');
    assert.deepEqual([header.minZoom, header.maxZoom], [10, 14]);
    const meta = (await archive.getMetadata()) as { name: string; vector_layers: { id: string }[] };
    assert.equal(meta.name, 'murmur-basemap');
    assert.ok(['roads', 'buildings', 'water', 'landcover'].every((l) => meta.vector_layers.some((v) => v.id === l)));
    // The zoom-14 tiles over the town hold every street's name (the reader un-gzips the MVT; names are plain strings).
    const n = 2 ** 14;
    const tx = (lon: number) => Math.floor(((lon + 180) / 360) * n);
    const ty = (lat: number) => Math.floor(((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * n);
    const [w, s, e, nn] = town.bounds;
    let text = '';
    for (let x = tx(w); x <= tx(e); x++)
      for (let y = ty(nn); y <= ty(s); y++) {
        const tile = await archive.getZxy(14, x, y);
        if (tile) text += Buffer.from(tile.data).toString('latin1');
      }
    for (const name of town.streetNames) assert.ok(text.includes(name), `${name} in the zoom-14 tiles`);
    // --area clips to a mission's polygons plus 500 m: a mission over one block gets that box, not the extract's.
    writeFileSync(join(dir, 'mission.json'), JSON.stringify({ area: [{ type: 'Polygon', coordinates: [[[5.7221, 45.1821], [5.7239, 45.1821], [5.7239, 45.1839], [5.7221, 45.1821]]] }] }));
    const clipped = await runCli(['basemap', 'build', '--osm', join(dir, 'town.osm'), '--area', join(dir, 'mission.json'), '--out', join(dir, 'block.pmtiles')]);
    assert.equal(clipped.code, 0, clipped.stderr);
    const h = await new PMTiles(new FileSource(readFileSync(join(dir, 'block.pmtiles')))).getHeader();
    assert.ok(Math.abs(h.minLat - (45.1821 - 500 / 111_320)) < 1e-4 && Math.abs(h.maxLat - (45.1839 + 500 / 111_320)) < 1e-4, `${h.minLat}..${h.maxLat}`);
    const dLon = 500 / 111_320 / Math.cos((45.183 * Math.PI) / 180);
    assert.ok(Math.abs(h.minLon - (5.7221 - dLon)) < 1e-4 && Math.abs(h.maxLon - (5.7239 + dLon)) < 1e-4, `${h.minLon}..${h.maxLon}`);
    // A mistake is one line: the station serves .pmtiles only.
    const bad = await runCli(['basemap', 'build', '--osm', join(dir, 'town.osm'), '--out', join(dir, 'town.mbtiles')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr.trim(), /^murmur basemap: --out .*town\.mbtiles: the station serves \.pmtiles files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the station shows the streets of a basemap built by murmur basemap build, with the network limited to loopback', { timeout: 300_000 }, async (t) => {
  const skip = toolsMissing();
  if (skip) return t.skip(skip);
  requireChromium();
  const dir = tempDir('basemap-page');
  const town = gridTown(TOWN.lat, TOWN.lon);
  writeFileSync(join(dir, 'town.osm'), town.xml);
  const file = join(dir, 'town.pmtiles');
  const built = await runCli(['basemap', 'build', '--osm', join(dir, 'town.osm'), '--out', file]);
  assert.equal(built.code, 0, built.stderr);
  assert.ok(statSync(file).size > 500);
  const hub = new LoopbackHub();
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: join(dir, 'data'), mesh: hub.port(1), port: 0, statusEveryMs: 0, basemap: file });
  const browser = await launchBrowser(join(dir, 'chromium'), true);
  const offLoopback: string[] = [];
  // Anything but this machine is refused and remembered: the basemap must come from the station alone.
  await browser.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    offLoopback.push(url.href);
    return route.abort('internetdisconnected');
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const basemapStatus: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/basemap/basemap.pmtiles')) basemapStatus.push(r.status());
    });
    await page.goto(gcs.url);
    await page.waitForFunction(() => window.__murmur?.renderer === 'maplibre');
    await waitDrawn(page);
    await page.waitForFunction((n) => window.__murmur.streetNames().length === n, town.streetNames.length, { timeout: 30_000 });
    assert.deepEqual(await page.evaluate(() => window.__murmur.streetNames()), [...town.streetNames].sort());
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/gcs-osm-basemap.png' });
    assert.ok(basemapStatus.length >= 2 && basemapStatus.every((s) => s === 206), `basemap responses ${basemapStatus.join(',')}`);
    assert.deepEqual(offLoopback, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await gcs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
