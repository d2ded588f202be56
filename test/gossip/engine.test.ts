/** The pure engine, driven by hand: what a ground station or a drone agent relies on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { maxWindowFraction, loraTimeOnAir, SF9_125 } from '../../src/gossip/airtime.js';
import { decodeControl } from '../../src/gossip/control.js';
import { defaultGossipConfig, GossipNode } from '../../src/gossip/engine.js';
import { simWireCodecs } from '../../src/sim/radio/swarm.js';
import type { Fact, StatusFact, VictimFact } from '../../src/wire/facts.js';

const codecs = simWireCodecs(9);
const node = (id: number, over = {}) => new GossipNode(defaultGossipConfig(id, over), codecs(id), seededRandom(id), 0);
const rx = { rssi: -100, snr: 0 };
const status = (origin: number, seq: number, t: number): StatusFact => ({
  kind: 'status', origin, seq, t, pos: { x: 100, y: 100 }, alt: 50, battery: 90, mode: 4, armed: true, activity: 'searching', sector: 1, heading: 0,
});
const victim = (origin: number, seq: number, t: number): VictimFact => ({
  kind: 'victim', origin, seq, t, pos: { x: 10 * seq, y: 5 }, count: 1, condition: 'injured', confidence: 80,
});
const opener = codecs(9);
const factsIn = (bytes: Uint8Array): Fact[] => {
  const o = opener.open(bytes);
  assert.ok(o.ok, 'packet opens');
  return [...o.value.payload.facts];
};

test('a local victim goes out at once; a newer status supersedes the older one, never sent twice', () => {
  const a = node(1);
  a.setPosition({ x: 0, y: 0 });
  a.addLocal(status(1, 1, 0), 0);
  a.addLocal(status(1, 2, 5), 5);
  a.addLocal(victim(1, 3, 6), 6);
  assert.ok(a.wantsToTransmit(6));
  const facts = factsIn(a.transmit(6)!);
  assert.deepEqual(facts.filter((f) => f.kind === 'victim').map((f) => f.seq), [3]);
  assert.deepEqual(facts.filter((f) => f.kind === 'status').map((f) => f.seq), [2], 'only the newest status');
  // A relay of the old status arriving later is not news.
  const b = node(2);
  b.addLocal(status(1, 2, 5), 5); // pretend b holds the newer one already (as if heard)
  assert.equal(b.knows({ origin: 1, seq: 1, kind: 'status' }), true, 'an older status counts as known');
});

/** Reception as the path loss of a 1.5 km median range would give it at `d` metres. */
const rxAt = (d: number) => ({ rssi: -120, snr: -12.5 + 28 * Math.log10(1500 / d) });
/** A node's first packet (a heartbeat: its position rides in it), for others to know it as a neighbour. */
const beacon = (n: GossipNode, from = 0) => n.transmit(n.nextWakeAt(from))!;

test('a received victim is relayed by a node that reaches neighbours the sender did not, not by one whose neighbours all heard it; a copy covering them cancels a planned relay', () => {
  const a = node(1);
  const b = node(2);
  const [c1, c2] = [node(3), node(6)];
  a.setPosition({ x: 0, y: 0 });
  b.setPosition({ x: 1400, y: 0 });
  c1.setPosition({ x: 2400, y: 0 });
  c2.setPosition({ x: 2400, y: 300 });
  // b knows c1 and c2, beyond a's reach
  const beacons = [beacon(c1), beacon(c2)];
  for (const x of beacons) b.receive(x, rxAt(1000), 10);
  beacon(a);
  beacon(b); // their own heartbeats out of the way
  a.addLocal(victim(1, 1, 20), 20);
  const p1 = a.transmit(20)!;
  const learned = b.receive(p1, rxAt(1400), 21).learned;
  assert.deepEqual(learned.map((f) => `${f.origin}:${f.seq}`), ['1:1']);
  // b reaches two neighbours a did not: it relays within a few slots
  const wake = b.nextWakeAt(21);
  assert.ok(wake > 21 && wake < 21 + 5, `relay planned at ${wake}`);
  assert.ok(b.wantsToTransmit(wake));
  const relay = b.transmit(wake)!;
  assert.ok(factsIn(relay).some((f) => f.kind === 'victim' && f.seq === 1));
  assert.deepEqual(c1.receive(relay, rxAt(1000), wake + 1).learned.map((f) => f.kind), ['victim']);
  // b never relays it again on its own.
  assert.equal(b.wantsToTransmit(wake + 100), false);
  // A node right next to the origin, whose only other neighbour is next to it too, adds nothing: no relay.
  const d = node(4);
  const near = node(7);
  d.setPosition({ x: 50, y: 0 });
  near.setPosition({ x: 100, y: 100 });
  d.receive(beacon(near), rxAt(100), 10);
  beacon(d);
  d.receive(p1, rxAt(50), 21);
  for (let t = 21; t < 80; t += 0.5) if (d.wantsToTransmit(t)) assert.ok(!factsIn(d.transmit(t)!).some((f) => f.kind === 'victim'), 'no relay next to the sender');
  // A node beside b, knowing the same far neighbours, planned a relay too, then heard b's: b reached them, so
  // it stands down.
  const e = node(5);
  e.setPosition({ x: 1450, y: 100 });
  for (const x of beacons) e.receive(x, rxAt(1000), 10);
  beacon(e);
  e.receive(p1, rxAt(1450), 21);
  assert.ok(e.nextWakeAt(21) < 21 + 5, 'e plans a relay');
  e.receive(relay, rxAt(100), Math.min(wake, e.nextWakeAt(21)) - 0.01);
  for (let t = 21; t < 80; t += 0.5) {
    if (!e.wantsToTransmit(t)) continue;
    assert.ok(!factsIn(e.transmit(t)!).some((f) => f.kind === 'victim'), 'suppressed by the copy heard');
  }
});

test('with urgent relaying on, a node next to the sender still relays a sighting, until it hears enough copies; a second round follows', () => {
  const a = node(1);
  a.setPosition({ x: 0, y: 0 });
  a.addLocal(victim(1, 1, 0), 0);
  const p1 = a.transmit(0)!;
  const relays = (d: GossipNode, from: number, window = 60) => {
    for (let t = from; t < from + window; t += 0.5) if (d.wantsToTransmit(t) && factsIn(d.transmit(t)!).some((f) => f.kind === 'victim')) return true;
    return false;
  };
  // the geometry says a node 50 m from the sender adds nothing; with urgent relaying it relays anyway
  const near = node(4, { urgentPriority: 0, urgentCopies: 3 });
  near.setPosition({ x: 50, y: 0 });
  near.receive(p1, rx, 1);
  assert.equal(relays(near, 1), true);
  // coverage reports keep the geometric rule
  const cov = node(5, { urgentPriority: 0, urgentCopies: 3 });
  cov.setPosition({ x: 50, y: 0 });
  a.addLocal({ kind: 'coverage', origin: 1, seq: 2, t: 2, cells: [1, 2, 3] }, 2);
  const p2 = a.transmit(a.nextWakeAt(2))!;
  assert.ok(factsIn(p2).some((f) => f.kind === 'coverage'));
  cov.receive(p2, rx, 3);
  for (let t = 3; t < 63; t += 0.5) if (cov.wantsToTransmit(t)) assert.ok(!factsIn(cov.transmit(t)!).some((f) => f.kind === 'coverage'));
  // three copies heard before its turn: it stands down
  const quiet = node(6, { urgentPriority: 0, urgentCopies: 3 });
  quiet.setPosition({ x: 50, y: 0 });
  quiet.receive(p1, rx, 1);
  const others = [node(7, { urgentPriority: 0 }), node(8, { urgentPriority: 0 }), node(2, { urgentPriority: 0 })].map((n, i) => {
    n.receive(p1, rx, 1);
    n.setPosition({ x: 3000 * (i + 1), y: 0 });
    return n;
  });
  // each of the others relays it (their position unknown to the geometry); quiet hears all three at once
  for (const o of others)
    for (let t = 1; t < 60; t += 0.25) {
      const bytes = o.wantsToTransmit(t) ? o.transmit(t) : undefined;
      if (bytes && factsIn(bytes).some((f) => f.kind === 'victim')) {
        quiet.receive(bytes, rx, 1.01);
        break;
      }
    }
  // three copies heard before its turn: it stands down for this round...
  assert.equal(relays(quiet, 1.02, 19), false);
  // ...and sends it in the second round, 20–40 s on, having heard no copy since (a member that lost the first
  // round to collisions gets another chance)
  assert.equal(relays(quiet, 21, 25), true);
  // no third round
  assert.equal(relays(quiet, 46, 120), false);
});

test('delivery visibility: holders are the senders heard with the fact and neighbours whose summary matches', () => {
  const a = node(1);
  const b = node(2);
  a.setPosition({ x: 0, y: 0 });
  b.setPosition({ x: 1400, y: 0 });
  a.addLocal(victim(1, 1, 0), 0);
  b.receive(a.transmit(0)!, rx, 1);
  // b relays: a hears the fact from b, and b's summary now equals a's.
  const t = b.nextWakeAt(1);
  a.receive(b.transmit(t)!, rx, t + 1);
  assert.deepEqual(a.holdersOf({ origin: 1, seq: 1 }), [1, 2]);
  assert.deepEqual(b.holdersOf({ origin: 1, seq: 1 }), [1, 2]);
  assert.deepEqual(a.holdersOf({ origin: 7, seq: 7 }), [], 'unknown fact: nobody known');
});

test('victims go first when the duty budget is short, and the budget is never exceeded', () => {
  const a = node(1, { budgetShare: 1 });
  a.setPosition({ x: 0, y: 0 });
  const sent: [number, number][] = [];
  const victimsSent = new Set<number>();
  let statusesSent = 0;
  let statuses = 0;
  const victims: number[] = [];
  let seq = 0;
  // Three hours of a node given far more than it may send: a victim every 20 s and a status every 30 s.
  for (let t = 0; t < 3 * 3600; t++) {
    if (t % 30 === 0) {
      a.addLocal(status(1, ++seq, t), t);
      statuses++;
    }
    if (t % 20 === 0) {
      a.addLocal(victim(1, ++seq, t), t);
      if (t < 3 * 3600 - 1800) victims.push(seq);
    }
    a.tick(t);
    if (!a.wantsToTransmit(t)) continue;
    const bytes = a.transmit(t);
    if (!bytes) continue;
    sent.push([t, loraTimeOnAir(bytes.length, SF9_125)]);
    for (const f of factsIn(bytes)) {
      if (f.kind === 'victim') victimsSent.add(f.seq);
      else if (f.kind === 'status') statusesSent++;
    }
  }
  assert.ok(maxWindowFraction(sent, 3600) <= 0.01 + 1e-9, `worst hour ${maxWindowFraction(sent, 3600)}`);
  assert.ok(victims.every((v) => victimsSent.has(v)), `every victim went out: ${victims.filter((v) => !victimsSent.has(v)).length} of ${victims.length} missing, ${sent.length} packets`);
  assert.ok(statusesSent < statuses / 5, `status waits: ${statusesSent} of ${statuses} sent`);
});

test('bad input never throws: garbage and replays are typed, counted rejections', () => {
  const a = node(1);
  const b = node(2);
  a.setPosition({ x: 0, y: 0 });
  a.addLocal(victim(1, 1, 0), 0);
  const p = a.transmit(0)!;
  b.receive(p, rx, 1);
  assert.deepEqual(b.receive(p, rx, 2).learned, [], 'a replay teaches nothing');
  assert.equal(b.stats.rejects.counts.replay, 1);
  const rnd = seededRandom('garbage');
  for (let i = 0; i < 500; i++) {
    const junk = Uint8Array.from({ length: 1 + rnd.int(255) }, () => rnd.int(256));
    b.receive(junk, rx, 3 + i);
  }
  assert.ok(b.stats.rejects.total >= 500);
  const flipped = p.slice();
  flipped[8] = flipped[8]! ^ 0xff;
  b.receive(flipped, rx, 600);
  assert.ok(b.stats.rejects.counts.bad_tag + b.stats.rejects.counts.replay >= 2);
});

test('same count, different facts, next to a quiet member: with tieAskAfterSettles the quiet one asks, and both end up with both', () => {
  // a: an active member, heard every 20 s; b: a landed drone that does not beacon again within the test (a
  // missed its boot heartbeat: it came into range at 30 s). Each holds one sighting the other lacks, so their
  // summaries have the same count. b's hash is the larger: b is "ahead" on the tie, and a, which never hears
  // b, cannot ask.
  const run = (tieAskAfterSettles: number) => {
    const a = node(1, { beaconIntervalS: 20, tieAskAfterSettles });
    const b = node(2, { beaconIntervalS: 1e6, tieAskAfterSettles });
    const fa = victim(3, 1, 0);
    let fb = victim(4, 1, 0);
    a.store.addDurable(fa, 0);
    for (let seq = 1; ; seq++) {
      fb = victim(4, seq, 0);
      const probe = node(2);
      probe.store.addDurable(fb, 0);
      if (probe.store.hash > a.store.hash) break;
    }
    b.store.addDurable(fb, 0);
    assert.equal(a.store.count, b.store.count);
    let bHeard = 0;
    for (let now = 1; now <= 400; now += 0.5) {
      a.tick(now);
      b.tick(now);
      if (a.wantsToTransmit(now)) {
        const p = a.transmit(now);
        if (p) b.receive(p, rx, now + 0.3);
      }
      if (b.wantsToTransmit(now)) {
        const p = b.transmit(now);
        if (p && now > 30) {
          bHeard++;
          a.receive(p, rx, now + 0.3);
        }
      }
    }
    return { a, b, fa, fb, bHeard };
  };
  const off = run(0);
  assert.equal(off.bHeard, 0, 'without it the quiet member is never heard');
  assert.equal(off.b.knows(off.fa), false);
  assert.equal(off.a.knows(off.fb), false);
  const on = run(4);
  assert.ok(on.bHeard > 0);
  assert.equal(on.b.knows(on.fa), true, 'the quiet member learned the sighting it lacked');
  assert.equal(on.a.knows(on.fb), true, 'and the active one learned the quiet one\'s');
});

/**
 * a (empty) hears b and c; b and c hear a but not each other, so they cannot stand down for each other.
 * b beacons every 20 s (its summary shows a that it is behind); c (if there) only speaks to answer. `drop`
 * loses b's k-th packet carrying sightings on its way to a. Returns when a held everything and which of b
 * and c sent sightings.
 */
function catchUp(facts: number, opts: { followUps?: number; withC?: boolean; drop?: (k: number) => boolean; until: number }) {
  const over = { odgFollowUps: opts.followUps ?? 1 };
  const a = node(1, { beaconIntervalS: 1e6, ...over });
  const b = node(2, { beaconIntervalS: 20, ...over });
  const c = node(3, { beaconIntervalS: 1e6, ...over });
  const all = Array.from({ length: facts }, (_, i) => victim(5, i + 1, 0));
  for (const f of all) {
    b.store.addDurable(f, 0);
    c.store.addDurable(f, 0);
  }
  const sightingsFrom = { b: 0, c: 0 };
  const answering = opts.withC === false ? [['b', b]] as const : ([['b', b], ['c', c]] as const);
  let completeAt: number | undefined;
  for (let now = 1; now <= opts.until; now += 0.25) {
    for (const n of [a, b, c]) n.tick(now);
    if (a.wantsToTransmit(now)) {
      const p = a.transmit(now);
      if (p) for (const n of [b, c]) n.receive(p, rx, now + 0.3);
    }
    for (const [name, n] of answering) {
      if (!n.wantsToTransmit(now)) continue;
      const p = n.transmit(now);
      if (!p) continue;
      const carries = factsIn(p).some((f) => f.kind === 'victim');
      if (carries) sightingsFrom[name]++;
      if (name === 'b' && carries && opts.drop?.(sightingsFrom.b)) continue;
      a.receive(p, rx, now + 0.3);
    }
    if (completeAt === undefined && all.every((f) => a.knows(f))) completeAt = now;
  }
  return { completeAt, sightingsFrom };
}

test('a node far behind names one neighbour in its digest: that one answers, neighbours it cannot hear stay silent', () => {
  const far = catchUp(12, { until: 120 });
  assert.ok(far.completeAt !== undefined, 'a caught up');
  // the one named is whichever summary a heard last before asking
  assert.equal(Math.min(far.sightingsFrom.b, far.sightingsFrom.c), 0, 'only the one named answered: no second copy of every fact');
  assert.ok(far.sightingsFrom.b + far.sightingsFrom.c > 0);
  // A few facts behind, the digest is open to all: both answer (they cannot hear each other to stand down).
  const near = catchUp(5, { until: 120 });
  assert.ok(near.completeAt !== undefined);
  assert.ok(near.sightingsFrom.b > 0 && near.sightingsFrom.c > 0);
});

test('on a quiet channel, a digest answered in part is followed up at once instead of at the next summary', () => {
  // 30 facts take b two answer packets; the second one is lost. b's beacons keep coming every 20 s, so a
  // eventually asks again either way; with the follow-up it does so 20 s after its digest.
  const dropSecondAnswer = (k: number) => k === 2;
  const quick = catchUp(30, { withC: false, drop: dropSecondAnswer, until: 400 });
  const slow = catchUp(30, { withC: false, followUps: 0, drop: dropSecondAnswer, until: 400 });
  assert.ok(quick.completeAt !== undefined && slow.completeAt !== undefined, 'both catch up in the end');
  assert.ok(quick.completeAt + 30 < slow.completeAt, `followed up: complete at ${quick.completeAt} s, else ${slow.completeAt} s`);
});

const hasVictim = (p: { bytes: Uint8Array }) => factsIn(p.bytes).some((f) => f.origin === 1 && f.seq === 1);

/** Steps a node through [from, to) and returns the packets it puts on the air (each with its time). */
function airOf(n: GossipNode, from: number, to: number): { t: number; bytes: Uint8Array }[] {
  const out: { t: number; bytes: Uint8Array }[] = [];
  for (let t = from; t < to; t += 0.5) {
    n.tick(t);
    if (!n.wantsToTransmit(t)) continue;
    const bytes = n.transmit(t);
    if (bytes) out.push({ t, bytes });
  }
  return out;
}

test('an own victim nobody took up is sent again once someone is heard (not while alone), until a neighbour holds it', () => {
  const script = (over = {}) => {
    const a = node(1, over);
    const b = node(2);
    a.setPosition({ x: 0, y: 0 });
    b.setPosition({ x: 900, y: 0 });
    a.addLocal(victim(1, 1, 0), 0);
    assert.ok(hasVictim({ bytes: a.transmit(0)! }), 'sent at once (and lost: b never hears it)');
    // b, out of a's reach, sends others' sightings (so it holds more than a, and its summary does not show
    // that it lacks a's); then it comes into range and a hears its next packet (a beacon with its summary)
    b.addLocal(victim(3, 1, 100), 100);
    b.addLocal(victim(3, 2, 100), 100);
    b.addLocal(status(2, 1, 100), 100);
    b.transmit(100);
    const heard = airOf(b, 100.5, 1000)[0]!;
    const alone = airOf(a, 0.5, heard.t).filter(hasVictim);
    a.receive(heard.bytes, rx, heard.t);
    const resent = airOf(a, heard.t + 0.5, heard.t + 60).filter(hasVictim);
    return { a, b, alone, resent };
  };
  const { a, b, alone, resent } = script();
  assert.equal(alone.length, 0, 'alone, it keeps its budget');
  assert.ok(resent.length >= 1, 'sent again within a minute of hearing b');
  assert.deepEqual(b.receive(resent[0]!.bytes, rx, resent[0]!.t).learned.map((f) => f.kind), ['victim']);
  // from now on both hear each other: whatever b sends next (its summary) tells a that b holds it, and a
  // stops sending it
  let knownAt = Infinity;
  const after: number[] = [];
  for (let t = resent[0]!.t + 0.5; t < 1500; t += 0.5) {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      from.tick(t);
      if (!from.wantsToTransmit(t)) continue;
      const bytes = from.transmit(t);
      if (!bytes) continue;
      if (from === a && hasVictim({ bytes })) after.push(t);
      to.receive(bytes, rx, t);
    }
    if (knownAt === Infinity && a.holdersOf({ origin: 1, seq: 1 }).includes(2)) knownAt = t;
  }
  assert.ok(knownAt < 1000, `a learns that b holds it (${knownAt})`);
  assert.deepEqual(after.filter((t) => t > knownAt), [], 'and never sends it again');
  assert.equal(script({ ownRetries: 0 }).resent.length, 0, 'without retries it would have stayed with a');
});

test('a node that keeps asking for what it lacks still has the air to send a victim it sees itself', () => {
  const script = (over = {}) => {
    // a small budget (about 3 s an hour) to make the point quickly
    const a = node(1, { budgetShare: 0.0875, ownReserve: 0.4, ownOnlyReserve: 0.3, ...over });
    const b = node(2);
    a.setPosition({ x: 0, y: 0 });
    for (let s = 1; s <= 40; s++) b.addLocal(victim(3, s, 1), 1);
    const sum = (t: number) => {
      b.addLocal(status(2, t, t), t);
      b.tick(t);
      const bytes = b.transmit(t);
      if (bytes) a.receive(bytes, rx, t);
    };
    // b is ahead and heard every 20 s, never hearing a: a asks and asks
    let asked = 0;
    for (let t = 10; t < 3000; t += 0.5) {
      if (t % 20 === 10) sum(t);
      a.tick(t);
      if (a.wantsToTransmit(t) && a.transmit(t)) asked++;
    }
    a.addLocal(victim(1, 1, 3000), 3000);
    const sent = airOf(a, 3000, 3060).some(hasVictim);
    return { asked, used: a.airtimeUsed(3000), sent };
  };
  const { asked, used, sent } = script();
  assert.ok(asked >= 5, `it asked (${asked} packets, ${used.toFixed(2)} s)`);
  assert.ok(sent, 'its own victim went out');
  const greedy = script({ ownOnlyReserve: 0 });
  assert.equal(greedy.sent, false, `asking until the budget ran out (${greedy.used.toFixed(2)} s) would have kept the victim in`);
});

test('a digest answered with the newest facts of an origin when they explain the difference, with HAVE lists when not', () => {
  const exchange = (held: number[]) => {
    const a = node(1, { beaconIntervalS: 1e6 });
    const b = node(2, { beaconIntervalS: 20 });
    const all = Array.from({ length: 10 }, (_, i) => victim(5, i + 1, 0));
    for (const f of all) b.store.addDurable(f, 0);
    for (const s of held) a.store.addDurable(all[s - 1]!, 0);
    let haves = 0;
    let completeAt: number | undefined;
    for (let now = 1; now <= 300 && completeAt === undefined; now += 0.25) {
      for (const [from, to] of [[a, b], [b, a]] as const) {
        from.tick(now);
        if (!from.wantsToTransmit(now)) continue;
        const p = from.transmit(now);
        if (!p) continue;
        const o = opener.open(p);
        assert.ok(o.ok);
        const c = o.value.payload.control ? decodeControl(o.value.payload.control) : undefined;
        if (c?.ok) haves += c.value.filter((r) => r.type === 'have').length;
        to.receive(p, rx, now + 0.3);
      }
      if (all.every((f) => a.knows(f))) completeAt = now;
    }
    return { completeAt, haves };
  };
  // missed the newest four (away while they were made): they come at once, no HAVE list either way
  const newest = exchange([1, 2, 3, 4, 5, 6]);
  assert.ok(newest.completeAt !== undefined, 'caught up');
  assert.equal(newest.haves, 0);
  // missed four in the middle: the exact lists find them
  const middle = exchange([1, 2, 3, 4, 9, 10]);
  assert.ok(middle.completeAt !== undefined, 'caught up');
  assert.ok(middle.haves >= 2, `HAVE lists both ways (${middle.haves})`);
});

test('a neighbour whose summary lacks a victim learned 6 s ago gets it within seconds, not after the first wave had 15 s', () => {
  const a = node(1);
  const b = node(2);
  const c = node(3);
  c.setPosition({ x: 0, y: 0 });
  a.setPosition({ x: 30, y: 0 });
  b.setPosition({ x: 800, y: 0 });
  c.addLocal(victim(3, 1, 0), 0);
  // a hears it right beside its origin (adds no coverage: no relay of its own); b misses it
  a.receive(c.transmit(0)!, rx, 0.4);
  // b's next packet (a heartbeat, with its summary: nothing held) reaches a 6 s or more after a learned the victim
  let tb = 6;
  while (!b.wantsToTransmit(tb)) tb += 0.5;
  assert.ok(tb < 12, `b sends at ${tb}`);
  a.receive(b.transmit(tb)!, rx, tb + 0.4);
  let repairedAt: number | undefined;
  for (let t = tb + 0.5; t < tb + 10 && repairedAt === undefined; t += 0.25) {
    a.tick(t);
    if (a.wantsToTransmit(t) && factsIn(a.transmit(t)!).some((f) => f.kind === 'victim' && f.seq === 1)) repairedAt = t;
  }
  assert.ok(repairedAt !== undefined, 'a sends b the victim its summary lacks');
});

test("an own fact put on air again on request (an operator's order not yet answered): at once, even while a later round waits", () => {
  const a = node(1, { urgentPriority: 1 });
  a.setPosition({ x: 0, y: 0 });
  const zone: Fact = { kind: 'area', origin: 1, seq: 1, t: 0, role: 'nofly', rings: [[{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }]], priority: 1 };
  a.addLocal(zone, 0);
  assert.ok(factsIn(a.transmit(0)!).some((f) => f.kind === 'area'));
  // an urgent fact's second round waits 20-40 s: a resend brings it forward
  assert.ok(!a.wantsToTransmit(5) || !factsIn(a.transmit(5)!).some((f) => f.kind === 'area'), 'not due again by itself at 5 s');
  assert.equal(a.resend({ origin: 1, seq: 1 }, 6), true);
  assert.ok(a.wantsToTransmit(6));
  assert.ok(factsIn(a.transmit(6)!).some((f) => f.kind === 'area'), 'sent again at once');
  assert.equal(a.resend({ origin: 2, seq: 1 }, 7), false, "another node's fact is not this node's to repeat");
  assert.equal(a.resend({ origin: 1, seq: 9 }, 7), false, 'a fact it does not hold');
});

test("a member's own fact relayed by another is evidence that the member was alive when it made it", () => {
  const timings = { membership: { suspectAfterS: 100, deadAfterS: 200 } };
  const a = node(1, timings);
  const b = node(2, timings);
  const c = node(3, timings);
  a.setPosition({ x: 0, y: 0 });
  b.setPosition({ x: 1400, y: 0 });
  c.setPosition({ x: 2800, y: 0 });
  // c is out of a's range: a's coverage made at 150 reaches it only through b's relay (b has heard c lately)
  b.receive(beacon(c), rxAt(1400), 100);
  a.addLocal({ kind: 'coverage', origin: 1, seq: 50, t: 150, cells: [1, 2, 3] }, 150);
  const sent = a.nextWakeAt(150);
  b.receive(a.transmit(sent)!, rx, sent);
  // b's first packet may be its own heartbeat: c listens until the coverage comes through
  let at = sent;
  for (let i = 0; i < 10 && !c.knows({ origin: 1, seq: 50, kind: 'coverage' }); i++) {
    at = b.nextWakeAt(at);
    const p = b.transmit(at);
    if (p) c.receive(p, rx, at);
  }
  assert.ok(c.knows({ origin: 1, seq: 50, kind: 'coverage' }), 'b relayed the coverage');
  assert.ok(at < 200, `relayed at ${at}`);
  const seen = c.membership().find((m) => m.id === 1);
  // b's heartbeat record alone dates a's life to the start of a 120 s epoch, before the coverage was made
  assert.equal(seen?.heartbeat, 150, "a's freshest evidence is its coverage fact's time");
  c.tick(260);
  assert.equal(c.membership().find((m) => m.id === 1)?.state, 'suspect', 'silent since 150: suspected at 260, not dead');
});

test('a node that has used half its duty budget relays a fresh victim in its contention slot; a coverage report waits longer (budget pacing)', () => {
  // b sits between a and two neighbours a cannot reach (as in the relay test above), and has spent about half of
  // its hour's budget on its own reports.
  const setup = () => {
    const a = node(1);
    const b = node(2, { ownRetries: 0 }); // its own reports are not the point here
    const [c1, c2] = [node(3), node(6)];
    a.setPosition({ x: 0, y: 0 });
    b.setPosition({ x: 1400, y: 0 });
    c1.setPosition({ x: 2400, y: 0 });
    c2.setPosition({ x: 2400, y: 300 });
    let t = 0;
    for (let seq = 1; b.airtimeUsed(t) < 0.5 * 36; seq++, t += 20) {
      b.addLocal(victim(2, seq, t), t);
      assert.ok(b.transmit(t), 'own report sent');
    }
    for (const x of [beacon(c1, t), beacon(c2, t)]) b.receive(x, rxAt(1000), t + 1);
    beacon(a, t);
    return { a, b, t: t + 10 };
  };
  const delayOf = (fact: Fact) => {
    const { a, b, t } = setup();
    a.addLocal(fact, t);
    const p = a.transmit(t)!;
    assert.equal(b.receive(p, rxAt(1400), t + 0.5).learned.length, 1);
    for (let now = t + 0.5, i = 0; i < 20; i++) {
      now = b.nextWakeAt(now);
      const sent = b.wantsToTransmit(now) ? b.transmit(now) : undefined;
      if (sent && factsIn(sent).some((f) => f.origin === 1)) return now - (t + 0.5);
    }
    assert.fail('never relayed');
  };
  const cfg = defaultGossipConfig(2);
  const window = (cfg.relaySlots + 1) * cfg.relaySlotS;
  const sighting = delayOf(victim(1, 1, 500));
  assert.ok(sighting <= window, `victim relayed ${sighting.toFixed(2)} s after it was heard (contention window ${window.toFixed(1)} s)`);
  const coverage = delayOf({ kind: 'coverage', origin: 1, seq: 1, t: 500, cells: [1, 2, 3] });
  assert.ok(coverage > 2 * sighting, `coverage relayed after ${coverage.toFixed(2)} s: paced`);
});
