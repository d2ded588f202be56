/** Runs the `murmur` command as a user would (a child process), with its exit code and both outputs. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const MURMUR = resolve('bin', 'murmur.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; bin?: string } = {}): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [opts.bin ?? MURMUR, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`murmur ${args.join(' ')} still running after ${opts.timeoutMs ?? 150_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** A user mistake's answer: exit ≠ 0, one line on stderr, no stack trace. Returns that line. */
export function oneLineError(r: CliRun): string {
  const lines = r.stderr.trim().split('\n');
  if (r.code === 0) throw new Error(`exit 0, expected a failure; stderr: ${r.stderr}`);
  if (/\n\s+at |node:internal|Error: /.test(r.stderr)) throw new Error(`a stack trace:\n${r.stderr}`);
  if (lines.length !== 1 || !lines[0]) throw new Error(`expected one line on stderr, got ${lines.length}:\n${r.stderr}`);
  return lines[0];
}

/** Runs `jobs` at most `n` at a time (each a tsx start-up: the machine has two cores). */
export async function inBatches<T>(jobs: (() => Promise<T>)[], n = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}
