import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { Authorship, DEFAULT_AUTHORSHIP } from '../../src/gossip/authorship.js';
import { encodeControl, HB_EPOCH_S } from '../../src/gossip/control.js';
import { defaultGossipConfig, GossipNode } from '../../src/gossip/engine.js';
import { simIdentity, simKeyring, simWireCodecs } from '../../src/sim/radio/swarm.js';
import { attestFacts } from '../../src/wire/attestation.js';
import { mayAct } from '../../src/wire/authority.js';
import type { CommandFact, Fact, StatusFact, SupersedeFact, VictimFact } from '../../src/wire/facts.js';
import { signingKeyOf } from '../../src/wire/keyring.js';

// Members 1..4 honest (1 is the operator: a ground station), 9 a compromised member holding the swarm key
// and its own identity.
const MEMBERS = [1, 2, 3, 4, 9];
const keyring = simKeyring(MEMBERS, [1]);
const codecs = simWireCodecs(4, [9]);
const RX = { rssi: -90, snr: 5 };

function node(id: number, authorship: boolean, now = 0, over: Parameters<typeof defaultGossipConfig>[1] = {}): GossipNode {
  let seq = 2 ** 31;
  const auth = authorship
    ? new Authorship(id, keyring, { signingKey: signingKeyOf(simIdentity(id)), nextAttestSeq: () => ++seq }, DEFAULT_AUTHORSHIP, now)
    : undefined;
  return new GossipNode(defaultGossipConfig(id, over), codecs(id), seededRandom(`auth-test/${id}`), now, auth);
}

const attacker = codecs(9);
const forge = (facts: Fact[], time: number, control?: Uint8Array) => attacker.seal({ time, facts, ...(control ? { control } : {}) });

const victim = (origin: number, seq: number, t: number, count = 1): VictimFact => ({
  kind: 'victim', origin, seq, t, pos: { x: 100, y: 200 }, count, condition: 'injured', confidence: 80,
});
const land: CommandFact = { kind: 'command', origin: 1, seq: 7, t: 100, target: 0, action: 'land' };
const lost = (origin: number, t: number, seq: number): StatusFact => ({
  kind: 'status', origin, seq, t, pos: { x: 0, y: 0 }, alt: 0, battery: 0, mode: 9, armed: false, activity: 'fc_lost', sector: -1, heading: 0,
});

test('facts forged in another member\'s name are neither stored nor acted on; without authorship they were', () => {
  for (const authorship of [false, true]) {
    const a = node(3, authorship);
    const acts = a.receive(forge([victim(2, 5, 100), land, lost(4, 100, 2 ** 32 - 1)], 100), RX, 100);
    const obeyed = acts.learned.filter((f) => mayAct(f, (id) => keyring.isOperator(id)) && f.kind === 'command');
    if (!authorship) {
      // the hole this closes: a member's forgeries were stored as the station's and the drone's own
      assert.ok(a.knows(land) && a.knows(victim(2, 5, 100)) && obeyed.length === 1);
      continue;
    }
    assert.equal(a.knows(land), false, 'forged command stored');
    assert.equal(a.knows(victim(2, 5, 100)), false, 'forged victim stored');
    assert.equal(obeyed.length, 0, 'a forged "land, all" was passed on to the agent');
    assert.equal(a.store.latestStatus(4), undefined, 'a forged loss of drone 4 was taken');
    assert.deepEqual(acts.provisional.map((f) => f.kind), ['victim'], 'only the harmless sighting may be used before proof');
    // a forged attestation for them does not verify
    const fake = attestFacts({ origin: 1, seq: 2 ** 31 + 1, t: 100 }, [land], undefined, signingKeyOf(simIdentity(9)));
    a.receive(forge([fake], 101), RX, 101);
    assert.equal(a.knows(land), false);
    assert.ok(a.stats.rejects.counts.bad_tag >= 1);
    // and they are dropped once they have waited longer than any attestation takes
    a.tick(100 + DEFAULT_AUTHORSHIP.holdS + 1);
    assert.equal(a.auth!.heldFacts().length, 0);
  }
});

test('a real fact is proven by its origin\'s attestation even when a forgery of the same id came first', () => {
  const origin = node(2, true);
  const a = node(3, true);
  const real = victim(2, 5, 100, 3);
  a.receive(forge([victim(2, 5, 99, 200)], 100), RX, 100); // the forgery races ahead with a 200-person count
  origin.addLocal(real, 100);
  let proven: Fact[] = [];
  for (let t = 100; t < 100 + DEFAULT_AUTHORSHIP.attestAfterS + 60; t += 5) {
    origin.tick(t);
    for (;;) {
      const bytes = origin.wantsToTransmit(t) ? origin.transmit(t) : undefined;
      if (!bytes) break;
      proven = [...proven, ...a.receive(bytes, RX, t).learned];
    }
  }
  assert.ok(a.knows(real), 'the real fact was never proven');
  assert.equal((a.store.get(real)!.fact as VictimFact).count, 3, 'the forgery was stored instead of the real fact');
  assert.ok(proven.some((f) => f.kind === 'victim' && f.count === 3));
  assert.ok(a.auth!.counts.forged >= 1);
  assert.ok(a.membership().some((m) => m.id === 2 && m.state === 'alive'), 'the signed heartbeat keeps its origin alive');
});

test('fact times beyond now plus the skew are refused, even under a valid signature (far-future supersede)', () => {
  const a = node(3, true);
  const far: SupersedeFact = { kind: 'supersede', origin: 9, seq: 3, t: 2 ** 31 - 1, target: { origin: 2, seq: 5 }, outcome: 'withdrawn' };
  const att = attestFacts({ origin: 9, seq: 2 ** 31 + 1, t: 200 }, [far], undefined, signingKeyOf(simIdentity(9)));
  a.receive(forge([far, att], 200), RX, 200);
  assert.equal(a.knows(far), false);
  assert.ok(a.stats.rejects.counts.out_of_range >= 1);
  // and a drone's own (proven) withdrawal of another's report commands nothing
  assert.equal(mayAct({ ...far, t: 200 }, (id) => keyring.isOperator(id)), false);
});

test('vouching in heartbeat records keeps no silent member alive', () => {
  for (const authorship of [false, true]) {
    const a = node(3, authorship);
    // drone 4 was heard once, then went silent; the attacker vouches for it every minute
    a.receive(codecs(4).seal({ time: 10, facts: [] }), RX, 10);
    for (let t = 60; t <= 2400; t += 60) {
      const hb = encodeControl([{ type: 'hb', epoch: Math.floor(t / HB_EPOCH_S), entries: [{ id: 9, age: 0 }, { id: 4, age: 0 }] }]);
      a.receive(forge([], t, hb), RX, t);
      a.tick(t);
    }
    const four = a.membership().find((m) => m.id === 4);
    if (authorship) assert.notEqual(four?.state, 'alive', 'kept alive by another\'s word');
    else assert.equal(four?.state, 'alive'); // the hole this closes
  }
});

test('empty HAVE lists and huge summaries cannot make a node spend more than its answer budget', () => {
  const airtime: number[] = [];
  const budgets: { refused: number; usedShare: number }[] = [];
  for (const [authorship, attacked] of [[false, true], [true, true], [true, false]] as const) {
    // (own facts re-sent for want of any holder are this node's own traffic, not an answer: off here)
    const a = node(3, authorship, 0, { ownRetries: 0 });
    for (let s = 1; s <= 40; s++) a.addLocal(victim(3, s, s), s); // something to be asked for
    let t = 0;
    for (; t < 3600; t += 10) {
      const claims = encodeControl([{ type: 'sum', count: 2 ** 32 - 1, hash: 1 }, ...[1, 2, 3, 4].map((o) => ({ type: 'have' as const, origin: o === 3 ? 3 : o, seqs: [] }))]);
      if (attacked) a.receive(forge([], t, claims), RX, t);
      a.tick(t);
      for (let k = 0; k < 5; k++) if (a.wantsToTransmit(t + k)) a.transmit(t + k);
    }
    airtime.push(a.stats.airtimeS);
    budgets.push(a.answerBudget(t));
  }
  const [legacy, budgeted, quiet] = airtime as [number, number, number];
  // the duty budget is 34.2 s an hour; what claims can draw is at most 30% of it (answers and the digests a
  // claim that we are behind makes us send); unbudgeted, they drew the node to its duty cap
  const cap = 0.3 * 34.2;
  assert.ok(budgeted - quiet <= cap * 1.05, `claims drew ${(budgeted - quiet).toFixed(1)} s of answers (cap ${cap.toFixed(1)})`);
  assert.ok(legacy - quiet > cap * 1.5, `unbudgeted: ${(legacy - quiet).toFixed(1)} s`);
  // what bench attack reports: the claims (all from one id) took that requester's whole share, a third of the
  // answer budget, and had every further answer refused; quiet, nothing was refused
  assert.ok(budgets[1]!.usedShare >= 0.3 && budgets[1]!.refused > 1000, JSON.stringify(budgets[1]));
  assert.ok(budgets[2]!.usedShare < 0.3 && budgets[2]!.refused === 0, JSON.stringify(budgets[2]));
});

test('a flood of facts forged in a member\'s name does not get that member throttled as a flooder', () => {
  for (const authorship of [false, true]) {
    const a = node(3, authorship);
    // 40 forged victims "from drone 2" within a few minutes: past the 30-per-10-minutes limit
    for (let i = 0; i < 40; i++) a.receive(forge([victim(2, 100 + i, 10 + i)], 10 + i), RX, 10 + i);
    const flagged = a.reports().some((r) => r.sender === 2 && r.reason === 'flooding');
    if (!authorship) {
      assert.ok(flagged, 'the unauthenticated origin field got drone 2 throttled'); // the hole this closes
      continue;
    }
    assert.equal(flagged, false, 'drone 2 reported as a flooder on forged facts');
    // drone 2's real fact and attestation still get through and are proven
    const origin = node(2, true, 0);
    const real = victim(2, 3, 60, 2);
    origin.addLocal(real, 60);
    for (let t = 60; t < 60 + DEFAULT_AUTHORSHIP.attestAfterS + 60; t += 5) {
      origin.tick(t);
      for (;;) {
        const bytes = origin.wantsToTransmit(t) ? origin.transmit(t) : undefined;
        if (!bytes) break;
        a.receive(bytes, RX, t);
      }
    }
    assert.ok(a.knows(real) && (a.store.get(real)!.fact as VictimFact).count === 2);
  }
});
