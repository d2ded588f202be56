#!/usr/bin/env node
// The `murmur` command: the compiled build when it is current, else the TypeScript sources (bin/runtime.js).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pickRuntime } from './runtime.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runtime = pickRuntime(root);
if (runtime.kind === 'tsx') {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import(pathToFileURL(runtime.entry).href);
const code = await main(process.argv.slice(2));
// A failed command ends now, even if a half-opened radio or timer would keep Node running.
if (code !== 0) process.exit(code);
process.exitCode = code;
