import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/mission/index.js';
import { runSimulation } from '../../src/sim/swarm/run.js';

const town = loadScenario('maps/scenarios/earthquake-town.json');

test('the swarm sees the priority ground (the town centre, 1.1 km from launch) first: all of it near the earliest any plan could', async () => {
  // the first 300 s only: before the priority order the centre, in four drones' sectors, was seen at 1,072 s
  const scenario = { ...town, durationS: 300, faults: [] };
  const r = await runSimulation({ scenario, drones: 10, seed: 1, redivide: true, untilEnd: true });
  assert.ok(r.priority_ideal_s !== null && r.priority_bound_s !== null);
  assert.ok(r.time_to_priority_seen_s !== null, 'priority ground seen within 300 s');
  // the bound counts take-off and the flight there, which the ideal (priority area / (sweep × speed × drones)) does not
  assert.ok(r.time_to_priority_seen_s <= 1.2 * r.priority_bound_s, `seen at ${r.time_to_priority_seen_s} s; bound ${r.priority_bound_s} s, ideal ${r.priority_ideal_s} s`);
  assert.ok(r.priority_bound_s > 3 * r.priority_ideal_s, `bound ${r.priority_bound_s} s, ideal ${r.priority_ideal_s} s`);
});
