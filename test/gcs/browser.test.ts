import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { toLatLon } from '../../src/wire/frame-of-reference.js';
import { LoopbackHub } from '../../src/gcs/mesh-port.js';
import { searchableCells } from '../../src/sectors/index.js';
import type {} from '../../src/gcs/page-probe.js';
import { startGroundStation } from '../../src/gcs/ground-station.js';
import type { Fact, SupersedeFact } from '../../src/wire/facts.js';
import { FRAME, droneScene, launchBrowser, requireChromium, tempDir, waitDrawn } from './helpers.js';
import { PMTiles, type Source, type RangeResponse } from 'pmtiles';
import { checkerTiles, pmtilesArchive } from './tiles.js';


const ARTIFACTS = 'test-artifacts';


test('the web map shows facts heard on the mesh, and "rescued" reaches a drone', { timeout: 90_000 }, async () => {
  requireChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const hub = new LoopbackHub();
  const drone = hub.port(7); // the simulated drone's end of the mesh
  const heardByDrone: Fact[] = [];
  drone.onFacts((fs) => heardByDrone.push(...fs));
  const data = tempDir('gcs-browser');
  const profile = tempDir('chromium');
  // the mission's roster is drone 7 alone: its sector is the whole search area of the scene
  const searchable = searchableCells(FRAME, [[[{ x: 0, y: 0 }, { x: 3000, y: 0 }, { x: 3000, y: 2000 }, { x: 0, y: 2000 }]]]);
  const sectors = { frame: FRAME, searchable, roster: [7], cruiseSpeedMps: 10 };
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: data, mesh: hub.port(1), port: 0, statusEveryMs: 0, sectors });
  const browser = await launchBrowser(profile, true);
  try {
    drone.publish(droneScene());
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(gcs.url);
    await page.waitForSelector('li[data-victim="7:4"][data-state="reported"]');
    await page.waitForFunction(() => window.__murmur.markerIds('victim').length === 2);
    assert.deepEqual((await page.evaluate(() => window.__murmur.markerIds('victim'))).sort(), ['7:4', '7:5']);
    assert.deepEqual(await page.evaluate(() => window.__murmur.markerIds('road')), ['7:6']);
    // its sector outlined and labelled with the sector it reports, as the drones table says
    await page.waitForFunction(() => document.querySelector('[data-sector-label="7"][data-kind="own"]')?.textContent === 'S1 · node 7');
    assert.equal(await page.locator('tr[data-member="7"] td[data-sector]').innerText(), 'S1');
    assert.deepEqual(await page.evaluate(() => [...new Set(window.__murmur.markerIds('sector'))]), [7]);

    // A fact merged later is pushed to the open page.
    drone.publish([{ kind: 'victim', origin: 7, seq: 9, t: 40, pos: { x: 2700, y: 1800 }, count: 3, condition: 'ambulatory', confidence: 75 }]);
    await page.waitForSelector('li[data-victim="7:9"]');
    await page.waitForFunction(() => window.__murmur.markerIds('victim').includes('7:9'));

    // The operator marks 7:4 rescued: a supersede from the station's node reaches the drone.
    await page.click('li[data-victim="7:4"] button[data-do="rescued"]');
    await page.waitForSelector('li[data-victim="7:4"][data-state="rescued"]');
    const deadline = Date.now() + 10_000;
    let got: SupersedeFact | undefined;
    while (!got && Date.now() < deadline) {
      got = heardByDrone.find((f): f is SupersedeFact => f.kind === 'supersede' && f.target.origin === 7 && f.target.seq === 4);
      if (!got) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(got, 'the drone never heard the rescue');
    assert.equal(got.outcome, 'rescued');
    assert.equal(got.origin, 1);

    // Which members hold the fact is shown per fact.
    await page.click('li[data-victim="7:4"]');
    await page.waitForFunction(() => document.getElementById('fact')!.textContent!.includes('held by: 1, 7'));

    // Recall one drone: confirmed in a dialog first, then an RTL command to node 7.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await page.click('tr[data-member="7"] button[data-do="recall"]');
    const waitCmd = Date.now() + 10_000;
    while (!heardByDrone.some((f) => f.kind === 'command' && f.target === 7 && f.action === 'rtl') && Date.now() < waitCmd) await new Promise((r) => setTimeout(r, 50));
    assert.ok(heardByDrone.some((f) => f.kind === 'command' && f.target === 7 && f.action === 'rtl'));
    assert.deepEqual(asked, ['Recall node 7 (return to launch)?']);
    // The order waits for the drone's answer, then shows it.
    await page.waitForSelector('#orders li:first-child [data-ack="7"][data-result="waiting"]');
    const rtl = heardByDrone.find((f) => f.kind === 'command' && f.target === 7)!;
    drone.publish([{ kind: 'ack', origin: 7, seq: 20, t: 50, target: { origin: rtl.origin, seq: rtl.seq }, result: 'accepted' }]);
    await page.waitForSelector('#orders li:first-child [data-ack="7"][data-result="accepted"]');
    // A victim carries decimal and MGRS coordinates.
    assert.match(await page.locator('li[data-victim="7:4"] [data-mgrs]').innerText(), /^31T [A-Z]{2} \d{5} \d{5}$/);

    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__murmur.renderer), 'maplibre');
    await page.screenshot({ path: `${ARTIFACTS}/gcs-map-webgl.png` });

    // Without WebGL the page falls back to an SVG map showing the same markers.
    const plain = await browser.newPage();
    await plain.goto(gcs.url.replace('#', '?renderer=fallback#'));
    await plain.waitForFunction(() => window.__murmur?.renderer === 'fallback' && window.__murmur.markerIds('victim').length === 3);
    assert.equal(await plain.locator('svg [data-layer="victim"][data-state="rescued"]').count(), 1);
    assert.equal(await plain.locator('svg [data-layer="sector"] [data-sector-label="7"]').textContent(), 'S1 · node 7');
    await plain.screenshot({ path: `${ARTIFACTS}/gcs-map-fallback.png` });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await gcs.close();
    rmSync(data, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});

test('drawing a search area on the page becomes an area fact on the mesh', { timeout: 60_000 }, async () => {
  requireChromium();
  const hub = new LoopbackHub();
  const drone = hub.port(7);
  const heard: Fact[] = [];
  drone.onFacts((fs) => heard.push(...fs));
  const data = tempDir('gcs-draw');
  const profile = tempDir('chromium');
  // The area's own vector layers (no basemap configured): a road and a boundary.
  const maps = join(data, 'maps');
  mkdirSync(maps, { recursive: true });
  const at = (x: number, y: number) => { const p = toLatLon(FRAME, { x, y }); return [p.lon, p.lat]; };
  writeFileSync(join(maps, 'roads.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [at(0, 1000), at(3000, 1100)] } }] }));
  writeFileSync(join(maps, 'boundary.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[at(-100, -100), at(3100, -100), at(3100, 2100), at(-100, 2100), at(-100, -100)]] } }] }));
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: data, mesh: hub.port(1), port: 0, statusEveryMs: 0, mapsDir: maps });
  const browser = await launchBrowser(profile, false);
  try {
    drone.publish(droneScene());
    const page = await browser.newPage();
    await page.goto(gcs.url.replace('#', '?renderer=fallback#'));
    await page.waitForSelector('li[data-victim="7:4"]');
    assert.equal(await page.locator('svg [data-area-layer="roads"]').count(), 1);
    assert.equal(await page.locator('svg [data-area-layer="boundary"]').count(), 1);
    await page.click('#tool-nofly');
    const box = (await page.locator('#map svg').boundingBox())!;
    for (const [fx, fy] of [[0.3, 0.3], [0.5, 0.3], [0.5, 0.5], [0.3, 0.5]] as const) await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    await page.click('#tool-finish');
    await page.waitForSelector('svg [data-layer="nofly"]');
    const area = heard.find((f) => f.kind === 'area');
    assert.ok(area && area.kind === 'area');
    assert.equal(area.role, 'nofly');
    assert.equal(area.rings[0]!.length, 4);
    assert.equal(gcs.station.map.state().noFly.length, 1);
    await page.screenshot({ path: `${ARTIFACTS}/gcs-map-nofly-fallback.png` });
  } finally {
    await browser.close();
    await gcs.close();
    rmSync(data, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});

// One file for every browser test: they run one after another, never two Chromiums at once.
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
  requireChromium();
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
      if (!r.url().startsWith(gcs.baseUrl)) foreign.push(r.url());
    });
    page.on('response', (r) => {
      if (r.url().endsWith('/basemap/basemap.pmtiles')) ranges.push(r.status());
    });
    await page.goto(gcs.url);
    await page.waitForFunction(() => window.__murmur?.renderer === 'maplibre' && window.__murmur.markerIds('victim').length === 2);
    await waitDrawn(page);
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

test('in a real browser: a viewer only looks, a foreign page cannot act or sync, a rebound name gets nothing', { timeout: 60_000 }, async () => {
  requireChromium();
  const hub = new LoopbackHub();
  const drone = hub.port(7);
  const heard: Fact[] = [];
  drone.onFacts((fs) => heard.push(...fs));
  const dir = tempDir('gcs-browser-access');
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: join(dir, 'data'), mesh: hub.port(1), port: 0, statusEveryMs: 0, mission: 'flood-1' });
  // The attacker's site, on a name of its own that also resolves to this machine (DNS rebinding).
  const evil = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!doctype html><body><iframe id="framed" src="http://127.0.0.1:${gcs.port}/?renderer=fallback"></iframe><script>
      const station = 'http://127.0.0.1:${gcs.port}';
      const recall = JSON.stringify({ action: 'recall', target: 0 });
      window.results = {};
      (async () => {
        // A "simple" cross-site request, which a browser sends without asking: text/plain, no credential it could know.
        await fetch(station + '/api/action', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: recall }).catch(() => {});
        // A form posted into a hidden frame.
        const f = document.createElement('form');
        f.method = 'POST'; f.action = station + '/api/action'; f.enctype = 'text/plain'; f.target = 'sink';
        const i = document.createElement('input'); i.name = recall; i.value = ''; f.append(i);
        const sink = document.createElement('iframe'); sink.name = 'sink'; document.body.append(sink, f); f.submit();
        // JSON with the operator's token, had it leaked: the browser asks first, and the station never agrees.
        window.results.json = await fetch(station + '/api/action', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ${gcs.tokens.operator}' }, body: recall }).then((r) => r.status, (e) => 'blocked');
        // The sync socket is not covered by CORS: only the station's own Origin check stands here.
        window.results.sync = await new Promise((done) => {
          const ws = new WebSocket('ws://127.0.0.1:${gcs.port}/sync?token=${gcs.tokens.operator}');
          ws.onopen = () => done('open');
          ws.onerror = () => done('refused');
        });
        window.results.done = true;
      })();
    </script></body>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
  const evilPort = (evil.address() as { port: number }).port;
  const browser = await launchBrowser(join(dir, 'profile'), false, ['--host-resolver-rules=MAP evil.test 127.0.0.1']);
  try {
    drone.publish(droneScene());
    // The viewer's address: the map and lists, no controls; an action from its page is refused.
    const viewer = await browser.newPage();
    await viewer.goto(`${gcs.viewerUrl.replace('#', '?renderer=fallback#')}`);
    await viewer.waitForSelector('li[data-victim="7:4"]');
    assert.equal(new URL(viewer.url()).hash, '', 'the token stays in the address bar');
    assert.equal(await viewer.locator('#recall-all').isVisible(), false);
    assert.equal(await viewer.locator('li[data-victim="7:4"] button[data-do="rescued"]').isVisible(), false);
    const viewerTry = await viewer.evaluate(async (auth) => {
      const { api } = (await import(auth)) as { api: typeof fetch };
      const r = await api('/api/action', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'recall', target: 0 }) });
      return r.status;
    }, '/auth.js');
    assert.equal(viewerTry, 403);
    await viewer.close();

    // No token at all (a fresh browser profile's first visit): the page says what is missing.
    const anon = await launchBrowser(join(dir, 'profile-anon'), false);
    try {
      const p = await anon.newPage();
      await p.goto(`${gcs.baseUrl}?renderer=fallback`);
      await p.waitForFunction(() => document.getElementById('status')!.textContent!.includes('no valid credential'));
    } finally {
      await anon.close();
    }

    // The attacker's page, open in the operator's browser.
    const page = await browser.newPage();
    await page.goto(`http://evil.test:${evilPort}/`);
    await page.waitForFunction(() => (window as unknown as { results: { done?: boolean } }).results?.done === true, undefined, { timeout: 20_000 });
    const results = await page.evaluate(() => (window as unknown as { results: Record<string, unknown> }).results);
    assert.equal(results.json, 'blocked');
    // The station's page (whose stored token would act) is not shown inside the attacker's page (clickjacking).
    const framed = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(framed);
    await framed.waitForLoadState();
    assert.notEqual(await framed.evaluate(() => document.title).catch(() => 'refused'), 'Murmur ground station');
    assert.equal(results.sync, 'refused');
    // DNS rebinding: the station's own port under the attacker's name.
    const rebound = await page.goto(`http://evil.test:${gcs.port}/`);
    assert.equal(rebound?.status(), 403);
    await page.waitForTimeout(300);
    assert.deepEqual(heard.filter((f) => f.kind === 'command'), [], 'a foreign page commanded the swarm');
    assert.equal(gcs.station.map.state().commands.length, 0);
  } finally {
    await browser.close();
    await gcs.close();
    await new Promise<void>((r) => evil.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

// About a minute: earthquake town, 6 drones, seed 1, paced 20x. The station repeats each order until every drone
// has answered it (gcs/order-delivery.ts); before it did, a zone could take 58-148 s to reach a distant drone
// over the busy channel, and one run in three had a drone inside the zone after the 60 s grace.
test('on the demo: a new area and a zone drawn, every drone answers, none flies in the zone, one drone recalled and resumed, the CSV victims are real', { timeout: 240_000 }, async () => {
  requireChromium();
  const { demoMissionLoop } = await import('./demo-acceptance.js');
  await demoMissionLoop();
});
