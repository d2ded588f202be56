/**
 * An urgent fact (an operator's zone) that only the members near its origin hold: they hear one another's copies,
 * while every copy towards the rest of the swarm is lost (collisions on a busy channel far away). Counting those
 * copies as coverage stopped it there, and the swarm learned it minutes later, when a drone flew over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { decodeControl } from '../../src/gossip/control.js';
import { defaultGossipConfig, GossipNode, type GossipConfig } from '../../src/gossip/engine.js';
import { simWireCodecs } from '../../src/sim/radio/swarm.js';
import { factKey, type AreaFact } from '../../src/wire/facts.js';

const codecs = simWireCodecs(9);
const opener = codecs(9);
/** Reception as the path loss of a 1.5 km median range would give it at `d` metres. */
const rxAt = (d: number) => ({ rssi: -120, snr: -12.5 + 28 * Math.log10(1500 / d) });

// No anti-entropy within the run: what is tested is the relay rounds alone.
const quietRepairs: Partial<GossipConfig> = { urgentPriority: 1, urgentCopies: 3, reconcileAfterS: 1e6, repairSettleS: 1e6, beaconIntervalS: 30 };

test("an operator's zone held only near the station keeps going round until a member beyond is heard holding it", () => {
  // the station (1) and two drones beside it (2, 3); a drone of the swarm (4) 1.3 km away, heard by 2 and 3 only
  const at: Record<number, { x: number; y: number }> = { 1: { x: 0, y: 0 }, 2: { x: 100, y: 0 }, 3: { x: 150, y: 50 }, 4: { x: 100, y: 1300 } };
  const links = new Set(['1-2', '1-3', '2-3', '2-4', '3-4']);
  const linked = (a: number, b: number) => links.has(a < b ? `${a}-${b}` : `${b}-${a}`);
  const nodes = [1, 2, 3, 4].map((id) => {
    const n = new GossipNode(defaultGossipConfig(id, { ...quietRepairs, ...(id === 1 ? { ownConfirmS: 10, ownRetries: 6 } : {}) }), codecs(id), seededRandom(`urgent/${id}`), 0);
    n.setPosition(at[id]!);
    return n;
  });
  const zone: AreaFact = { kind: 'area', origin: 1, seq: 1, t: 60, role: 'nofly', rings: [[{ x: 0, y: 900 }, { x: 300, y: 900 }, { x: 300, y: 1200 }]], priority: 1 };
  // every copy towards 4 sent in the first 90 s after the zone is drawn is lost
  const lostUntil = 150;
  let learnedAt: number | undefined;
  const zoneSends: { from: number; at: number; bytes: number; heartbeats: boolean }[] = [];
  for (let t = 0; t < 400; t += 0.25) {
    if (t === 60) nodes[0]!.addLocal(zone, t);
    for (const n of nodes) {
      n.tick(t);
      if (!n.wantsToTransmit(t)) continue;
      const bytes = n.transmit(t);
      if (!bytes) continue;
      const o = opener.open(bytes);
      assert.ok(o.ok);
      if (o.value.payload.facts.some((f) => factKey(f) === '1:1')) {
        const c = o.value.payload.control ? decodeControl(o.value.payload.control) : undefined;
        zoneSends.push({ from: n.self, at: t, bytes: bytes.length, heartbeats: !!c?.ok && c.value.some((r) => r.type === 'hb') });
      }
      for (const m of nodes) {
        if (m === n || !linked(n.self, m.self)) continue;
        if (m.self === 4 && t < lostUntil) continue;
        const d = Math.hypot(at[n.self]!.x - at[m.self]!.x, at[n.self]!.y - at[m.self]!.y);
        m.receive(bytes, rxAt(d), t + 0.01);
        if (m.self === 4 && learnedAt === undefined && m.knows({ origin: 1, seq: 1 })) learnedAt = t;
      }
    }
  }
  // 2 and 3 relay it, hear each other and the station repeating it, and keep going while 4 is heard without it
  assert.ok(learnedAt !== undefined, 'the swarm side learns the zone');
  assert.ok(learnedAt < lostUntil + 45, `learned at ${learnedAt}, within a round of the link coming back`);
  const drones = zoneSends.filter((s) => s.from === 2 || s.from === 3);
  assert.ok(drones.filter((s) => s.at < lostUntil).length >= 4, `the drones beside the station kept trying (${drones.length} sends)`);
  // once 4 is heard relaying it, everyone around holds it: no more rounds
  const relayedBy4 = zoneSends.find((s) => s.from === 4)!.at;
  assert.ok(!drones.some((s) => s.at > relayedBy4), `no rounds once 4 is heard holding it: ${JSON.stringify(drones.slice(-3))}`);
  // the later rounds go in short packets of urgent facts alone (a long packet's odds on a busy channel are worse)
  const retries = drones.filter((s) => s.at > 110); // past the second round
  assert.ok(retries.length > 0 && retries.every((s) => !s.heartbeats), 'retries carry no heartbeat records');
});
