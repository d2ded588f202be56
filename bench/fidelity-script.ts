/**
 * The scripted manoeuvres of `murmur bench fidelity`, flown through the project's own vehicle client against any
 * vehicle (real ArduPilot SITL on the wall clock, or the simulated copter in virtual time), and measured in the
 * vehicle's own time: GLOBAL_POSITION_INT.time_boot_ms at 20 Hz, events between samples interpolated, and the
 * moment a command or a text leaves/arrives placed on that time line from the last sample.
 */
import type { Vehicle } from '../src/vehicle/vehicle.js';
import type { MavMessage } from '../src/vehicle/mavlink/codec.js';
import { common } from '../src/vehicle/mavlink/messages.js';
import { MSG } from '../src/vehicle/mavlink/messages.js';
import { northEastOf, offsetLatLon, type LatLon } from '../src/vehicle/geo.js';

export interface Sample {
  /** vehicle ms (time_boot_ms) */
  readonly t: number;
  readonly n: number;
  readonly e: number;
  readonly u: number;
  readonly vn: number;
  readonly ve: number;
  /** clock ms at arrival */
  readonly wall: number;
}

/** The figures of one vehicle (seconds and metres); undefined when a manoeuvre could not be measured. */
export interface Figures {
  takeoff_15m_s?: number;
  goto_112m_s?: number;
  runon_8ms_m?: number;
  runon_10ms_m?: number;
  lane_xt_50m_m?: number;
  lane_xt_300m_m?: number;
  rtl_100m_s?: number;
  land_10m_to_disarm_s?: number;
}

export class Recorder {
  readonly samples: Sample[] = [];
  private readonly texts: { t: number; text: string }[] = [];
  private readonly off: () => void;

  constructor(
    private readonly v: Vehicle,
    private readonly home: LatLon,
    /** vehicle ms per clock ms (the SITL speed-up on the wall clock, 1 in virtual time) */
    private readonly timeScale: number,
  ) {
    this.off = v.connection.onMessage((m: MavMessage) => this.onMessage(m));
  }

  close(): void {
    this.off();
  }

  private onMessage(m: MavMessage): void {
    if (m.header.msgid === MSG.GLOBAL_POSITION_INT) {
      const p = m.data as common.GlobalPositionInt;
      if (p.lat === 0 && p.lon === 0) return;
      const ne = northEastOf(this.home, { lat: p.lat / 1e7, lon: p.lon / 1e7 });
      this.samples.push({ t: p.timeBootMs, n: ne.north, e: ne.east, u: p.relativeAlt / 1000, vn: p.vx / 100, ve: p.vy / 100, wall: this.v.clock.now() });
    } else if (m.header.msgid === MSG.STATUSTEXT) {
      this.texts.push({ t: this.now(), text: (m.data as common.StatusText).text });
    }
  }

  /** The vehicle's time now, from the last position sample and the clock since it came. */
  now(): number {
    const last = this.samples[this.samples.length - 1];
    if (!last) return 0;
    return last.t + (this.v.clock.now() - last.wall) * this.timeScale;
  }

  last(): Sample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** Vehicle time of the first text matching `re` at or after `since`. */
  textAt(re: RegExp, since: number): number | undefined {
    return this.texts.find((x) => x.t >= since && re.test(x.text))?.t;
  }

  /** Samples from vehicle time `since` on. */
  from(since: number): Sample[] {
    return this.samples.filter((s) => s.t >= since);
  }
}

/** Interpolated vehicle time at which f(sample) first reaches `level` (rising) after `since`. */
export function crossing(samples: readonly Sample[], since: number, f: (s: Sample) => number, level: number): number | undefined {
  let prev: Sample | undefined;
  for (const s of samples) {
    if (s.t < since) continue;
    if (f(s) >= level) {
      if (!prev) return s.t;
      const a = f(prev);
      const k = (level - a) / (f(s) - a || 1);
      return prev.t + k * (s.t - prev.t);
    }
    prev = s;
  }
  return undefined;
}

/** Interpolated g(sample) where f(sample) first reaches `level`. */
export function valueAt(samples: readonly Sample[], f: (s: Sample) => number, level: number, g: (s: Sample) => number): number | undefined {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (f(a) < level && f(b) >= level) {
      const k = (level - f(a)) / (f(b) - f(a));
      return g(a) + k * (g(b) - g(a));
    }
  }
  return undefined;
}

export interface ScriptWorld {
  readonly v: Vehicle;
  readonly home: LatLon & { alt: number };
  /** vehicle ms per clock ms */
  readonly timeScale: number;
  readonly log: (line: string) => void;
}

/** Flies every manoeuvre in turn and returns the figures. Throws with the step's name when one fails. */
export async function flyScript(w: ScriptWorld): Promise<Figures> {
  const { v, home, log } = w;
  const rec = new Recorder(v, home, w.timeScale);
  const fig: Figures = {};
  // timeouts are given in vehicle ms; on the wall clock a loaded machine may run SITL slower than its speed-up
  const wallMs = (vehicleMs: number) => vehicleMs / w.timeScale + (w.timeScale > 1 ? 20_000 : 0);
  const waitFor = async (what: string, pred: (s: Sample) => boolean, vehicleMs: number) => {
    const ok = await v.telemetry.waitFor(() => {
      const s = rec.last();
      return s !== undefined && pred(s);
    }, wallMs(vehicleMs));
    if (!ok) throw new Error(`${what}: not within ${vehicleMs / 1000} s of vehicle time`);
  };
  const must = async (what: string, r: Promise<{ ok: boolean; result: string }> | { ok: boolean; result: string }) => {
    const x = await r;
    if (!x.ok) throw new Error(`${what}: ${x.result}`);
  };
  const stopped = (s: Sample) => Math.hypot(s.vn, s.ve) < 0.2;
  const here = () => rec.last()!;
  const goto = (n: number, e: number, alt: number) => {
    const p = offsetLatLon(home, n, e);
    return must(`goto ${n.toFixed(0)},${e.toFixed(0)}`, v.action.gotoLocation(p.lat, p.lon, alt));
  };
  const arrive = async (what: string, n: number, e: number, vehicleMs: number) => {
    await waitFor(what, (s) => Math.hypot(s.n - n, s.e - e) <= 1 && stopped(s), vehicleMs);
  };
  const settle = async (ms: number) => {
    const until = rec.now() + ms;
    await waitFor('settle', (s) => s.t >= until, ms + 5000);
  };

  try {
    const ready = await v.telemetry.waitFor((s) => s.link === 'connected' && s.systemStatus === 'STANDBY', wallMs(60_000));
    if (!ready) throw new Error('vehicle did not connect and boot');
    await must('GLOBAL_POSITION_INT at 20 Hz', v.telemetry.setRate(MSG.GLOBAL_POSITION_INT, 20));
    await waitFor('first position', () => true, 60_000);

    // take-off to 15 m: NAV_TAKEOFF accepted → 95 % of the height
    const takeoffTo = async (alt: number) => {
      // the firmware's own mode changes (SITL's RC switch at boot, RTL/LAND ending in their mode) are not ours
      if (v.telemetry.state.control === 'override') v.resumeControl();
      await must('GUIDED', v.action.setMode('GUIDED'));
      await must('arm', v.action.arm({ waitArmableMs: wallMs(90_000) }));
      const t0 = rec.now();
      await must('takeoff', v.action.takeoff(alt));
      await waitFor(`takeoff to ${alt} m`, (s) => s.u >= alt * 0.95, 60_000);
      const t = crossing(rec.samples, t0, (s) => s.u, alt * 0.95);
      await waitFor('hover', (s) => s.u >= alt - 0.3 && stopped(s), 30_000);
      await settle(2000);
      return t === undefined ? undefined : (t - t0) / 1000;
    };
    fig.takeoff_15m_s = await takeoffTo(15);
    log(`  take-off to 15 m: ${fig.takeoff_15m_s?.toFixed(2)} s`);

    // 112 m goto (100 m north, 50 m east): command → within 1 m
    {
      const s0 = here();
      const [tn, te] = [s0.n + 100, s0.e + 50];
      const t0 = rec.now();
      await goto(tn, te, 15);
      await waitFor('goto 112 m', (s) => Math.hypot(s.n - tn, s.e - te) <= 1, 60_000);
      const t = crossing(rec.samples, t0, (s) => -Math.hypot(s.n - tn, s.e - te), -1);
      fig.goto_112m_s = t === undefined ? undefined : (t - t0) / 1000;
      await arrive('stop after the goto', tn, te, 20_000);
      await settle(2000);
      log(`  112 m goto: ${fig.goto_112m_s?.toFixed(2)} s`);
    }

    // 90° turns at 8 and 10 m/s: flying north at speed, a target 100 m east of where the copter is → how far it
    // runs on along its old heading
    for (const speed of [8, 10] as const) {
      await must(`speed ${speed}`, v.action.setSpeed(speed));
      const s0 = here();
      await goto(s0.n + 250, s0.e, 15);
      await waitFor(`cruise at ${speed} m/s`, (s) => s.n - s0.n >= 100, 60_000);
      const p0 = here();
      const t0 = rec.now();
      const [tn, te] = [p0.n, p0.e + 100];
      await goto(tn, te, 15);
      await arrive(`turn at ${speed} m/s`, tn, te, 90_000);
      const runOn = Math.max(...rec.from(t0).map((s) => s.n - p0.n));
      if (speed === 8) fig.runon_8ms_m = runOn;
      else fig.runon_10ms_m = runOn;
      log(`  90° turn at ${speed} m/s (flying ${Math.hypot(p0.vn, p0.ve).toFixed(2)} m/s): run-on ${runOn.toFixed(2)} m`);
      await settle(1000);
    }

    // a 500 m lane A→B (due north) entered 40 m east of A flying west at 8 m/s, B sent at once
    {
      await must('speed 8', v.action.setSpeed(8));
      const s0 = here();
      const a = { n: s0.n, e: s0.e - 140 };
      await goto(a.n, a.e, 15);
      await waitFor('40 m east of A', (s) => s.e <= a.e + 40, 60_000);
      const t0 = rec.now();
      await goto(a.n + 500, a.e, 15);
      await waitFor('300 m along the lane', (s) => s.n - a.n >= 305, 120_000);
      const run = rec.from(t0);
      const xt = (along: number) => valueAt(run, (s) => s.n - a.n, along, (s) => Math.abs(s.e - a.e));
      fig.lane_xt_50m_m = xt(50);
      fig.lane_xt_300m_m = xt(300);
      log(`  lane: cross-track ${fig.lane_xt_50m_m?.toFixed(2)} m at 50 m, ${fig.lane_xt_300m_m?.toFixed(2)} m at 300 m`);
    }

    // RTL from 100 m out at 15 m: command → disarmed
    {
      await must('speed 10', v.action.setSpeed(10));
      await goto(100, 0, 15);
      await arrive('100 m from home', 100, 0, 120_000);
      await settle(2000);
      const t0 = rec.now();
      await must('RTL', v.action.rtl());
      await v.telemetry.waitFor((s) => !s.armed, wallMs(120_000));
      const t = rec.textAt(/^Disarming motors/, t0);
      fig.rtl_100m_s = t === undefined ? undefined : (t - t0) / 1000;
      log(`  RTL from 100 m: ${fig.rtl_100m_s?.toFixed(2)} s to disarmed`);
    }

    // LAND from 10 m: command → disarmed
    {
      await settle(3000);
      await takeoffTo(10);
      const t0 = rec.now();
      await must('LAND', v.action.land());
      await v.telemetry.waitFor((s) => !s.armed, wallMs(90_000));
      const t = rec.textAt(/^Disarming motors/, t0);
      fig.land_10m_to_disarm_s = t === undefined ? undefined : (t - t0) / 1000;
      log(`  LAND from 10 m: ${fig.land_10m_to_disarm_s?.toFixed(2)} s to disarmed`);
    }
    return fig;
  } finally {
    rec.close();
  }
}
