/**
 * `murmur gcs` with a radio device that cannot be opened, run as a user would: one clear line on the terminal,
 * the station serves its page all the same, its link table shows the radio down with the reason, and Ctrl-C
 * stops it promptly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MURMUR = resolve('bin', 'murmur.js');

test('gcs --radio modem:<no such device>: says so in one line, the link table shows it down, Ctrl-C stops it', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-radio-down-'));
  try {
    execFileSync(process.execPath, [MURMUR, 'keys', 'create', '--dir', join(dir, 'keys'), '--swarm', 't'], { stdio: 'ignore' });
    execFileSync(process.execPath, [MURMUR, 'keys', 'export', '--dir', join(dir, 'keys'), '--id', '1', '--out', join(dir, 'gcs.json')], { stdio: 'ignore' });
    const device = join(dir, 'ttyUSB9');
    const child = spawn(process.execPath, [MURMUR, 'gcs', '--radio', `modem:${device}`, '--keys', join(dir, 'gcs.json'), '--port', '0', '--data', join(dir, 'data'), '--origin', '42.62,13.28'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const until = async (cond: () => boolean, what: string) => {
        const end = Date.now() + 20_000;
        while (!cond()) {
          if (Date.now() > end) throw new Error(`no ${what}; stdout:\n${out}\nstderr:\n${err}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(() => /operator \(may act\): (\S+)/.test(out), 'station address');
      const [, url] = /operator \(may act\): (\S+)/.exec(out)!;
      const [base, token] = url!.split('#token=');
      assert.equal(err.trim().split('\n').length, 1, `one line on stderr:\n${err}`);
      assert.match(err, new RegExp(`^radio modem:${device}: cannot use the device: .*${device}.* \\(retrying in the background\\)`));
      const state = (await (await fetch(`${base}api/state`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { mesh: { links: { name: string; up?: boolean; error?: string }[] } };
      const link = state.mesh.links[0]!;
      assert.equal(link.name, `modem:${device}`);
      assert.equal(link.up, false);
      assert.match(link.error ?? '', /No such file or directory/);
      const t = Date.now();
      child.kill('SIGINT');
      assert.equal(await exit, 0);
      assert.ok(Date.now() - t < 5_000, `stopped ${Date.now() - t} ms after Ctrl-C`);
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
