/**
 * A simulation watched from a real ground station: the station's web map is served while the swarm flies,
 * and operator actions on the page reach the simulated drones over the simulated radio.
 */
import { projectRoot } from '../../core/project-root.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGroundStation, type RunningGroundStation } from '../../gcs/ground-station.js';
import type { Scenario } from '../scenario/index.js';
import { scenarioFrame } from '../scenario/index.js';
import { toLocal } from '../../wire/frame-of-reference.js';
import { runSimulation, GCS_NODE_ID, type SimWorld } from './run.js';
import { missionTakeOff } from '../../agent/mission-settings.js';
import type { RunRecord, SwarmReport } from './report.js';

export interface StationRunOptions {
  readonly scenario: Scenario;
  readonly drones: number;
  readonly seed: number;
  readonly speedup: number;
  readonly port: number;
  readonly onReady?: (url: string) => void;
  readonly onProgress?: (simS: number, pct: number) => void;
  /** Called every simulation step (tests watch the drones through it). */
  readonly onStep?: (world: SimWorld) => void;
  /** Receives the raw record of the run (tests compare what the station shows with what happened). */
  readonly inspect?: (record: RunRecord) => void;
}

/** Runs the scenario paced at `speedup`× with a ground station; resolves with the report and the station. */
export async function runWithStation(o: StationRunOptions): Promise<{ report: SwarmReport; station: RunningGroundStation }> {
  // The mission starts now, so the station's own facts and the drones' share one timeline.
  const scenario: Scenario = { ...o.scenario, frame: { ...o.scenario.frame, epoch: Math.floor(Date.now() / 1000) } };
  const frame = scenarioFrame(scenario);
  let station: RunningGroundStation | undefined;
  const report = await runSimulation({
    scenario,
    drones: o.drones,
    seed: o.seed,
    redivide: true,
    speedup: o.speedup,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
    ...(o.inspect ? { inspect: o.inspect } : {}),
    groundStation: async (mesh, clockMs, timers) => {
      station = await startGroundStation({
        nodeId: GCS_NODE_ID,
        frame,
        dataDir: mkdtempSync(join(tmpdir(), 'murmur-demo-')),
        mesh,
        // the simulation's clock: the station's orders and the ages it shows share the drones' timeline
        clock: clockMs,
        // its heartbeat and the repeats of unanswered orders in simulated time too
        timers,
        port: o.port,
        position: toLocal(frame, scenario.launch[0]!.lat, scenario.launch[0]!.lon),
        // the simulated drones are nodes 1..n, started with the scenario's mission
        sectors: missionTakeOff(scenario, frame, Array.from({ length: o.drones }, (_, i) => i + 1)),
        // the package's own maps/, wherever it is installed and whatever the working directory
        ...(scenario.layers ? { mapsDir: resolve(projectRoot(import.meta.url), 'maps', scenario.layers) } : {}),
      });
      o.onReady?.(station.url);
    },
  });
  return { report, station: station! };
}
