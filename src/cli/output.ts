/** Shared CLI output: progress that suits a terminal or a log file, and one-line answers to common mistakes. */
import { UsageError } from './args.js';

export interface StageProgress {
  (simS: number, pct: number): void;
  /** Ends the terminal's rewritten line. */
  end(): void;
}

/**
 * On a terminal one line rewritten in place; elsewhere (a file, journald, a pipe) one line per quarter
 * reached, so a log holds the stages and not hundreds of near-identical lines.
 */
export function stageProgress(label: string, out: NodeJS.WriteStream = process.stdout): StageProgress {
  const tty = out.isTTY === true;
  let stage = -1;
  let drawn = false;
  const fn = ((simS: number, pct: number) => {
    const line = `t=${Math.round(simS)} s  ${label} ${pct.toFixed(1)}%`;
    if (tty) {
      out.write(`\r${line}\x1b[K`);
      drawn = true;
      return;
    }
    const s = Math.min(4, Math.floor(pct / 25));
    if (s > stage) {
      stage = s;
      out.write(`${line}\n`);
    }
  }) as StageProgress;
  fn.end = () => {
    if (drawn) out.write('\n');
    drawn = false;
  };
  return fn;
}

/** A web port a user typed: an integer 0..65535 (0 picks a free one). */
export function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 1 to 65535, got ${port}`);
  return port;
}

/** A listen failure said in one line with what to do, or undefined when `err` is something else. */
export function listenError(err: unknown, port: number): UsageError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new UsageError(`port ${port} is already in use (another ground station or demo?): stop it or pass --port N`);
  if (code === 'EACCES') return new UsageError(`port ${port} needs root: use a port above 1023 (--port 8080)`);
  if (code === 'EADDRNOTAVAIL') return new UsageError(`cannot listen on that address: it is not one of this machine's (--host)`);
  return undefined;
}
