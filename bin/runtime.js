// Which code `murmur` runs: the compiled build (dist/, from `npm run build`), as a drone should, when it is
// there and no source is newer; otherwise the TypeScript sources through tsx's loader, so that a fresh clone
// works after `npm ci` with no build step (and no install script that npm might skip).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['src', 'sitl', 'bench'];

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** 'compiled' with the entry module's path, or 'tsx' with the source entry. */
export function pickRuntime(root) {
  const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
  const stamp = join(root, 'dist', '.built');
  if (existsSync(compiled) && existsSync(stamp)) {
    const built = statSync(stamp).mtimeMs;
    const newest = Math.max(...SOURCES.filter((d) => existsSync(join(root, d))).map((d) => newestSource(join(root, d))));
    if (newest <= built) return { kind: 'compiled', entry: compiled };
  }
  return { kind: 'tsx', entry: join(root, 'src', 'cli', 'main.ts') };
}
