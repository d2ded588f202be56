/**
 * A pair of connected pseudo-terminals made by socat, reachable through two stable symlinks. Pulling the
 * "cable" kills socat (both ends vanish: readers get EIO, reopen gets ENOENT); plugging it back starts a new
 * pair under the same names. Used by the tests, the benchmark and `murmur modem emulate`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export class PtyPair {
  private proc: ChildProcess | undefined;

  constructor(
    readonly a: string,
    readonly b: string,
  ) {}

  get plugged(): boolean {
    return this.proc !== undefined;
  }

  /** Starts socat and resolves once both symlinks exist. */
  async plug(timeoutMs = 5000): Promise<void> {
    if (this.proc) return;
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc = proc;
    const reap = () => proc.kill('SIGTERM');
    process.once('exit', reap); // no stray socat if the owner dies without unplugging
    proc.once('exit', () => process.removeListener('exit', reap));
    let log = '';
    proc.stderr!.on('data', (d: Buffer) => {
      if (log.length < 4000) log += d.toString();
    });
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log.trim()}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    // "starting data transfer loop" means both ptys exist and socat is relaying
    while (!log.includes('starting data transfer loop') || !existsSync(this.a) || !existsSync(this.b)) {
      if (Date.now() > deadline) {
        this.unplug();
        throw new Error(`socat did not create ${this.a} / ${this.b}: ${log.trim()}`);
      }
      await Promise.race([new Promise((r) => setTimeout(r, 5)), exited]);
    }
  }

  /** Kills socat: both ends of the cable disappear. Resolves once it exited. */
  async unplug(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }
}
