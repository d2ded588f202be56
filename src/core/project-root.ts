/**
 * The project's root folder (where package.json is), found from a module's location. Assets that are not
 * compiled — the ground station's page, the firmware sources, parameter files — live in the source tree, and
 * the same code runs from `src/` through the TypeScript loader or from the compiled `dist/src/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'murmur') return dir;
      } catch {
        // not ours: keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`murmur's package.json not found above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}
