import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main.js';
import { parseProvisioning, signingKeyOf } from '../../src/wire/keyring.js';
import { attest, verifyAttestation } from '../../src/wire/attestation.js';
import { encodePayload } from '../../src/wire/codec.js';
import { openPacket, sealPacket } from '../../src/wire/packet.js';
import { ReplayWindow } from '../../src/wire/replay.js';
import type { Fact } from '../../src/wire/facts.js';

/** Runs `murmur …` in-process, capturing what it printed. */
async function murmur(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const mode = (p: string) => statSync(p).mode & 0o777;

test('murmur keys: create, add, export, revoke — provisioning files that nodes can use', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-keys-'));
  try {
    assert.equal((await murmur('keys', 'create', '--dir', dir, '--swarm', 'valley')).code, 0);
    assert.equal(mode(join(dir, 'swarm.json')), 0o600);
    for (const [id, name] of [['2', 'drone-2'], ['3', 'drone-3'], ['4', 'drone-4']])
      assert.equal((await murmur('keys', 'add', '--dir', dir, '--id', id!, '--name', name!)).code, 0);
    assert.equal((await murmur('keys', 'export', '--dir', dir, '--id', '2')).code, 0);
    const p2 = join(dir, 'provision', '2.json');
    assert.equal(mode(p2), 0o600);
    const node2 = parseProvisioning(readFileSync(p2, 'utf8'));
    assert.equal(node2.self.id, 2);
    assert.equal(node2.swarm, 'valley');
    assert.deepEqual(node2.keyring.members.map((m) => m.id), [1, 2, 3, 4]);
    assert.ok(!readFileSync(p2, 'utf8').includes(JSON.parse(readFileSync(join(dir, 'swarm.json'), 'utf8')).members[2].secretKey), 'another member\'s secret key leaked');

    const out3 = join(dir, 'elsewhere', 'node3.json');
    assert.equal((await murmur('keys', 'export', '--dir', dir, '--id', '3', '--out', out3)).code, 0);
    const node3 = parseProvisioning(readFileSync(out3, 'utf8'));
    // node 3 seals, node 2 opens; node 3 attests its facts, node 2 verifies them
    const fact: Fact = { kind: 'victim', origin: 3, seq: 1, t: 10, pos: { x: 1, y: 2 }, count: 1, condition: 'unknown', confidence: 60 };
    const sealed = sealPacket(3, 1, encodePayload({ time: 10, facts: [fact] }, 3), node3.keyring);
    assert.ok(openPacket(sealed, node2.keyring, new ReplayWindow()).ok);
    assert.ok(verifyAttestation(attest(3, [fact], signingKeyOf(node3.self)), [fact], node2.keyring).ok);

    // revoke 4 with a new swarm key: re-exported node 2 refuses 4 and no longer opens old-key packets
    assert.equal((await murmur('keys', 'revoke', '--dir', dir, '--id', '4', '--rotate')).code, 0);
    assert.equal((await murmur('keys', 'export', '--dir', dir, '--id', '2')).code, 0);
    const node2b = parseProvisioning(readFileSync(p2, 'utf8'));
    assert.deepEqual(node2b.keyring.revoked, [4]);
    assert.equal(mode(p2), 0o600);
    const from4 = openPacket(sealPacket(4, 1, new Uint8Array(3), node2b.keyring), node2b.keyring, new ReplayWindow());
    assert.equal(!from4.ok && from4.reason, 'revoked_sender');
    const old = openPacket(sealPacket(3, 2, new Uint8Array(3), node3.keyring), node2b.keyring, new ReplayWindow());
    assert.equal(!old.ok && old.reason, 'bad_tag');

    const listed = await murmur('keys', 'list', '--dir', dir);
    assert.match(listed.out, /drone-4 .* REVOKED/);
    assert.ok(!listed.out.includes(JSON.parse(readFileSync(join(dir, 'swarm.json'), 'utf8')).members[1].secretKey));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('murmur keys: clear errors for the mistakes an operator makes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-keys-'));
  try {
    const expectError = async (pattern: RegExp, ...args: string[]) => {
      const r = await murmur('keys', ...args);
      assert.equal(r.code, 2, `${args.join(' ')} succeeded`);
      assert.match(r.err, pattern);
    };
    await expectError(/no swarm in/, 'add', '--dir', dir, '--id', '2', '--name', 'x');
    await expectError(/--swarm NAME is required/, 'create', '--dir', dir);
    await murmur('keys', 'create', '--dir', dir, '--swarm', 's');
    await expectError(/already holds a swarm/, 'create', '--dir', dir, '--swarm', 's');
    await expectError(/--id must be an integer 1\.\.65535, got "0"/, 'add', '--dir', dir, '--id', '0', '--name', 'x');
    await expectError(/already taken by ground/, 'add', '--dir', dir, '--id', '1', '--name', 'x');
    await expectError(/no member with id 9/, 'export', '--dir', dir, '--id', '9');
    await expectError(/admin/, 'revoke', '--dir', dir, '--id', '1');
    await murmur('keys', 'add', '--dir', dir, '--id', '2', '--name', 'd2');
    await murmur('keys', 'revoke', '--dir', dir, '--id', '2');
    await expectError(/revoked; it gets no provisioning file/, 'export', '--dir', dir, '--id', '2');
    await expectError(/never reused/, 'add', '--dir', dir, '--id', '2', '--name', 'again');
    await expectError(/unknown action "frobnicate"/, 'frobnicate', '--dir', dir);
    await expectError(/--dir is required/, 'list');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('murmur keys --help documents every action', () => {
  const r = spawnSync(process.execPath, ['bin/murmur.js', 'keys', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const a of ['create', 'add', 'revoke', 'export', 'list', '0600']) assert.ok(r.stdout.includes(a), `help lacks ${a}`);
  const top = spawnSync(process.execPath, ['bin/murmur.js', '--help'], { encoding: 'utf8' });
  assert.match(top.stdout, /keys\s+create a swarm/);
});

test('a damaged provisioning file is refused with the faulty field named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-keys-'));
  try {
    await murmur('keys', 'create', '--dir', dir, '--swarm', 's');
    await murmur('keys', 'add', '--dir', dir, '--id', '2', '--name', 'd2');
    await murmur('keys', 'export', '--dir', dir, '--id', '2');
    const good = JSON.parse(readFileSync(join(dir, 'provision', '2.json'), 'utf8'));
    const cases: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [{ ...good, format: 'x' }, /format/],
      [{ ...good, swarmKey: good.swarmKey.slice(0, 20) }, /swarmKey must be 32 bytes/],
      [{ ...good, self: { ...good.self, id: 0 } }, /self\.id must be an integer/],
      [{ ...good, members: [...good.members, good.members[0]] }, /id twice/],
      [{ ...good, members: good.members.filter((m: { id: number }) => m.id !== 2) }, /self is not among the members/],
      [{ ...good, revoked: ['2'] }, /revoked\[0\]/],
    ];
    for (const [content, pattern] of cases)
      assert.throws(() => parseProvisioning(typeof content === 'string' ? content : JSON.stringify(content)), pattern);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
