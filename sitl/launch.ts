/**
 * Launching N vehicles: real ArduPilot SITL processes (binary in ARDUPILOT_SITL) or Murmur's simulated
 * ArduCopter, on the same ports (P + 10 × instance), system ids (instance + 1) and homes.
 *
 * Parameters are layered, later files overriding earlier ones, for both kinds of vehicle: ArduPilot's default
 * SITL copter.parm (FRAME_CLASS, BATT_MONITOR, …: without it a real SITL never arms), then Murmur's
 * sitl/murmur.parm, then the user's files (`--params a.parm,b.parm`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { scaledClock, systemClock } from '../src/core/clock.js';
import { SimVehicleServer } from '../src/sim/vehicle/server.js';
import { parseParmFile } from '../src/sim/vehicle/params.js';
import type { Home } from './homes.js';
import { projectRoot } from '../src/core/project-root.js';

/** Murmur's own parameters, laid over ArduPilot's defaults for every vehicle. */
export const MURMUR_PARAM_FILE = join(projectRoot(import.meta.url), 'sitl', 'murmur.parm');
/** @deprecated the name before parameters were layered; the same file as MURMUR_PARAM_FILE. */
export const DEFAULT_PARAM_FILE = MURMUR_PARAM_FILE;

export interface LaunchPlan {
  readonly count: number;
  readonly basePort: number;
  readonly speedup: number;
  readonly homes: readonly Home[];
  /** The user's parameter files, laid over ArduPilot's copter.parm and sitl/murmur.parm, in this order. */
  readonly paramFiles: readonly string[];
  /** ArduPilot's copter.parm; found beside the binary (see findArdupilotDefaults) when not given. */
  readonly ardupilotDefaults?: string;
  /** Simulated vehicles only: sign, and require signed packets, with this key. */
  readonly signingKey?: Uint8Array;
}

/** A parameter set-up a user can fix (missing copter.parm, a file that does not exist): one line, no stack. */
export class ParamFileError extends Error {}

/**
 * Where ArduPilot's default SITL copter parameters are: $ARDUPILOT_DEFAULTS, else `copter.parm` beside the
 * binary (how ../shared/sitl is laid out), else `<tree>/Tools/autotest/default_params/copter.parm` for a binary
 * built in an ArduPilot tree at `<tree>/build/sitl/bin/arducopter`. Undefined when none exists.
 */
export function findArdupilotDefaults(binary: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.ARDUPILOT_DEFAULTS) candidates.push(env.ARDUPILOT_DEFAULTS);
  if (binary) {
    const dir = dirname(resolve(binary));
    candidates.push(join(dir, 'copter.parm'), resolve(dir, '..', '..', '..', 'Tools', 'autotest', 'default_params', 'copter.parm'));
  }
  return candidates.find((f) => existsSync(f));
}

/** As findArdupilotDefaults, but a clear one-line error saying how to supply the file when none is found. */
export function requireArdupilotDefaults(binary: string, explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new ParamFileError(`ArduPilot defaults file not found: ${explicit}`);
    return explicit;
  }
  const found = findArdupilotDefaults(binary);
  if (found) return found;
  throw new ParamFileError(
    `ArduPilot's copter.parm not found beside ${binary} nor in its ArduPilot tree (Tools/autotest/default_params/copter.parm): set ARDUPILOT_DEFAULTS=/path/to/copter.parm or pass --ardupilot-defaults FILE`,
  );
}

/** Splits a `--params a.parm[,b.parm]` value, checking that every file exists. */
export function paramFilesFlag(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  const files = value.split(',').map((f) => f.trim()).filter((f) => f !== '');
  for (const f of files) if (!existsSync(f)) throw new ParamFileError(`parameter file not found: ${f}`);
  return files;
}

/** The files every vehicle of `plan` loads, in order (the first only when ArduPilot's defaults are known). */
export function paramLayers(paramFiles: readonly string[], ardupilotDefaults: string | undefined): string[] {
  return [...(ardupilotDefaults ? [ardupilotDefaults] : []), MURMUR_PARAM_FILE, ...paramFiles];
}

/** Reads layered parameter files into one table, later files winning. */
export function readParamLayers(files: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of files) Object.assign(out, parseParmFile(readFileSync(f, 'utf8')));
  return out;
}

/**
 * The parameters a simulated vehicle starts with: the same layers as SITL (ArduPilot's copter.parm when it can
 * be found from ARDUPILOT_SITL / ARDUPILOT_DEFAULTS; its values are also the model's built-in defaults).
 */
export function simulatedParams(paramFiles: readonly string[] = [], ardupilotDefaults?: string): Record<string, number> {
  return readParamLayers(paramLayers(paramFiles, ardupilotDefaults ?? findArdupilotDefaults(process.env.ARDUPILOT_SITL)));
}

export interface Launched {
  readonly instances: { instance: number; sysid: number; port: number; connection: string; home: Home }[];
  stop(): Promise<void>;
  /** At once, for exit paths that cannot wait (process 'exit'): SIGKILL what is still running. */
  kill(): void;
}

function describe(plan: LaunchPlan) {
  return Array.from({ length: plan.count }, (_, i) => {
    const port = plan.basePort + 10 * i;
    return { instance: i, sysid: i + 1, port, connection: `tcp:127.0.0.1:${port}`, home: plan.homes[i]! };
  });
}

export async function launchSimulated(plan: LaunchPlan): Promise<Launched> {
  const clock = plan.speedup === 1 ? systemClock : scaledClock(plan.speedup);
  const params = simulatedParams(plan.paramFiles, plan.ardupilotDefaults);
  const servers: SimVehicleServer[] = [];
  const instances = describe(plan);
  try {
    for (const inst of instances)
      servers.push(
        await SimVehicleServer.start({
          clock,
          sysid: inst.sysid,
          home: inst.home,
          params,
          port: inst.port,
          ...(plan.signingKey ? { signingKey: plan.signingKey } : {}),
        }),
      );
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
  return { instances, stop: async () => void (await Promise.all(servers.map((s) => s.close()))), kill: () => undefined };
}

/** Starts SITL processes; throws ParamFileError (before starting any) when copter.parm cannot be found. */
export function launchSitl(binary: string, plan: LaunchPlan, workRoot: string): Launched {
  const layers = paramLayers(plan.paramFiles, requireArdupilotDefaults(binary, plan.ardupilotDefaults));
  // SITL's --defaults takes a comma-separated list, so a file name with a comma cannot be passed
  const bad = layers.find((f) => f.includes(','));
  if (bad) throw new ParamFileError(`parameter file name contains a comma, which SITL's --defaults cannot take: ${bad}`);
  const instances = describe(plan);
  const children: ChildProcess[] = [];
  let stopping = false;
  for (const inst of instances) {
    const dir = join(workRoot, `instance-${inst.instance}`);
    mkdirSync(dir, { recursive: true });
    const h = inst.home;
    const args = [
      '--model', '+',
      '--speedup', String(plan.speedup),
      // SITL adds 10 × instance only to its default port: with --base-port every instance would bind the same one
      '--base-port', String(inst.port),
      '-I', String(inst.instance),
      '--home', `${h.lat.toFixed(7)},${h.lon.toFixed(7)},${h.alt},0`,
      '--defaults', layers.map((f) => resolve(f)).join(','),
      '--sysid', String(inst.sysid),
      '-w',
    ];
    const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', (e) => process.stderr.write(`SITL instance ${inst.instance}: ${e.message}\n`));
    child.on('exit', (code, sig) => {
      if (!stopping) process.stderr.write(`SITL instance ${inst.instance} exited (${sig ?? code})\n`);
    });
    children.push(child);
  }
  return {
    instances,
    kill: () => {
      stopping = true;
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
    stop: () => {
      stopping = true;
      return Promise.all(
        children.map(
          (c) =>
            new Promise<void>((res) => {
              if (c.exitCode !== null || c.signalCode !== null) return res();
              const t = setTimeout(() => c.kill('SIGKILL'), 3000);
              c.once('exit', () => {
                clearTimeout(t);
                res();
              });
              c.kill('SIGTERM');
            }),
        ),
      ).then(() => undefined);
    },
  };
}
