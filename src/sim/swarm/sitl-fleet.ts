/**
 * External fleets for `murmur sim --sitl`: N ArduPilot SITL processes (binary in ARDUPILOT_SITL), or Murmur's
 * simulated ArduCopter served over TCP on the same ports, at the scenario's launch points. The swarm then runs
 * in real time scaled by the vehicles' speed-up, with the same agents, radio channel and camera as in-process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaledClock } from '../../core/clock.js';
import { launchSimulated, launchSitl, type Launched } from '../../../sitl/launch.js';
import { externalFleet, SEARCH_PACK, type Fleet, type FleetHome } from './fleet.js';

export interface ExternalFleetOptions {
  /** 'sitl': ArduPilot SITL from `binary`; 'simulated': Murmur's simulated ArduCopter over TCP. */
  readonly kind: 'sitl' | 'simulated';
  readonly binary?: string;
  readonly basePort: number;
  readonly speedup: number;
  /** The user's parameter files (`--params`), laid over copter.parm, sitl/murmur.parm and the search pack. */
  readonly paramFiles?: readonly string[];
}

export function externalFleetLauncher(o: ExternalFleetOptions): (homes: readonly FleetHome[], startMs: number) => Promise<Fleet> {
  return async (homes, startMs) => {
    const dir = mkdtempSync(join(tmpdir(), 'murmur-sim-fleet-'));
    // a search multirotor's pack over ArduPilot's and Murmur's parameters, then the user's, for every vehicle
    const packFile = join(dir, 'search-pack.parm');
    const pack = Object.entries(SEARCH_PACK).map(([k, v]) => `${k} ${v}`).join('\n');
    writeFileSync(packFile, `# search pack\n${pack}\n`);
    const paramFiles = [packFile, ...(o.paramFiles ?? [])];
    const plan = { count: homes.length, basePort: o.basePort, speedup: o.speedup, homes: homes.map((h) => ({ ...h, alt: 0 })), paramFiles };
    let launched: Launched | undefined;
    // Whatever ends the process (a crash, Ctrl-C, a kill), the vehicles go and so does their directory.
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    const onExit = () => {
      launched?.kill();
      removeDir();
    };
    process.once('exit', onExit);
    try {
      if (o.kind === 'sitl') {
        if (!o.binary) throw new Error('ARDUPILOT_SITL is not set: it must point to an ArduCopter SITL binary');
        launched = launchSitl(o.binary, plan, dir);
      } else launched = await launchSimulated(plan);
    } catch (err) {
      process.off('exit', onExit);
      removeDir();
      throw err;
    }
    const vehicles = launched;
    // the run's clock starts at the mission epoch and runs as fast as the vehicles
    const runClock = scaledClock(o.speedup, startMs);
    return externalFleet(
      o.kind === 'sitl' ? 'ArduPilot SITL' : 'simulated ArduCopter over TCP',
      runClock,
      vehicles.instances.map((i) => i.connection),
      async () => {
        process.off('exit', onExit);
        await vehicles.stop();
        removeDir();
      },
    );
  };
}
