/** A data directory belongs to one mission: another area's, epoch's or swarm's map is never loaded into it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LoopbackHub } from '../../src/gcs/mesh-port.js';
import { startGroundStation } from '../../src/gcs/ground-station.js';
import { MissionMismatchError } from '../../src/gcs/mission-binding.js';
import { missionDocumentId } from '../../src/gcs/ip-sync.js';
import { FRAME, droneScene, tempDir } from './helpers.js';

const OTHER_AREA = { ...FRAME, originLat: 45.3 };

test('a station refuses a data directory holding another area, epoch, swarm or mission, and reads nothing from it', async () => {
  const dir = tempDir('gcs-mission');
  try {
    const hub = new LoopbackHub();
    const first = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dir, mesh: hub.port(1), port: 0, statusEveryMs: 0, swarm: 'valley', mission: 'flood-1' });
    hub.port(7).publish(droneScene());
    while (first.station.map.size < 9) await new Promise((r) => setTimeout(r, 10));
    await first.close();
    const log = readFileSync(join(dir, 'map', 'map.log'));

    const start = (over: object) => startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dir, mesh: new LoopbackHub().port(1), port: 0, statusEveryMs: 0, swarm: 'valley', mission: 'flood-1', ...over });
    await assert.rejects(start({ frame: OTHER_AREA }), (e: Error) => e instanceof MissionMismatchError && /holds the map of another area or epoch \(origin 45.18,5.72.*this start is for origin 45.3,5.72/.test(e.message));
    await assert.rejects(start({ frame: { ...FRAME, epoch: FRAME.epoch + 86_400 } }), MissionMismatchError);
    await assert.rejects(start({ swarm: 'coast' }), /holds the map of swarm "valley"; this station's key file is for swarm "coast"/);
    await assert.rejects(start({ mission: 'fire-2' }), /holds the map of mission "flood-1", not "fire-2"/);
    // Nothing was read into another mission, nothing written over: the same station still starts with its map.
    assert.deepEqual(readFileSync(join(dir, 'map', 'map.log')), log);
    const again = await start({});
    try {
      assert.equal(again.station.map.size, 9);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stations of one mission name in two areas never sync one document', { timeout: 30_000 }, async () => {
  assert.notEqual(missionDocumentId('flood-1', FRAME), missionDocumentId('flood-1', OTHER_AREA));
  const dirA = tempDir('gcs-area-a');
  const dirB = tempDir('gcs-area-b');
  const meshB = new LoopbackHub();
  const a = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: dirA, mesh: new LoopbackHub().port(1), port: 0, statusEveryMs: 0, mission: 'flood-1' });
  const b = await startGroundStation({
    nodeId: 2, frame: OTHER_AREA, dataDir: dirB, mesh: meshB.port(2), port: 0, statusEveryMs: 0, mission: 'flood-1',
    peers: [`ws://127.0.0.1:${a.port}/sync?token=${a.tokens.operator}`],
  });
  try {
    meshB.port(8).publish(droneScene(8));
    while (b.station.map.size < 9) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(a.station.map.size, 0, 'the other area\'s facts reached this map');
    // B asked A for its own document: A answered "unavailable" and opened no handle for it.
    assert.deepEqual(Object.keys(a.sync!.repo.handles), [missionDocumentId('flood-1', FRAME)]);
  } finally {
    await b.close();
    await a.close();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
});

test('murmur gcs on another mission\'s data directory, or with a garbled station secret: one line, exit 2', { timeout: 60_000 }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { bindDataDir } = await import('../../src/gcs/mission-binding.js');
  const dir = tempDir('gcs-mission-cli');
  try {
    const other = join(dir, 'other');
    bindDataDir(other, { area: OTHER_AREA });
    const garbled = join(dir, 'garbled');
    mkdirSync(garbled);
    writeFileSync(join(garbled, 'station-secret'), 'not hex\n');
    const run = (data: string) => spawnSync(process.execPath, ['bin/murmur.js', 'gcs', '--radio', 'loopback', '--origin', '45.18,5.72', '--port', '0', '--data', data], { encoding: 'utf8', timeout: 30_000 });
    const a = run(other);
    assert.equal(a.status, 2, a.stderr);
    assert.match(a.stderr, /^murmur gcs: .*other holds the map of another area or epoch \(origin 45\.3,5\.72.*Use another --data directory/);
    assert.equal(a.stderr.trim().split('\n').length, 1);
    const b = run(garbled);
    assert.equal(b.status, 2, b.stderr);
    assert.match(b.stderr, /^murmur gcs: .*station-secret: not a station secret \(64 hex digits\)/);
    assert.equal(b.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
