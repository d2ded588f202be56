import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { AgentConfigError, parseAgentConfig } from '../../src/agent/config.js';
import { parseDetectionLine } from '../../src/agent/detector-socket.js';
import { startDrone } from '../../src/agent/drone.js';
import { GossipLink } from '../../src/agent/gossip-link.js';
import { searchGossipConfig } from '../../src/agent/gossip-settings.js';
import { scaledClock, systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { seededRandom } from '../../src/core/random.js';
import { GossipNode } from '../../src/gossip/engine.js';
import { wireCodec } from '../../src/gossip/wire-codec.js';
import { UdpLink } from '../../src/links/udp-link.js';
import { loadScenario, scenarioFrame } from '../../src/mission/index.js';
import { SimVehicleServer } from '../../src/sim/vehicle/server.js';
import { Keyring, generateIdentity, newSwarmKey, provisioningFile } from '../../src/wire/keyring.js';
import type { Fact, StatusFact } from '../../src/wire/facts.js';
import { toLatLon } from '../../src/wire/frame-of-reference.js';

const good = { mission: 'm.json', provisioning: 'p.json', fc: 'tcp:127.0.0.1:5760', radio: 'udp://127.255.255.255:4270', roster: [3, 2], dataDir: 'data' };

test('agent config: a good file resolves paths and sorts the roster; mistakes name the field', () => {
  const c = parseAgentConfig(good, 'agent.json', '/etc/murmur');
  assert.equal(c.mission, '/etc/murmur/m.json');
  assert.deepEqual(c.roster, [2, 3]);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.authorship, false);
  assert.equal(parseAgentConfig({ ...good, authorship: true }).authorship, true);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ ...good, fc: '/dev/ttyAMA0' }, /"fc" must start with serial:, tcp:, udp: or udpout:/],
    [{ ...good, roster: [] }, /"roster" must be a non-empty list/],
    [{ ...good, roster: [2, 2] }, /lists a node twice/],
    [{ ...good, radio: '' }, /"radio" must be a non-empty string/],
    [{ ...good, logLevel: 'loud' }, /"logLevel" must be one of debug, info, warn, error/],
    [{ ...good, altitude: 40 }, /unknown field "altitude"/],
    [{ ...good, authorship: 'yes' }, /"authorship" must be true or false/],
  ];
  for (const [v, msg] of bad) assert.throws(() => parseAgentConfig(v), (e: unknown) => e instanceof AgentConfigError && msg.test((e as Error).message));
});

test('detector lines: good ones become sightings in local metres, bad ones say why', () => {
  const town = loadScenario('maps/scenarios/earthquake-town.json');
  const frame = scenarioFrame(town);
  const at = toLatLon(frame, { x: 1200, y: 800 });
  const d = parseDetectionLine(JSON.stringify({ lat: at.lat, lon: at.lon, count: 2, condition: 'injured', confidence: 91.4 }), frame);
  assert.ok(typeof d !== 'string');
  assert.deepEqual([d.pos, d.count, d.condition, d.confidence], [{ x: 1200, y: 800 }, 2, 'injured', 91]);
  assert.equal(parseDetectionLine('{"lat": 95, "lon": 13}', frame), 'lat must be a number -90..90');
  assert.equal(parseDetectionLine('{"lat": 42, "lon": 13, "condition": "fine"}', frame).toString().startsWith('condition must be one of'), true);
  assert.equal(parseDetectionLine('hello', frame), 'not JSON');
});

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('murmur agent end to end: a drone flies a simulated ArduCopter over TCP and reports over a UDP radio; a detector sighting reaches a listening node', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-agent-'));
  const town = loadScenario('maps/scenarios/earthquake-town.json');
  // the mission starts now, and the simulated vehicle runs 20× faster than the agent's clock
  const mission = { ...town, frame: { ...town.frame, epoch: Math.floor(Date.now() / 1000) - 1 } };
  writeFileSync(join(dir, 'mission.json'), JSON.stringify(mission));
  const frame = scenarioFrame(mission);
  const swarmKey = newSwarmKey();
  const drone = generateIdentity(3, 'drone-3');
  const listener = generateIdentity(1, 'ground');
  const members = [listener, drone];
  writeFileSync(join(dir, 'p.json'), JSON.stringify(provisioningFile('t', swarmKey, drone, members, [])), { mode: 0o600 });
  const launch = mission.launch[0]!;
  const fc = await SimVehicleServer.start({ port: 0, host: '127.0.0.1', clock: scaledClock(20), sysid: 3, home: { lat: launch.lat, lon: launch.lon, alt: 0 } });
  const radioPort = await freePort();
  const cfg = parseAgentConfig(
    { mission: 'mission.json', provisioning: 'p.json', fc: `tcp:127.0.0.1:${fc.port}`, radio: `udp://127.255.255.255:${radioPort}`, roster: [3], dataDir: 'data', detector: 'det.sock' },
    'agent.json',
    dir,
  );
  // a listening node on the same UDP radio
  const heard: Fact[] = [];
  const link = new UdpLink({ address: '127.255.255.255', port: radioPort, mtu: 255 });
  await link.open();
  const keyring = new Keyring(swarmKey, members);
  let counter = 0;
  const node = new GossipNode(searchGossipConfig(1, mission.radio), wireCodec({ self: 1, keyring, nextCounter: () => counter++ }), seededRandom(1), 0);
  const ear = new GossipLink({ node, link, clock: systemClock, epochMs: frame.epoch * 1000, onActions: (a) => heard.push(...a.learned) });
  const running = await startDrone(cfg, { log: silentLogger });
  let sock: ReturnType<typeof createConnection> | undefined;
  try {
    const until = async (what: string, cond: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('the drone to search', () => running.agent.activity === 'searching', 40_000);
    assert.equal(running.vehicle.telemetry.state.armed, true);
    assert.equal(running.vehicle.telemetry.state.mode, 'GUIDED');
    // a sighting from the external detector becomes a victim fact on the radio
    const at = toLatLon(frame, { x: 1000, y: 700 });
    sock = createConnection(cfg.detector!);
    sock.write('garbage\n' + JSON.stringify({ lat: at.lat, lon: at.lon, count: 3, condition: 'critical', confidence: 80 }) + '\n');
    await until('the victim on the radio', () => heard.some((f) => f.kind === 'victim' && f.origin === 3 && f.count === 3), 25_000);
    sock.end();
    const status = heard.filter((f): f is StatusFact => f.kind === 'status' && f.origin === 3);
    assert.ok(status.length > 0, 'status heard');
    // what the drone knows is in its durable map too
    assert.ok([...running.map.facts()].some((f) => f.kind === 'victim' && f.origin === 3 && f.count === 3));
  } finally {
    // an open detector connection would keep the test process alive after a failure
    sock?.destroy();
    await running.stop();
    ear.close();
    await link.close();
    await fc.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
