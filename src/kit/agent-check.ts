/**
 * `murmur agent check`: what an integrator runs on the companion computer before the first flight. It validates
 * the config and the files it names, then opens the flight controller and the radio once, and says in one line
 * each what it found or what to fix.
 */
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { AgentConfigError, loadAgentConfig, type AgentConfig } from '../agent/config.js';
import { loadProvisioning } from '../wire/keyring.js';
import { rosterProblem } from '../agent/mission-settings.js';
import { loadScenario, ScenarioError } from '../mission/index.js';
import { probeFlightController } from './fc-probe.js';
import { probeRadio } from './radio-probe.js';

export interface CheckLine {
  readonly what: 'config' | 'native' | 'fc' | 'radio';
  readonly ok: boolean;
  readonly line: string;
}

/** The nearest existing folder at or above `dir` is writable (the agent creates the rest). */
function writableDir(dir: string): boolean {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  try {
    accessSync(d, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function checkConfig(file: string): { cfg?: AgentConfig; line: CheckLine } {
  let cfg: AgentConfig;
  try {
    cfg = loadAgentConfig(file);
  } catch (err) {
    if (err instanceof AgentConfigError) return { line: { what: 'config', ok: false, line: err.message } };
    throw err;
  }
  const fail = (line: string) => ({ cfg, line: { what: 'config' as const, ok: false, line } });
  let mission;
  try {
    mission = loadScenario(cfg.mission);
  } catch (err) {
    if (err instanceof ScenarioError || (err as NodeJS.ErrnoException).code) return fail(`mission ${cfg.mission}: ${(err as Error).message}`);
    throw err;
  }
  let self;
  try {
    self = loadProvisioning(cfg.provisioning).self;
  } catch (err) {
    return fail(`provisioning: ${(err as Error).message}`);
  }
  if (!cfg.roster.includes(self.id)) return fail(`this node (${self.id}, from ${cfg.provisioning}) is not in the roster ${cfg.roster.join(',')}`);
  const otherRoster = rosterProblem(cfg.roster, mission, cfg.mission);
  if (otherRoster) return fail(otherRoster);
  if (!writableDir(cfg.dataDir)) return fail(`dataDir ${cfg.dataDir} is not writable by this user`);
  return { cfg, line: { what: 'config', ok: true, line: `${file}: node ${self.id} of roster ${cfg.roster.join(',')}, mission "${mission.name}", data in ${cfg.dataDir}` } };
}

/**
 * The native modules a drone needs, loaded as the agent will: serialport's bindings (from the prebuilds its
 * package ships, per platform: linux-arm64 on a Raspberry Pi) list the serial ports; cbor-extract is optional
 * (without it cbor-x decodes in plain JavaScript, slower).
 */
export async function checkNative(): Promise<CheckLine> {
  const platform = `${process.platform}-${process.arch}`;
  // serialport loads its bindings on first use; load them now, from serialport's own dependency.
  const req = createRequire(import.meta.url);
  try {
    const fromSerialport = createRequire(req.resolve('serialport'));
    const { binding } = fromSerialport('@serialport/bindings-cpp/dist/serialport-bindings.js') as { binding?: { open?: unknown } };
    if (typeof binding?.open !== 'function') throw new Error('no open() in the bindings');
  } catch (err) {
    return { what: 'native', ok: false, line: `serialport's native bindings do not load on ${platform}: ${(err as Error).message.split('\n')[0]} (reinstall murmur on this machine; with build-essential if no prebuild fits)` };
  }
  let cbor = 'cbor-extract loaded';
  try {
    req('cbor-extract');
  } catch {
    cbor = 'cbor-extract absent: CBOR decodes in plain JavaScript';
  }
  const ports = existsSync('/dev') ? readdirSync('/dev').filter((d) => /^tty(AMA|USB|ACM|S\d)/.test(d)).map((d) => `/dev/${d}`) : [];
  return { what: 'native', ok: true, line: `${platform}: serialport bindings load (serial devices: ${ports.join(', ') || 'none'}); ${cbor}` };
}

export async function runAgentCheck(file: string, o: { waitMs: number }): Promise<CheckLine[]> {
  const { cfg, line } = checkConfig(file);
  if (!cfg) return [line];
  const [native, fc, radio] = await Promise.all([checkNative(), probeFlightController(cfg.fc, { waitMs: o.waitMs }), probeRadio(cfg.radio, o.waitMs)]);
  return [line, native, { what: 'fc', ok: fc.kind === 'ok', line: fc.line }, { what: 'radio', ok: radio.ok, line: radio.line }];
}
