import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main.js';
import { generateIdentity, KeyFileError, loadProvisioning, newSwarmKey, parseProvisioning, provisioningFile } from '../../src/wire/keyring.js';
import { mayAct } from '../../src/wire/authority.js';
import type { Fact } from '../../src/wire/facts.js';

async function quiet<T>(f: () => Promise<T>): Promise<T> {
  const log = console.log;
  const error = console.error;
  console.log = () => {};
  console.error = () => {};
  try {
    return await f();
  } finally {
    console.log = log;
    console.error = error;
  }
}

function provision(over: (f: Record<string, unknown>) => void = () => {}): string {
  const station = { ...generateIdentity(1, 'ground'), role: 'operator' as const };
  const drone = generateIdentity(2, 'drone-2');
  const f = provisioningFile('t', newSwarmKey(), drone, [station, drone], []) as unknown as Record<string, unknown>;
  over(f);
  return JSON.stringify(f);
}

test('roles travel from `murmur keys` to the keyring: the admin station is an operator, drones are not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-roles-'));
  try {
    await quiet(async () => {
      assert.equal(await main(['keys', 'create', '--dir', dir, '--swarm', 'v']), 0);
      assert.equal(await main(['keys', 'add', '--dir', dir, '--id', '2', '--name', 'd2']), 0);
      assert.equal(await main(['keys', 'add', '--dir', dir, '--id', '3', '--name', 'ops2', '--role', 'operator']), 0);
      assert.equal(await main(['keys', 'add', '--dir', dir, '--id', '4', '--name', 'x', '--role', 'king']), 2);
      assert.equal(await main(['keys', 'export', '--dir', dir, '--id', '2']), 0);
    });
    const { keyring, keyEpoch } = loadProvisioning(join(dir, 'provision', '2.json'));
    assert.deepEqual([1, 2, 3].map((id) => keyring.isOperator(id)), [true, false, true]);
    assert.ok(keyEpoch! > 1.7e9, 'the provisioning file carries the key epoch');
    const land: Fact = { kind: 'command', origin: 2, seq: 1, t: 5, target: 0, action: 'land' };
    assert.equal(mayAct(land, (id) => keyring.isOperator(id)), false, 'a drone commands nothing');
    assert.equal(mayAct({ ...land, origin: 1 }, (id) => keyring.isOperator(id)), true);
    assert.equal(mayAct({ ...land, origin: 1 }, undefined), false, 'without a role list nobody commands');
    const mission: Fact = { kind: 'mission', origin: 2, seq: 3, t: 5, version: 9, areas: [{ origin: 2, seq: 1 }], launch: [] };
    assert.equal(mayAct(mission, (id) => keyring.isOperator(id)), false, 'a drone sets no mission');
    const ownFalseAlarm: Fact = { kind: 'supersede', origin: 2, seq: 2, t: 6, target: { origin: 2, seq: 1 }, outcome: 'withdrawn' };
    assert.equal(mayAct(ownFalseAlarm, (id) => keyring.isOperator(id)), true, 'a drone may withdraw its own report');
    assert.equal(mayAct({ ...ownFalseAlarm, target: { origin: 3, seq: 1 } }, (id) => keyring.isOperator(id)), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad key files: one clear line each, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-keyfile-'));
  try {
    const cases: [string, string, RegExp][] = [
      ['mismatch', provision((f) => ((f.self as { secretKey: string }).secretKey = Buffer.alloc(32, 7).toString('base64url'))), /does not belong to self.publicKey/],
      ['revoked', provision((f) => (f.revoked = [2])), /listed as revoked/],
      ['malformed', '{"format": "murmur-provisioning/1", "swarm": ', /not JSON/],
      ['role', provision((f) => ((f.members as { role: string }[])[0]!.role = 'king')), /role must be one of/],
    ];
    for (const [name, text, why] of cases) {
      const p = join(dir, `${name}.json`);
      writeFileSync(p, text, { mode: 0o600 });
      assert.throws(() => loadProvisioning(p), (e: unknown) => e instanceof KeyFileError && why.test(e.message) && !e.message.includes('\n'));
    }
    const open = join(dir, 'open.json');
    writeFileSync(open, provision(), { mode: 0o600 });
    assert.ok(loadProvisioning(open).keyring.isOperator(1));
    chmodSync(open, 0o644);
    assert.throws(() => loadProvisioning(open), /readable by others \(mode 644\); run: chmod 600/);
    assert.throws(() => parseProvisioning(provision((f) => (f.revoked = [2]))), KeyFileError);

    // through the real command line: exit code 2, one line on stderr
    const run = spawnSync(process.execPath, ['bin/murmur.js', 'gcs', '--radio', 'udp://127.0.0.1:4999', '--keys', join(dir, 'mismatch.json'), '--port', '0', '--origin', '45,7', '--data', join(dir, 'gcs')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /mismatched key pair/);
    void readFileSync;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
