import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';

// A drone's code runs on a companion computer with no simulator beside it: it must not pull in src/sim.
const droneDirs = ['src/agent', 'src/vehicle', 'src/links', 'src/gcs'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test("no drone code imports the simulator", () => {
  const sim = resolve('src/sim');
  const offenders: string[] = [];
  for (const f of droneDirs.flatMap(files)) {
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = resolve(dirname(f), m[1]!);
      if (target === sim || target.startsWith(sim + '/')) offenders.push(`${f} -> ${m[1]}`);
    }
  }
  assert.deepEqual(offenders, []);
});
