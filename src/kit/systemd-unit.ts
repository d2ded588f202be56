/**
 * The systemd unit that runs one drone's agent at boot: restarted whatever way it ends, as an unprivileged user
 * with access to the serial devices of its config (dialout group, and only those devices), logs to the journal
 * (the agent writes JSON lines on stderr, so `journalctl -u murmur-agent -o cat` gives one JSON object a line).
 */
import { dirname } from 'node:path';
import type { AgentConfig } from '../agent/config.js';

export interface UnitOptions {
  readonly configPath: string;
  readonly config: AgentConfig;
  readonly user: string;
  /** Absolute path of node and of murmur's bin script. */
  readonly node: string;
  readonly bin: string;
}

/** The serial device paths a config names (flight controller and radio), if any. */
export function serialDevices(cfg: Pick<AgentConfig, 'fc' | 'radio'>): string[] {
  const out: string[] = [];
  const fc = /^serial:(.+):\d+$/.exec(cfg.fc);
  if (fc) out.push(fc[1]!);
  const radio = /^(?:modem|meshtastic):(.+)$/.exec(cfg.radio);
  if (radio) out.push(radio[1]!);
  return [...new Set(out)];
}

/**
 * The kernel driver classes of those devices: a path is resolved once when the service starts, and a USB radio
 * unplugged and plugged back in may come back under another minor number (ttyUSB1), which its class still allows.
 */
export function deviceClasses(devices: readonly string[]): string[] {
  const out = new Set<string>();
  for (const d of devices) {
    const m = /tty(USB|ACM|AMA|S)\d/.exec(d);
    if (m) out.add(`char-tty${m[1]}`);
    else if (d.startsWith('/dev/serial/')) ['char-ttyUSB', 'char-ttyACM'].forEach((c) => out.add(c));
  }
  return [...out];
}

/** systemd quotes: a word with spaces or quotes goes in double quotes with \ and " escaped. */
function q(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function agentUnit(o: UnitOptions): string {
  const devices = serialDevices(o.config);
  const writable = [o.config.dataDir, ...(o.config.detector ? [dirname(o.config.detector)] : [])];
  // /run is emptied at every boot: systemd makes the detector socket's folder there before each start.
  const runtime = o.config.detector ? /^\/run\/([^/]+)\//.exec(o.config.detector)?.[1] : undefined;
  return [
    '# Written by `murmur agent install-service`; run it again after changing the config path or the user.',
    '[Unit]',
    'Description=Murmur drone agent (flight controller, mesh radio, gossip, search)',
    'Wants=network-online.target',
    'After=network-online.target',
    // Keep trying for ever: a drone whose agent gave up after five quick crashes is a drone out of the search.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    `User=${o.user}`,
    'SupplementaryGroups=dialout',
    `ExecStart=${[o.node, o.bin, 'agent', '--config', o.configPath].map(q).join(' ')}`,
    `WorkingDirectory=${q(dirname(o.configPath))}`,
    'Restart=always',
    'RestartSec=2',
    'TimeoutStopSec=20',
    'Environment=NODE_ENV=production',
    'StandardOutput=journal',
    'StandardError=journal',
    'SyslogIdentifier=murmur-agent',
    ...(runtime ? [`RuntimeDirectory=${q(runtime)}`] : []),
    // Serial devices: only the config's own (and their driver class), read-write; the rest of /dev stays closed.
    ...(devices.length ? ['DevicePolicy=closed', ...devices.map((d) => `DeviceAllow=${q(d)} rw`), ...deviceClasses(devices).map((c) => `DeviceAllow=${c} rw`)] : []),
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    // '-': a missing folder is not an error here; install-service creates the data folder.
    `ReadWritePaths=${writable.map((p) => `-${q(p)}`).join(' ')}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
