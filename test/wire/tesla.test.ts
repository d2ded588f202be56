import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTeslaAttest, teslaAttestFacts, verifyAttestFact, verifyTeslaAttest } from '../../src/wire/attestation.js';
import { decodePayload, encodePayload } from '../../src/wire/codec.js';
import type { AttestFact, VictimFact } from '../../src/wire/facts.js';
import { generateIdentity, Keyring, parseProvisioning, provisioningFile } from '../../src/wire/keyring.js';
import { chainAnchor, chainSeed, DisclosedKeys, disclosableAt, intervalOf, KeyChain, ownChain, timely } from '../../src/wire/tesla.js';

const SWARM = new Uint8Array(32).fill(5);

test('a chain\'s keys hash down to its anchor; a disclosed key is taken only in its time and only if it does', () => {
  const chain = new KeyChain(7, new Uint8Array(8).fill(1), 600);
  assert.deepEqual(chainAnchor(7, new Uint8Array(8).fill(1), 600), chain.anchor);
  const keys = new DisclosedKeys((o) => (o === 7 ? chain.anchor : undefined), undefined, 600);
  const i = 30;
  const at = disclosableAt(i);
  assert.match(keys.accept(7, i, chain.key(i)!, at - 10) as string, /before its time/);
  assert.match(keys.accept(7, i, new Uint8Array(8).fill(9), at) as string, /does not hash/);
  assert.equal(keys.accept(7, i, chain.key(i)!, at), 'new');
  assert.equal(keys.accept(7, i - 3, chain.key(i - 3)!, at), 'old');
  assert.deepEqual(keys.keyFor(7, i - 5), chain.key(i - 5));
  assert.equal(keys.keyFor(7, i + 1), undefined);
  // another member's anchor does not admit this chain's keys
  assert.match(keys.accept(8, i, chain.key(i)!, at) as string, /no anchor/);
});

test('a MACed attestation travels in 32 bytes of blob and checks only under its interval key', () => {
  const chain = new KeyChain(3, new Uint8Array(8).fill(2), 600);
  const v: VictimFact = { kind: 'victim', origin: 3, seq: 4, t: 95, pos: { x: 1, y: 2 }, count: 2, condition: 'injured', confidence: 70 };
  const a = teslaAttestFacts({ origin: 3, seq: 5, t: 100 }, [v], undefined, chain.key(intervalOf(100))!);
  assert.ok(isTeslaAttest(a));
  const back = decodePayload(encodePayload({ time: 100, facts: [v, a] }, 3), 3);
  assert.ok(back.ok);
  const got = back.value.facts.find((f) => f.kind === 'attest') as AttestFact;
  assert.equal(got.signature.length, 8);
  assert.ok(verifyTeslaAttest(got, chain.key(intervalOf(100))!));
  assert.equal(verifyTeslaAttest(got, chain.key(intervalOf(100) + 1)!), false);
  assert.equal(verifyTeslaAttest({ ...got, count: 2, to: 4, from: 3 }, chain.key(intervalOf(100))!), false);
  // and it is never taken as a signed one
  const me = generateIdentity(3, 'n3');
  assert.equal(verifyAttestFact(got, new Keyring(SWARM, [me])).ok, false);
  // heard in time: until 2 clock errors before its key may go out
  assert.ok(timely(intervalOf(100), disclosableAt(intervalOf(100)) - 5));
  assert.equal(timely(intervalOf(100), disclosableAt(intervalOf(100)) - 3), false);
});

test('provisioning files carry every member\'s chain anchor, and a node finds its own chain from its secret', () => {
  const a = generateIdentity(1, 'station');
  const b = generateIdentity(2, 'drone');
  const text = JSON.stringify(provisioningFile('s', SWARM, b, [a, b], []));
  const { keyring, self } = parseProvisioning(text);
  const anchorA = keyring.anchorOf(1)!;
  assert.equal(anchorA.length, 8);
  assert.deepEqual(anchorA, chainAnchor(1, chainSeed(a.secretKey, SWARM)));
  assert.ok(ownChain(self, keyring), 'the node\'s own chain does not end in its anchor');
  // another swarm key: another chain, so the file's anchor does not fit
  assert.equal(ownChain(self, { swarmKey: new Uint8Array(32).fill(6), anchorOf: (id) => keyring.anchorOf(id) }), undefined);
  // a malformed anchor is one clear line
  const bad = JSON.parse(text);
  bad.members[0].chainAnchor = 'AAAA';
  assert.throws(() => parseProvisioning(JSON.stringify(bad)), /members\[0\]\.chainAnchor must be 8 bytes/);
});

test('checking keys costs at most a budget of hashes a minute, whatever a forger sends', () => {
  const chain = new KeyChain(7, new Uint8Array(8).fill(1), 16384);
  const keys = new DisclosedKeys((o) => (o === 7 ? chain.anchor : undefined), undefined, 16384);
  const now = disclosableAt(16000);
  // forged keys far ahead of the anchor: each would cost ~16,000 hashes
  let refused = 0;
  let busy = 0;
  for (let k = 0; k < 100; k++) {
    const r = keys.accept(7, 16000 - k, new Uint8Array(8).fill(k), now);
    if (typeof r === 'string' && r.startsWith('busy')) busy++;
    else if (r !== 'new' && r !== 'old') refused++;
  }
  assert.ok(refused * 16000 <= DisclosedKeys.STEPS_PER_MINUTE && busy > 80, `${refused} checked, ${busy} left for later`);
  // the next minute the real key is taken
  assert.equal(keys.accept(7, 16000, chain.key(16000)!, now + 60), 'new');
});
