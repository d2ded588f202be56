/** The adapter over serial (a real pseudo-terminal pair from socat) and UDP, against the simulated vehicle. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { scaledClock, systemClock } from '../../src/core/clock.js';
import { SimCopter } from '../../src/sim/vehicle/copter.js';
import { SimLink } from '../../src/sim/vehicle/link.js';
import { connectorFor, ConnectionStringError } from '../../src/vehicle/transport.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';

const HOME = { lat: -35.363261, lon: 149.16523, alt: 584 };
const hasSocat = spawnSync('socat', ['-V']).status === 0;

async function exercise(connection: string, attachSim: () => Promise<{ stop(): void }>) {
  const clock = scaledClock(10);
  const v = new Vehicle({ connection, clock: systemClock }).start();
  const sim = await attachSim();
  try {
    assert.ok(await v.telemetry.waitFor((s) => s.link === 'connected' && s.systemStatus === 'STANDBY', 10_000), 'heartbeat over the link');
    assert.equal((await v.action.setMode('GUIDED')).result, 'ACCEPTED');
    assert.ok(await v.telemetry.waitFor((s) => s.position !== undefined && s.battery !== undefined, 5000), 'streams requested and received');
    assert.equal(v.telemetry.state.sysid, 4);
    void clock;
  } finally {
    v.close();
    sim.stop();
  }
}

test('connection strings are parsed, bad ones rejected with the accepted forms', () => {
  for (const ok of ['serial:/dev/ttyAMA0:921600', 'tcp:127.0.0.1:5760', 'udp:0.0.0.0:14550', 'udpout:10.0.0.2:14550']) assert.equal(typeof connectorFor(ok), 'function');
  assert.throws(() => connectorFor('tcp:127.0.0.1'), ConnectionStringError);
  assert.throws(() => connectorFor('ftp:host:1'), /expected serial:/);
});

test('serial: over a socat pseudo-terminal pair', { skip: hasSocat ? false : 'socat is not installed' }, async () => {
  const socat: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ptys: string[] = await new Promise((resolve, reject) => {
    const found: string[] = [];
    let buf = '';
    socat.stderr!.on('data', (d) => {
      buf += String(d);
      for (const m of buf.matchAll(/PTY is (\S+)/g)) if (!found.includes(m[1]!)) found.push(m[1]!);
      if (found.length === 2) resolve(found);
    });
    setTimeout(() => reject(new Error('socat gave no ptys')), 5000);
  });
  try {
    await exercise(`serial:${ptys[0]}:115200`, async () => {
      const clock = scaledClock(10);
      const copter = new SimCopter({ clock, sysid: 4, home: HOME });
      const link = await connectorFor(`serial:${ptys[1]}:115200`)();
      const sl = new SimLink(copter, link, { clock });
      return { stop: () => (sl.detach(), copter.stop()) };
    });
  } finally {
    socat.kill();
  }
});

test('udp: the adapter listens, the vehicle sends to it (udpout)', async () => {
  const port = 20000 + (process.pid % 20000);
  await exercise(`udp:127.0.0.1:${port}`, async () => {
    const clock = scaledClock(10);
    const copter = new SimCopter({ clock, sysid: 4, home: HOME });
    const link = await connectorFor(`udpout:127.0.0.1:${port}`)();
    const sl = new SimLink(copter, link, { clock });
    return { stop: () => (sl.detach(), copter.stop()) };
  });
});
