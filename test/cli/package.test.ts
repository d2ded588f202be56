import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from './run-cli.js';
import { launchSimulated, DEFAULT_PARAM_FILE } from '../../sitl/launch.js';
import { homesFor } from '../../sitl/homes.js';

/**
 * What a companion computer gets: `npm pack` (which compiles on prepack), the tarball installed with production
 * dependencies only into an empty folder, then the installed `murmur` checks a drone's setup and writes its
 * systemd unit. No TypeScript is there, so it can only run compiled.
 */
test('the packed tarball installs without dev dependencies and its murmur checks a drone and writes its service', { timeout: 400_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-pack-'));
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const vehicle = await launchSimulated({ count: 1, basePort: 35760 + (process.pid % 1000) * 10, speedup: 1, homes: homesFor(1, undefined), paramFiles: [DEFAULT_PARAM_FILE] });
  try {
    const tgz = npm(['pack', '--silent', '--pack-destination', dir], resolve('.')).trim().split('\n').pop()!;
    npm(['init', '-y'], dir);
    npm(['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', `./${tgz}`], dir);
    const pkg = join(dir, 'node_modules', 'murmur');
    assert.ok(existsSync(join(pkg, 'dist', 'src', 'cli', 'main.js')), 'compiled JavaScript in the package');
    assert.ok(!existsSync(join(pkg, 'src', 'cli')), 'no TypeScript sources in the package');
    for (const dev of ['playwright-core', 'fast-check']) assert.ok(!existsSync(join(dir, 'node_modules', dev)), `dev dependency ${dev} installed`);
    const bin = join(dir, 'node_modules', '.bin', 'murmur');

    const demoHelp = await runCli(['demo', '--help'], { cwd: dir, bin });
    assert.equal(demoHelp.code, 0, demoHelp.stderr);
    assert.match(demoHelp.stdout, /^Usage: murmur demo/);

    // A drone's files, made with the installed murmur itself.
    const keys = (args: string[]) => runCli(['keys', ...args, '--dir', join(dir, 'swarm')], { cwd: dir, bin });
    assert.equal((await keys(['create', '--swarm', 'pack-test'])).code, 0);
    assert.equal((await keys(['add', '--id', '2', '--name', 'drone-2'])).code, 0);
    assert.equal((await keys(['export', '--id', '2', '--out', join(dir, 'node-2.json')])).code, 0);
    const config = join(dir, 'agent.json');
    const radioPort = 40000 + (process.pid % 5000);
    writeFileSync(config, JSON.stringify({
      mission: join(pkg, 'maps', 'scenarios', 'earthquake-town.json'),
      provisioning: 'node-2.json',
      fc: vehicle.instances[0]!.connection,
      radio: `udp://127.0.0.1:${radioPort}`,
      roster: [2, 3],
      dataDir: 'data',
    }));
    const check = await runCli(['agent', 'check', '--config', config], { cwd: dir, bin });
    const lines = check.stdout.trim().split('\n');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(lines.length, 4, check.stdout);
    assert.match(lines[0]!, /^config ok\s+.*node 2 of roster 2,3, mission "earthquake-town"/);
    assert.match(lines[1]!, new RegExp(`^native ok\\s+${process.platform}-${process.arch}: serialport bindings load \\(serial devices: .*\\); cbor-extract (loaded|absent)`));
    assert.match(lines[2]!, /^fc\s+ok\s+tcp:127\.0\.0\.1:\d+: heartbeat from system 1 \(mode \w+, disarmed\)/);
    assert.match(lines[3]!, new RegExp(`^radio\\s+ok\\s+udp:127\\.0\\.0\\.1:${radioPort}: up`));

    // The service unit for that config, as systemd itself reads it.
    const unit = await runCli(['agent', 'install-service', '--config', config, '--dry-run'], { cwd: dir, bin });
    assert.equal(unit.code, 0, unit.stderr);
    assert.match(unit.stdout, new RegExp(`^ExecStart=${process.execPath} ${pkg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/bin/murmur\\.js agent --config ${config}$`, 'm'));
    assert.match(unit.stdout, /^Restart=always$/m);
    const file = join(dir, 'murmur-agent.service');
    writeFileSync(file, unit.stdout);
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    if (verify.error && !process.env.CI) return t.diagnostic('systemd-analyze not found (apt-get install systemd): the unit was not verified');
    assert.equal(verify.status, 0, verify.stderr || String(verify.error));
    assert.equal(verify.stderr.split('\n').filter((l) => l.includes('murmur-agent')).join('\n'), '', 'systemd-analyze has no complaint about the unit');
  } finally {
    await vehicle.stop();
    rmSync(dir, { recursive: true, force: true });
    for (const f of readdirSync('.')) if (/^murmur-.*\.tgz$/.test(f)) rmSync(f);
  }
});
