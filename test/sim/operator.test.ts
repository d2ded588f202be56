import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/mission/index.js';
import { runSimulation } from '../../src/sim/swarm/run.js';
import type { RunRecord } from '../../src/sim/swarm/report.js';
import type { AckFact, Fact } from '../../src/wire/facts.js';

const town = loadScenario('maps/scenarios/earthquake-town.json');

test('a recalled drone answers, turns home, and searches again when the operator resumes it', async () => {
  const acks: AckFact[] = [];
  let recallAt: number | undefined;
  let resumeAt: number | undefined;
  let record: RunRecord | undefined;
  let seq = 0;
  const r = await runSimulation({
    scenario: { ...town, faults: [] },
    drones: 8,
    seed: 3,
    redivide: true,
    inspect: (rec) => (record = rec),
    groundStation: (port) => {
      const send = (f: Fact) => port.publish([f]);
      port.onFacts((facts) => {
        for (const f of facts) if (f.kind === 'ack' && f.target.origin === port.nodeId) acks.push(f);
        const t = facts.find((f) => f.kind === 'status')?.t ?? 0;
        if (recallAt === undefined && t >= 300) {
          recallAt = t;
          send({ kind: 'command', origin: port.nodeId, seq: ++seq, t, target: 2, action: 'rtl' });
        }
        // resume once drone 2 said it took the recall
        if (resumeAt === undefined && acks.some((a) => a.origin === 2 && a.target.seq === 1)) {
          resumeAt = Math.max(t, recallAt! + 1);
          send({ kind: 'command', origin: port.nodeId, seq: ++seq, t: resumeAt, target: 2, action: 'resume' });
        }
      });
    },
  });
  assert.ok(recallAt !== undefined && resumeAt !== undefined, 'recall and resume were sent');
  // only drone 2 answers, once per order, and accepts both
  assert.deepEqual(acks.map((a) => [a.origin, a.target.seq, a.result]), [[2, 1, 'accepted'], [2, 2, 'accepted']]);
  // it stopped searching after the recall and searched again after the resume
  const d2 = record!.coverage.filter((e) => e.drone === 2).map((e) => e.atS);
  assert.ok(d2.some((s) => s > resumeAt! + 30), `drone 2 never searched after the resume at ${resumeAt} s`);
  assert.ok(r.coverage_pct >= 99.5, `coverage ${r.coverage_pct}`);
});
