import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { oneLineError, runCli } from './run-cli.js';
import { generateIdentity, newSwarmKey, provisioningFile } from '../../src/wire/keyring.js';

test('install-service writes the unit it prints, creates the data folder, and refuses a user that does not exist', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-service-'));
  const self = generateIdentity(4, 'drone-4');
  writeFileSync(join(dir, 'node-4.json'), JSON.stringify(provisioningFile('t', newSwarmKey(), self, [self], [])), { mode: 0o600 });
  const config = join(dir, 'agent.json');
  writeFileSync(config, JSON.stringify({
    mission: resolve('maps', 'scenarios', 'earthquake-town.json'), provisioning: 'node-4.json',
    fc: 'serial:/dev/ttyAMA0:921600', radio: 'modem:/dev/ttyUSB0', roster: [4], dataDir: 'state', detector: 'run/det.sock',
  }));
  const user = userInfo().username;
  const [printed, written, nobody] = await Promise.all([
    runCli(['agent', 'install-service', '--config', config, '--user', user, '--dry-run']),
    runCli(['agent', 'install-service', '--config', config, '--user', user, '--unit-dir', dir]),
    runCli(['agent', 'install-service', '--config', config, '--user', 'no-such-user-here', '--dry-run']),
  ]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(readFileSync(join(dir, 'murmur-agent.service'), 'utf8'), printed.stdout);
  assert.ok(existsSync(join(dir, 'state')), 'the data folder is made for the service');
  const unit = printed.stdout;
  // The serial devices of this config, and no other device.
  assert.match(unit, /^DevicePolicy=closed$/m);
  assert.deepEqual(unit.match(/^DeviceAllow=.*$/gm), ['DeviceAllow=/dev/ttyAMA0 rw', 'DeviceAllow=/dev/ttyUSB0 rw', 'DeviceAllow=char-ttyAMA rw', 'DeviceAllow=char-ttyUSB rw']);
  assert.match(unit, /^SupplementaryGroups=dialout$/m);
  assert.match(unit, new RegExp(`^User=${user}$`, 'm'));
  assert.match(unit, new RegExp(`^ReadWritePaths=-${join(dir, 'state')} -${join(dir, 'run')}$`, 'm'));
  assert.match(unit, /^StandardError=journal$/m);
  assert.match(oneLineError(nobody), /^murmur agent: no user "no-such-user-here" on this machine/);
});
