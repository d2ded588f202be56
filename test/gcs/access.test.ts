/**
 * Who may use the ground station, tried with raw requests as an attacker would send them: no credential,
 * a viewer's, a cross-site form post, a foreign Origin, a rebound Host name, an oversized body, and the
 * same on the /sync WebSocket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { LoopbackHub } from '../../src/gcs/mesh-port.js';
import { startGroundStation, type RunningGroundStation } from '../../src/gcs/ground-station.js';
import { IpSync } from '../../src/gcs/ip-sync.js';
import type { Fact } from '../../src/wire/facts.js';
import { FRAME, droneScene, tempDir } from './helpers.js';

interface Answer {
  status: number;
  body: string;
}

/** One HTTP request with exactly the headers given (fetch would not let us set Host). */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status a WebSocket upgrade to /sync gets (101 when accepted). */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (e) => reject(e));
  });
}

async function withStation(fn: (g: RunningGroundStation, heard: Fact[]) => Promise<void>, mission?: string): Promise<void> {
  const dir = tempDir('gcs-access');
  const hub = new LoopbackHub();
  const drone = hub.port(7);
  const heard: Fact[] = [];
  drone.onFacts((fs) => heard.push(...fs));
  const g = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dir, mesh: hub.port(1), port: 0, statusEveryMs: 0, allowedHosts: ['gcs.local'], ...(mission ? { mission } : {}) });
  try {
    drone.publish(droneScene());
    while (g.station.map.size < 9) await new Promise((r) => setTimeout(r, 10));
    await fn(g, heard);
  } finally {
    await g.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const RECALL = JSON.stringify({ action: 'recall', target: 0 });
const commands = (heard: Fact[]) => heard.filter((f) => f.kind === 'command').length;

test('only the operator token acts, as JSON, from this station\'s own origin and host', async () => {
  await withStation(async (g, heard) => {
    const host = `127.0.0.1:${g.port}`;
    const json = { Host: host, 'Content-Type': 'application/json' };
    const operator = { ...json, Authorization: `Bearer ${g.tokens.operator}` };

    // No credential, a wrong one, a viewer's: refused, nothing reaches the drones.
    assert.equal((await raw(g.port, 'POST', '/api/action', json, RECALL)).status, 401);
    assert.equal((await raw(g.port, 'POST', '/api/action', { ...json, Authorization: 'Bearer guess' }, RECALL)).status, 401);
    const viewer = await raw(g.port, 'POST', '/api/action', { ...json, Authorization: `Bearer ${g.tokens.viewer}` }, RECALL);
    assert.equal(viewer.status, 403);
    assert.match(viewer.body, /viewer may only look/);
    // The token in the query does not act (only the read-only event stream takes it there).
    assert.equal((await raw(g.port, 'POST', `/api/action?token=${g.tokens.operator}`, json, RECALL)).status, 401);
    // A cross-site "simple" request (text/plain or a form) never acts, token or not.
    assert.equal((await raw(g.port, 'POST', '/api/action', { ...operator, 'Content-Type': 'text/plain' }, RECALL)).status, 415);
    assert.equal((await raw(g.port, 'POST', '/api/action', { ...operator, 'Content-Type': 'application/x-www-form-urlencoded' }, 'action=recall&target=0')).status, 415);
    // A page on another origin, even holding the token.
    const cross = await raw(g.port, 'POST', '/api/action', { ...operator, Origin: 'http://evil.example' }, RECALL);
    assert.equal(cross.status, 403);
    assert.match(cross.body, /cross-origin request from http:\/\/evil.example/);
    // DNS rebinding: a name that is not this station's, even with the token and a matching Origin.
    const rebound = await raw(g.port, 'POST', '/api/action', { ...operator, Host: `evil.example:${g.port}`, Origin: `http://evil.example:${g.port}` }, RECALL);
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /host evil.example is not this station's/);
    assert.equal((await raw(g.port, 'GET', '/', { Host: `evil.example:${g.port}` })).status, 403);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(commands(heard), 0, 'a refused request reached the drones');

    // The operator, same origin, by IP, localhost or an allowed name: acts.
    for (const h of [host, `localhost:${g.port}`, `gcs.local:${g.port}`]) {
      const ok = await raw(g.port, 'POST', '/api/action', { ...operator, Host: h, Origin: `http://${h}` }, RECALL);
      assert.equal(ok.status, 200, `${h}: ${ok.body}`);
    }
    while (commands(heard) < 3) await new Promise((r) => setTimeout(r, 10));
  });
});

test('looking needs a credential too; a viewer may look', async () => {
  await withStation(async (g) => {
    const host = { Host: `127.0.0.1:${g.port}` };
    for (const p of ['/api/state', '/api/config', '/api/geojson', '/api/cot', '/api/fact?id=7:4', '/api/events'])
      assert.equal((await raw(g.port, 'GET', p, host)).status, 401, p);
    const state = await raw(g.port, 'GET', '/api/state', { ...host, Authorization: `Bearer ${g.tokens.viewer}` });
    assert.equal(state.status, 200);
    assert.equal((JSON.parse(state.body) as { factCount: number }).factCount, 9);
    const config = await raw(g.port, 'GET', '/api/config', { ...host, Authorization: `Bearer ${g.tokens.viewer}` });
    assert.equal((JSON.parse(config.body) as { role: string }).role, 'viewer');
    // The page itself (no data in it) is served to anyone on a good host.
    assert.equal((await raw(g.port, 'GET', '/', host)).status, 200);
  });
});

test('size limits: bodies, notes', async () => {
  await withStation(async (g) => {
    const operator = { Host: `127.0.0.1:${g.port}`, 'Content-Type': 'application/json', Authorization: `Bearer ${g.tokens.operator}` };
    const huge = JSON.stringify({ action: 'note', pos: [5.73, 45.19], text: 'x'.repeat(100_000) });
    const big = await raw(g.port, 'POST', '/api/action', operator, huge);
    assert.equal(big.status, 413);
    const long = await raw(g.port, 'POST', '/api/action', operator, JSON.stringify({ action: 'note', pos: [5.73, 45.19], text: 'x'.repeat(2_000) }));
    assert.equal(long.status, 400);
    assert.match(long.body, /a note holds at most 500 characters/);
    assert.equal(g.station.map.annotations().length, 0);
  });
});

test('/sync: only another station holding the operator token, from no foreign page or host', { timeout: 30_000 }, async () => {
  await withStation(async (g) => {
    const host = { Host: `127.0.0.1:${g.port}` };
    assert.equal(await upgrade(g.port, '/sync', host), 401);
    assert.equal(await upgrade(g.port, '/sync?token=guess', host), 401);
    assert.equal(await upgrade(g.port, `/sync?token=${g.tokens.viewer}`, host), 403);
    assert.equal(await upgrade(g.port, `/sync?token=${g.tokens.operator}`, { ...host, Origin: 'http://evil.example' }), 403);
    assert.equal(await upgrade(g.port, `/sync?token=${g.tokens.operator}`, { Host: `evil.example:${g.port}` }), 403);
    assert.equal(await upgrade(g.port, `/sync?token=${g.tokens.operator}`, host), 101);

    // The attack of the issue: a client without the token offers a forged 200-person victim. It never lands.
    const dir = tempDir('gcs-intruder');
    const intruder = await startGroundStation({ nodeId: 66, frame: FRAME, dataDir: dir, mesh: new LoopbackHub().port(66), port: 0, statusEveryMs: 0 });
    intruder.station.merge([{ kind: 'victim', origin: 7, seq: 40, t: 60, pos: { x: 500, y: 500 }, count: 200, condition: 'critical', confidence: 100 }]);
    const warnings: string[] = [];
    const sync = new IpSync({ station: intruder.station, storageDir: join(dir, 'repo'), mission: 'flood-1', peers: [`ws://127.0.0.1:${g.port}/sync`], warn: (l) => warnings.push(l) });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(g.station.map.get('7:40'), undefined, 'the forged victim reached the station');
      // The refused side says why, once, and keeps running.
      assert.deepEqual(warnings, [`IP sync with ws://127.0.0.1:${g.port}/sync: Unexpected server response: 401`]);
    } finally {
      await sync.close();
      await intruder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 'flood-1');
});
