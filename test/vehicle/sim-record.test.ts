/**
 * The simulated ArduCopter against what the real one did (../shared/ardupilot-behaviour: README, fence.md; and
 * real SITL of the same firmware through `murmur bench fidelity`): boot, streams, texts, landing from any phase,
 * the RTL cone, run-on and straight-line tracking, lanes, DO_CHANGE_SPEED, battery failsafe. Virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, type Clock } from '../../src/core/clock.js';
import { SimCopter } from '../../src/sim/vehicle/copter.js';
import { common, ardupilotmega } from '../../src/vehicle/mavlink/messages.js';
import type { MavMessage } from '../../src/vehicle/mavlink/codec.js';
import { offsetLatLon } from '../../src/vehicle/geo.js';
import type { MavLinkData } from 'node-mavlink';

const HOME = { lat: -35.363261, lon: 149.16523, alt: 584 };
const within = (x: number, want: number, rel: number) => Math.abs(x - want) <= rel * want;

class Sim {
  readonly out: { at: number; m: MavLinkData }[] = [];
  readonly copter: SimCopter;
  constructor(
    readonly clock: VirtualClock = new VirtualClock(0),
    timers: Clock = clock,
  ) {
    this.copter = new SimCopter({ clock: timers, sysid: 1, home: HOME });
    this.copter.addSink({ message: (m) => this.out.push({ at: this.clock.now(), m }) });
    this.copter.boot();
  }
  private send(data: MavLinkData, msgid: number) {
    this.copter.receive({ header: { sysid: 255, compid: 190, msgid, seq: 0, version: 2, signed: false }, data } as MavMessage);
  }
  at(ms: number) {
    this.clock.advanceTo(ms);
  }
  run(ms: number) {
    this.clock.advanceTo(this.clock.now() + ms);
  }
  cmd(command: number, p: number[] = []): number | undefined {
    const c = new common.CommandLong();
    c.targetSystem = 1;
    c.command = command;
    const q = (i: number) => p[i] ?? 0;
    [c._param1, c._param2, c._param3, c._param4, c._param5, c._param6, c._param7] = [q(0), q(1), q(2), q(3), q(4), q(5), q(6)];
    const n = this.out.length;
    this.send(c, 76);
    return (this.out.slice(n).find((x) => x.m instanceof common.CommandAck)?.m as common.CommandAck | undefined)?.result;
  }
  mode(m: number) {
    return this.cmd(176, [1, m]);
  }
  goto(n: number, e: number, alt: number) {
    const ll = offsetLatLon(HOME, n, e);
    const p = new common.SetPositionTargetGlobalInt();
    p.targetSystem = 1;
    p.coordinateFrame = 6 as common.MavFrame;
    p.typeMask = 0x0df8 as common.PositionTargetTypemask;
    p.latInt = Math.round(ll.lat * 1e7);
    p.lonInt = Math.round(ll.lon * 1e7);
    p.alt = alt;
    this.send(p, 86);
  }
  s() {
    return this.copter.snapshot();
  }
  /** Steps 50 ms at a time until `pred` holds; returns the ms it took. */
  until(pred: () => boolean, maxMs = 120_000): number {
    const t0 = this.clock.now();
    while (!pred()) {
      assert.ok(this.clock.now() - t0 < maxMs, `not within ${maxMs / 1000} s`);
      this.run(50);
    }
    return this.clock.now() - t0;
  }
  /** Armed in GUIDED, hovering at `alt` over home. */
  airborne(alt: number) {
    this.at(Math.max(this.clock.now(), 45_000));
    this.mode(4);
    assert.equal(this.cmd(400, [1]), 0);
    assert.equal(this.cmd(22, [0, 0, 0, 0, 0, 0, alt]), 0);
    this.until(() => this.s().relAlt > alt - 0.05);
    this.run(2000);
  }
  texts(since = 0): string[] {
    return this.out.filter((x) => x.at >= since && x.m instanceof common.StatusText).map((x) => (x.m as common.StatusText).text);
  }
}

test('booting: zeros for a position until the GPS is up, EKF flags and GPS fix as on real SITL', () => {
  const h = new Sim();
  h.at(100);
  assert.equal(h.cmd(511, [33, 200_000]), 0);
  assert.equal(h.cmd(511, [24, 1_000_000]), 0);
  assert.equal(h.cmd(511, [193, 1_000_000]), 0);
  h.at(45_000);
  const gpi = h.out.filter((x) => x.m instanceof common.GlobalPositionInt).map((x) => x.m as common.GlobalPositionInt);
  const early = gpi.filter((m) => m.timeBootMs < 9_800);
  assert.ok(early.length > 40);
  assert.ok(early.every((m) => m.lat === 0 && m.lon === 0 && m.alt === 0 && m.relativeAlt === 0), 'lat, lon, alt, relative_alt 0 before the GPS');
  const later = gpi.filter((m) => m.timeBootMs > 10_100);
  assert.ok(later.every((m) => Math.abs(m.lat / 1e7 - HOME.lat) < 1e-6 && Math.abs(m.lon / 1e7 - HOME.lon) < 1e-6), 'home once the GPS is up');
  const gps = h.out.filter((x) => x.m instanceof common.GpsRawInt).map((x) => [x.at, (x.m as common.GpsRawInt).fixType] as const);
  assert.ok(gps.filter(([at]) => at < 9_800).every(([, f]) => f === 0) && gps.filter(([at]) => at > 10_000).every(([, f]) => f === 6));
  const ekf = h.out.filter((x) => x.m instanceof ardupilotmega.EkfStatusReport).map((x) => [x.at, Number((x.m as ardupilotmega.EkfStatusReport).flags)] as const);
  const flagsAt = (t: number) => ekf.filter(([at]) => at <= t).pop()![1];
  assert.equal(flagsAt(4_000), 0x400, 'uninitialised');
  assert.equal(flagsAt(30_000), 0xa7, 'no horizontal position (constant position mode)');
  assert.equal(flagsAt(44_000), 0x33f, 'using GPS');
});

test('booting: 36 unsolicited PARAM_VALUEs in the first 10 s, FRAME_CLASS known; 5 Hz is 15 in 3 s with late timers', () => {
  const h = new Sim();
  h.at(10_000);
  const pv = h.out.filter((x) => x.m instanceof common.ParamValue);
  assert.equal(pv.length, 36, 'recorded: 36 unsolicited PARAM_VALUEs in the first 10 s');
  assert.ok(pv.every((x) => (x.m as common.ParamValue).paramIndex === 65535));
  assert.equal(h.copter.params.get('FRAME_CLASS'), 1);
  assert.equal(h.copter.params.get('INS_GYR_ID'), 2752772, 'boot-time parameters read back');
  h.at(40_000);
  assert.ok(h.out.some((x) => x.m instanceof common.ParamValue && (x.m as common.ParamValue).paramId === 'STAT_RUNTIME'));

  // a clock whose timers all fire 7 ms late (a busy machine, a scaled clock): the stream and the physics keep to it
  const clock = new VirtualClock(0);
  const late: Clock = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms + 7),
    clearTimeout: (t) => clock.clearTimeout(t),
    setInterval: (fn, ms) => clock.setInterval(fn, ms + 7),
    clearInterval: (t) => clock.clearInterval(t),
  };
  const l = new Sim(clock, late);
  const ontime = new Sim();
  for (const x of [l, ontime]) {
    x.airborne(15);
    x.at(80_000);
    assert.equal(x.cmd(511, [33, 200_000]), 0);
    x.goto(100, 0, 15);
  }
  l.run(3000);
  ontime.run(3000);
  const n = l.out.filter((x) => x.at > 80_000 && x.m instanceof common.GlobalPositionInt).length;
  assert.ok(n >= 14 && n <= 15, `${n} GLOBAL_POSITION_INT in 3 s at 5 Hz`);
  l.run(7000);
  ontime.run(7000);
  assert.ok(Math.abs(l.s().north - ontime.s().north) < 1.5, `late timers: ${l.s().north.toFixed(1)} m vs ${ontime.s().north.toFixed(1)} m flown`);
});

test('DO_SET_MODE AUTO with no mission: ACCEPTED, "PreArm: Mode requires mission" 1.4 s later from the pre-arm check', () => {
  const h = new Sim();
  h.at(45_000);
  assert.equal(h.mode(3), 0);
  assert.ok(!h.texts(45_000).includes('PreArm: Mode requires mission'), 'not an answer to the command');
  h.run(1500);
  assert.deepEqual(h.texts(45_000), ['PreArm: Mode requires mission']);
  const at = h.out.find((x) => x.m instanceof common.StatusText && (x.m as common.StatusText).text.endsWith('requires mission'))!.at;
  assert.ok(at - 45_000 >= 1300 && at - 45_000 <= 1500);
});

for (const [name, cmd, mode] of [['LAND', 21, 9], ['RTL', 20, 6]] as const) {
  test(`${name} commanded during the take-off climb: the climb coasts to a stop (≈ 8.9 m on real SITL), lands and disarms`, () => {
    const h = new Sim();
    h.at(45_000);
    h.mode(4);
    h.cmd(400, [1]);
    h.cmd(22, [0, 0, 0, 0, 0, 0, 15]);
    h.until(() => h.s().relAlt > 4.3);
    assert.equal(h.cmd(cmd), 0);
    let top = 0;
    h.until(() => {
      top = Math.max(top, h.s().relAlt);
      return !h.s().armed;
    }, 60_000);
    assert.ok(top > 7.8 && top < 9.8, `climbed on to ${top.toFixed(2)} m`);
    const s = h.s();
    assert.equal(s.customMode, mode);
    assert.equal(s.relAlt, 0);
    assert.equal(s.systemStatus, 3, 'STANDBY, not ACTIVE');
  });
}

test('RTL cone: at home it holds its altitude, 4 m out at 6 m it climbs to ≈ 12.3 m, 40 m out at 10 m to RTL_ALT_M 15', () => {
  const top = (alt: number, north: number) => {
    const h = new Sim();
    h.airborne(alt);
    if (north > 0) {
      h.goto(north, 0, alt);
      h.until(() => h.s().north > north - 0.1 && h.s().groundSpeed < 0.1);
    }
    h.cmd(20);
    let max = 0;
    h.until(() => {
      max = Math.max(max, h.s().relAlt);
      return !h.s().armed;
    }, 90_000);
    return max;
  };
  assert.ok(top(10, 0) < 10.2, 'real SITL: 9.96 m → 9.98 m');
  const cone = top(6, 4.1);
  assert.ok(cone > 11.5 && cone < 13, `real SITL: 12.42 m; simulated ${cone.toFixed(2)} m`);
  assert.ok(Math.abs(top(10, 40) - 15) < 0.2);
});

test('a new target at 90° mid-flight: run-on along the old heading as recorded, then a straight line from the stopping point', () => {
  for (const [speed, recorded] of [[8, 17.2], [10, 25.7]] as const) {
    const h = new Sim();
    h.airborne(30);
    h.goto(0, 5, 30);
    h.until(() => h.s().groundSpeed < 0.05 && h.s().east > 4.9);
    assert.equal(h.cmd(178, [1, speed, -1]), 0);
    h.goto(300, 5, 30);
    h.until(() => h.s().north > 120);
    assert.ok(Math.abs(h.s().groundSpeed - speed) < 0.1);
    const p0 = h.s();
    h.goto(p0.north, p0.east + 150, 30);
    const path: { n: number; e: number }[] = [];
    h.until(() => {
      path.push({ n: h.s().north, e: h.s().east });
      return h.s().east > p0.east + 149;
    });
    const runOn = Math.max(...path.map((p) => p.n)) - p0.north;
    assert.ok(within(runOn, recorded, 0.1), `run-on ${runOn.toFixed(2)} m at ${speed} m/s (recorded ${recorded} m)`);
    // after the stop: a straight line to the target (recorded fit error ≤ 0.08 m)
    const stop = path.findIndex((p) => p.n >= p0.north + runOn - 1e-9);
    const a = path[stop]!;
    const dev = Math.max(...path.slice(stop).map((p) => Math.abs(((p.n - a.n) * 150 - (p.e - a.e) * (p0.north - a.n)) / Math.hypot(150, p0.north - a.n))));
    assert.ok(dev < 0.3, `off the straight line by ${dev.toFixed(2)} m`);
  }
});

test('a new target beyond the old one, a little off the heading, far from it: flown straight to at the set speed, not onto the line from the old one beside a zone', () => {
  // Generated town 5 (seed 1): a drone 180 m short of its lane start was given a new start 6° off its heading,
  // beyond the old one; the simulated copter continued the line from the old start, 33 m aside behind it, and
  // swung 32 m into a no-fly zone at up to 20 m/s (47 m/s on town 9). fence.md: a new target is flown to in a
  // straight line, at no more than the speed set (10 m/s here); carrots re-sent 20 and 40 m ahead are the only line continued.
  const h = new Sim();
  h.airborne(30);
  h.goto(0, 5, 30);
  h.until(() => h.s().groundSpeed < 0.05 && h.s().east > 4.9);
  assert.equal(h.cmd(178, [1, 10, -1]), 0);
  h.goto(500, 5, 30);
  h.until(() => h.s().north > 300);
  const p0 = h.s();
  const to = { n: 900, e: p0.east - 85 };
  h.goto(to.n, to.e, 30);
  // a zone beside the straight way (on the side of the old target's line), 20 m clear of the track
  const inZone = (p: { n: number; e: number }) => p.n > 280 && p.n < 520 && p.e > p0.east + 20;
  let entered = 0;
  let fastest = 0;
  let off = 0;
  const len = Math.hypot(to.n - p0.north, to.e - p0.east);
  h.until(() => {
    const s = h.s();
    const p = { n: s.north, e: s.east };
    if (inZone(p)) entered++;
    fastest = Math.max(fastest, s.groundSpeed);
    off = Math.max(off, Math.abs(((p.n - p0.north) * (to.e - p0.east) - (p.e - p0.east) * (to.n - p0.north)) / len));
    return Math.hypot(p.n - to.n, p.e - to.e) < 1;
  });
  assert.equal(entered, 0, 'never in the zone beside the way');
  assert.ok(fastest <= 10.3, `at most the 10 m/s set (flew ${fastest.toFixed(1)} m/s)`);
  assert.ok(off < 3, `off the straight way by ${off.toFixed(1)} m`);
});

test('a 500 m lane entered 40 m aside at 8 m/s: B at once closes only linearly; stopping at A or a 20 m carrot at 5 Hz stay on it', () => {
  const lane = (how: 'B' | 'stopA' | 'carrot') => {
    const h = new Sim();
    h.airborne(30);
    h.goto(0, 140, 30);
    h.until(() => h.s().east > 139.9 && h.s().groundSpeed < 0.05);
    h.cmd(178, [1, 8, -1]);
    h.goto(0, 0, 30);
    h.until(() => h.s().east <= 40);
    if (how === 'B') h.goto(500, 0, 30);
    if (how === 'stopA') {
      h.until(() => Math.hypot(h.s().north, h.s().east) < 0.3 && h.s().groundSpeed < 0.1);
      h.goto(500, 0, 30);
    }
    const xt: Record<number, number> = {};
    let next = 0;
    h.until(() => {
      const s = h.s();
      if (how === 'carrot' && h.clock.now() >= next) {
        h.goto(Math.min(500, Math.max(0, s.north) + 20), 0, 30);
        next = h.clock.now() + 200;
      }
      for (const at of [50, 300]) if (xt[at] === undefined && s.north >= at) xt[at] = Math.abs(s.east);
      if (s.north >= 49) xt[-1] = Math.max(xt[-1] ?? 0, Math.abs(s.east));
      return s.north >= 300;
    });
    return xt;
  };
  const b = lane('B');
  assert.ok(within(b[50]!, 20.4, 0.1) && within(b[300]!, 9.1, 0.1), `B at once: ${b[50]!.toFixed(2)} m at 50 m, ${b[300]!.toFixed(2)} m at 300 m (recorded 20.4, 9.1)`);
  const a = lane('stopA');
  assert.ok(a[-1]! <= 0.16, `stopping at A first: up to ${a[-1]!.toFixed(2)} m off (recorded ≤ 0.16)`);
  const c = lane('carrot');
  assert.ok(c[-1]! <= 0.5, `carrot: up to ${c[-1]!.toFixed(2)} m off after 49 m (recorded < 0.5)`);
});

test('a 112 m goto takes the time real SITL takes (14.5 s to within 1 m, vehicle time); DO_CHANGE_SPEED right after take-off is lost', () => {
  const h = new Sim();
  h.airborne(15);
  h.goto(100, 50, 15);
  const ms = h.until(() => Math.hypot(h.s().north - 100, h.s().east - 50) <= 1);
  assert.ok(within(ms / 1000, 14.46, 0.1), `${ms / 1000} s (real SITL 14.46 s)`);

  const top = (after: 'takeoff' | 'target') => {
    const x = new Sim();
    x.at(45_000);
    x.mode(4);
    x.cmd(400, [1]);
    x.cmd(22, [0, 0, 0, 0, 0, 0, 15]);
    if (after === 'takeoff') assert.equal(x.cmd(178, [1, 8, -1]), 0, 'ACCEPTED all the same');
    x.until(() => x.s().relAlt > 14.9);
    x.run(2000);
    if (after === 'target') {
      x.goto(0, 1, 15);
      x.until(() => x.s().east > 0.95 && x.s().groundSpeed < 0.05);
      x.cmd(178, [1, 8, -1]);
    }
    x.goto(150, 0, 15);
    let max = 0;
    x.until(() => {
      max = Math.max(max, x.s().groundSpeed);
      return x.s().north > 140;
    });
    return max;
  };
  assert.ok(top('takeoff') > 9.8, 'recorded: 10.15 m/s flown instead of 8');
  assert.ok(Math.abs(top('target') - 8) < 0.2, 'recorded: sent while hovering at a reached target it holds (8.0 m/s)');
});

test('battery: low → "Battery 1 is low …" + "Battery Failsafe" (WARNING), RTL, CRITICAL; critical → LAND, both texts WARNING', () => {
  const h = new Sim();
  h.airborne(10);
  h.copter.params.set('BATT_FS_LOW_ACT', 2);
  h.copter.params.set('BATT_CRT_VOLT', 10);
  h.copter.params.set('BATT_FS_CRT_ACT', 1);
  const t0 = h.clock.now();
  h.copter.params.set('SIM_BATT_VOLTAGE', 10.4);
  h.until(() => h.s().customMode === 6, 15_000);
  assert.ok(h.clock.now() - t0 >= 10_000);
  const sev = (re: RegExp) => (h.out.find((x) => x.m instanceof common.StatusText && re.test((x.m as common.StatusText).text))?.m as common.StatusText).severity;
  assert.equal(sev(/^Battery 1 is low 10\.40V used \d+ mAh$/), 4);
  assert.equal(sev(/^Battery Failsafe$/), 4);
  assert.equal(h.s().systemStatus, 5);
  h.copter.params.set('SIM_BATT_VOLTAGE', 9.5);
  h.until(() => h.s().customMode === 9, 15_000);
  assert.equal(sev(/^Battery 1 is critical 9\.50V/), 4);
  h.until(() => !h.s().armed, 60_000);
  assert.equal(h.s().systemStatus, 5, 'CRITICAL stays after landing');
});
