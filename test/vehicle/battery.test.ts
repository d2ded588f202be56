// The simulated pack drains and sags as ArduPilot SITL's does, so that a long swarm run ends the same way on
// both: measured on the recorded firmware (SIM_BATT_CAP_AH 22, BATT_CAPACITY 22000, copter.parm + murmur.parm,
// cruising 800 m legs at WP_SPD 10 at 30 m), the low-voltage failsafe (BATT_LOW_VOLT 10.5 for 10 s) switched to
// RTL after 1,701 s of flight at 10.48 V with 35% remaining.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, sleep } from '../../src/core/clock.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';
import { drive, inProcessVehicle } from '../../src/sim/vehicle/virtual.js';
import { SEARCH_PACK, swarmParams } from '../../src/sim/swarm/fleet.js';

const SITL_FAILSAFE_AFTER_S = 1701;

test('a 22 Ah pack cruising 800 m legs trips the low-voltage failsafe within 10% of when SITL did, with about 35% left', async () => {
  const clock = new VirtualClock(1_800_000_000_000);
  const home = { lat: -35.363261, lon: 149.16523, alt: 584 };
  const sim = inProcessVehicle({ clock, sysid: 1, home, seed: 1, params: { ...swarmParams(), ...SEARCH_PACK } });
  const v = new Vehicle({ connection: sim.connect, clock }).start();
  const flight = (async () => {
    await v.telemetry.waitFor((s) => s.link === 'connected' && s.position !== undefined, 120_000);
    await sleep(clock, 50_000);
    await v.action.setMode('GUIDED');
    assert.ok((await v.action.arm({ waitArmableMs: 120_000 })).ok);
    assert.ok((await v.action.takeoff(30)).ok);
    await v.telemetry.waitFor((s) => (s.position?.relAlt ?? 0) > 28, 60_000);
    const t0 = clock.now();
    for (let leg = 0; v.telemetry.state.mode === 'GUIDED' && clock.now() - t0 < 3_000_000; leg++) {
      const lat = home.lat + ((leg % 2 ? 1 : -1) * 400) / 111_320;
      await v.action.gotoLocation(lat, home.lon, 30);
      while (v.telemetry.state.mode === 'GUIDED' && Math.abs(v.telemetry.state.position!.lat - lat) * 111_320 > 10) await sleep(clock, 1000);
    }
    return { afterS: (clock.now() - t0) / 1000, mode: v.telemetry.state.mode, battery: v.telemetry.state.battery };
  })();
  const r = await drive(clock, flight, 4_000_000);
  v.close();
  sim.copter.stop();
  assert.equal(r.mode, 'RTL', 'the battery failsafe took it home');
  assert.ok(Math.abs(r.afterS - SITL_FAILSAFE_AFTER_S) <= 0.1 * SITL_FAILSAFE_AFTER_S, `failsafe after ${r.afterS.toFixed(0)} s of flight (SITL: ${SITL_FAILSAFE_AFTER_S} s)`);
  assert.ok(r.battery && r.battery.remaining >= 30 && r.battery.remaining <= 40, `remaining ${r.battery?.remaining}% (SITL: 35%)`);
});
