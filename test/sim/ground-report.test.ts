/** The simulated camera shows blocked roads and hazards it flies over, once each; the agent reports them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { SimulatedCamera } from '../../src/sim/sensors/camera.js';
import type { GroundObservation } from '../../src/mission/detection.js';

const model = { sweepWidthM: 50, detectionProbability: 1, falsePositivesPerKm2: 0, positionErrorM: 0 };
const road: GroundObservation = { kind: 'road', path: [{ x: 0, y: -500 }, { x: 0, y: 500 }], severity: 'impassable' };
const fire: GroundObservation = { kind: 'hazard', hazard: 'fire', pos: { x: 300, y: 100 }, radius: 60 };

test('a road crossed by the lane is seen once, even where no vertex of it is in view; a hazard when its edge is', () => {
  const cam = new SimulatedCamera(model, [], seededRandom(1), [road, fire]);
  // a lane along y = 0 from x = -100 to 100: crosses the road mid-leg, 500 m from either end
  assert.deepEqual(cam.observe({ x: -100, y: 0 }, { x: -40, y: 0 }), [], 'not yet in view');
  assert.deepEqual(cam.observe({ x: -40, y: 0 }, { x: 40, y: 0 }), [road]);
  assert.deepEqual(cam.observe({ x: 40, y: 0 }, { x: -40, y: 0 }), [], 'reported once');
  // the fire's edge 60 m from its centre, the camera's half-sweep 25 m: seen from 85 m away, not from 90
  assert.deepEqual(cam.observe({ x: 300, y: 190 }, { x: 310, y: 190 }), []);
  assert.deepEqual(cam.observe({ x: 300, y: 184 }, { x: 310, y: 184 }), [fire]);
});
