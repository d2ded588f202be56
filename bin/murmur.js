#!/usr/bin/env node
// The `murmur` command. The sources are TypeScript run through tsx's loader, so a fresh clone works
// after `npm ci` with no build step (and so no install script that npm might skip).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
