import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { runSimulation } from '../../src/sim/swarm/run.js';

const town = loadScenario('maps/scenarios/earthquake-town.json');

test("eight drones search the town; a crashed drone's sector is taken over, which a fixed plan cannot do", async () => {
  const scenario = { ...town, faults: [{ type: 'crash' as const, drone: 3, atS: 420 }] };
  const murmur = await runSimulation({ scenario, drones: 8, seed: 7, redivide: true });
  const fixed = await runSimulation({ scenario, drones: 8, seed: 7, redivide: false });
  assert.equal(murmur.drones_lost, 1);
  assert.ok(murmur.coverage_pct >= 99.5, `coverage ${murmur.coverage_pct}`);
  assert.ok(fixed.coverage_pct < 98, `baseline coverage ${fixed.coverage_pct}`);
  assert.ok(murmur.victims_found >= 0.85 * murmur.victims_in_area, `found ${murmur.victims_found}/${murmur.victims_in_area}`);
  assert.ok(murmur.max_duty_cycle_pct <= scenario.radio.dutyCyclePct, `duty ${murmur.max_duty_cycle_pct}`);
  assert.equal(murmur.facts_lost, 0);
  assert.ok(murmur.facts_created > 20);
});

test('a run is a function of scenario, drone count and seed', async () => {
  const scenario = { ...town, durationS: 600, faults: [] };
  const a = await runSimulation({ scenario, drones: 3, seed: 11, redivide: true });
  const b = await runSimulation({ scenario, drones: 3, seed: 11, redivide: true });
  assert.deepEqual(a, b);
  assert.ok(a.coverage_pct > 5, `coverage ${a.coverage_pct}`);
});
