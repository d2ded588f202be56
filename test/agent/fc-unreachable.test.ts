/**
 * `murmur agent` as a user runs it, with a flight controller that does not answer (nothing on the TCP port; a
 * serial port whose other end is silent): it says so within seconds, and Ctrl-C stops it promptly and cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario } from '../../src/mission/index.js';
import { generateIdentity, newSwarmKey, provisioningFile } from '../../src/wire/keyring.js';
import { execFileSync } from 'node:child_process';
import { PtyPair } from '../../src/links/pty-pair.js';

const hasSocat = (() => {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function unusedTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function setUp(fc: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-fc-down-'));
  const town = loadScenario('maps/scenarios/earthquake-town.json');
  writeFileSync(join(dir, 'mission.json'), JSON.stringify({ ...town, frame: { ...town.frame, epoch: Math.floor(Date.now() / 1000) } }));
  const drone = generateIdentity(3, 'drone-3');
  writeFileSync(join(dir, 'p.json'), JSON.stringify(provisioningFile('t', newSwarmKey(), drone, [drone], [])), { mode: 0o600 });
  writeFileSync(join(dir, 'agent.json'), JSON.stringify({ mission: 'mission.json', provisioning: 'p.json', fc, radio: 'udp://127.255.255.255:4291', roster: [3], dataDir: 'data' }));
  return dir;
}

/** Starts the agent; resolves once `pattern` shows on stderr (with the ms it took), or fails after `ms`. */
function startAgent(dir: string): { child: ChildProcess; err: () => string; waitFor: (pattern: RegExp, ms: number) => Promise<number>; exit: Promise<{ code: number | null; signal: string | null }> } {
  const t0 = Date.now();
  const child = spawn(process.execPath, [resolve('bin', 'murmur.js'), 'agent', '--config', join(dir, 'agent.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  child.stdout!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const waitFor = async (pattern: RegExp, ms: number) => {
    const end = Date.now() + ms;
    while (!pattern.test(err)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${pattern} after ${ms} ms; output:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now() - t0;
  };
  return { child, err: () => err, waitFor, exit };
}

async function saysSoAndStops(fc: string): Promise<void> {
  const dir = setUp(fc);
  const a = startAgent(dir);
  try {
    await a.waitFor(/flight controller not answering/, 30_000);
    // timed by the agent's own log from its first line (node and module loading take seconds on a busy machine)
    const lines = a.err().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { t: string; msg: string });
    const saidAfter = Date.parse(lines.find((l) => /flight controller not answering/.test(l.msg))!.t) - Date.parse(lines[0]!.t);
    assert.ok(saidAfter <= 7_000, `said ${saidAfter} ms after the agent's first line`);
    const t = Date.now();
    a.child.kill('SIGINT');
    const { code, signal } = await Promise.race([a.exit, new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`still running 5 s after Ctrl-C:\n${a.err()}`)), 5_000))]);
    assert.ok(Date.now() - t < 5_000);
    assert.equal(code, 0, `exit code ${code} signal ${signal}:\n${a.err()}`);
    assert.doesNotMatch(a.err(), /out of range|\n\s+at |Error: /, 'a clean stop: no exception, no stack trace');
  } finally {
    a.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an agent whose flight controller is not on its TCP port says so within seconds and stops at once on Ctrl-C', { timeout: 60_000 }, async () => {
  await saysSoAndStops(`tcp:127.0.0.1:${await unusedTcpPort()}`);
});

test('an agent whose flight controller stays silent on its serial port says so within seconds and stops at once on Ctrl-C', { timeout: 60_000, skip: hasSocat ? false : 'needs socat' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-pty-'));
  const pair = new PtyPair(join(dir, 'fc'), join(dir, 'autopilot'));
  await pair.plug();
  try {
    // the other end is open and says nothing: an autopilot not powered, or a wrong baud rate's silence
    await saysSoAndStops(`serial:${pair.a}:57600`);
  } finally {
    await pair.unplug();
    rmSync(dir, { recursive: true, force: true });
  }
});
