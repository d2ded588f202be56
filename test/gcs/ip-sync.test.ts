import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { LoopbackHub } from '../../src/gcs/mesh-port.js';
import { startGroundStation, type RunningGroundStation } from '../../src/gcs/ground-station.js';
import { IpSync } from '../../src/gcs/ip-sync.js';
import { factKey } from '../../src/wire/facts.js';
import { FRAME, droneScene, tempDir } from './helpers.js';
import { join } from 'node:path';

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const keys = (g: RunningGroundStation) => [...g.station.map.facts()].map(factKey).sort();

test('two ground stations on separate meshes converge over IP, also after editing offline', { timeout: 60_000 }, async () => {
  // Each station hears a different part of the swarm (separate radio meshes).
  const meshA = new LoopbackHub();
  const meshB = new LoopbackHub();
  const droneA = meshA.port(7);
  const droneB = meshB.port(8);
  const dirA = tempDir('gcs-a');
  const dirB = tempDir('gcs-b');
  const a = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dirA, mesh: meshA.port(1), port: 0, statusEveryMs: 0, mission: 'flood-1' });
  const b = await startGroundStation({
    nodeId: 2, frame: FRAME, dataDir: dirB, mesh: meshB.port(2), port: 0, statusEveryMs: 0, mission: 'flood-1',
    peers: [`ws://127.0.0.1:${a.port}/sync?token=${a.tokens.operator}`],
  });
  let bSync: IpSync | undefined = b.sync;
  try {
    droneA.publish(droneScene(7));
    droneB.publish(droneScene(8).filter((f) => f.kind !== 'area'));
    await until('both stations to hold both drones\' facts', () => a.station.map.size === 17 && b.station.map.size === 17);
    assert.deepEqual(keys(a), keys(b));

    // B goes offline; both keep working: each hears its own drone and its operator acts.
    await bSync!.close();
    bSync = undefined;
    a.station.act({ action: 'victim', target: '8:4', outcome: 'confirmed' });
    a.station.act({ action: 'recall', target: 0 });
    b.station.act({ action: 'victim', target: '8:4', outcome: 'rescued' });
    b.station.act({ action: 'road_clear', target: '7:6' });
    b.station.act({ action: 'note', pos: [5.73, 45.19], text: 'bridge unsafe for trucks' });
    droneB.publish([{ kind: 'victim', origin: 8, seq: 20, t: 50, pos: { x: 10, y: 10 }, count: 1, condition: 'unknown', confidence: 40 }]);
    await until('B to merge its drone\'s new fact', () => b.station.map.size === 20);
    assert.equal(a.station.map.size, 19);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(a.station.map.size, 19, 'A must not hear B while B is offline');

    // B comes back (a new sync from its stored state) and both converge on one picture.
    bSync = new IpSync({ station: b.station, storageDir: join(dirB, 'repo'), mission: 'flood-1', peers: [`ws://127.0.0.1:${a.port}/sync?token=${a.tokens.operator}`] });
    await until('convergence after reconnecting', () => a.station.map.size === 22 && b.station.map.size === 22);
    assert.deepEqual(keys(a), keys(b));
    assert.deepEqual(a.station.map.state(), b.station.map.state());
    const v = a.station.map.state().victims.find((x) => x.id === '8:4')!;
    assert.equal(v.state, 'rescued'); // rescued outranks confirmed, whichever station merged first
    assert.equal(a.station.map.state().roads.find((r) => r.id === '7:6')!.state, 'cleared');
    await until('the note to reach A', () => a.station.map.annotations().length === 1);
    assert.equal(a.station.map.annotations()[0]!.text, 'bridge unsafe for trucks');
  } finally {
    await bSync?.close();
    await b.close();
    await a.close();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
});
