// `npm run build`: compiles src/, sitl/ and bench/ to dist/ and stamps the build, so that bin/murmur.js runs it
// (a Raspberry Pi then runs plain JavaScript, without the TypeScript loader's memory and start-up time).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
rmSync(out, { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, '.built'), `${new Date().toISOString()}\n`);
console.log(`built ${out}`);
