// Real ArduPilot SITL in the loop (ARDUPILOT_SITL; CI points it at ../shared/sitl/arducopter): the field check
// an integrator runs first, as the README gives it. Skipped, saying why, when no SITL binary is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = process.env.ARDUPILOT_SITL;
const skip = bin && existsSync(bin) ? false : 'ARDUPILOT_SITL is not set to an arducopter SITL binary (CI sets it when ../shared/sitl has one)';

function murmur(args: string[], opts: { detached?: boolean } = {}) {
  return spawn(process.execPath, [join(root, 'bin', 'murmur.js'), ...args], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
}

test('murmur sitl + murmur fly --takeoff 15 --goto-offset 100,50 --rtl on real ArduCopter ends ok', { skip, timeout: 300_000 }, async () => {
  const port = 24000 + (process.pid % 500) * 10;
  // its own process group, so that stopping it stops the SITL process it started
  const sitl = murmur(['sitl', '--count', '1', '--base-port', String(port), '--speedup', '5'], { detached: true });
  let sitlOut = '';
  sitl.stdout!.on('data', (d: Buffer) => (sitlOut += d.toString()));
  sitl.stderr!.on('data', (d: Buffer) => (sitlOut += d.toString()));
  try {
    for (let i = 0; i < 100 && !sitlOut.includes(`tcp:127.0.0.1:${port}`); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(sitlOut.includes(`tcp:127.0.0.1:${port}`), `murmur sitl printed its port: ${sitlOut.slice(-400)}`);
    const fly = murmur(['fly', '--fc', `tcp:127.0.0.1:${port}`, '--takeoff', '15', '--goto-offset', '100,50', '--rtl', '--json']);
    let out = '';
    let err = '';
    fly.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    fly.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => fly.on('exit', r));
    const last = out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}';
    const report = JSON.parse(last) as { ok?: boolean; error?: string; steps?: unknown };
    assert.equal(report.ok, true, `murmur fly: ${last.slice(0, 400)} ${err.slice(-400)}`);
    assert.equal(code, 0);
  } finally {
    try {
      process.kill(-sitl.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 500));
    try {
      process.kill(-sitl.pid!, 'SIGKILL');
    } catch {
      // stopped cleanly
    }
  }
});
