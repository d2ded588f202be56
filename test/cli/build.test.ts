import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error plain JavaScript next to the bin script, no type declarations
import { pickRuntime } from '../../bin/runtime.js';

const pick = pickRuntime as (root: string) => { kind: 'compiled' | 'tsx'; entry: string };

test('murmur runs the compiled build only when it is there and no source is newer', () => {
  const root = mkdtempSync(join(tmpdir(), 'murmur-runtime-'));
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), '');
  assert.equal(pick(root).kind, 'tsx', 'fresh clone: no dist');
  mkdirSync(join(root, 'dist', 'src', 'cli'), { recursive: true });
  writeFileSync(join(root, 'dist', 'src', 'cli', 'main.js'), '');
  assert.equal(pick(root).kind, 'tsx', 'no build stamp: an interrupted build');
  writeFileSync(join(root, 'dist', '.built'), '');
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, 'dist', '.built'), later, later);
  assert.deepEqual(pick(root), { kind: 'compiled', entry: join(root, 'dist', 'src', 'cli', 'main.js') });
  // an edit after the build: back to the sources
  const after = new Date(Date.now() + 120_000);
  utimesSync(join(root, 'src', 'cli', 'main.ts'), after, after);
  assert.equal(pick(root).kind, 'tsx');
});

test('npm run build compiles the CLI, and the compiled CLI flies a short simulation', { timeout: 120_000 }, () => {
  const out = resolve('node_modules', '.cache', `murmur-build-test-${process.pid}`);
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', out], { stdio: 'ignore' });
    const main = pathToFileURL(join(out, 'src', 'cli', 'main.js')).href;
    const args = ['sim', '--scenario', 'maps/scenarios/earthquake-town.json', '--drones', '2', '--duration', '60', '--no-baseline', '--json'];
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(${JSON.stringify(args)});`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as { drones: number; simulated_s: number };
    assert.equal(report.drones, 2);
    assert.equal(report.simulated_s, 60);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
