/**
 * Runs the host build of our modem firmware (firmware-bridge/host/emulator.cpp): the real portable core,
 * serving the modem protocol on a serial device, with UDP on loopback in place of the radio.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';

export const FIRMWARE_DIR = join(projectRoot(import.meta.url), 'firmware-bridge');
export const EMULATOR_BIN = join(FIRMWARE_DIR, 'build/murmur-modem-emu');

/** Builds the emulator with make (a no-op when up to date). Throws with the compiler output on failure. */
export function buildEmulator(): string {
  const r = spawnSync('make', ['-s', '-C', FIRMWARE_DIR, 'emulator'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the modem emulator failed:\n${r.stdout}${r.stderr}`);
  return EMULATOR_BIN;
}

export interface EmulatorOptions {
  /** Serial device the emulator opens (and reopens after it vanished). */
  readonly serial: string;
  readonly udpPort: number;
  readonly peers: readonly number[];
  /** Radio time runs this many times faster than LoRa time on air (1 = real). */
  readonly timeScale?: number;
  readonly bootId?: number;
  readonly verbose?: boolean;
}

export class ModemEmulator {
  private proc: ChildProcess | undefined;
  log = '';

  constructor(readonly opts: EmulatorOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    const args = ['--serial', this.opts.serial, '--udp-port', String(this.opts.udpPort)];
    for (const p of this.opts.peers) args.push('--peer', String(p));
    if (this.opts.timeScale) args.push('--time-scale', String(this.opts.timeScale));
    if (this.opts.bootId !== undefined) args.push('--boot-id', String(this.opts.bootId));
    if (this.opts.verbose) args.push('--verbose');
    const proc = spawn(EMULATOR_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    const reap = () => proc.kill('SIGTERM');
    process.once('exit', reap);
    proc.once('exit', () => process.removeListener('exit', reap));
    await new Promise<void>((resolve, reject) => {
      proc.stderr!.on('data', (d: Buffer) => {
        if (this.log.length < 20_000) this.log += d.toString();
        if (this.log.includes('emulator: ready')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${this.log}`)));
    });
  }

  /** Freezes the firmware (SIGSTOP): a hung modem that still holds its port. */
  freeze(): void {
    this.proc?.kill('SIGSTOP');
  }

  thaw(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Kills the process: a power cycle when started again. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }
}
