/** Shared set-up for the link tests: temp dirs, free UDP ports, a modem bench of emulators behind pty pairs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { PtyPair } from '../../src/links/pty-pair.js';
import { buildEmulator, ModemEmulator } from '../../src/links/modem-emulator.js';
import { ModemLink, type ModemLinkOptions } from '../../src/links/modem-link.js';
import type { Link, LinkState } from '../../src/links/link.js';

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `murmur-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function freeUdpPorts(n: number): Promise<number[]> {
  const socks = await Promise.all(
    Array.from({ length: n }, () => {
      const s = createSocket('udp4');
      return new Promise<import('node:dgram').Socket>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
    }),
  );
  const ports = socks.map((s) => s.address().port);
  for (const s of socks) s.close();
  return ports;
}

export function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (cond()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

export function waitState(link: Link, state: LinkState, timeoutMs = 5000): Promise<void> {
  return waitFor(() => link.state === state, timeoutMs, `${link.name} ${state}`);
}

/** One emulated modem: firmware emulator on one end of a socat pty pair, the host side at `hostPath`. */
export interface ModemStation {
  readonly pty: PtyPair;
  readonly emulator: ModemEmulator;
  readonly hostPath: string;
}

/** N emulated modems that all hear each other, each behind its own pty pair. */
export async function modemStations(
  dir: string,
  n: number,
  opts: { timeScale?: number } = {},
): Promise<ModemStation[]> {
  buildEmulator();
  const ports = await freeUdpPorts(n);
  const out: ModemStation[] = [];
  for (let i = 0; i < n; i++) {
    const pty = new PtyPair(join(dir, `host${i}`), join(dir, `modem${i}`));
    await pty.plug();
    const emulator = new ModemEmulator({
      serial: pty.b,
      udpPort: ports[i]!,
      peers: ports.filter((_, j) => j !== i),
      timeScale: opts.timeScale ?? 1000,
      bootId: 0x1000 + i,
    });
    await emulator.start();
    out.push({ pty, emulator, hostPath: pty.a });
  }
  return out;
}

export async function stopStations(stations: ModemStation[]): Promise<void> {
  for (const s of stations) {
    await s.emulator.stop();
    await s.pty.unplug();
  }
}

export const FAST_BACKOFF = { initialMs: 20, maxMs: 200, factor: 2 };

export function modemLink(path: string, extra: Partial<ModemLinkOptions> = {}): ModemLink {
  return new ModemLink({ path, backoff: FAST_BACKOFF, answerTimeoutMs: 300, keepaliveMs: 250, ...extra });
}
