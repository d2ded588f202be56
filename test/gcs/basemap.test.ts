import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PMTiles, type Source, type RangeResponse } from 'pmtiles';
import { LoopbackHub } from '../../src/gcs/mesh-port.js';
import { startGroundStation } from '../../src/gcs/ground-station.js';
import { toLatLon } from '../../src/wire/frame-of-reference.js';
import type {} from '../../src/gcs/page-probe.js';
import { FRAME, droneScene, launchBrowser, tempDir } from './helpers.js';
import { checkerTiles, pmtilesArchive } from './tiles.js';

const sw = toLatLon(FRAME, { x: -500, y: -500 });
const ne = toLatLon(FRAME, { x: 3500, y: 2500 });
const BOUNDS: [number, number, number, number] = [sw.lon, sw.lat, ne.lon, ne.lat];

class BufferSource implements Source {
  constructor(private readonly buf: Buffer) {}
  getKey(): string {
    return 'buffer';
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const b = this.buf.subarray(offset, offset + length);
    return { data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  }
}

test('the page draws a local PMTiles basemap under the layers, fetched by ranges from the station', { timeout: 60_000 }, async () => {
  const dir = tempDir('gcs-basemap');
  const tiles = checkerTiles(BOUNDS, 11, 14);
  const archive = pmtilesArchive(tiles, BOUNDS);
  // The fixture is a well-formed archive: the pmtiles reader finds every tile in it.
  const reader = new PMTiles(new BufferSource(archive));
  assert.equal((await reader.getHeader()).numAddressedTiles, tiles.length);
  const t = tiles[tiles.length - 1]!;
  assert.equal((await reader.getZxy(t.z, t.x, t.y))?.data.byteLength, t.data.length);

  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'area.pmtiles');
  writeFileSync(file, archive);
  const hub = new LoopbackHub();
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: join(dir, 'data'), mesh: hub.port(1), port: 0, statusEveryMs: 0, basemap: file });
  const browser = await launchBrowser(join(dir, 'profile'), true);
  try {
    hub.port(7).publish(droneScene());
    const page = await browser.newPage();
    const ranges: number[] = [];
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(gcs.url)) foreign.push(r.url());
    });
    page.on('response', (r) => {
      if (r.url().endsWith('/basemap/basemap.pmtiles')) ranges.push(r.status());
    });
    await page.goto(gcs.url);
    await page.waitForFunction(() => window.__murmur?.renderer === 'maplibre' && window.__murmur.markerIds('victim').length === 2);
    await page.evaluate(() => window.__murmur.whenDrawn());
    // Header and directory, then tiles: all partial responses from this station.
    assert.ok(ranges.length >= 2 && ranges.every((s) => s === 206), `basemap responses: ${ranges.join(',')}`);
    assert.deepEqual(foreign, []);
    await page.screenshot({ path: 'test-artifacts/gcs-map-pmtiles.png' });
  } finally {
    await browser.close();
    await gcs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
