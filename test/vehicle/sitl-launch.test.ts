/** `murmur sitl`: homes along the area's edge, ports and sysids per instance, clean stop on SIGTERM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homesAlongRing, firstRing } from '../../sitl/homes.js';
import { distanceM, offsetLatLon } from '../../src/vehicle/geo.js';
import { systemClock } from '../../src/core/clock.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';

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

test('murmur sitl without ARDUPILOT_SITL explains how to get one', async () => {
  const env = { ...process.env };
  delete env.ARDUPILOT_SITL;
  const p = spawn(process.execPath, ['bin/murmur.js', 'sitl', '--count', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => p.on('exit', r));
  assert.equal(code, 2);
  assert.match(err, /ARDUPILOT_SITL/);
  assert.match(err, /waf/);
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
