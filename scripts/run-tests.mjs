#!/usr/bin/env node
// Runs the test suite with Node's own test runner over the TypeScript sources (through tsx).
// `npm test` runs everything; `npm test -- test/wire` runs the files under the given paths.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const e of readdirSync(path).sort()) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      collect(join(path, e), out);
    }
  } else if (/\.test\.ts$/.test(path)) out.push(relative(process.cwd(), path));
  return out;
}

const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...passThrough, ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
