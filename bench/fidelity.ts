/**
 * `murmur bench fidelity`: the same scripted manoeuvres (take-off to 15 m, a 112 m goto, 90° turns at 8 and
 * 10 m/s, a 500 m lane entered from 40 m aside, RTL from 100 m, LAND from 10 m) flown through the project's
 * vehicle client on real ArduPilot SITL (ARDUPILOT_SITL, at --speedup 5, on the wall clock) and on the
 * simulated copter (in virtual time, the same parameter layers), every figure in vehicle time, side by side
 * with rel_diff = (simulated − real) / real. Without ARDUPILOT_SITL the real column is ArduPilot's recorded
 * behaviour (../shared/ardupilot-behaviour, same firmware) where it measured the same manoeuvre.
 */
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from '../src/cli/commands/bench.js';
import { VirtualClock, systemClock, sleep } from '../src/core/clock.js';
import { inProcessVehicle, drive } from '../src/sim/vehicle/virtual.js';
import { Vehicle } from '../src/vehicle/vehicle.js';
import { launchSitl, simulatedParams } from '../sitl/launch.js';
import { BUILT_IN_HOME } from '../sitl/homes.js';
import { flyScript, type Figures } from './fidelity-script.js';

const SPEEDUP = 5;

/**
 * ArduCopter 4.8.0-dev (64a9c787) as recorded in ../shared/ardupilot-behaviour (fence.md "GUIDED turns and
 * lanes": run-on and lane cross-track at 8 m/s with the same geometry). The other manoeuvres were not recorded
 * in this form: the record's "LAND from 10 m, 20.01 s" began its descent at 8.8 m (its land_alt_profile).
 */
const RECORDED: Figures = {
  runon_8ms_m: 17.2,
  runon_10ms_m: 25.7,
  lane_xt_50m_m: 20.4,
  lane_xt_300m_m: 9.1,
};

async function simulated(log: (l: string) => void): Promise<Figures> {
  const clock = new VirtualClock(0);
  const sim = inProcessVehicle({ clock, sysid: 1, home: BUILT_IN_HOME, params: simulatedParams(), latencyMs: 2 });
  const v = new Vehicle({ connection: sim.connect, clock }).start();
  try {
    return await drive(clock, flyScript({ v, home: BUILT_IN_HOME, timeScale: 1, log }), 3_600_000);
  } finally {
    v.close();
    sim.copter.stop();
  }
}

async function portsFree(port: number): Promise<boolean> {
  // SITL binds SERIAL0 on the port and SERIAL1/2 on +2/+3
  for (const p of [port, port + 2, port + 3]) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

async function real(binary: string, log: (l: string) => void): Promise<Figures> {
  let port = 6300;
  while (!(await portsFree(port))) {
    port += 10;
    if (port > 6390) throw new Error('no free TCP port for SITL in 6300-6393');
  }
  const dir = mkdtempSync(join(tmpdir(), 'murmur-fidelity-'));
  const launched = launchSitl(binary, { count: 1, basePort: port, speedup: SPEEDUP, homes: [BUILT_IN_HOME], paramFiles: [] }, dir);
  const kill = () => launched.kill();
  process.once('exit', kill);
  let v: Vehicle | undefined;
  try {
    await sleep(systemClock, 500);
    v = new Vehicle({ connection: `tcp:127.0.0.1:${port}`, clock: systemClock }).start();
    return await flyScript({ v, home: BUILT_IN_HOME, timeScale: SPEEDUP, log });
  } finally {
    v?.close();
    await launched.stop();
    process.off('exit', kill);
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number | undefined, d = 2) => (x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

export const benchmark: Benchmark = {
  summary: 'simulated ArduCopter vs real ArduPilot SITL on the same manoeuvres (vehicle time), rel_diff per figure',
  async run({ log }) {
    const bin = process.env.ARDUPILOT_SITL;
    const haveSitl = bin !== undefined && existsSync(bin);
    log('simulated copter (virtual time):');
    const sim = await simulated(log);
    let ref: Figures;
    let source: string;
    if (haveSitl) {
      log(`ArduPilot SITL ${bin} at ${SPEEDUP}× (vehicle time):`);
      ref = await real(bin, log);
      source = `ArduPilot SITL (${bin}, --speedup ${SPEEDUP}), flown in this run`;
    } else {
      ref = RECORDED;
      source = 'ARDUPILOT_SITL not set: real = the recorded ArduCopter 4.8.0-dev (../shared/ardupilot-behaviour), where it measured the same manoeuvre';
      log(source);
    }
    const figures: Record<string, { sim: number | null; real: number | null; rel_diff?: number }> = {};
    const keys = Object.keys({ ...sim, ...RECORDED, ...ref }) as (keyof Figures)[];
    const order: (keyof Figures)[] = ['takeoff_15m_s', 'goto_112m_s', 'runon_8ms_m', 'runon_10ms_m', 'lane_xt_50m_m', 'lane_xt_300m_m', 'rtl_100m_s', 'land_10m_to_disarm_s'];
    log('figure                    simulated      real   rel_diff');
    for (const k of order.filter((x) => keys.includes(x))) {
      const s = sim[k];
      const r = ref[k];
      const row: { sim: number | null; real: number | null; rel_diff?: number } = { sim: round(s), real: round(r) };
      if (s !== undefined && r !== undefined && r !== 0) row.rel_diff = round((s - r) / r, 3)!;
      figures[k] = row;
      log(`${k.padEnd(24)} ${String(row.sim ?? '–').padStart(10)} ${String(row.real ?? '–').padStart(9)} ${row.rel_diff === undefined ? '' : (row.rel_diff * 100).toFixed(1).padStart(8) + ' %'}`);
    }
    const diffs = Object.values(figures).flatMap((f) => (f.rel_diff === undefined ? [] : [Math.abs(f.rel_diff)]));
    return {
      real_source: source,
      measured_in: 'vehicle time (GLOBAL_POSITION_INT.time_boot_ms at 20 Hz)',
      figures,
      worst_abs_rel_diff: diffs.length ? Math.max(...diffs) : null,
      within_10pct: diffs.every((d) => d <= 0.1),
    };
  },
};
