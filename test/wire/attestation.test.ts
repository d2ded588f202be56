import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attest, decodeAttestation, encodeAttestation, verifyAttestation } from '../../src/wire/attestation.js';
import { Keyring, generateIdentity, signingKeyOf } from '../../src/wire/keyring.js';
import type { Fact } from '../../src/wire/facts.js';
import { SWARM_KEY } from './helpers.js';

const alice = generateIdentity(2, 'alice');
const bob = generateIdentity(3, 'bob');
const keyring = new Keyring(SWARM_KEY, [alice, bob], []);
const facts: Fact[] = Array.from({ length: 30 }, (_, i) => ({
  kind: 'victim', origin: 2, seq: i + 1 + (i > 20 ? 5 : 0), t: 100 + i, pos: { x: 10 * i, y: 5 }, count: 1, condition: 'injured', confidence: 70,
}));

test('an attestation verifies against the same facts, also after a trip on air', () => {
  const att = attest(2, facts, signingKeyOf(alice));
  assert.equal(att.count, 30);
  const wire = encodeAttestation(att);
  assert.ok(wire.length <= 80, `${wire.length} bytes`);
  const back = decodeAttestation(wire);
  assert.ok(back.ok);
  assert.deepEqual(back.value, att);
  assert.deepEqual(verifyAttestation(back.value, [...facts].reverse(), keyring), { ok: true, value: true });
});

test('an altered, missing, extra or forged fact is detected', () => {
  const att = attest(2, facts, signingKeyOf(alice));
  const altered = facts.map((f, i) => (i === 7 && f.kind === 'victim' ? { ...f, count: 2 } : f));
  assert.equal((verifyAttestation(att, altered, keyring) as { reason: string }).reason, 'bad_tag');
  assert.equal((verifyAttestation(att, facts.slice(1), keyring) as { reason: string }).reason, 'truncated');
  const extra: Fact = { ...facts[0]!, seq: 23 } as Fact;
  assert.equal((verifyAttestation(att, [...facts, extra], keyring) as { reason: string }).reason, 'bad_tag');
  // bob signs facts claiming to be alice's
  const forged = { ...attest(2, facts, signingKeyOf(bob)) };
  assert.equal((verifyAttestation(forged, facts, keyring) as { reason: string }).reason, 'bad_tag');
});

test('revoked and unknown origins are refused; hostile attestation bytes are typed rejections', () => {
  const att = attest(2, facts, signingKeyOf(alice));
  assert.equal((verifyAttestation(att, facts, new Keyring(SWARM_KEY, [alice, bob], [2])) as { reason: string }).reason, 'revoked_sender');
  assert.equal((verifyAttestation(att, facts, new Keyring(SWARM_KEY, [bob], [])) as { reason: string }).reason, 'unknown_sender');
  const wire = encodeAttestation(att);
  assert.equal((decodeAttestation(wire.subarray(0, 20)) as { reason: string }).reason, 'truncated');
  assert.equal((decodeAttestation(new Uint8Array([0xa1, 1, 2])) as { reason: string }).reason, 'malformed');
  assert.equal((decodeAttestation(new Uint8Array(500)) as { reason: string }).reason, 'oversize');
  for (let i = 0; i < wire.length; i++) {
    const bad = wire.slice();
    bad[i] = bad[i]! ^ 0xff;
    const r = decodeAttestation(bad);
    if (r.ok) assert.notEqual(verifyAttestation(r.value, facts, keyring).ok, true, `byte ${i} flipped still verifies`);
  }
});
