import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { SF9_125, EU868_1PCT } from '../../src/gossip/airtime.js';
import { minExpectedTransmissions } from '../../src/sim/radio/bound.js';
import { RadioMedium, type ChannelHarshness, type RadioEndpoint } from '../../src/sim/radio/medium.js';
import { fixed } from '../../src/sim/radio/mobility.js';
import { DEFAULT_PROPAGATION } from '../../src/sim/radio/propagation.js';
import { runSwarm, simWireCodecs } from '../../src/sim/radio/swarm.js';
import { scenario } from '../../bench/gossip.js';

test('the bound: one lossy link, a chain, and a star with lossy links', () => {
  // 0 → 1 at 80%: 1.25 expected transmissions
  assert.ok(Math.abs(minExpectedTransmissions([[0, 0.8], [0.8, 0]], [0], [1]).value - 1.25) < 1e-9);
  // 0 → 1 → 2, perfect links, 0 cannot reach 2: two transmissions (the layer cut forces the relay)
  const chain = [[0, 1, 0], [1, 0, 1], [0, 1, 0]];
  assert.ok(Math.abs(minExpectedTransmissions(chain, [0], [1, 2]).value - 2) < 1e-9);
  // a source reaching three nodes at 50% each: every one needs 2 expected receptions
  const star = [[0, 0.5, 0.5, 0.5], [0.5, 0, 0, 0], [0.5, 0, 0, 0], [0.5, 0, 0, 0]];
  assert.ok(Math.abs(minExpectedTransmissions(star, [0], [1, 2, 3]).value - 2) < 1e-9);
  // a node no link reaches is left out
  assert.equal(minExpectedTransmissions([[0, 0], [0, 0]], [0], [1]).reached, 0);
});

test('the bound never exceeds what a real strategy spends (random lossy topologies, simulated)', () => {
  const r = seededRandom('bound-vs-strategy');
  for (let trial = 0; trial < 5; trial++) {
    const n = 8;
    const pts = Array.from({ length: n }, () => ({ x: r.range(0, 2000), y: r.range(0, 2000) }));
    const p = pts.map((a, i) => pts.map((b, j) => (i === j ? 0 : Math.max(0, 0.9 - Math.hypot(a.x - b.x, a.y - b.y) / 1500))));
    const { value, reached } = minExpectedTransmissions(p, [0], [1, 2, 3, 4, 5, 6, 7]);
    if (reached < 7) continue;
    // strategy with perfect knowledge: the holder that reaches the most missing nodes in expectation sends
    let total = 0;
    const runs = 2000;
    for (let k = 0; k < runs; k++) {
      const has = new Array<boolean>(n).fill(false);
      has[0] = true;
      let tx = 0;
      while (has.some((h) => !h) && tx < 1000) {
        let best = 0;
        let bestGain = -1;
        for (let i = 0; i < n; i++) {
          if (!has[i]) continue;
          const gain = p[i]!.reduce((s, q, j) => s + (has[j] ? 0 : q), 0);
          if (gain > bestGain) (bestGain = gain), (best = i);
        }
        tx++;
        const got = p[best]!.map((q, j) => !has[j] && r.chance(q));
        got.forEach((g, j) => g && (has[j] = true));
      }
      total += tx;
    }
    assert.ok(value <= total / runs + 0.05, `bound ${value.toFixed(2)} over a strategy's ${(total / runs).toFixed(2)}`);
    assert.ok(value >= 1, 'the source sends at least once');
  }
});

/** A receiver that counts what it hears. */
function ear(): RadioEndpoint & { heard: number } {
  return { heard: 0, nextWakeAt: () => Infinity, wake() {}, wantsToTransmit: () => false, transmit: () => undefined, hear() { this.heard++; } };
}

function medium(harsh: ChannelHarshness | undefined, extraLoss = 0) {
  return new RadioMedium(
    { lora: SF9_125, propagation: { ...DEFAULT_PROPAGATION, shadowingDb: 0, fadingDb: 0 }, extraLoss, duty: EU868_1PCT, lbtBackoffS: [0.05, 0.6], ...(harsh ? { harsh } : {}) },
    seededRandom('medium-test'),
  );
}

test('summed interference: two interferers each 7 dB under a packet destroy it together, one at a time they did not', () => {
  const heard = (summed: boolean) => {
    const m = medium(summed ? { summedInterference: true } : undefined);
    const rx = ear();
    m.addNode(1, fixed({ x: 0, y: 0 }), rx);
    // 7 dB under at path-loss exponent 2.8: 10^(7/28) ≈ 1.78 times farther
    m.addNode(2, fixed({ x: 500, y: 0 }), undefined, true);
    m.addNode(3, fixed({ x: -889, y: 0 }), undefined, true);
    m.addNode(4, fixed({ x: 0, y: 889 }), undefined, true);
    m.linkFilter = (a, b) => a === 1 || b === 1; // the senders do not hear each other (no listen-before-talk)
    m.at(1, () => {
      m.sendRaw(2, new Uint8Array(30));
      m.sendRaw(3, new Uint8Array(30));
      m.sendRaw(4, new Uint8Array(30));
    });
    m.run(10);
    return rx.heard;
  };
  assert.equal(heard(false), 1, 'compared one at a time, the strong packet is captured');
  assert.equal(heard(true), 0, 'summed, the interferers are only 4 dB under it');
});

test('bursty loss keeps the mean loss but losses come in runs', () => {
  const run = (bursty: boolean) => {
    const m = medium(bursty ? { burstyLoss: { meanGoodS: 16, meanBadS: 4, lossBad: 0.8 } } : undefined, 0.2);
    const got: boolean[] = [];
    let last = 0;
    const rx = ear();
    rx.hear = () => void (rx.heard++);
    m.addNode(1, fixed({ x: 0, y: 0 }), rx);
    m.addNode(2, fixed({ x: 300, y: 0 }), undefined, true);
    for (let i = 0; i < 4000; i++)
      m.at(1 + i * 0.5, () => {
        m.sendRaw(2, new Uint8Array(10));
        m.at(m.now + 0.3, () => {
          got.push(rx.heard > last);
          last = rx.heard;
        });
      });
    m.run(2100);
    const loss = got.filter((g) => !g).length / got.length;
    let afterLoss = 0;
    let lostAfterLoss = 0;
    for (let i = 1; i < got.length; i++) if (!got[i - 1]) (afterLoss++, !got[i] && lostAfterLoss++);
    return { loss, lossAfterLoss: lostAfterLoss / afterLoss };
  };
  const plain = run(false);
  const burst = run(true);
  assert.ok(Math.abs(plain.loss - 0.2) < 0.03 && Math.abs(burst.loss - 0.2) < 0.05, `mean loss ${plain.loss} / ${burst.loss}`);
  assert.ok(plain.lossAfterLoss < 0.3, `independent: ${plain.lossAfterLoss}`);
  assert.ok(burst.lossAfterLoss > 0.5, `bursty: a loss follows a loss ${burst.lossAfterLoss} of the time`);
});

test('fair flooding sends its own status at most every 300 s; the stress baseline floods every one offered', () => {
  const count = (protocol: 'flooding-fair' | 'flooding-stress') => {
    const observer = simWireCodecs(6, [999])(999);
    let own = 0;
    const sc = scenario(protocol, 6, 1, 1200, 0);
    runSwarm({
      ...sc, crashes: [], mobility: (id) => fixed({ x: 300 * id, y: 0 }),
      onTransmit: (id, bytes) => {
        const o = observer.open(bytes);
        if (o.ok && o.value.payload.facts.some((f) => f.kind === 'status' && f.origin === id)) own++;
      },
    });
    return own;
  };
  const fair = count('flooding-fair');
  const stress = count('flooding-stress');
  assert.ok(fair <= 6 * 5, `fair: ${fair} own status packets from 6 nodes in 20 minutes`);
  assert.ok(fair >= 6 * 3, `fair still sends them: ${fair}`);
  assert.ok(stress >= 6 * 35, `stress: ${stress}`);
});
