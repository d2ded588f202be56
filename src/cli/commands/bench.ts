/**
 * `murmur bench <name>`: runs a benchmark and prints its figures next to the baseline measured in the same
 * run. With --json the last line of stdout is one JSON object (the contract the acceptance checks read).
 */
import type { CommandModule } from '../registry.js';
import { parseFlags, UsageError } from '../args.js';

export interface BenchOptions {
  /** Smaller corpus / shorter runs, for a quick look. */
  readonly quick: boolean;
  readonly seed: number;
  /** Human-readable progress and tables go here (stderr when --json, so stdout ends with the JSON). */
  readonly log: (line: string) => void;
}

export interface Benchmark {
  readonly summary: string;
  run(opts: BenchOptions): Promise<Record<string, unknown>>;
}

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  // name: async () => (await import('../../../bench/<name>.js')).benchmark,
  wire: async () => (await import('../../../bench/wire.js')).benchmark,
  attack: async () => (await import('../../../bench/attack.js')).benchmark,
  vehicle: async () => (await import('../../../bench/vehicle.js')).benchmark,
  link: async () => (await import('../../../bench/link.js')).benchmark,
  gossip: async () => (await import('../../../bench/gossip.js')).benchmark,
  'gossip-seeds': async () => (await import('../../../bench/gossip-seeds.js')).benchmark,
  map: async () => (await import('../../../bench/map.js')).benchmark,
  agent: async () => (await import('../../../bench/agent.js')).benchmark,
  search: async () => (await import('../../../bench/search.js')).benchmark,
  fidelity: async () => (await import('../../../bench/fidelity.js')).benchmark,
};

const usage = `Usage: murmur bench <name|all> [--json] [--quick] [--seed N]

Benchmarks: ${Object.keys(BENCHMARKS).join(', ')}
  --json    print one JSON object with every figure on the last line of stdout
  --quick   a smaller run, for a quick look (figures are then not the reference ones)
  --seed N  corpus / scenario seed (default 1)`;

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values, positionals } = parseFlags(
      args,
      { json: { type: 'boolean' }, quick: { type: 'boolean' }, seed: { type: 'string' } },
      usage,
    );
    const name = positionals[0];
    if (!name) throw new UsageError(`name a benchmark\n\n${usage}`);
    const names = name === 'all' ? Object.keys(BENCHMARKS) : [name];
    const json = values.json === true;
    const log = json ? (l: string) => process.stderr.write(l + '\n') : (l: string) => console.log(l);
    const results: Record<string, unknown> = {};
    for (const n of names) {
      const load = BENCHMARKS[n];
      if (!load) throw new UsageError(`unknown benchmark "${n}"\n\n${usage}`);
      const bench = await load();
      log(`# bench ${n}: ${bench.summary}`);
      results[n] = await bench.run({ quick: values.quick === true, seed: Number(values.seed ?? 1), log });
    }
    if (json) console.log(JSON.stringify(names.length === 1 ? results[names[0]!] : results));
    return 0;
  },
};
