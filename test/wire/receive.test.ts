import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encoder } from '../../src/wire/cbor.js';
import { decodePayload, encodePayload } from '../../src/wire/codec.js';
import { encodeFrame } from '../../src/wire/framing.js';
import { factProblem } from '../../src/wire/fact-check.js';
import { fuzzReceivePath } from '../../src/wire/hostile.js';
import { sealPacket } from '../../src/wire/packet.js';
import { ReceivePath } from '../../src/wire/receive.js';
import { REJECT_REASONS, type RejectReason } from '../../src/wire/reject.js';
import { ACTIVITIES, type Fact, type StatusFact, type VictimFact } from '../../src/wire/facts.js';
import { seededRandom } from '../../src/core/random.js';
import { anyFact } from './arbitraries.js';
import { SWARM_KEY, OTHER_KEY, testKeyring } from './helpers.js';

const keys = { swarmKey: SWARM_KEY };
const victim: VictimFact = { kind: 'victim', origin: 2, seq: 5, t: 100, pos: { x: 10, y: 20 }, count: 1, condition: 'injured', confidence: 90 };
const status: StatusFact = {
  kind: 'status', origin: 2, seq: 6, t: 100, pos: { x: 1000, y: 2000 }, alt: 50, battery: 80, mode: 4, armed: true,
  activity: 'searching', sector: 3, heading: 90,
};

/** The payload bytes of raw integer tokens, for hand-made (hostile) payloads. */
const tokens = (...items: (number | Uint8Array)[]) => {
  const arr = encoder.encode(items);
  return arr.subarray(items.length < 24 ? 1 : 2);
};

let counter = 1;
const frame = (sender: number, payload: Uint8Array, key = keys) => encodeFrame(sealPacket(sender, counter++, payload, key));

/** Feeds one line to a fresh receive path: the facts it accepted, or the one rejection it counted. */
function receiveOne(line: Uint8Array): { reason?: RejectReason; facts?: readonly Fact[] } {
  let reason: RejectReason | undefined;
  const path = new ReceivePath(testKeyring(), { onReject: (r) => (reason = r.reason) });
  const got = path.pushBytes(line);
  assert.equal(path.internalErrors, 0);
  if (got.length) return { facts: got[0]!.payload.facts };
  assert.equal(path.rejects.total, 1, `expected one rejection, got ${JSON.stringify(path.rejects.summary())}`);
  return { reason };
}

test('a valid packet passes framing, authentication and decoding', () => {
  const r = receiveOne(frame(2, encodePayload({ time: 100, facts: [victim, status] }, 2)));
  assert.deepEqual(r.facts, [victim, status]);
});

test('every rejection class is produced by the input that deserves it, and counted', () => {
  const valid = frame(2, encodePayload({ time: 100, facts: [victim] }, 2));
  const cases: [RejectReason, Uint8Array][] = [];
  // framing
  cases.push(['truncated', new Uint8Array([0x02, 0x07, 0x00])]);
  const crc = valid.slice();
  crc[8]! ^= 0x01;
  cases.push(['bad_crc', crc]);
  cases.push(['oversize', new Uint8Array([...new Uint8Array(3000).fill(7), 0])]);
  cases.push(['malformed', new Uint8Array([0x09, 0x01, 0x00])]); // COBS code runs past the frame
  // packet
  const sealedBad = sealPacket(2, counter++, encodePayload({ time: 1, facts: [victim] }, 2), keys);
  sealedBad[sealedBad.length - 3]! ^= 0x40;
  cases.push(['bad_tag', encodeFrame(sealedBad)]);
  cases.push(['bad_tag', frame(2, encodePayload({ time: 1, facts: [] }, 2), { swarmKey: OTHER_KEY })]);
  const v0 = sealPacket(2, counter++, new Uint8Array([1]), keys);
  v0[0]! &= 0x3f;
  cases.push(['unknown_version', encodeFrame(v0)]);
  cases.push(['unknown_sender', frame(77, encodePayload({ time: 1, facts: [] }, 77))]);
  cases.push(['revoked_sender', frame(4, encodePayload({ time: 1, facts: [] }, 4))]);
  // payload (sealed by an insider, so only the decoder stands in the way)
  cases.push(['truncated', frame(2, encodePayload({ time: 100, facts: [victim] }, 2).subarray(0, 4))]);
  cases.push(['truncated', frame(2, new Uint8Array([0x19, 0x01]))]); // integer head without its bytes
  cases.push(['out_of_range', frame(2, tokens(100, 8 + 0, 0, 123, 360 * 101 * 9 * 256 * 51))]); // heading 360
  cases.push(['out_of_range', frame(2, tokens(100, 8 + 1, 0, 5, 255 * 101))]); // victim count 256
  cases.push(['malformed', frame(2, encoder.encode({ time: 1 }))]); // a map
  cases.push(['malformed', frame(2, tokens(100, 1.5))]); // a float
  cases.push(['malformed', frame(2, encoder.encode([[[[1]]]]))]); // nesting
  cases.push(['malformed', frame(2, new Uint8Array([0x01, 0xc1, 0x1a, 0, 0, 0, 1]))]); // a tag
  cases.push(['malformed', frame(2, tokens(100, -2))]); // origin switch to the current origin (the sender)
  cases.push(['malformed', frame(2, tokens(100, 3 * 8 + 7, 6 * 2 + 1, 0, 1))]); // command has no wide form
  const seen = new Set<RejectReason>();
  for (const [want, line] of cases) {
    const got = receiveOne(line);
    assert.equal(got.reason, want, `expected ${want}, got ${got.reason ?? 'accepted'}`);
    seen.add(want);
  }
  // replay: the same valid line twice through one path
  const path = new ReceivePath(testKeyring());
  const line = frame(2, encodePayload({ time: 100, facts: [victim] }, 2));
  assert.equal(path.pushBytes(line).length, 1);
  assert.equal(path.pushBytes(line).length, 0);
  assert.equal(path.rejects.counts.replay, 1);
  seen.add('replay');
  // a payload longer than any packet may carry: refused by the decoder, and never sealed
  assert.equal((decodePayload(new Uint8Array(2000), 2) as { reason: string }).reason, 'oversize');
  assert.throws(() => sealPacket(2, counter++, new Uint8Array(1025), keys), RangeError);
  seen.add('oversize');
  for (const r of REJECT_REASONS) assert.ok(seen.has(r), `no case for ${r}`);
});

test('decoded ranges are checked: a battery or seq outside its range is out_of_range', () => {
  // wide status with battery 101 (b = (battery*2+armed)*activities+activity)
  const n = ACTIVITIES.length;
  const wideStatus = tokens(100, 6 * 8 + 7, 0 * 2 + 1, 0, 2000, 100, (101 * 2 + 1) * n + 2, 4, 4, 90);
  assert.equal((decodePayload(wideStatus, 2) as { reason: string }).reason, 'out_of_range');
  const okStatus = tokens(100, 6 * 8 + 7, 0 * 2 + 1, 0, 2000, 100, (100 * 2 + 1) * n + 2, 4, 4, 90);
  assert.ok(decodePayload(okStatus, 2).ok);
  // coverage claiming a million cells from two tokens
  const hugeCoverage = tokens(100, 7 * 8 + 5, 0, 0, 5, 1_000_000);
  assert.equal((decodePayload(hugeCoverage, 2) as { reason: string }).reason, 'out_of_range');
  // many legal-looking coverage facts that together would expand to more cells than a payload may hold
  const bomb = tokens(100, 8 + 5, 0, 0, 0, 4095, ...[2, 3, 4, 5].flatMap(() => [5, 0, 0, 0, 4095]));
  assert.equal((decodePayload(bomb, 2) as { reason: string }).reason, 'oversize');
  assert.ok(decodePayload(tokens(100, 8 + 5, 0, 0, 0, 4095, 5, 0, 0, 0, 4095), 2).ok);
  // time after the packet beyond the 31-bit range
  assert.equal((decodePayload(tokens(0x7fffffff, 8 + 1, 1, 50, 0), 2) as { reason: string }).reason, 'out_of_range');
});

test('the decoder never throws and never accepts an out-of-range fact, whatever the payload bytes', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(anyFact, { maxLength: 8 }).map((fs) => {
      const uniq = [...new Map(fs.map((f) => [`${f.origin}:${f.seq}`, f])).values()];
      return encodePayload({ time: 50, facts: uniq }, 3);
    }).chain((b) => fc.tuple(fc.nat(b.length), fc.nat(255)).map(([i, v]) => { const c = b.slice(); if (c.length) c[i % c.length] = v; return c; }))), (bytes) => {
      const r = decodePayload(bytes, 3);
      if (r.ok) for (const f of r.value.facts) assert.equal(factProblem(f), undefined);
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: 24,000 hostile inputs through the full receive path, no crash, bounded memory', () => {
  const samples = fc.sample(anyFact, { numRuns: 300, seed: 7 });
  const before = process.memoryUsage().heapUsed;
  const report = fuzzReceivePath(seededRandom('wire-fuzz-test'), {
    keyring: testKeyring([4]),
    keys,
    senders: [1, 2, 3, 5, 300],
    revoked: 4,
    stranger: 99,
    samples,
  }, 24_000);
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(report.cases, 24_000);
  assert.equal(report.crashes, 0);
  assert.equal(report.invalidAccepted, 0);
  assert.ok(report.accepted > 2000, `only ${report.accepted} valid packets accepted`);
  for (const r of ['bad_crc', 'bad_tag', 'replay', 'unknown_sender', 'revoked_sender', 'malformed', 'truncated'] as const)
    assert.ok((report.rejects[r] ?? 0) > 0, `fuzz never produced ${r}: ${JSON.stringify(report.rejects)}`);
  assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
});

test('a serial line with garbage between frames still delivers every valid packet, split in any chunks', () => {
  const rnd = seededRandom('resync');
  const path = new ReceivePath(testKeyring());
  const parts: number[] = [];
  for (let k = 0; k < 20; k++) {
    parts.push(...Array.from({ length: rnd.int(40) }, () => rnd.int(256)), 0);
    parts.push(...frame(3, encodePayload({ time: 100 + k, facts: [{ ...victim, origin: 3, seq: k + 1 }] }, 3)));
  }
  const line = new Uint8Array(parts);
  const got: number[] = [];
  for (let i = 0; i < line.length; ) {
    const n = 1 + rnd.int(30);
    for (const p of path.pushBytes(line.subarray(i, i + n))) got.push(p.payload.facts[0]!.seq);
    i += n;
  }
  assert.deepEqual(got, Array.from({ length: 20 }, (_, k) => k + 1));
  assert.equal(path.internalErrors, 0);
});
