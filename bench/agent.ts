/**
 * `murmur bench agent`: what one agent costs on a Raspberry-Pi-class companion computer, and how fast the
 * simulator runs a swarm.
 * - resident memory of one drone's state with a 10,000-fact map (map on disk, gossip store), in a child
 *   process running the compiled build as a drone does, beside the same process holding no fact (the
 *   baseline: runtime and libraries) and the same 10,000 facts through the TypeScript loader;
 * - CPU per agent at steady state, from a 10-drone simulated search: process CPU / (simulated seconds ×
 *   drones). It includes each drone's simulated ArduCopter and its share of the radio simulation, so it is
 *   an upper bound of the agent alone at real time;
 * - the simulator with 50 drones over a 1-hour mission: simulated seconds per wall second (target ≥ 50), and per
 *   CPU second of this process, which a shared machine's load does not change much (the 1-minute load average is
 *   printed beside it).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { projectRoot } from '../src/core/project-root.js';
import type { Benchmark } from '../src/cli/commands/bench.js';
import { loadScenario } from '../src/mission/index.js';
import { runSimulation } from '../src/sim/swarm/run.js';

const root = projectRoot(import.meta.url);
const tsChild = fileURLToPath(new URL('./agent-memory-child.ts', import.meta.url));

/**
 * The compiled child, as a drone runs it: this build's own when it runs compiled, else a fresh build in
 * node_modules/.cache (inside the project, so that its imports resolve).
 */
function compiledChild(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'agent-memory-child.js');
  const out = join(root, 'node_modules', '.cache', 'murmur-bench-build');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), out], { stdio: 'ignore' });
  return join(out, 'bench', 'agent-memory-child.js');
}

function memory(n: number, child: string, loader: string[]): { rss_mb: number; heap_mb: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', ...loader, child, String(n)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { rss_mb: number; heap_mb: number };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export const benchmark: Benchmark = {
  summary: 'agent memory with a 10,000-fact map, CPU per agent, simulator speed with 50 drones',
  async run(opts) {
    const js = compiledChild();
    const full = memory(10_000, js, []);
    const empty = memory(0, js, []);
    const fullTsx = memory(10_000, tsChild, ['--import', 'tsx']);
    opts.log(`memory   10,000 facts: ${r1(full.rss_mb)} MB RSS (compiled, as deployed)   no fact (runtime + libraries): ${r1(empty.rss_mb)} MB   through the TypeScript loader: ${r1(fullTsx.rss_mb)} MB   target ≤ 150 MB`);

    const town = loadScenario('maps/scenarios/earthquake-town.json');
    const cpu0 = process.cpuUsage();
    const w0 = Date.now();
    const ten = await runSimulation({ scenario: town, drones: 10, seed: opts.seed, redivide: true });
    const cpuS = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
    const droneSeconds = ten.simulated_s * 10;
    const cpuPct = (cpuS / droneSeconds) * 100;
    opts.log(`cpu      ${r1(cpuS)} s CPU for ${droneSeconds} drone-seconds: ≤ ${cpuPct.toFixed(3)}% of a core per agent at real time   target ≤ 10%   (wall ${((Date.now() - w0) / 1000).toFixed(1)} s)`);

    const drones = opts.quick ? 20 : 50;
    const w1 = Date.now();
    const cpu1 = process.cpuUsage();
    const fifty = await runSimulation({ scenario: { ...town, faults: [] }, drones, seed: opts.seed, redivide: true, untilEnd: true });
    const wallS = (Date.now() - w1) / 1000;
    const used = process.cpuUsage(cpu1);
    const simCpuS = (used.user + used.system) / 1e6;
    const speed = fifty.simulated_s / wallS;
    const cpuSpeed = fifty.simulated_s / simCpuS;
    const load = loadavg()[0]!;
    opts.log(
      `speed    ${drones} drones, ${fifty.simulated_s} simulated s in ${wallS.toFixed(1)} s: ${speed.toFixed(1)}× real time   target ≥ 50×   ` +
        `(${r1(simCpuS)} CPU-s: ${cpuSpeed.toFixed(1)} simulated s per CPU-s; load average ${load.toFixed(1)} on ${cpus().length} cores)`,
    );
    return {
      rss_mb_10k_facts: r1(full.rss_mb),
      rss_mb_no_facts_baseline: r1(empty.rss_mb),
      rss_mb_10k_facts_tsx_loader: r1(fullTsx.rss_mb),
      rss_target_mb: 150,
      cpu_pct_per_agent_upper_bound: Math.round(cpuPct * 1000) / 1000,
      cpu_target_pct: 10,
      sim_drones: drones,
      sim_simulated_s: fifty.simulated_s,
      sim_wall_s: r1(wallS),
      sim_cpu_s: r1(simCpuS),
      sim_speed_x: r1(speed),
      sim_speed_per_cpu_s: r1(cpuSpeed),
      sim_speed_target_x: 50,
      load_average_1m: r1(load),
      cores: cpus().length,
    };
  },
};
