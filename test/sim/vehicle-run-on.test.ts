/**
 * The run-on the agent keeps clear of no-fly zones for: a copter sent a new GUIDED target at speed brakes
 * along its old heading before it turns. fence.md measured ArduCopter: 17.2 m at 8 m/s, 25.7 m at 10 m/s
 * (90° re-target, GUID_OPTIONS 0). The simulated vehicle must not run on less, or the clearance would be
 * tuned to a copter that does not exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/clock.js';
import { inProcessVehicle, drive, advance } from '../../src/sim/vehicle/virtual.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';
import { offsetLatLon } from '../../src/vehicle/geo.js';

const HOME = { lat: -35.363261, lon: 149.16523, alt: 584 };

async function runOn(speed: number): Promise<number> {
  const clock = new VirtualClock(1_790_000_000_000);
  const sim = inProcessVehicle({ clock, sysid: 1, home: HOME, latencyMs: 3, seed: 1 });
  const v = new Vehicle({ connection: sim.connect, clock }).start();
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY' && s.position !== undefined, 60_000));
  await advance(clock, 43_000);
  await drive(clock, v.action.setMode('GUIDED'));
  await drive(clock, v.action.arm());
  await drive(clock, v.action.takeoff(30));
  await drive(clock, v.telemetry.waitFor((s) => (s.position?.relAlt ?? 0) > 29.5, 60_000));
  // DO_CHANGE_SPEED before the first position target is lost (fence.md surprise 13): a first target, then the speed
  const first = offsetLatLon(HOME, 0, 20);
  v.action.gotoLocation(first.lat, first.lon, 30);
  await drive(clock, v.telemetry.waitFor((s) => sim.copter.snapshot().east > 19.5 && (s.velocity ? Math.hypot(s.velocity.north, s.velocity.east) < 0.2 : false), 60_000));
  await drive(clock, v.action.setSpeed(speed));
  // east along a long leg; at full speed, 300 m out, turn north
  const far = offsetLatLon(HOME, 0, 1000);
  v.action.gotoLocation(far.lat, far.lon, 30);
  while (sim.copter.snapshot().east < 300) await advance(clock, 50);
  const turnAt = sim.copter.snapshot().east;
  const north = offsetLatLon(HOME, 500, turnAt);
  v.action.gotoLocation(north.lat, north.lon, 30);
  let maxEast = turnAt;
  for (let t = 0; t < 15_000; t += 50) {
    await advance(clock, 50);
    maxEast = Math.max(maxEast, sim.copter.snapshot().east);
  }
  v.close();
  sim.copter.stop();
  return maxEast - turnAt;
}

test('a GUIDED re-target at 8 and 10 m/s runs on along the old heading about as far as ArduCopter does', async () => {
  const at8 = await runOn(8);
  const at10 = await runOn(10);
  // recorded 17.2 m and 25.7 m; within 20 %
  assert.ok(Math.abs(at8 - 17.2) <= 3.5, `8 m/s: ${at8.toFixed(1)} m`);
  assert.ok(Math.abs(at10 - 25.7) <= 5.2, `10 m/s: ${at10.toFixed(1)} m`);
});
