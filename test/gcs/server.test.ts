import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { LoopbackHub } from '../../src/gcs/mesh-port.js';
import { startGroundStation } from '../../src/gcs/ground-station.js';
import { CoT } from '../../src/map/tak-cot.js';
import { FRAME, droneScene, tempDir } from './helpers.js';

test('serves the page, its scripts, the area layers and a tile-folder basemap locally; refuses escapes', async () => {
  const dir = tempDir('gcs-server');
  const maps = join(dir, 'maps');
  const tiles = join(dir, 'tiles');
  mkdirSync(maps, { recursive: true });
  mkdirSync(join(tiles, '14', '8452'), { recursive: true });
  writeFileSync(join(maps, 'roads.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [] }));
  writeFileSync(join(tiles, '14', '8452', '5860.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: join(dir, 'data'), mesh: new LoopbackHub().port(1), port: 0, statusEveryMs: 0, mapsDir: maps, basemap: tiles });
  try {
    const get = (p: string, init?: RequestInit) => fetch(new URL(p, gcs.url), init);
    const page = await (await get('/')).text();
    // No resource from another host: everything the page loads is served here.
    assert.doesNotMatch(page, /https?:\/\//);
    for (const p of ['/app.js', '/fallback.js', '/style.css', '/vendor/maplibre/maplibre-gl.mjs', '/vendor/maplibre/maplibre-gl.css', '/vendor/pmtiles/pmtiles.js'])
      assert.equal((await get(p)).status, 200, p);
    const config = (await (await get('/api/config', { headers: { Authorization: `Bearer ${gcs.tokens.viewer}` } })).json()) as { basemap: { kind: string; url: string }; layers: { name: string; url: string }[] };
    assert.deepEqual(config.basemap, { kind: 'tiles', url: '/basemap/{z}/{x}/{y}.png' });
    assert.deepEqual(config.layers, [{ name: 'roads', url: '/maps/roads.geojson' }]);
    assert.equal((await get('/maps/roads.geojson')).status, 200);
    const tile = await get('/basemap/14/8452/5860.png');
    assert.equal(tile.headers.get('content-type'), 'image/png');
    const range = await get('/basemap/14/8452/5860.png', { headers: { Range: 'bytes=1-2' } });
    assert.equal(range.status, 206);
    assert.deepEqual([...new Uint8Array(await range.arrayBuffer())], [0x50, 0x4e]);
    assert.equal((await get('/maps/..%2f..%2fdata%2fmap%2fmap.log')).status, 404);
    assert.equal((await get('/vendor/maplibre/..%2f..%2f..%2fpackage.json')).status, 404);
    // A bad action is refused with a reason, and nothing is published.
    const asOperator = { 'Content-Type': 'application/json', Authorization: `Bearer ${gcs.tokens.operator}` };
    const bad = await get('/api/action', { method: 'POST', headers: asOperator, body: JSON.stringify({ action: 'victim', target: '9:9', outcome: 'rescued' }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /no victim fact 9:9/);
    assert.equal((await get('/api/action', { method: 'POST', headers: asOperator, body: 'nope' })).status, 400);
  } finally {
    await gcs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restarted station keeps its map and never reuses a fact sequence number', async () => {
  const dir = tempDir('gcs-restart');
  const hub = new LoopbackHub();
  const drone = hub.port(7);
  let gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dir, mesh: hub.port(1), port: 0, statusEveryMs: 0 });
  drone.publish(droneScene());
  while (gcs.station.map.size < 9) await new Promise((r) => setTimeout(r, 10));
  const first = gcs.station.act({ action: 'recall', target: 0 })[0]!;
  await gcs.close();
  gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dir, mesh: hub.port(1), port: 0, statusEveryMs: 0 });
  try {
    assert.equal(gcs.station.map.size, 10);
    const second = gcs.station.act({ action: 'resume', target: 0 })[0]!;
    assert.ok(second.seq > first.seq);
    assert.equal(gcs.station.map.state().commands[0]!.action, 'resume');
  } finally {
    await gcs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CoT stream: a TAK server on TCP receives schema-valid events for the map', async () => {
  const received: string[] = [];
  const sockets: Socket[] = [];
  const tak = createServer((s) => {
    sockets.push(s);
    s.setEncoding('utf8');
    let buf = '';
    s.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        received.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  });
  await new Promise<void>((r) => tak.listen(0, '127.0.0.1', () => r()));
  const port = (tak.address() as { port: number }).port;
  const dir = tempDir('gcs-tak');
  const hub = new LoopbackHub();
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dir, mesh: hub.port(1), port: 0, statusEveryMs: 0, tak: `tcp://127.0.0.1:${port}` });
  try {
    hub.port(7).publish(droneScene());
    const end = Date.now() + 10_000;
    while (!received.some((x) => x.includes('murmur-victim-7-5')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const events = received.map((x) => new CoT(x));
    const casualty = events.find((e) => e.raw.event._attributes.uid === 'murmur-victim-7-5');
    assert.equal(casualty?.raw.event._attributes.type, 'b-r-f-h-c');
    assert.ok(events.some((e) => e.raw.event._attributes.type === 'a-f-A-M-H-Q'));
  } finally {
    await gcs.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => tak.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CoT stream: ATAK-style UDP datagrams carry one schema-valid event each', async () => {
  const { createSocket } = await import('node:dgram');
  const rx = createSocket('udp4');
  const got: string[] = [];
  rx.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  const dir = tempDir('gcs-tak-udp');
  const hub = new LoopbackHub();
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dir, mesh: hub.port(1), port: 0, statusEveryMs: 0, tak: `udp://127.0.0.1:${rx.address().port}` });
  try {
    hub.port(7).publish(droneScene());
    const end = Date.now() + 10_000;
    while (!got.some((x) => x.includes('murmur-road-7-6')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const road = got.map((x) => new CoT(x)).find((e) => e.raw.event._attributes.uid === 'murmur-road-7-6');
    assert.equal(road?.raw.event._attributes.type, 'u-d-f');
  } finally {
    await gcs.close();
    rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
