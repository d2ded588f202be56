/**
 * Child process of `bench agent`: one drone's state holding N facts — the Automerge map on disk, the gossip
 * node's store — with every module of the drone's composition root loaded (MAVLink, serial and radio links,
 * sectors, the agent), then prints its resident memory. Run with N = 0 for the baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskStore, actorFor } from '../src/map/index.js';
import { GossipNode } from '../src/gossip/engine.js';
import { searchGossipConfig } from '../src/agent/gossip-settings.js';
import { simWireCodecs } from '../src/sim/radio/swarm.js';
import { seededRandom } from '../src/core/random.js';
import { wireCorpus } from './wire-corpus.js';
// the libraries a drone agent loads (MAVLink, serialport, Meshtastic protobufs, sectors), not started
import '../src/agent/drone.js';

const n = Number(process.argv[2] ?? 10000);
const dir = mkdtempSync(join(tmpdir(), 'murmur-agent-mem-'));
const facts = n > 0 ? wireCorpus(1, n) : [];
const { map, store } = DiskStore.open(join(dir, 'map'), actorFor(3, randomBytes(8)));
const node = new GossipNode(searchGossipConfig(3, { sf: 9, bwHz: 125000, cr: 5, dutyCyclePct: 1 }), simWireCodecs(60)(3), seededRandom(1), 0);
for (let i = 0; i < facts.length; i += 100) {
  const batch = facts.slice(i, i + 100);
  map.ingest(batch);
  store.flush(map);
  for (const f of batch) node.store[f.kind === 'status' ? 'addStatus' : 'addDurable'](f as never, i);
}
(globalThis as { gc?: () => void }).gc?.();
console.log(JSON.stringify({ facts: map.size, rss_mb: process.memoryUsage().rss / 2 ** 20, heap_mb: process.memoryUsage().heapUsed / 2 ** 20 }));
store.close();
rmSync(dir, { recursive: true, force: true });
