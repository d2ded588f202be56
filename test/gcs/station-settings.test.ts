import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openMesh } from '../../src/cli/commands/gcs.js';
import { GossipMeshPort } from '../../src/gcs/gossip-mesh-port.js';
import { heartbeatEveryS, stationGossipConfig } from '../../src/agent/gossip-settings.js';
import { defaultGossipConfig } from '../../src/gossip/engine.js';
import { generateIdentity, newSwarmKey, provisioningFile } from '../../src/wire/keyring.js';
import { loadScenario } from '../../src/mission/index.js';
import { FRAME, tempDir } from './helpers.js';

test('murmur gcs on a radio runs the station gossip settings for the mission band, as the simulator station does', { timeout: 20_000 }, async () => {
  const dir = tempDir('gcs-settings');
  const town = loadScenario('maps/scenarios/earthquake-town.json');
  const station = { ...generateIdentity(1, 'gcs'), role: 'operator' as const };
  writeFileSync(join(dir, 'keys.json'), JSON.stringify(provisioningFile('t', newSwarmKey(), station, [station, generateIdentity(2, 'drone-2')], [])), { mode: 0o600 });
  const opened = await openMesh('udp://127.255.255.255:4391', join(dir, 'keys.json'), join(dir, 'data'), FRAME, 1, 0, false, town.radio);
  try {
    assert.ok(opened.mesh instanceof GossipMeshPort);
    const cfg = opened.mesh.settings;
    // the station's timings follow the roster it was provisioned with (two members here), as a drone's do
    assert.deepEqual(cfg, stationGossipConfig(1, town.radio, 2));
    // what that changes for an operator on the 10% sub-band: a silent drone is suspected after 90 s, not 20
    // minutes, its orders are relayed by every drone at once, and unheard orders go again after 10 s
    const plain = defaultGossipConfig(1);
    assert.deepEqual([cfg.membership.suspectAfterS, cfg.duty.fraction, cfg.urgentPriority, cfg.ownConfirmS], [90, 0.1, 1, 10]);
    assert.notDeepEqual([plain.membership.suspectAfterS, plain.duty.fraction, plain.urgentPriority], [90, 0.1, 1]);
  } finally {
    await opened.mesh.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with 50 drones the station waits as long as the drones do before it suspects one, so it keeps repeating orders to live drones', () => {
  const town = loadScenario('maps/scenarios/earthquake-town.json');
  const hb = heartbeatEveryS(town.radio, 51);
  const cfg = stationGossipConfig(250, town.radio, 51);
  // drones in a roster of 50 are heard about every two minutes: a 10-member station suspected them after 90 s
  assert.ok(hb > 100, `heartbeat every ${hb} s`);
  assert.ok(cfg.membership.suspectAfterS >= 3 * hb && cfg.membership.deadAfterS >= 6 * hb, JSON.stringify(cfg.membership));
  assert.equal(stationGossipConfig(250, town.radio).membership.suspectAfterS, 90);
});
