// An ArduPilot failsafe taking a drone over is told apart from a pilot, reported as such, and the swarm takes
// that drone's remainder over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/core/log.js';
import { loadScenario } from '../../src/mission/index.js';
import { runSimulation } from '../../src/sim/swarm/run.js';
import { failsafeOf } from '../../src/vehicle/telemetry.js';

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
