/** `murmur agent check` and `murmur agent install-service` (the usage text is agent.ts's). */
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { runAgentCheck, checkConfig } from '../../kit/agent-check.js';
import { agentUnit } from '../../kit/systemd-unit.js';
import { projectRoot } from '../../core/project-root.js';

const UNIT = 'murmur-agent.service';

async function check(args: string[], usage: string): Promise<number> {
  const { values } = parseFlags(args, { config: { type: 'string' }, wait: { type: 'string' } }, usage);
  if (!values.config) throw new UsageError('check needs --config agent.json');
  const wait = numberFlag(values.wait, 'wait', 10);
  if (!(wait > 0)) throw new UsageError('--wait must be a positive number of seconds');
  const lines = await runAgentCheck(values.config, { waitMs: wait * 1000 });
  for (const l of lines) console.log(`${l.what.padEnd(6)} ${l.ok ? 'ok  ' : 'FAIL'}  ${l.line}`);
  return lines.length > 1 && lines.every((l) => l.ok) ? 0 : 1;
}

function idsOf(user: string): { uid: number; gid: number } | undefined {
  try {
    return { uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })), gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) };
  } catch {
    return undefined;
  }
}

async function installService(args: string[], usage: string): Promise<number> {
  const { values } = parseFlags(
    args,
    { config: { type: 'string' }, user: { type: 'string' }, 'unit-dir': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    usage,
  );
  if (!values.config) throw new UsageError('install-service needs --config agent.json');
  const configPath = resolve(values.config);
  const { cfg, line } = checkConfig(configPath);
  if (!cfg) throw new UsageError(line.line);
  const user = values.user ?? process.env.SUDO_USER ?? userInfo().username;
  const ids = idsOf(user);
  if (!ids) throw new UsageError(`no user "${user}" on this machine: create it (sudo adduser --system --group ${user}) or pass --user`);
  const unit = agentUnit({ configPath, config: cfg, user, node: process.execPath, bin: join(projectRoot(import.meta.url), 'bin', 'murmur.js') });
  if (values['dry-run']) {
    process.stdout.write(unit);
    return 0;
  }
  const dir = values['unit-dir'] ?? '/etc/systemd/system';
  const file = join(dir, UNIT);
  try {
    writeFileSync(file, unit);
    // The data folder belongs to the service's user: the unit keeps the rest of the file system read-only.
    if (!existsSync(cfg.dataDir)) {
      mkdirSync(cfg.dataDir, { recursive: true });
      if (process.getuid?.() === 0) chownSync(cfg.dataDir, ids.uid, ids.gid);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'EPERM') throw new UsageError(`cannot write ${e.path ?? file}: run it with sudo`);
    if (e.code === 'ENOENT') throw new UsageError(`no folder ${dir}: is systemd installed? (--dry-run prints the unit)`);
    throw err;
  }
  console.log(`wrote ${file} (user ${user}, config ${configPath})`);
  console.log('start it now and at every boot: sudo systemctl daemon-reload && sudo systemctl enable --now murmur-agent');
  console.log('its log, one JSON object a line: journalctl -u murmur-agent -o cat -f');
  return 0;
}

export function runKitCommand(name: 'check' | 'install-service', args: string[], usage: string): Promise<number> {
  return name === 'check' ? check(args, usage) : installService(args, usage);
}
