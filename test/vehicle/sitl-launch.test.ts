/** `murmur sitl`: homes along the area's edge, ports and sysids per instance, clean stop on SIGTERM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homesAlongRing, firstRing } from '../../sitl/homes.js';
import { distanceM, offsetLatLon } from '../../src/vehicle/geo.js';
import { systemClock } from '../../src/core/clock.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';
import { VirtualClock } from '../../src/core/clock.js';
import { SimCopter } from '../../src/sim/vehicle/copter.js';
import { BUILT_IN_HOME } from '../../sitl/homes.js';
import { findArdupilotDefaults, paramFilesFlag, paramLayers, readParamLayers, simulatedParams, MURMUR_PARAM_FILE } from '../../sitl/launch.js';

const origin = { lat: 47.0, lon: 8.0 };
const corner = (n: number, e: number) => {
  const p = offsetLatLon(origin, n, e);
  return [p.lon, p.lat] as [number, number];
};
const square = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[corner(0, 0), corner(0, 20), corner(200, 20), corner(200, 0), corner(0, 0)]] } }] };

test('homes are spaced 15 m along the first polygon edge, turning its corners', () => {
  const homes = homesAlongRing(firstRing(square)!, 4, 500);
  assert.equal(homes.length, 4);
  // 15 m apart measured along the edge: (0,0), (0,15), then round the corner at (0,20): (10,20), (25,20).
  const expected = [offsetLatLon(origin, 0, 0), offsetLatLon(origin, 0, 15), offsetLatLon(origin, 10, 20), offsetLatLon(origin, 25, 20)];
  homes.forEach((h, i) => assert.ok(distanceM(h, expected[i]!) < 0.2, `home ${i} is ${distanceM(h, expected[i]!)} m off`));
  assert.equal(homes[0]!.alt, 500);
});

test('murmur sitl without ARDUPILOT_SITL says in one line where to get one and that --simulated needs none', async () => {
  const env = { ...process.env };
  delete env.ARDUPILOT_SITL;
  const p = spawn(process.execPath, ['bin/murmur.js', 'sitl', '--count', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => p.on('exit', r));
  assert.equal(code, 2);
  assert.equal(err.trim().split('\n').length, 1, `one line: ${err}`);
  assert.match(err, /ARDUPILOT_SITL/);
  assert.match(err, /--help/);
  assert.match(err, /--simulated/);
});

test('murmur sitl --simulated: N vehicles on P + 10·i with sysid i + 1 and homes on the area edge; SIGTERM stops them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-area-'));
  const area = join(dir, 'area.geojson');
  writeFileSync(area, JSON.stringify(square));
  const base = 21000 + (process.pid % 5000) * 2;
  const p = spawn(process.execPath, ['bin/murmur.js', 'sitl', '--simulated', '--count', '3', '--base-port', String(base), '--speedup', '10', '--area', area], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
  try {
    const deadline = Date.now() + 15_000;
    while ((out.match(/^vehicle \d/gm) ?? []).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lines = out.split('\n').filter((l) => l.startsWith('vehicle '));
    assert.equal(lines.length, 3, out);
    for (let i = 0; i < 3; i++) {
      assert.match(lines[i]!, new RegExp(`sysid ${i + 1}\\s+tcp:127\\.0\\.0\\.1:${base + 10 * i}`));
      const v = new Vehicle({ connection: `tcp:127.0.0.1:${base + 10 * i}`, clock: systemClock }).start();
      try {
        assert.ok(await v.telemetry.waitFor((s) => s.link === 'connected' && s.position !== undefined, 10_000));
        assert.equal(v.telemetry.state.sysid, i + 1);
        const [lat, lon] = /home (\S+),(\S+),/.exec(lines[i]!)!.slice(1).map(Number) as [number, number];
        assert.ok(distanceM(v.telemetry.state.position!, { lat, lon }) < 1, 'vehicle sits at its printed home');
      } finally {
        v.close();
      }
    }
  } finally {
    p.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
  assert.match(out, /stopped/);
});

test('ArduPilot defaults are found beside the binary, in an ArduPilot tree, or from ARDUPILOT_DEFAULTS; else a one-line error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-apdefaults-'));
  // ../shared/sitl layout: copter.parm beside the binary
  mkdirSync(join(dir, 'flat'));
  writeFileSync(join(dir, 'flat', 'arducopter'), '');
  writeFileSync(join(dir, 'flat', 'copter.parm'), 'FRAME_CLASS 1\n');
  assert.equal(findArdupilotDefaults(join(dir, 'flat', 'arducopter'), {}), join(dir, 'flat', 'copter.parm'));
  // an ArduPilot tree: build/sitl/bin/arducopter and Tools/autotest/default_params/copter.parm
  mkdirSync(join(dir, 'tree', 'build', 'sitl', 'bin'), { recursive: true });
  mkdirSync(join(dir, 'tree', 'Tools', 'autotest', 'default_params'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'build', 'sitl', 'bin', 'arducopter'), '');
  const treeParm = join(dir, 'tree', 'Tools', 'autotest', 'default_params', 'copter.parm');
  writeFileSync(treeParm, 'FRAME_CLASS 1\n');
  assert.equal(findArdupilotDefaults(join(dir, 'tree', 'build', 'sitl', 'bin', 'arducopter'), {}), treeParm);
  // the environment wins
  assert.equal(findArdupilotDefaults(join(dir, 'flat', 'arducopter'), { ARDUPILOT_DEFAULTS: treeParm }), treeParm);
  // nothing found: murmur sitl stops before starting anything, with one line saying how to supply it
  mkdirSync(join(dir, 'bare'));
  writeFileSync(join(dir, 'bare', 'arducopter'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const env: NodeJS.ProcessEnv = { ...process.env, ARDUPILOT_SITL: join(dir, 'bare', 'arducopter') };
  delete env.ARDUPILOT_DEFAULTS;
  const p = spawn(process.execPath, ['bin/murmur.js', 'sitl', '--count', '1', '--base-port', '6390'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  assert.equal(await new Promise((r) => p.on('exit', r)), 2);
  assert.equal(err.trim().split('\n').length, 1, err);
  assert.match(err, /copter\.parm not found.*ARDUPILOT_DEFAULTS.*--ardupilot-defaults/);
});

test('parameters are layered: copter.parm, then sitl/murmur.parm, then the user\'s files in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-layers-'));
  const ap = join(dir, 'copter.parm');
  writeFileSync(ap, 'FRAME_CLASS 1\nBATT_MONITOR 4\nWP_SPD 7\nFENCE_RADIUS 150\n');
  const a = join(dir, 'a.parm');
  const b = join(dir, 'b.parm');
  writeFileSync(a, 'WP_SPD 6\nRTL_ALT_M 25\n');
  writeFileSync(b, 'WP_SPD 5\n');
  assert.deepEqual(paramLayers([a, b], ap), [ap, MURMUR_PARAM_FILE, a, b]);
  const p = readParamLayers(paramLayers([a, b], ap));
  assert.equal(p.FRAME_CLASS, 1, 'from copter.parm');
  assert.equal(p.BATT_FS_LOW_ACT, 2, 'from murmur.parm');
  assert.equal(p.RTL_ALT_M, 25, 'the user overrides murmur.parm');
  assert.equal(p.WP_SPD, 5, 'the last file wins');
  // the simulated vehicle knows the same parameters, also those only the files name
  const copter = new SimCopter({ clock: new VirtualClock(0), sysid: 1, home: BUILT_IN_HOME, params: simulatedParams([a, b], ap) });
  assert.equal(copter.params.get('WP_SPD'), 5);
  assert.equal(copter.params.get('FENCE_RADIUS'), 150);
  assert.ok(!copter.params.has('WPNAV_SPEED'), 'old names stay unknown');
  // without any file it has ArduPilot's copter.parm values built in, and FRAME_CLASS 0 refuses to arm as on SITL
  const bare = new SimCopter({ clock: new VirtualClock(0), sysid: 1, home: BUILT_IN_HOME });
  assert.equal(bare.params.get('FRAME_CLASS'), 1);
  assert.equal(bare.params.get('BATT_MONITOR'), 4);
  const clock = new VirtualClock(0);
  const noFrame = new SimCopter({ clock, sysid: 1, home: BUILT_IN_HOME, params: { FRAME_CLASS: 0 } });
  noFrame.boot();
  clock.advanceTo(60_000);
  assert.equal(noFrame.armCheck(0), 'Motors: Check frame class and type');
  noFrame.stop();
  assert.throws(() => paramFilesFlag(`${a},${join(dir, 'missing.parm')}`), /parameter file not found: .*missing\.parm/);
});
