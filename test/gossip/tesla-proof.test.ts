import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { Authorship, DEFAULT_AUTHORSHIP, type AuthorshipConfig } from '../../src/gossip/authorship.js';
import { decodeControl, encodeControl } from '../../src/gossip/control.js';
import { defaultGossipConfig, GossipNode } from '../../src/gossip/engine.js';
import { simIdentity, simKeyChain, simKeyring, simWireCodecs } from '../../src/sim/radio/swarm.js';
import type { Fact, VictimFact } from '../../src/wire/facts.js';
import { signingKeyOf } from '../../src/wire/keyring.js';
import { disclosableAt, intervalOf, TESLA_TIMING } from '../../src/wire/tesla.js';

// Members 1..4 honest, 9 a compromised member holding the swarm key, its own identity and its own chain.
const keyring = simKeyring([1, 2, 3, 4, 9], [1]);
const codecs = simWireCodecs(4, [9]);
const RX = { rssi: -90, snr: 5 };
// MACed proof only: no signed attestation within these tests (they would prove the facts too)
const CFG: AuthorshipConfig = { ...DEFAULT_AUTHORSHIP, heartbeatS: 1e9, attestAfterS: 1e9, teslaStatusS: 1e9, livenessKeyS: 1e9 };

function node(id: number, cfg = CFG): GossipNode {
  let seq = 2 ** 31;
  const auth = new Authorship(id, keyring, { signingKey: signingKeyOf(simIdentity(id)), nextAttestSeq: () => ++seq, chain: simKeyChain(id) }, cfg, 0);
  return new GossipNode(defaultGossipConfig(id), codecs(id), seededRandom(`tesla-test/${id}`), 0, auth);
}

const victim = (origin: number, seq: number, t: number, count = 1): VictimFact => ({
  kind: 'victim', origin, seq, t, pos: { x: 100, y: 200 }, count, condition: 'injured', confidence: 80,
});

/** Runs `from` until `to`, every packet it sends handed to `deliver` (with its time). */
function run(from: GossipNode, t0: number, t1: number, deliver: (bytes: Uint8Array, t: number) => void): void {
  for (let t = t0; t < t1; t++) {
    from.tick(t);
    while (from.wantsToTransmit(t)) {
      const b = from.transmit(t);
      if (!b) break;
      deliver(b, t);
    }
  }
}

const keyRecords = (bytes: Uint8Array) => {
  const o = codecs(3).open(bytes);
  if (!o.ok || !o.value.payload.control) return [];
  const c = decodeControl(o.value.payload.control);
  return c.ok ? c.value.filter((r) => r.type === 'key') : [];
};

test('a tagged sighting is usable at once and proven (stored) once its origin lets the key out, about 90 s on', () => {
  const origin = node(2);
  const a = node(3);
  const real = victim(2, 5, 100, 3);
  origin.addLocal(real, 100);
  let firstProvisional: number | undefined;
  let provenAt: number | undefined;
  run(origin, 100, 600, (b, t) => {
    const acts = a.receive(b, RX, t);
    if (acts.provisional.some((f) => f.kind === 'victim')) firstProvisional ??= t;
    if (acts.learned.some((f) => f.kind === 'victim')) provenAt ??= t;
  });
  assert.equal(firstProvisional, 100, 'the sighting was not usable at once');
  assert.ok(provenAt !== undefined, 'never proven');
  // not before the key could be out, and within the piggyback wait after it
  const due = disclosableAt(intervalOf(100));
  assert.ok(provenAt! >= due && provenAt! <= due + 300, `proven at ${provenAt}, key due ${due}`);
  assert.equal((a.store.get(real)!.fact as VictimFact).count, 3);
});

test('a forgery with a made-up tag, first under the real fact\'s id, is never proven; the real fact is', () => {
  const origin = node(2);
  const a = node(3);
  const forger = codecs(9);
  // the attacker sends a 200-person victim as drone 2's fact 5 with a random tag, before drone 2 does
  const fake = victim(2, 5, 100, 200);
  const tags = encodeControl([{ type: 'tags', mask: 0, tags: new Uint8Array([1, 2, 3, 4]) }]);
  a.receive(forger.seal({ time: 100, facts: [fake], control: tags }), RX, 100);
  origin.addLocal(victim(2, 5, 100, 3), 101);
  run(origin, 101, 700, (b, t) => a.receive(b, RX, t));
  const held = a.store.get({ origin: 2, seq: 5 });
  assert.ok(held, 'the real fact was never proven');
  assert.equal((held.fact as VictimFact).count, 3, 'the forgery was stored');
  assert.ok(a.auth!.counts.forged >= 1);
});

test('a copy heard only after its key could be out proves nothing (a forger knows the key by then)', () => {
  const origin = node(2);
  const late = node(3);
  const real = victim(2, 5, 100);
  origin.addLocal(real, 100);
  const sent: { b: Uint8Array; t: number }[] = [];
  run(origin, 100, 700, (b, t) => sent.push({ b, t }));
  // node 3 hears every packet, but 150 s late: the fact after its key was due
  for (const { b, t } of sent) late.receive(b, RX, t + 150);
  assert.equal(late.knows(real), false, 'a late copy was taken as proven');
  assert.ok(late.auth!.heldFacts().some((f) => f.seq === 5), 'the late copy is still held (usable as a sighting)');
});

test('a key that does not hash to its chain, or comes before its time, is refused and proves nothing', () => {
  const a = node(3);
  const forger = codecs(9);
  const fact = victim(2, 5, 100);
  a.receive(forger.seal({ time: 100, facts: [fact], control: encodeControl([{ type: 'tags', mask: 0, tags: new Uint8Array(4) }]) }), RX, 100);
  const i = intervalOf(100);
  // a made-up key for the right interval, and the real key of a later interval too early
  a.receive(forger.seal({ time: 200, facts: [], control: encodeControl([{ type: 'key', origin: 2, interval: i, key: new Uint8Array(8).fill(7) }]) }), RX, 200);
  const early = simKeyChain(2).key(i + 50)!;
  a.receive(forger.seal({ time: 201, facts: [], control: encodeControl([{ type: 'key', origin: 2, interval: i + 50, key: early }]) }), RX, 201);
  assert.equal(a.knows(fact), false);
  assert.equal(a.auth!.tesla.counts.keysRefused, 2);
  assert.equal(a.auth!.tesla.keyFor(2, i), undefined);
});

test('a member is alive on its own keys; a crashed member\'s keys replayed by another keep it alive no longer', () => {
  const cfg = { ...CFG, livenessKeyS: 300 };
  const two = node(2, cfg);
  const a = node(3, cfg);
  const keys: Uint8Array[] = [];
  run(two, 0, 1200, (b, t) => {
    a.receive(b, RX, t);
    if (keyRecords(b).length) keys.push(b);
  });
  assert.ok(keys.length >= 2, `drone 2 let out ${keys.length} keys in 20 minutes`);
  assert.equal(a.membership().find((m) => m.id === 2)?.state, 'alive');
  // drone 2 crashes at 1200 s; member 9 replays its packets' keys every minute (re-sealed as its own)
  const forger = codecs(9);
  const last = keyRecords(keys[keys.length - 1]!);
  for (let t = 1200; t < 1200 + 1800; t += 60) {
    a.receive(forger.seal({ time: t, facts: [], control: encodeControl(last) }), RX, t);
    a.tick(t);
  }
  assert.notEqual(a.membership().find((m) => m.id === 2)?.state, 'alive', 'kept alive by replayed keys');
});

test('the interval timing stated in docs/wire.md', () => {
  assert.deepEqual(TESLA_TIMING, { intervalS: 10, discloseAfterS: 90, maxClockErrorS: 2 });
  const f: Fact = victim(2, 1, 0);
  assert.equal(intervalOf(f.t), 1);
});

test('a tagged status is proven once its key is out (others may act on it); an untagged one never is', () => {
  const two = node(2, { ...CFG, teslaStatusS: 600 });
  const a = node(3);
  const status = (seq: number, t: number): Fact => ({
    kind: 'status', origin: 2, seq, t, pos: { x: 10, y: 20 }, alt: 50, battery: 90, mode: 3, armed: true, activity: 'searching', sector: 1, heading: 0,
  });
  two.addLocal(status(1, 20), 20);
  run(two, 20, 500, (b, t) => a.receive(b, RX, t)); // on air tagged: the first in a while (key out within 400 s)
  assert.equal(a.store.latestStatus(2)?.seq, 1, 'the tagged status was not proven');
  two.addLocal(status(2, 500), 500);
  run(two, 500, 1000, (b, t) => a.receive(b, RX, t)); // on air untagged: within teslaStatusS of the first
  assert.equal(a.store.latestStatus(2)?.seq, 1, 'an untagged status was taken');
});
