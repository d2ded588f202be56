import { COMMANDS } from './registry.js';
import { UsageError } from './args.js';
import { KeyFileError } from '../wire/keyring.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'murmur — leaderless search-and-rescue drone swarm over mesh radios',
    '',
    'Usage: murmur <command> [options]     murmur <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 1;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`murmur: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  const mod = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(mod.usage);
    return 0;
  }
  try {
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof KeyFileError) {
      console.error(`murmur ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
