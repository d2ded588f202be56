/**
 * Launching N vehicles: real ArduPilot SITL processes (binary in ARDUPILOT_SITL) or Murmur's simulated
 * ArduCopter, on the same ports (P + 10 × instance), system ids (instance + 1) and homes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scaledClock, systemClock } from '../src/core/clock.js';
import { SimVehicleServer } from '../src/sim/vehicle/server.js';
import { parseParmFile } from '../src/sim/vehicle/params.js';
import type { Home } from './homes.js';
import { projectRoot } from '../src/core/project-root.js';

export const DEFAULT_PARAM_FILE = join(projectRoot(import.meta.url), 'sitl', 'murmur.parm');

export interface LaunchPlan {
  readonly count: number;
  readonly basePort: number;
  readonly speedup: number;
  readonly homes: readonly Home[];
  readonly paramFile: string;
  /** Simulated vehicles only: sign, and require signed packets, with this key. */
  readonly signingKey?: Uint8Array;
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
  const params = parseParmFile(readFileSync(plan.paramFile, 'utf8'));
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

export function launchSitl(binary: string, plan: LaunchPlan, workRoot: string): Launched {
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
      '--defaults', plan.paramFile,
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
