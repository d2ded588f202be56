import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/log.js';
import { SearchAgent } from '../../src/agent/search-agent.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';
import { factProblem } from '../../src/wire/fact-check.js';
import { toLatLon, type AreaFrame } from '../../src/wire/frame-of-reference.js';
import type { Fact, StatusFact } from '../../src/wire/facts.js';
import { drive, inProcessVehicle } from '../../src/sim/vehicle/virtual.js';

const EPOCH_S = 1_800_000_000;

/** One drone in a 10 × 10-cell area; its home may lie far off the mission's map. */
function oneDrone(o: { homeOffsetM: number; publish: (f: Fact) => void; params?: Record<string, number> }) {
  const clock = new VirtualClock(EPOCH_S * 1000);
  const frame: AreaFrame = { originLat: 47.0, originLon: 8.0, epoch: EPOCH_S, cellSize: 50, cols: 10 };
  const home = toLatLon(frame, { x: 100 + o.homeOffsetM, y: 100 });
  const sim = inProcessVehicle({ clock, sysid: 2, home: { ...home, alt: 0 }, seed: 1, ...(o.params ? { params: o.params } : {}) });
  const vehicle = new Vehicle({ connection: sim.connect, clock }).start();
  const lines: string[] = [];
  const agent = new SearchAgent({
    self: 2,
    roster: [2],
    frame,
    searchable: Array.from({ length: 100 }, (_, i) => i),
    sweepWidthM: 50,
    altitudeM: 30,
    cruiseSpeedMps: 8,
    launchSites: [{ x: 100, y: 100 }],
    batteryReturnPct: 20,
    redivide: true,
    clock,
    vehicle,
    mesh: { publish: o.publish, liveMembers: () => [2] },
    sensor: { sweep: () => [] },
    nextSeq: (() => {
      let n = 0;
      return () => ++n;
    })(),
    log: createLogger({ sink: (l) => lines.push(l), now: () => clock.now() }),
  });
  return { clock, agent, vehicle, sim, lines };
}

/** What the gossip engine does with a local fact that cannot go on air. */
function engineLikePublish(sent: Fact[]) {
  return (f: Fact) => {
    const problem = factProblem(f);
    if (problem) throw new RangeError(`local fact ${f.origin}:${f.seq} cannot be sent: ${problem}`);
    sent.push(f);
  };
}

test('a drone whose position lies off the mission map reports from its launch point and never throws from a timer', async () => {
  const sent: Fact[] = [];
  // 200 km east of the area: local x is far beyond the wire's ±32767 m
  const d = oneDrone({ homeOffsetM: 200_000, publish: engineLikePublish(sent) });
  void d.agent.run();
  await drive(d.clock, new Promise((r) => d.clock.setTimeout(() => r(undefined), 120_000)));
  d.agent.stop();
  d.vehicle.close();
  d.sim.copter.stop();
  const statuses = sent.filter((f): f is StatusFact => f.kind === 'status');
  assert.ok(statuses.length >= 3, `status reports went out (${statuses.length})`);
  for (const s of statuses) assert.deepEqual(s.pos, { x: 100, y: 100 }, 'a position off the map is reported as the launch point');
  assert.equal(d.agent.caughtErrorCount, 0);
});

test('an agent whose facts cannot be published keeps flying: errors are logged and counted, not thrown', async () => {
  let attempts = 0;
  const d = oneDrone({
    homeOffsetM: 0,
    publish: () => {
      attempts++;
      throw new Error('radio exploded');
    },
  });
  const run = d.agent.run();
  await drive(d.clock, new Promise((r) => d.clock.setTimeout(() => r(undefined), 150_000)));
  assert.equal(d.agent.activity, 'searching', 'it armed, took off and is searching despite every publish failing');
  assert.ok(d.agent.caughtErrorCount >= 3 && d.agent.caughtErrorCount === attempts, `errors counted (${d.agent.caughtErrorCount} of ${attempts})`);
  assert.ok(d.lines.some((l) => /"level":"error".*fact not published.*radio exploded/.test(l)), 'each failure is logged with its reason');
  d.agent.stop();
  d.vehicle.close();
  d.sim.copter.stop();
  await drive(d.clock, run.catch(() => undefined), 30_000).catch(() => undefined);
});

test('a drone that cannot arm yet stays idle and tries again until it flies', async () => {
  const sent: Fact[] = [];
  // FRAME_CLASS 0: ArduCopter refuses to arm ("Check frame class and type") until it is set
  const d = oneDrone({ homeOffsetM: 0, publish: engineLikePublish(sent), params: { FRAME_CLASS: 0 } });
  void d.agent.run();
  await drive(d.clock, new Promise((r) => d.clock.setTimeout(() => r(undefined), 400_000)));
  assert.equal(d.agent.activity, 'idle');
  assert.ok(d.lines.filter((l) => /cannot arm/.test(l)).length >= 1, 'the refusal is logged');
  assert.ok(sent.some((f) => f.kind === 'status' && f.activity === 'idle'), 'and reported as idle');
  d.sim.copter.params.set('FRAME_CLASS', 1);
  await drive(d.clock, new Promise((r) => d.clock.setTimeout(() => r(undefined), 120_000)));
  assert.equal(d.agent.activity, 'searching', 'it armed on a later attempt and is searching');
  d.agent.stop();
  d.vehicle.close();
  d.sim.copter.stop();
});
