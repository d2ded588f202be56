/**
 * The geofence, as fence.md records ArduCopter: the upload client against the simulated vehicle, and the
 * simulated vehicle flown into a fence (FENCE_ACTION 4 brakes inside, 1 flies RTL straight through, a GUIDED
 * destination inside is dropped in silence, arming inside is refused). Same geometry as the record: an
 * exclusion square N 60–100 m × E −30…+30 m from home, the copter at 30 m from N 150 heading for N −30.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/clock.js';
import { inProcessVehicle, drive, advance } from '../../src/sim/vehicle/virtual.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';
import { offsetLatLon } from '../../src/vehicle/geo.js';
import { FenceClient, FENCE_POLYGON_EXCLUSION } from '../../src/vehicle/fence.js';
import { MissionClient } from '../../src/vehicle/mission.js';
import { MSG, common } from '../../src/vehicle/mavlink/messages.js';

const HOME = { lat: -35.363261, lon: 149.16523, alt: 584 };
const T0 = 1_790_000_000_000;
const at = (n: number, e: number) => offsetLatLon(HOME, n, e);
const SQUARE = [at(60, -30), at(60, 30), at(100, 30), at(100, -30)];

function setup(params: Record<string, number> = {}) {
  const clock = new VirtualClock(T0);
  const sim = inProcessVehicle({ clock, sysid: 1, home: HOME, latencyMs: 3, seed: 1, params: { FENCE_RADIUS: 500, ...params } });
  const v = new Vehicle({ connection: sim.connect, clock }).start();
  const texts: string[] = [];
  v.events.statustext.on((e) => texts.push(e.text));
  const fenceStatus: common.FenceStatus[] = [];
  v.events.message.on((m) => {
    if (m.header.msgid === 162) fenceStatus.push(m.data as common.FenceStatus);
  });
  return { clock, sim, v, texts, fenceStatus };
}

async function flyTo(clock: VirtualClock, v: Vehicle, n: number, e: number, withinM = 1, maxMs = 60_000) {
  const p = at(n, e);
  v.action.gotoLocation(p.lat, p.lon, 30);
  await drive(clock, v.telemetry.waitFor((s) => !!s.position && Math.hypot((s.position.lat - p.lat) * 111_320, (s.position.lon - p.lon) * 111_320 * Math.cos((p.lat * Math.PI) / 180)) < withinM, maxMs));
}

async function airborneAt150(clock: VirtualClock, v: Vehicle) {
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY' && s.position !== undefined, 60_000));
  await advance(clock, 43_000);
  assert.equal((await drive(clock, v.action.setMode('GUIDED'))).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.action.arm())).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.action.takeoff(30))).result, 'ACCEPTED');
  assert.ok(await drive(clock, v.telemetry.waitFor((s) => (s.position?.relAlt ?? 0) > 29.5, 60_000)));
  await flyTo(clock, v, 150, 0);
  await advance(clock, 3000);
}

/** Flies south from N 150 towards N −30 until `ms` have passed; the deepest point reached inside the square (metres past its north edge). */
async function runSouth(clock: VirtualClock, sim: ReturnType<typeof setup>['sim'], v: Vehicle, ms: number) {
  const p = at(-30, 0);
  v.action.gotoLocation(p.lat, p.lon, 30);
  let deepest = 0;
  let south = Infinity;
  for (let t = 0; t < ms; t += 100) {
    await advance(clock, 100);
    const s = sim.copter.snapshot();
    if (s.north < 100 && s.north > 60 && Math.abs(s.east) < 30) deepest = Math.max(deepest, 100 - s.north);
    south = Math.min(south, s.north);
  }
  return { deepest, south };
}

test('fence upload: cleared, uploaded, read back as the record says (frame 0, z 0), parameters set and enabled', async () => {
  const { clock, sim, v, texts } = setup();
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY', 60_000));
  const fence = new FenceClient(v);
  const r = await drive(clock, fence.apply([SQUARE]));
  assert.equal(r.result, 'ACCEPTED');
  assert.equal(r.items, 4);
  const back = await drive(clock, new MissionClient(v, 1).download());
  assert.equal(back.items.length, 4);
  for (const it of back.items) {
    assert.equal(it.command, FENCE_POLYGON_EXCLUSION);
    assert.equal(it.frame, 0);
    assert.equal(it.z, 0);
    assert.equal(it.param1, 4);
  }
  assert.equal(sim.copter.params.get('FENCE_TOTAL'), 5);
  assert.equal(sim.copter.params.get('FENCE_ENABLE'), 1);
  assert.equal(sim.copter.params.get('FENCE_TYPE'), 4);
  assert.equal(sim.copter.params.get('FENCE_ACTION'), 4);
  assert.ok(texts.includes('Fence Indexed OK'));
  // the mission (type 0) is untouched by a fence upload
  assert.equal(sim.copter.snapshot().missionCount, 0);
  v.close();
  sim.copter.stop();
});

test('fence upload: a bad fence is refused with the recorded texts and the old one is kept', async () => {
  const { clock, sim, v, texts } = setup();
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY', 60_000));
  assert.equal((await drive(clock, new FenceClient(v).apply([SQUARE]))).result, 'ACCEPTED');
  const bad = [4, 4, 5, 4].map((k, i) => ({ command: FENCE_POLYGON_EXCLUSION, frame: 5, lat: SQUARE[i]!.lat, lon: SQUARE[i]!.lon, param1: k }));
  const r = await drive(clock, new MissionClient(v, 1).upload(bad));
  assert.equal(r.ok, false);
  assert.equal(r.result, 'ERROR');
  assert.ok(texts.includes('Unexpected vertex count want=4 got=5'), texts.join(' | '));
  assert.ok(texts.includes('Fence validation failed'));
  const two = await drive(clock, new MissionClient(v, 1).upload(SQUARE.slice(0, 2).map((p) => ({ command: FENCE_POLYGON_EXCLUSION, frame: 5, lat: p.lat, lon: p.lon, param1: 2 }))));
  assert.equal(two.ok, false);
  assert.ok(texts.includes('Invalid vertex count (2)'));
  const back = await drive(clock, new MissionClient(v, 1).download());
  assert.equal(back.items.length, 4, 'the old fence is still there');
  assert.equal(back.items[2]!.x, Math.round(SQUARE[2]!.lat * 1e7));
  v.close();
  sim.copter.stop();
});

test('flying into a fence with FENCE_ACTION 4: breach at the edge, BRAKE, stopped about 21 m inside (fence.md)', async () => {
  const { clock, sim, v, texts, fenceStatus } = setup();
  await airborneAt150(clock, v);
  assert.equal((await drive(clock, new FenceClient(v).apply([SQUARE], { action: 4 }))).result, 'ACCEPTED');
  const { deepest } = await runSouth(clock, sim, v, 25_000);
  assert.equal(sim.copter.snapshot().mode, 'BRAKE');
  assert.ok(texts.includes('Polygon fence breached'), texts.join(' | '));
  assert.ok(texts.includes('Manual recovery started'));
  assert.equal(fenceStatus[0]?.breachStatus, 1);
  assert.equal(fenceStatus[0]?.breachType, 3);
  // recorded: 21.3 m inside at 10 m/s, hovering there
  assert.ok(deepest > 15 && deepest < 28, `stopped ${deepest.toFixed(1)} m inside`);
  const s = sim.copter.snapshot();
  assert.ok(s.north < 100 && s.north > 60 && s.groundSpeed < 0.3, `hovering inside at N${s.north.toFixed(1)}`);
  // the GCS takes control back and flies out east: no second breach, and the breach clears
  v.resumeControl();
  assert.equal((await drive(clock, v.action.setMode('GUIDED'))).result, 'ACCEPTED');
  await flyTo(clock, v, s.north, 60, 2);
  await advance(clock, 1000);
  assert.equal(sim.copter.snapshot().mode, 'GUIDED');
  assert.ok(texts.includes('Fence breach cleared'));
  assert.equal(fenceStatus.at(-1)?.breachStatus, 0);
  v.close();
  sim.copter.stop();
});

test('flying into a fence with FENCE_ACTION 1: RTL, which flies straight through the zone to home (fence.md)', async () => {
  const { clock, sim, v, texts } = setup();
  await airborneAt150(clock, v);
  assert.equal((await drive(clock, new FenceClient(v).apply([SQUARE], { action: 1 }))).result, 'ACCEPTED');
  const { south } = await runSouth(clock, sim, v, 40_000);
  assert.equal(sim.copter.snapshot().mode, 'RTL');
  assert.ok(texts.includes('Polygon fence breached'));
  assert.ok(south < 60, `RTL crossed the zone towards home (reached N${south.toFixed(1)})`);
  v.close();
  sim.copter.stop();
});

test('a GUIDED destination inside the fence is dropped in silence; DO_REPOSITION there is refused', async () => {
  const { clock, sim, v } = setup();
  await airborneAt150(clock, v);
  assert.equal((await drive(clock, new FenceClient(v).apply([SQUARE]))).result, 'ACCEPTED');
  const inside = at(80, 0);
  v.action.gotoLocation(inside.lat, inside.lon, 30);
  await advance(clock, 15_000);
  const s = sim.copter.snapshot();
  assert.ok(Math.hypot(s.north - 150, s.east) < 1, `moved to N${s.north.toFixed(1)} E${s.east.toFixed(1)}`);
  const rep = await drive(clock, v.commandLong(192, [-1, 1, 0, 0, inside.lat, inside.lon, 30]));
  // COMMAND_LONG carries no frame: answered like COMMAND_INT's refusal either way
  assert.notEqual(rep.result, 'ACCEPTED');
  v.close();
  sim.copter.stop();
});

test('arming inside an exclusion zone is refused while the fence is enabled', async () => {
  const { clock, sim, v, texts } = setup();
  await drive(clock, v.telemetry.waitFor((s) => s.systemStatus === 'STANDBY', 60_000));
  await advance(clock, 43_000);
  // a zone drawn round home
  assert.equal((await drive(clock, new FenceClient(v).apply([[at(-20, -20), at(-20, 20), at(20, 20), at(20, -20)]]))).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.action.setMode('GUIDED'))).result, 'ACCEPTED');
  const r = await drive(clock, v.action.arm({ waitArmableMs: 0 }));
  assert.equal(r.ok, false);
  assert.ok(texts.includes('Arm: Vehicle breaching Polygon fence'), texts.join(' | '));
  // disabled (FENCE_ENABLE 0), arming is accepted
  assert.equal((await drive(clock, v.setParam('FENCE_ENABLE', 0))).result, 'ACCEPTED');
  assert.equal((await drive(clock, v.action.arm({ waitArmableMs: 0 }))).result, 'ACCEPTED');
  assert.equal(MSG.MISSION_ACK, 47);
  v.close();
  sim.copter.stop();
});
