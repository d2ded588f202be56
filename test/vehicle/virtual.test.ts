/**
 * The adapter flying simulated vehicles in-process in virtual time: field-check failures, AUTO missions,
 * pause / resume, lossy uploads, and determinism (same inputs → same run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/clock.js';
import { inProcessVehicle, drive, advance } from '../../src/sim/vehicle/virtual.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';
import { runFieldCheck } from '../../src/vehicle/field-check.js';
import { offsetLatLon } from '../../src/vehicle/geo.js';
import { CMD } from '../../src/vehicle/mavlink/messages.js';

const HOME = { lat: -35.363261, lon: 149.16523, alt: 584 };
const T0 = 1_790_000_000_000;

function setup(o: { loss?: number; seed?: number; params?: Record<string, number> } = {}) {
  const clock = new VirtualClock(T0);
  const sim = inProcessVehicle({ clock, sysid: 7, home: HOME, latencyMs: 3, loss: o.loss ?? 0, seed: o.seed ?? 1, ...(o.params ? { params: o.params } : {}) });
  const v = new Vehicle({ connection: sim.connect, clock }).start();
  return { clock, sim, v };
}

async function airborne(clock: VirtualClock, v: Vehicle, alt: number) {
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY' && s.position !== undefined, 60_000));
  await advance(clock, 43_000);
  assert.equal((await drive(clock, v.action.setMode('GUIDED'))).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.action.arm())).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.action.takeoff(alt))).result, 'ACCEPTED');
  assert.ok(await drive(clock, v.telemetry.waitFor((s) => (s.position?.relAlt ?? 0) > alt - 0.3, 60_000)));
}

test('fly: no heartbeat is reported as such', async () => {
  const clock = new VirtualClock(T0);
  const v = new Vehicle({ connection: async () => Promise.reject(new Error('refused')), clock }).start();
  const r = await drive(clock, runFieldCheck(v, { takeoffAltM: 10, rtl: true, heartbeatWaitMs: 5000 }));
  v.close();
  assert.equal(r.ok, false);
  assert.equal(r.errorKind, 'no_heartbeat');
});

test("fly: not armable in time carries ArduPilot's pre-arm text", async () => {
  const { clock, v, sim } = setup();
  const r = await drive(clock, runFieldCheck(v, { takeoffAltM: 10, rtl: true, armableWaitMs: 15_000 }));
  v.close();
  sim.copter.stop();
  assert.equal(r.ok, false);
  assert.equal(r.errorKind, 'not_armable');
  assert.match(r.error!, /Arm: (Accels inconsistent|Gyros inconsistent|Need Position Estimate)/);
});

test('fly: a link lost mid-flight is reported as link_lost', async () => {
  const { clock, v, sim } = setup();
  v.telemetry.onState((s) => {
    if (s.mode === 'GUIDED' && (s.position?.relAlt ?? 0) > 14.5 && (s.velocity ? Math.hypot(s.velocity.north, s.velocity.east) : 0) > 3) sim.cut(20_000);
  });
  const r = await drive(clock, runFieldCheck(v, { takeoffAltM: 15, goto: { north: 200, east: 0 }, rtl: true }));
  v.close();
  sim.copter.stop();
  assert.equal(r.ok, false);
  assert.equal(r.errorKind, 'link_lost');
  assert.match(r.error!, /during goto/);
});

test('fly: the same inputs give the same report (deterministic in virtual time)', async () => {
  const once = async () => {
    const { clock, v, sim } = setup({ params: { SIM_WIND_SPD: 6, SIM_WIND_TURB: 1 }, seed: 3 });
    const r = await drive(clock, runFieldCheck(v, { takeoffAltM: 12, goto: { north: 40, east: -30 }, rtl: true }));
    v.close();
    sim.copter.stop();
    return r;
  };
  const a = await once();
  const b = await once();
  assert.equal(a.ok, true, a.error);
  assert.deepEqual(a, b);
});

test('AUTO mission: upload, MISSION_START, items reached in order, RTL ends disarmed in AUTO without an override', async () => {
  const { clock, v, sim } = setup();
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY' && s.position !== undefined, 60_000));
  await advance(clock, 43_000);
  const items = [
    { command: CMD.NAV_TAKEOFF, alt: 10 },
    { command: CMD.NAV_WAYPOINT, ...offsetLatLon(HOME, 30, 0), alt: 10 },
    { command: CMD.DO_CHANGE_SPEED, param1: 1, param2: 4 },
    { command: CMD.NAV_WAYPOINT, ...offsetLatLon(HOME, 30, 30), alt: 12 },
    { command: CMD.NAV_RETURN_TO_LAUNCH },
  ];
  assert.equal((await drive(clock, v.mission.upload(items))).result, 'ACCEPTED');
  const back = await drive(clock, v.mission.download());
  assert.equal(back.items.length, 6);
  assert.equal(back.items[0]!.frame, 0, 'seq 0 is home');
  assert.equal(back.items[1]!.command, CMD.NAV_TAKEOFF);
  const reached: number[] = [];
  v.telemetry.onItemReached((s) => reached.push(s));
  assert.equal((await drive(clock, v.action.setMode('GUIDED'))).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.action.arm())).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.mission.start())).result, 'ACCEPTED');
  assert.ok(await drive(clock, v.telemetry.waitFor((s) => s.armed === false, 300_000)), 'landed and disarmed');
  assert.deepEqual(reached, [1, 2, 4], `nav items reached (DO item and RTL item not reported); ${v.telemetry.texts.map((t) => t.text).join(' | ')}`);
  assert.equal(v.telemetry.state.mode, 'AUTO');
  assert.equal(v.telemetry.state.control, 'agent');
  assert.ok(sim.copter.snapshot().north ** 2 + sim.copter.snapshot().east ** 2 < 1, 'landed at home');
  assert.equal((await drive(clock, v.mission.clear())).result, 'ACCEPTED', 'cleared on the ground');
  v.close();
  sim.copter.stop();
});

test('MISSION_CLEAR_ALL while flying a mission in AUTO is refused (ERROR) and the mission goes on', async () => {
  const { clock, v, sim } = setup();
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY', 60_000));
  await advance(clock, 43_000);
  await drive(clock, v.mission.upload([{ command: CMD.NAV_TAKEOFF, alt: 10 }, { command: CMD.NAV_WAYPOINT, ...offsetLatLon(HOME, 200, 0), alt: 10 }]));
  await drive(clock, v.action.setMode('GUIDED'));
  await drive(clock, v.action.arm());
  await drive(clock, v.mission.start());
  await advance(clock, 12_000);
  const r = await drive(clock, v.mission.clear());
  assert.equal(r.result, 'ERROR');
  assert.equal(sim.copter.snapshot().missionCount, 3);
  v.close();
  sim.copter.stop();
});

test('pause holds position in BRAKE and resume returns to the previous mode, neither is an override', async () => {
  const { clock, v, sim } = setup();
  await airborne(clock, v, 10);
  v.action.gotoLocation(...(Object.values(offsetLatLon(HOME, 150, 0)) as [number, number]), 10);
  await advance(clock, 6000);
  assert.equal((await drive(clock, v.action.pause())).result, 'ACCEPTED');
  await advance(clock, 8000);
  const held = sim.copter.snapshot();
  await advance(clock, 5000);
  assert.ok(Math.abs(sim.copter.snapshot().north - held.north) < 0.5, 'stopped in BRAKE');
  assert.equal((await drive(clock, v.action.resume())).result, 'ACCEPTED');
  assert.equal(v.telemetry.state.mode, 'GUIDED');
  assert.equal(v.telemetry.state.control, 'agent');
  v.close();
  sim.copter.stop();
});

test('an external mode change (another GCS) is an override; actions are refused until resumeControl', async () => {
  const { clock, v, sim } = setup();
  await airborne(clock, v, 10);
  const overrides: string[] = [];
  v.telemetry.onOverride((o) => overrides.push(`${o.from}->${o.to}:${o.reason}`));
  // Another ground station switches to LOITER behind the agent's back.
  const other = new Vehicle({ connection: sim.connect, clock, sysid: 255, compid: 190 }).start();
  await drive(clock, other.telemetry.waitFor((s) => s.link === 'connected', 5000));
  assert.equal((await drive(clock, other.action.setMode('BRAKE'))).result, 'ACCEPTED');
  assert.ok(await drive(clock, v.telemetry.waitFor((s) => s.control === 'override', 5000)));
  assert.deepEqual(overrides, ['GUIDED->BRAKE:external']);
  assert.equal((await drive(clock, v.action.setMode('GUIDED'))).result, 'OVERRIDE');
  assert.equal(v.action.gotoLocation(HOME.lat, HOME.lon, 10).result, 'OVERRIDE');
  v.resumeControl();
  assert.equal((await drive(clock, v.action.setMode('GUIDED'))).result, 'ACCEPTED');
  other.close();
  v.close();
  sim.copter.stop();
});

test('mission upload of 100 items completes at 20 % loss each way (virtual time), retransmitting', async () => {
  const { clock, v, sim } = setup({ loss: 0.2, seed: 11 });
  await drive(clock, v.telemetry.waitFor((s) => s.link === 'connected' && s.systemStatus === 'STANDBY', 60_000));
  const items = Array.from({ length: 100 }, (_, i) => ({ command: CMD.NAV_WAYPOINT, ...offsetLatLon(HOME, i, i), alt: 20 }));
  const r = await drive(clock, v.mission.upload(items));
  assert.equal(r.ok, true, r.result);
  assert.ok(r.retransmissions > 0);
  assert.equal(sim.copter.snapshot().missionCount, 101);
  v.close();
  sim.copter.stop();
});

test('MAVLink 2 signing: same key flies; wrong key hears nothing; unsigned commands are dropped by the vehicle', async () => {
  const { signingKeyFromPassphrase } = await import('../../src/vehicle/mavlink/codec.js');
  const key = signingKeyFromPassphrase('field key 1');
  const clock = new VirtualClock(T0);
  const sim = inProcessVehicle({ clock, sysid: 9, home: HOME, signingKey: key });
  const good = new Vehicle({ connection: sim.connect, clock, signing: { key } }).start();
  const wrong = new Vehicle({ connection: sim.connect, clock, signing: { key: signingKeyFromPassphrase('other') } }).start();
  const unsigned = new Vehicle({ connection: sim.connect, clock, commandAttempts: 1 }).start();
  assert.ok(await drive(clock, good.telemetry.waitFor((s) => s.link === 'connected' && s.systemStatus === 'STANDBY', 10_000)));
  assert.equal((await drive(clock, good.action.setMode('GUIDED'))).result, 'ACCEPTED');
  assert.equal(wrong.telemetry.state.link, 'connecting');
  assert.ok(wrong.connection.rejects.counts.bad_tag > 0);
  assert.ok(await drive(clock, unsigned.telemetry.waitFor((s) => s.link === 'connected', 5000)), 'signed packets are readable without checking');
  assert.equal((await drive(clock, unsigned.action.setMode('LOITER'))).result, 'TIMEOUT');
  assert.equal(sim.copter.snapshot().mode, 'GUIDED');
  for (const v of [good, wrong, unsigned]) v.close();
  sim.copter.stop();
});

test('a GUIDED velocity target moves the copter and expires after 3 s', async () => {
  const { clock, v, sim } = setup();
  await airborne(clock, v, 10);
  assert.equal(v.action.setVelocityNed(3, 0, 0).result, 'SENT');
  await advance(clock, 2500);
  assert.ok(sim.copter.snapshot().groundSpeed > 2, 'moving north');
  await advance(clock, 4000);
  const stopped = sim.copter.snapshot();
  assert.ok(stopped.groundSpeed < 0.3, `stopped after the target expired (${stopped.groundSpeed})`);
  await advance(clock, 3000);
  assert.ok(Math.abs(sim.copter.snapshot().north - stopped.north) < 0.5, 'holds where it stopped');
  v.close();
  sim.copter.stop();
});

test('ten vehicles fly the field check at once in one process on one virtual clock', async () => {
  const clock = new VirtualClock(T0);
  const fleet = Array.from({ length: 10 }, (_, i) => {
    const sim = inProcessVehicle({ clock, sysid: i + 1, home: { ...offsetLatLon(HOME, 0, 15 * i), alt: HOME.alt }, latencyMs: 3, seed: i });
    const v = new Vehicle({ connection: sim.connect, clock }).start();
    return { sim, v };
  });
  const reports = await drive(clock, Promise.all(fleet.map(({ v }, i) => runFieldCheck(v, { takeoffAltM: 10 + i, goto: { north: 30, east: 10 * i }, rtl: true }))));
  for (const [i, r] of reports.entries()) {
    assert.equal(r.ok, true, `vehicle ${i + 1}: ${r.error}`);
    assert.equal(r.sysid, i + 1);
  }
  for (const { v, sim } of fleet) {
    v.close();
    sim.copter.stop();
  }
});
