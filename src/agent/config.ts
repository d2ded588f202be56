/**
 * `murmur agent` configuration (agent.json), validated with errors that name the field:
 * {
 *   "mission": "maps/scenarios/earthquake-town.json",  // area, frame, search and radio settings (scenario format;
 *                                                       // its ground truth and faults are ignored on a real drone)
 *   "provisioning": "keys/node-3.json",                 // from `murmur keys export`
 *   "fc": "serial:/dev/ttyAMA0:921600",                 // flight controller (tcp:, udp:, udpout: also)
 *   "radio": "modem:/dev/ttyUSB0",                      // or meshtastic:/dev/ttyACM0, udp://group:port
 *   "roster": [2, 3, 4, 5],                              // the drones of this search (ids), in any order
 *   "dataDir": "/var/lib/murmur",                       // persisted sequences and counters
 *   "detector": "/run/murmur/detections.sock",          // optional: JSON-lines detections (maps/README.md)
 *   "logLevel": "info",                                 // optional: debug | info | warn | error
 *   "authorship": false                                 // optional: sign own facts, use others' only once
 *                                                       // proven (docs/wire.md); every member alike
 * }
 * Relative paths are relative to the config file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../core/log.js';

export class AgentConfigError extends Error {}

export interface AgentConfig {
  readonly mission: string;
  readonly provisioning: string;
  readonly fc: string;
  readonly radio: string;
  readonly roster: readonly number[];
  readonly dataDir: string;
  readonly detector?: string;
  readonly logLevel: LogLevel;
  /** Authorship (docs/wire.md): the whole swarm runs with it or without it. */
  readonly authorship: boolean;
}

function field(o: Record<string, unknown>, name: string, file: string): string {
  const v = o[name];
  if (typeof v !== 'string' || v.length === 0) throw new AgentConfigError(`${file}: "${name}" must be a non-empty string`);
  return v;
}

export function parseAgentConfig(value: unknown, file = 'agent.json', baseDir = '.'): AgentConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AgentConfigError(`${file}: expected a JSON object`);
  const o = value as Record<string, unknown>;
  const known = ['mission', 'provisioning', 'fc', 'radio', 'roster', 'dataDir', 'detector', 'logLevel', 'authorship'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new AgentConfigError(`${file}: unknown field "${k}" (known: ${known.join(', ')})`);
  const roster = o.roster;
  if (!Array.isArray(roster) || roster.length === 0 || !roster.every((id) => Number.isInteger(id) && id >= 1 && id <= 65535))
    throw new AgentConfigError(`${file}: "roster" must be a non-empty list of node ids 1..65535`);
  if (new Set(roster).size !== roster.length) throw new AgentConfigError(`${file}: "roster" lists a node twice`);
  const fc = field(o, 'fc', file);
  if (!/^(serial:|tcp:|udp:|udpout:)/.test(fc)) throw new AgentConfigError(`${file}: "fc" must start with serial:, tcp:, udp: or udpout: (got "${fc}")`);
  const logLevel = o.logLevel ?? 'info';
  if (typeof logLevel !== 'string' || !(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new AgentConfigError(`${file}: "logLevel" must be one of ${LOG_LEVELS.join(', ')}`);
  if (o.authorship !== undefined && typeof o.authorship !== 'boolean') throw new AgentConfigError(`${file}: "authorship" must be true or false`);
  const path = (p: string) => resolve(baseDir, p);
  return {
    mission: path(field(o, 'mission', file)),
    provisioning: path(field(o, 'provisioning', file)),
    fc,
    radio: field(o, 'radio', file),
    roster: [...(roster as number[])].sort((a, b) => a - b),
    dataDir: path(field(o, 'dataDir', file)),
    ...(o.detector === undefined ? {} : { detector: path(field(o, 'detector', file)) }),
    logLevel: logLevel as LogLevel,
    authorship: o.authorship === true,
  };
}

export function loadAgentConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AgentConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseAgentConfig(value, file, dirname(resolve(file)));
}
