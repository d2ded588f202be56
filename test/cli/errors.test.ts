import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inBatches, oneLineError, runCli } from './run-cli.js';
import { launchSimulated } from '../../sitl/launch.js';
import { homesFor } from '../../sitl/homes.js';
import { DEFAULT_PARAM_FILE } from '../../sitl/launch.js';

const dir = mkdtempSync(join(tmpdir(), 'murmur-cli-errors-'));

/** A TCP port that accepts and never says a word (a busy web port, or a silent serial bridge). */
async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

/** A port where nothing listens: bound for an instant, then released. */
async function closedPort(): Promise<number> {
  const { server, port } = await listening();
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test('the ground station and the demo answer a user mistake in one line, exit ≠ 0, no stack trace', { timeout: 300_000 }, async () => {
  const busy = await listening();
  writeFileSync(join(dir, 'broken.json'), '{ "originLat": ');
  try {
    const cases: [string[], RegExp][] = [
      [['gcs', '--radio', 'loopback', '--area', 'nope.json'], /^murmur gcs: --area nope\.json: no such file$/],
      [['gcs', '--radio', 'loopback', '--area', join(dir, 'broken.json')], /--area .*broken\.json: not valid JSON/],
      [['gcs', '--radio', 'udp://127.0.0.1:4999', '--keys', 'nokeys.json', '--origin', '45.18,5.72'], /^murmur gcs: --keys nokeys\.json: no such file \(make one with murmur keys export\)$/],
      [['gcs', '--radio', 'loopback', '--origin', '45.18,5.72', '--data', join(dir, 'gcs'), '--port', String(busy.port)], new RegExp(`^murmur gcs: port ${busy.port} is already in use .*--port N$`)],
      [['gcs', '--radio', 'loopback', '--origin', '45.18,5.72', '--port', '99999'], /^murmur gcs: --port must be a whole number from 1 to 65535, got 99999$/],
      [['gcs', '--radio', 'loopback', '--origin', '45.18,5.72', '--authorship'], /^murmur gcs: --authorship needs a radio link and --keys \(loopback has no identities\)$/],
      [['sim', '--scenario', 'maps/scenarios/earthquake-town.json', '--gcs', '--authorship'], /^murmur sim: --authorship does not go with --gcs yet/],
      [['demo', '--port', String(busy.port)], new RegExp(`^murmur demo: port ${busy.port} is already in use`)],
      [['demo', '--port', '99999'], /^murmur demo: --port must be/],
    ];
    const runs = await inBatches(cases.map(([args]) => () => runCli(args, { cwd: dir })));
    runs.forEach((r, i) => assert.match(oneLineError(r), cases[i]![1], `murmur ${cases[i]![0].join(' ')}`));
  } finally {
    busy.server.close();
  }
});

test('`npm start` on a port in use says so in one line', { timeout: 180_000 }, async () => {
  const busy = await listening();
  try {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('npm', ['start', '--silent', '--', '--port', String(busy.port)], { encoding: 'utf8', timeout: 150_000 });
    assert.notEqual(r.status, 0);
    assert.match(oneLineError({ code: r.status, stdout: r.stdout, stderr: r.stderr, ms: 0 }), /port \d+ is already in use/);
  } finally {
    busy.server.close();
  }
});

test('murmur fly tells a refused port, a silent link and a wrong system id apart', { timeout: 180_000 }, async () => {
  const closed = await closedPort();
  const silent = await listening();
  const plan = { count: 1, basePort: await closedPort(), speedup: 1, homes: homesFor(1, undefined), paramFiles: [DEFAULT_PARAM_FILE] };
  const vehicle = await launchSimulated(plan);
  try {
    const [refused, quiet, wrong] = await Promise.all([
      // With a minute's heartbeat wait: "refused" can only come from the connection itself.
      runCli(['fly', '--fc', `tcp:127.0.0.1:${closed}`, '--heartbeat-wait', '60']),
      runCli(['fly', '--fc', `tcp:127.0.0.1:${silent.port}`, '--heartbeat-wait', '2']),
      runCli(['fly', '--fc', vehicle.instances[0]!.connection, '--sysid', '9', '--heartbeat-wait', '4']),
    ]);
    assert.match(oneLineError(refused), new RegExp(`^murmur fly: tcp:127\\.0\\.0\\.1:${closed}: connection refused`));
    assert.match(oneLineError(quiet), /connected but silent: no heartbeat in 2 s/);
    assert.match(oneLineError(wrong), /wrong system id: heard system 1 but --sysid is 9/);
  } finally {
    silent.server.close();
    await vehicle.stop();
  }
});

test('murmur sitl without ARDUPILOT_SITL points to --simulated, with no stack trace', { timeout: 120_000 }, async () => {
  const env = { ...process.env };
  delete env.ARDUPILOT_SITL;
  const r = await runCli(['sitl', '--count', '1'], { env });
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(r.stderr.split('\n')[0]!, /ARDUPILOT_SITL is not set/);
  assert.match(r.stderr.trim().split('\n').pop()!, /murmur sitl --simulated/);
});

test("the README's `murmur gcs --radio loopback --demo 4` serves a map of the demo town", { timeout: 180_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [resolve('bin', 'murmur.js'), 'gcs', '--radio', 'loopback', '--demo', '4', '--port', '0', '--data', join(dir, 'demo4')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  try {
    const url = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /operator \(may act\): (http:\S+)/.exec(out);
        if (m) res(m[1]!);
      });
      child.on('close', (code) => rej(new Error(`exited ${code}: ${out}${err}`)));
    });
    const base = new URL(url);
    const headers = { Authorization: `Bearer ${/token=([^&]+)/.exec(base.hash)?.[1] ?? ''}` };
    const get = async (path: string) => (await fetch(new URL(path, base.origin), { headers })).json();
    const config = (await get('/api/config')) as { frame: { originLat: number }; layers: { name: string }[] };
    assert.ok(config.layers.some((l) => l.name === 'roads'), 'the demo town\'s streets are served');
    // The four demo drones appear on the station's map.
    const deadline = Date.now() + 20_000;
    let members = 0;
    while (Date.now() < deadline && members < 4) {
      const state = (await get('/api/state')) as { members: unknown[] };
      members = state.members.length;
      if (members < 4) await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(members >= 4, `${members} members on the map`);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(err, '');
});

test('an agent config with a mistyped radio ("udp//…") is refused in one line by the agent and by agent check', { timeout: 180_000 }, async () => {
  const { generateIdentity, newSwarmKey, provisioningFile } = await import('../../src/wire/keyring.js');
  const self = generateIdentity(2, 'drone-2');
  writeFileSync(join(dir, 'node-2.json'), JSON.stringify(provisioningFile('t', newSwarmKey(), self, [self], [])), { mode: 0o600 });
  const config = join(dir, 'agent.json');
  writeFileSync(config, JSON.stringify({
    mission: resolve('maps', 'scenarios', 'earthquake-town.json'), provisioning: 'node-2.json', fc: `tcp:127.0.0.1:${await closedPort()}`,
    radio: 'udp//239.0.0.1:4270', roster: [2], dataDir: 'data',
  }));
  const [run, check] = await Promise.all([runCli(['agent', '--config', config]), runCli(['agent', 'check', '--config', config, '--wait', '2'])]);
  assert.match(oneLineError(run), /^murmur agent: .*agent\.json: radio "udp\/\/239\.0\.0\.1:4270": expected udp:\/\/<group-or-broadcast>:<port>, modem:<serial path>, or meshtastic:<serial path>$/);
  assert.equal(check.code, 1);
  assert.equal(check.stderr, '');
  const lines = check.stdout.trim().split('\n');
  assert.match(lines.find((l) => l.startsWith('radio'))!, /^radio\s+FAIL\s+"udp\/\/239\.0\.0\.1:4270" is not a radio/);
  assert.match(lines.find((l) => l.startsWith('fc'))!, /^fc\s+FAIL\s+.*connection refused/);
});
