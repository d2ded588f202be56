import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/mission/index.js';
import { runSimulation, type SimWorld } from '../../src/sim/swarm/run.js';
import type { AttestFact } from '../../src/wire/facts.js';
import { teslaFactTag } from '../../src/wire/attestation.js';
import { intervalOf } from '../../src/wire/tesla.js';

const town = loadScenario('maps/scenarios/earthquake-town.json');

test('with authorship on, drones tag their facts, use seqs of their own sequence and take others\' facts only once proven', { timeout: 60_000 }, async () => {
  let world: SimWorld | undefined;
  await runSimulation({ scenario: { ...town, faults: [], durationS: 900 }, drones: 4, seed: 2, redivide: true, authorship: true, onStep: (w) => (world = w) });
  let others = 0;
  for (const d of world!.drones) {
    const auth = d.gossip.auth;
    assert.ok(auth, `drone ${d.id} runs without authorship`);
    const facts = [...d.gossip.store.durableFacts()].map((h) => h.fact);
    const attests = facts.filter((f): f is AttestFact => f.kind === 'attest');
    // attestations take their seqs from the same sequence as the facts: no id is used twice
    const own = facts.filter((f) => f.origin === d.id);
    assert.equal(new Set(own.map((f) => f.seq)).size, own.length);
    for (const f of facts) {
      if (f.kind === 'attest' || f.origin === d.id) continue;
      others++;
      // every other member's fact this drone holds is proven: its tag checks under its origin's disclosed key,
      // or its origin's signed attestation covers it
      const key = auth.tesla.keyFor(f.origin, intervalOf(f.t, auth.tesla.timing));
      const tag = auth.tagOf(f);
      const tagged = !!key && !!tag && Buffer.from(teslaFactTag(key, f)).equals(Buffer.from(tag));
      const signed = attests.some((a) => a.origin === f.origin && a.count > 0 && f.seq >= a.from && f.seq <= a.to);
      assert.ok(tagged || signed, `${f.origin}:${f.seq} (${f.kind}) held by ${d.id} without its proof`);
    }
    assert.ok(auth.counts.proven > 0, `drone ${d.id} proved nothing`);
  }
  assert.ok(others > 20, `only ${others} facts of other drones were proven anywhere`);
});
