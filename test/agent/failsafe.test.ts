// An ArduPilot failsafe taking a drone over is told apart from a pilot, reported as such, and the swarm takes
// that drone's remainder over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/core/log.js';
import { loadScenario } from '../../src/mission/index.js';
import { runSimulation } from '../../src/sim/swarm/run.js';
import { failsafeOf } from '../../src/vehicle/telemetry.js';
import { VirtualClock } from '../../src/core/clock.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';
import { MavlinkEncoder } from '../../src/vehicle/mavlink/codec.js';
import { common, minimal } from '../../src/vehicle/mavlink/messages.js';
import { memoryLinkPair } from '../../src/vehicle/transport.js';
import { drive } from '../../src/sim/vehicle/virtual.js';

test('failsafe texts ArduCopter sends (../shared/ardupilot-behaviour) name their failsafe; cleared and pre-arm texts do not', () => {
  assert.equal(failsafeOf('Battery Failsafe'), 'battery');
  assert.equal(failsafeOf('GCS Failsafe'), 'gcs');
  assert.equal(failsafeOf('Polygon fence breached'), 'fence');
  assert.equal(failsafeOf('EKF Failsafe: changed to LAND Mode'), 'ekf');
  assert.equal(failsafeOf('Radio Failsafe'), 'radio');
  assert.equal(failsafeOf('GCS Failsafe Cleared'), undefined);
  assert.equal(failsafeOf('Fence breach cleared'), undefined);
  assert.equal(failsafeOf('PreArm: Battery failsafe'), undefined);
  assert.equal(failsafeOf('Arm: Battery failsafe'), undefined);
  assert.equal(failsafeOf('Mission: 2 WP'), undefined);
});

test("a battery failsafe is reported as a failsafe, not a pilot, and the others take the drone's remainder", async () => {
  const town = loadScenario('maps/scenarios/earthquake-town.json');
  const scenario = { ...town, durationS: 700, faults: [{ type: 'battery_failure' as const, drone: 2, atS: 300 }] };
  const lines: string[] = [];
  const seen = new Set<string>();
  await runSimulation({
    scenario,
    drones: 4,
    seed: 3,
    redivide: true,
    log: createLogger({ level: 'info', sink: (l) => lines.push(l) }),
    onStep: (w) => seen.add(w.drones[1]!.agent.activity),
  });
  assert.ok(seen.has('failsafe'), `drone 2 went through ${[...seen].join(', ')}`);
  assert.ok(!seen.has('override'), 'never reported as a pilot taking over');
  const yielded = lines.find((l) => /autopilot failsafe took control/.test(l));
  assert.ok(yielded && /"failsafe":"battery"/.test(yielded), `the agent's log names the battery: ${yielded}`);
  // every other drone re-plans with drone 2's remainder in its share
  const takers = new Set(
    lines
      .filter((l) => /"msg":"plan"/.test(l) && /"orphaned":\[2\]/.test(l) && !/"share":0[,}]/.test(l))
      .map((l) => JSON.parse(l).component as string),
  );
  assert.ok(takers.size >= 1, `someone took drone 2's remainder (${[...takers].join(', ')})`);
});

test('a failsafe whose text trails the CRITICAL heartbeat is named when the text comes', async () => {
  const clock = new VirtualClock(0);
  const [ours, fc] = memoryLinkPair({ clock, latencyMs: 1 });
  const v = new Vehicle({ connection: async () => ours, clock }).start();
  const enc = new MavlinkEncoder({ sysid: 1, compid: 1 });
  const heartbeat = (customMode: number, systemStatus: number) => {
    const h = new minimal.Heartbeat();
    h.type = 2;
    h.autopilot = 3;
    h.baseMode = 0xd9 as minimal.Heartbeat["baseMode"];
    h.customMode = customMode;
    h.systemStatus = systemStatus;
    h.mavlinkVersion = 3;
    fc.write(enc.encode(h));
  };
  const seen: string[] = [];
  v.telemetry.onOverride((o) => seen.push(`${o.to}:${o.reason}:${o.failsafe ?? '-'}`));
  await drive(clock, new Promise((r) => clock.setTimeout(() => r(undefined), 100)));
  heartbeat(4, 4); // GUIDED, ACTIVE: the agent's mode
  await drive(clock, new Promise((r) => clock.setTimeout(() => r(undefined), 100)));
  v.engage();
  heartbeat(6, 5); // RTL, CRITICAL, before any text
  await drive(clock, new Promise((r) => clock.setTimeout(() => r(undefined), 100)));
  const t = new common.StatusText();
  t.severity = 4;
  t.text = 'Battery Failsafe';
  fc.write(enc.encode(t));
  await drive(clock, new Promise((r) => clock.setTimeout(() => r(undefined), 100)));
  assert.deepEqual(seen, ['RTL:failsafe:unknown', 'RTL:failsafe:battery']);
  assert.equal(v.telemetry.state.override?.failsafe, 'battery');
  v.close();
});

test("a battery failsafe's RTL that would cross a no-fly zone is flown home round it instead (wildfire edge, 3 drones)", async () => {
  const wildfire = loadScenario('maps/scenarios/wildfire-edge.json');
  // at 400 s drone 2 searches beyond the zone on the area's south edge, seen from its launch point
  const scenario = { ...wildfire, durationS: 700, faults: [{ type: 'battery_failure' as const, drone: 2, atS: 400 }] };
  const lines: string[] = [];
  const seen = new Set<string>();
  let landedNearHome = false;
  const r = await runSimulation({
    scenario,
    drones: 3,
    seed: 1,
    redivide: true,
    untilEnd: true,
    log: createLogger({ level: 'info', sink: (l) => lines.push(l) }),
    onStep: (w) => {
      const d = w.drones[1]!;
      seen.add(d.agent.activity);
      const s = d.body.truth(d.vehicle);
      const home = d.vehicle.telemetry.state.home;
      if (s && home && !s.flying) landedNearHome = Math.hypot((s.lat - home.lat) * 111_320, (s.lon - home.lon) * 111_320 * Math.cos((home.lat * Math.PI) / 180)) < 30;
    },
  });
  assert.ok(lines.some((l) => /failsafe RTL would cross a no-fly zone/.test(l)), 'the agent saw the straight line home cross the zone');
  assert.equal(r.nofly_drone_s, 0, 'no drone-second in a zone (ArduCopter RTL alone: 208 s, braked inside by its geofence)');
  assert.ok(seen.has('failsafe') && !seen.has('returning'), `still a failsafe to the swarm: ${[...seen].join(', ')}`);
  assert.ok(landedNearHome, 'landed at home');
});
