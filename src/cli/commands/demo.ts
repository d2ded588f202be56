/** `murmur demo` (`npm start`): the earthquake town searched by 6 simulated drones, with the ground station's live map. */
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags } from '../args.js';
import { loadScenario } from '../../mission/index.js';
import { runWithStation } from '../../sim/swarm/with-station.js';

const usage = `Usage: murmur demo [--drones 6] [--speedup 10] [--port 8080] [--seed 1] [--scenario maps/scenarios/earthquake-town.json]

Six simulated drones search the earthquake town at 10× real time; the ground station serves the live map at
http://localhost:8080 (every asset local: it works with no internet). Recall a drone, mark a victim rescued or draw
a no-fly zone on the page: the ground station gossips it to the drones over the simulated radio. Ctrl-C stops.`;

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values } = parseFlags(
      args,
      { drones: { type: 'string' }, speedup: { type: 'string' }, port: { type: 'string' }, seed: { type: 'string' }, scenario: { type: 'string' } },
      usage,
    );
    const scenario = loadScenario(values.scenario ?? 'maps/scenarios/earthquake-town.json');
    const { report, station } = await runWithStation({
      scenario,
      drones: numberFlag(values.drones, 'drones', 6),
      seed: numberFlag(values.seed, 'seed', 1),
      speedup: numberFlag(values.speedup, 'speedup', 10),
      port: numberFlag(values.port, 'port', 8080),
      onReady: (url) => console.log(`Murmur demo: ground station at ${url} — ${scenario.name}, simulated drones taking off (Ctrl-C stops)`),
      onProgress: (t, pct) => console.log(`t=${Math.round(t)} s  searched ${pct.toFixed(1)}%`),
    });
    console.log(`search finished: ${JSON.stringify(report)}`);
    console.log(`the ground station keeps serving the final map at ${station.url} (Ctrl-C stops)`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await station.close();
    return 0;
  },
};
