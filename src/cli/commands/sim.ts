/**
 * `murmur sim`: runs a scenario with N simulated drones (real agents, real gossip and wire codec, simulated
 * ArduCopters over MAVLink, simulated LoRa channel), then the same seed with the pre-flight-plan baseline.
 */
import type { CommandModule } from '../registry.js';
import { stageProgress } from '../output.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { loadScenario, ScenarioError } from '../../mission/index.js';
import { runSimulation } from '../../sim/swarm/run.js';
import { externalFleetLauncher } from '../../sim/swarm/sitl-fleet.js';
import { paramFilesFlag, ParamFileError, requireArdupilotDefaults } from '../../../sitl/launch.js';

const usage = `Usage: murmur sim --scenario maps/scenarios/<name>.json [--drones N] [--seed S] [--speedup K] [--gcs [--port 8080]]
                 [--sitl | --sitl-simulated [--base-port P] [--params A.parm[,B.parm]]] [--duration S] [--authorship] [--no-baseline] [--json]

Runs N search agents, each flying a simulated ArduCopter over MAVLink and gossiping over a simulated LoRa
channel, in virtual time (as fast as the machine allows, or K× real time with --speedup), then the same run
with sectors planned once at take-off and never re-divided (the baseline), and reports both.
  --scenario   scenario file (format: maps/README.md)
  --drones     number of drones (default 6)
  --seed       random seed (default 1): a run is reproducible from scenario, drones and seed
  --speedup    pace the simulation K times faster than real time
  --gcs        add a ground station on the simulated radio and serve its live map (paced, 10× by default)
  --sitl       fly ArduPilot SITL vehicles (binary in ARDUPILOT_SITL; see \`murmur sitl --help\`), one per drone,
               TCP ports P + 10·i; the run goes in real time × --speedup (default 5), passed to SITL
  --sitl-simulated  the same with Murmur's simulated ArduCopter served over TCP instead of SITL
  --base-port  first vehicle port with --sitl (default 5760)
  --params     your parameter files for every vehicle, laid over ArduPilot's copter.parm, sitl/murmur.parm and
               the search pack (see \`murmur sitl --help\`)
  --duration   stop after S simulated seconds (default: the scenario's)
  --authorship every node signs attestations of its facts and uses others' only once proven, as drones and
               the station do with authorship on (docs/wire.md)
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
        sitl: { type: 'boolean' },
        'sitl-simulated': { type: 'boolean' },
        'base-port': { type: 'string' },
        params: { type: 'string' },
        duration: { type: 'string' },
        authorship: { type: 'boolean' },
      },
      usage,
    );
    if (!values.scenario) throw new UsageError(`--scenario is required\n\n${usage}`);
    if (values.authorship && values.gcs) throw new UsageError('--authorship does not go with --gcs yet (the served station runs without it)');
    let scenario;
    try {
      scenario = loadScenario(values.scenario);
    } catch (err) {
      if (err instanceof ScenarioError) throw new UsageError(err.message);
      throw err;
    }
    if (values.duration !== undefined) {
      const d = numberFlag(values.duration, 'duration', scenario.durationS);
      if (!(d >= 10)) throw new UsageError('--duration must be at least 10 s');
      scenario = { ...scenario, durationS: d };
    }
    const drones = numberFlag(values.drones, 'drones', 6);
    if (!Number.isInteger(drones) || drones < 1 || drones > 200) throw new UsageError('--drones must be a whole number 1..200');
    const seed = numberFlag(values.seed, 'seed', 1);
    const speedup = values.speedup === undefined ? undefined : numberFlag(values.speedup, 'speedup', 1);
    const external = values.sitl ? 'sitl' : values['sitl-simulated'] ? 'simulated' : undefined;
    if (external && values.gcs) throw new UsageError('--gcs runs on in-process vehicles; use it without --sitl');
    if (external === 'sitl' && !process.env.ARDUPILOT_SITL) {
      console.error('murmur sim: --sitl needs ARDUPILOT_SITL set to an ArduCopter SITL binary (see `murmur sitl --help`),');
      console.error('or --sitl-simulated to fly Murmur\'s simulated ArduCopter over TCP instead.');
      return 2;
    }
    if (values.params !== undefined && !external) throw new UsageError('--params applies to --sitl and --sitl-simulated vehicles');
    let paramFiles: string[] = [];
    try {
      paramFiles = paramFilesFlag(values.params);
      if (external === 'sitl') requireArdupilotDefaults(process.env.ARDUPILOT_SITL!);
    } catch (err) {
      if (err instanceof ParamFileError) throw new UsageError(err.message);
      throw err;
    }
    const fleet = external
      ? externalFleetLauncher({
          paramFiles,
          kind: external,
          ...(process.env.ARDUPILOT_SITL ? { binary: process.env.ARDUPILOT_SITL } : {}),
          basePort: numberFlag(values['base-port'], 'base-port', 5760),
          speedup: speedup ?? 5,
        })
      : undefined;
    if (external)
      // Ctrl-C or a kill ends the run through process 'exit', where the fleet stops its vehicles and removes
      // their working directories (Node's default signal exit would skip that)
      for (const sig of ['SIGINT', 'SIGTERM'] as const)
        process.once(sig, () => {
          process.stderr.write(`\nmurmur sim: ${sig}: stopping the vehicles\n`);
          process.exit(sig === 'SIGINT' ? 130 : 143);
        });
    if (external) process.stderr.write(`flying ${drones} ${external === 'sitl' ? 'ArduPilot SITL' : 'simulated ArduCopter'} vehicles over TCP at ${speedup ?? 5}× real time\n`);
    // one line rewritten on a terminal; one line per quarter searched in a file or a pipe
    const progress = (label: string) => stageProgress(`${label} searched`, process.stderr);
    const started = Date.now();
    const murmurProgress = progress('murmur  ');
    const report = values.gcs
      ? (
          // the station (web server, TAK export) is loaded only for --gcs: they were half a sim's start-up (1.3 of 2.8 CPU-s)
          await (await import('../../sim/swarm/with-station.js')).runWithStation({
            scenario,
            drones,
            seed,
            speedup: speedup ?? 10,
            port: numberFlag(values.port, 'port', 8080),
            onReady: (url) => process.stderr.write(`ground station at ${url}\n`),
            onProgress: murmurProgress,
          })
        ).report
      : await runSimulation({ scenario, drones, seed, redivide: true, ...(values.authorship ? { authorship: true } : {}), ...(speedup && !fleet ? { speedup } : {}), ...(fleet ? { fleet } : {}), onProgress: murmurProgress });
    murmurProgress.end();
    const wallS = (Date.now() - started) / 1000;
    let baseline;
    if (!values['no-baseline']) {
      const baselineProgress = progress('baseline');
      baseline = await runSimulation({ scenario, drones, seed, redivide: false, ...(values.authorship ? { authorship: true } : {}), ...(fleet ? { fleet } : {}), onProgress: baselineProgress });
      baselineProgress.end();
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
