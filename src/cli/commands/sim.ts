/**
 * `murmur sim`: runs a scenario with N simulated drones (real agents, real gossip and wire codec, simulated
 * ArduCopters over MAVLink, simulated LoRa channel), then the same seed with the pre-flight-plan baseline.
 */
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { loadScenario, ScenarioError } from '../../sim/scenario/index.js';
import { runSimulation } from '../../sim/swarm/run.js';
import { runWithStation } from '../../sim/swarm/with-station.js';

const usage = `Usage: murmur sim --scenario maps/scenarios/<name>.json [--drones N] [--seed S] [--speedup K] [--gcs [--port 8080]] [--no-baseline] [--json]

Runs N search agents, each flying a simulated ArduCopter over MAVLink and gossiping over a simulated LoRa
channel, in virtual time (as fast as the machine allows, or K× real time with --speedup), then the same run
with sectors planned once at take-off and never re-divided (the baseline), and reports both.
  --scenario   scenario file (format: maps/README.md)
  --drones     number of drones (default 6)
  --seed       random seed (default 1): a run is reproducible from scenario, drones and seed
  --speedup    pace the simulation K times faster than real time
  --gcs        add a ground station on the simulated radio and serve its live map (paced, 10× by default)
  --no-baseline  skip the baseline run
  --json       print one JSON object with the figures on the last line of stdout`;

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values } = parseFlags(
      args,
      {
        scenario: { type: 'string' },
        drones: { type: 'string' },
        seed: { type: 'string' },
        speedup: { type: 'string' },
        'no-baseline': { type: 'boolean' },
        json: { type: 'boolean' },
        gcs: { type: 'boolean' },
        port: { type: 'string' },
      },
      usage,
    );
    if (!values.scenario) throw new UsageError(`--scenario is required\n\n${usage}`);
    let scenario;
    try {
      scenario = loadScenario(values.scenario);
    } catch (err) {
      if (err instanceof ScenarioError) throw new UsageError(err.message);
      throw err;
    }
    const drones = numberFlag(values.drones, 'drones', 6);
    if (!Number.isInteger(drones) || drones < 1 || drones > 200) throw new UsageError('--drones must be a whole number 1..200');
    const seed = numberFlag(values.seed, 'seed', 1);
    const speedup = values.speedup === undefined ? undefined : numberFlag(values.speedup, 'speedup', 1);
    const tty = process.stderr.isTTY;
    const progress = (label: string) => (simS: number, pct: number) => {
      const bar = '#'.repeat(Math.round(pct / 5)).padEnd(20, '.');
      const line = `${label} [${bar}] ${pct.toFixed(1)}% searched, t=${Math.round(simS)} s`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    };
    const started = Date.now();
    const report = values.gcs
      ? (
          await runWithStation({
            scenario,
            drones,
            seed,
            speedup: speedup ?? 10,
            port: numberFlag(values.port, 'port', 8080),
            onReady: (url) => process.stderr.write(`ground station at ${url}\n`),
            onProgress: progress('murmur  '),
          })
        ).report
      : await runSimulation({ scenario, drones, seed, redivide: true, ...(speedup ? { speedup } : {}), onProgress: progress('murmur  ') });
    if (tty) process.stderr.write('\n');
    const wallS = (Date.now() - started) / 1000;
    let baseline;
    if (!values['no-baseline']) {
      baseline = await runSimulation({ scenario, drones, seed, redivide: false, onProgress: progress('baseline') });
      if (tty) process.stderr.write('\n');
    }
    const out = { scenario: scenario.name, drones, seed, wall_s: Math.round(wallS * 10) / 10, ...report, ...(baseline ? { baseline } : {}) };
    if (values.json) console.log(JSON.stringify(out));
    else {
      const rows = Object.keys(report) as (keyof typeof report)[];
      console.log(`${'figure'.padEnd(28)} ${'murmur'.padStart(12)} ${'baseline'.padStart(12)}`);
      for (const k of rows) console.log(`${k.padEnd(28)} ${String(report[k]).padStart(12)} ${String(baseline?.[k] ?? '').padStart(12)}`);
    }
    return 0;
  },
};
