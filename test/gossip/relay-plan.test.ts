/** Relay selection's view of the neighbourhood: the range fitted to the signal, and what a relay would add. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demodSnrDb, Neighbourhood } from '../../src/gossip/relay-plan.js';

const cfg = { keepS: 180, pathLossExponent: 2.8, sigmaDb: 4, linkLoss: 0.2, coverLoss: 0, bridgeMiss: 0.9, bridgeGain: 1, defaultRangeM: 1500, demodSnrDb: demodSnrDb(9) };
/** SNR of a neighbour at d metres where the median range is `range` (log-distance, exponent 2.8). */
const snrAt = (d: number, range: number) => demodSnrDb(9) + 28 * Math.log10(range / d);
const me = { x: 0, y: 0 };

test('the range follows the signal: 1.5 km on the ground, several km where every drone hears every other', () => {
  const ground = new Neighbourhood(cfg);
  const air = new Neighbourhood(cfg);
  [400, 700, 900, 1200, 1400].forEach((d, i) => ground.heard(i + 1, snrAt(d, 1500), { x: d, y: 0 }, 10));
  [1500, 2500, 3500, 4500, 5500].forEach((d, i) => air.heard(i + 1, snrAt(d, 8000), { x: 0, y: d }, 10));
  assert.ok(Math.abs(ground.rangeM(me, 10) - 1500) < 50, `ground ${ground.rangeM(me, 10)}`);
  assert.ok(air.rangeM(me, 10) > 7000, `air ${air.rangeM(me, 10)}`);
  // the same neighbour 3 km from the transmitter: beyond its reach on the ground, within it in the air
  const far = { x: 3000, y: 0 };
  const g2 = new Neighbourhood(cfg);
  const a2 = new Neighbourhood(cfg);
  [400, 700, 900].forEach((d, i) => g2.heard(10 + i, snrAt(d, 1500), { x: -d, y: 0 }, 10));
  [1500, 2500, 3500].forEach((d, i) => a2.heard(10 + i, snrAt(d, 8000), { x: -d, y: 0 }, 10));
  for (const n of [g2, a2]) n.heard(20, 0, far, 10);
  const heard = [{ id: 1, pos: { x: 0, y: 100 } }, { id: 10, pos: { x: -400, y: 0 } }, { id: 11, pos: { x: -700, y: 0 } }, { id: 12, pos: { x: -900, y: 0 } }];
  assert.ok(g2.gain(me, heard, undefined, 11) >= 0.7, 'on the ground our relay reaches it');
  assert.ok(a2.gain(me, heard, undefined, 11) < 0.2, 'in the air the transmitter heard already did');
});

test('a relay adds the neighbours the transmitters heard did not reach; holders, transmitters and forgotten neighbours add nothing', () => {
  const n = new Neighbourhood(cfg);
  const near = [{ x: 200, y: 0 }, { x: -200, y: 100 }, { x: 0, y: -300 }];
  near.forEach((p, i) => n.heard(i + 1, snrAt(300, 1500), p, 100));
  n.heard(7, snrAt(1400, 1500), { x: 1400, y: 0 }, 100); // the one beyond: 1.4 km east of us, 2.4 km from the sender
  n.heard(9, snrAt(500, 1500), { x: 800, y: 200 }, 0); // heard too long ago by the time of the fact
  const sender = { id: 8, pos: { x: -1000, y: 0 } };
  const g = n.gain(me, [sender], undefined, 190);
  assert.ok(g >= 1 && g < 2, `gain ${g}: neighbour 7 (a bridge) and little from the three near us`);
  assert.ok(n.gain(me, [sender], new Set([7]), 190) < 0.7, 'known to hold it: nothing to add');
  assert.ok(n.gain(me, [sender, { id: 7, pos: { x: 1400, y: 0 } }], undefined, 190) < 0.7, 'it sent it: nothing to add');
  assert.equal(n.size(190), 4, 'neighbour 9 is forgotten after keepS');
});
