/** Small flag parser over node:util's parseArgs, with errors a user can act on. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

/** Parses a number flag, with a clear error naming the flag. */
export function numberFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${value}"`);
  return n;
}
