import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { UdpLink } from '../../src/links/udp-link.js';
import { Keyring, generateIdentity, newSwarmKey } from '../../src/wire/keyring.js';
import { MemoryReservationStore, ReservedSequence } from '../../src/wire/sequence.js';
import { MAX_COUNTER } from '../../src/wire/packet.js';
import { GossipMeshPort } from '../../src/gcs/gossip-mesh-port.js';
import { GossipLink } from '../../src/agent/gossip-link.js';
import { GossipNode, defaultGossipConfig } from '../../src/gossip/engine.js';
import { wireCodec } from '../../src/gossip/wire-codec.js';
import { systemClock } from '../../src/core/clock.js';
import { seededRandom } from '../../src/core/random.js';
import { startGroundStation } from '../../src/gcs/ground-station.js';
import type { Fact } from '../../src/wire/facts.js';
import { FRAME, droneScene, tempDir } from './helpers.js';

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a ground station on a real UDP radio link hears a drone and the drone hears the operator', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gcsId = generateIdentity(1, 'gcs');
  const droneId = generateIdentity(7, 'drone-7');
  const outsider = generateIdentity(9, 'outsider');
  const swarmKey = newSwarmKey();
  const keyring = new Keyring(swarmKey, [gcsId, droneId]);
  const counter = () => new ReservedSequence(new MemoryReservationStore(), MAX_COUNTER);
  // each end is a gossip node running on a real UDP link, as `murmur gcs --radio udp://…` and a drone run them
  const mk = (self: number, ring = keyring) => {
    const link = new UdpLink({ address: '127.255.255.255', port, mtu: 255 });
    const c = counter();
    const epochMs = FRAME.epoch * 1000;
    const nowS = () => (Date.now() - epochMs) / 1000;
    const node = new GossipNode(defaultGossipConfig(self), wireCodec({ self, keyring: ring, nextCounter: () => c.take() }), seededRandom(self), nowS());
    let mesh: GossipMeshPort | undefined;
    const runner = new GossipLink({ node, link, clock: systemClock, epochMs, onActions: (a) => mesh?.heard(a.learned) });
    mesh = new GossipMeshPort(self, node, (f) => runner.publish(f), nowS, link.name, async () => {
      runner.close();
      await link.close();
    });
    return { link, mesh };
  };
  const g = mk(1);
  const d = mk(7);
  const intruder = mk(9, new Keyring(newSwarmKey(), [outsider]));
  await Promise.all([g.link.open(), d.link.open(), intruder.link.open()]);
  const data = tempDir('gcs-udp');
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: data, mesh: g.mesh, port: 0, statusEveryMs: 0 });
  const droneHeard: Fact[] = [];
  d.mesh.onFacts((fs) => droneHeard.push(...fs));
  try {
    // the drone's own facts; gossip carries its newest status only (older ones are superseded)
    d.mesh.publish(droneScene(7).filter((f) => f.origin === 7));
    const keys = ['7:3', '7:4', '7:5', '7:6', '7:7', '7:8'];
    await until('the station to merge the drone\'s facts', () => keys.every((k) => gcs.station.map.get(k) !== undefined));
    assert.equal(gcs.station.map.get('7:1'), undefined);
    // Packets sealed with another swarm's key are rejected and counted, never merged.
    intruder.mesh.publish([{ kind: 'victim', origin: 9, seq: 1, t: 1, pos: { x: 1, y: 1 }, count: 1, condition: 'unknown', confidence: 1 }]);
    await until('the forged packet to be counted', () => Object.values(gcs.station.mesh.stats().links[0]!.rejects ?? {}).some((n) => n > 0));
    assert.equal(gcs.station.map.get('9:1'), undefined);

    gcs.station.act({ action: 'victim', target: '7:4', outcome: 'rescued' });
    await until('the drone to hear the rescue', () => droneHeard.some((f) => f.kind === 'supersede' && f.outcome === 'rescued'));
    const health = gcs.station.mesh.stats().members.find((m) => m.id === 7);
    assert.ok(health?.lastHeardMs);
  } finally {
    await gcs.close();
    await d.mesh.close();
    await intruder.mesh.close();
    rmSync(data, { recursive: true, force: true });
  }
});
