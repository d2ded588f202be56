/** `murmur demo` (`npm start`): the earthquake town searched by 6 simulated drones, with the ground station's live map. */
import { join } from 'node:path';
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags } from '../args.js';
import { loadScenario } from '../../mission/index.js';
import { runWithStation } from '../../sim/swarm/with-station.js';
import type { SwarmReport } from '../../sim/swarm/report.js';
import { projectRoot } from '../../core/project-root.js';
import { checkPort, listenError, stageProgress } from '../output.js';

const usage = `Usage: murmur demo [--drones 6] [--speedup 10] [--port 8080] [--seed 1] [--scenario maps/scenarios/earthquake-town.json]

Six simulated drones search the earthquake town at 10× real time; the ground station serves the live map at
http://localhost:8080 (every asset local: it works with no internet). Recall a drone, mark a victim rescued or draw
a no-fly zone on the page: the ground station gossips it to the drones over the simulated radio. When the search is
over the demo says what it found and keeps serving the final map; Ctrl-C stops.`;

/** What the search found, in one line a person reads. */
export function findings(r: SwarmReport): string {
  const mins = (s: number | null) => (s === null ? 'not reached' : `${(s / 60).toFixed(1)} min`);
  return `found ${r.victims_found} of ${r.victims_in_area} victims in the area (${r.false_positives} false sightings), searched ${r.coverage_pct.toFixed(1)}% of the cells in ${mins(r.time_to_full_coverage_s)} of mission time, ${r.drones_lost} drone${r.drones_lost === 1 ? '' : 's'} lost, ${r.nofly_drone_s} s in no-fly zones`;
}

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values } = parseFlags(
      args,
      { drones: { type: 'string' }, speedup: { type: 'string' }, port: { type: 'string' }, seed: { type: 'string' }, scenario: { type: 'string' } },
      usage,
    );
    const scenario = loadScenario(values.scenario ?? join(projectRoot(import.meta.url), 'maps', 'scenarios', 'earthquake-town.json'));
    const port = checkPort(numberFlag(values.port, 'port', 8080));
    const progress = stageProgress('searched');
    let result;
    try {
      result = await runWithStation({
        scenario,
        drones: numberFlag(values.drones, 'drones', 6),
        seed: numberFlag(values.seed, 'seed', 1),
        speedup: numberFlag(values.speedup, 'speedup', 10),
        port,
        onReady: (url) => console.log(`Murmur demo: ground station at ${url} — ${scenario.name}, simulated drones taking off (Ctrl-C stops)`),
        onProgress: (t, pct) => progress(t, pct),
      });
    } catch (err) {
      throw listenError(err, port) ?? err;
    }
    const { report, station } = result;
    progress.end();
    console.log(`search finished after ${(report.simulated_s / 60).toFixed(1)} min of mission time: ${findings(report)}`);
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
