// `murmur sim --sitl…` leaves no vehicle process and no working directory behind, however it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

function run(args: string[], env: NodeJS.ProcessEnv, killAfter?: { pattern: RegExp; signal: NodeJS.Signals }) {
  return new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (killAfter && killAfter.pattern.test(err)) {
        killAfter = undefined;
        child.kill('SIGINT');
      }
    });
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, err });
    });
  });
}

test('Ctrl-C during `murmur sim --sitl-simulated` stops the vehicles and removes their directory', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'murmur-cleanup-'));
  try {
    const port = 41000 + Math.floor(Math.random() * 2000) * 10;
    const r = await run(
      ['bin/murmur.js', 'sim', '--scenario', 'maps/scenarios/earthquake-town.json', '--drones', '2', '--sitl-simulated', '--base-port', String(port), '--speedup', '20', '--no-baseline'],
      { TMPDIR: tmp },
      { pattern: /searched \d/, signal: 'SIGINT' },
    );
    assert.equal(r.code, 130, r.err.slice(-500));
    assert.match(r.err, /SIGINT: stopping the vehicles/);
    assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('murmur-sim-fleet-')), [], 'no fleet directory left');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('an exception that ends the process still removes the fleet directory', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'murmur-cleanup-'));
  try {
    const script = join(tmp, 'crash.mts');
    const port = 43000 + Math.floor(Math.random() * 2000) * 10;
    writeFileSync(
      script,
      `import { externalFleetLauncher } from ${JSON.stringify(join(root, 'src/sim/swarm/sitl-fleet.ts'))};
const launch = externalFleetLauncher({ kind: 'simulated', basePort: ${port}, speedup: 5 });
await launch([{ lat: -35.36, lon: 149.16 }], Date.now());
console.error('launched');
setTimeout(() => { throw new Error('boom'); }, 100);
`,
    );
    const r = await run([script], { TMPDIR: tmp });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /launched[\s\S]*boom/);
    assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('murmur-sim-fleet-')), [], 'no fleet directory left');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
