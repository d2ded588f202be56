/**
 * A serial port that comes back: opens the device, and whenever it is lost (unplugged, EIO, ENOENT while the
 * device is absent) retries with back-off on the given Clock. The link adapters above it see only
 * open / data / lost.
 */
import { SerialPort } from 'serialport';
import type { Clock, TimerHandle } from '../core/clock.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

export interface SerialTransportOptions {
  readonly path: string;
  readonly baudRate?: number;
  readonly clock: Clock;
  readonly backoff?: BackoffPolicy;
  readonly onOpen: () => void;
  readonly onData: (chunk: Uint8Array) => void;
  /** The port was lost (or an open attempt failed); a retry is scheduled in `retryInMs`. */
  readonly onLost: (reason: string, retryInMs: number) => void;
}

export class SerialTransport {
  private port: SerialPort | undefined;
  private retry: TimerHandle | undefined;
  private stopped = false;
  private readonly backoff: Backoff;
  /** Successful opens so far. */
  opens = 0;

  constructor(private readonly opts: SerialTransportOptions) {
    this.backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF);
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  /** Resolves after the first open attempt, whatever its outcome (later attempts run on their own). */
  start(): Promise<void> {
    this.stopped = false;
    return this.attempt();
  }

  write(bytes: Uint8Array): boolean {
    const p = this.port;
    if (!p || !p.isOpen) return false;
    p.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return true;
  }

  /** Drops the port and reconnects (the far end stopped answering, or a write found the line dead). */
  reconnect(reason: string): void {
    const p = this.port;
    if (!p || this.stopped) return;
    this.port = undefined;
    p.removeAllListeners('data');
    if (p.isOpen) p.close(() => undefined);
    this.scheduleRetry(reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.retry);
    this.retry = undefined;
    const p = this.port;
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  private attempt(): Promise<void> {
    this.retry = undefined;
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const port = new SerialPort({ path: this.opts.path, baudRate: this.opts.baudRate ?? 115200, autoOpen: false });
      let settled = false;
      const lost = (reason: string) => {
        if (this.port !== port) return; // an old port reporting late
        this.port = undefined;
        port.removeAllListeners('data');
        if (port.isOpen) port.close(() => undefined);
        this.scheduleRetry(reason);
      };
      port.on('error', (err: Error) => lost(describe(err)));
      port.on('close', (err?: Error) => lost(err ? describe(err) : 'port closed'));
      port.on('data', (chunk: Buffer) => this.opts.onData(chunk));
      this.port = port;
      port.open((err) => {
        if (err) {
          if (this.port === port) this.port = undefined;
          if (!this.stopped) this.scheduleRetry(describe(err));
        } else if (this.stopped) {
          port.close(() => undefined);
        } else {
          this.opens++;
          this.backoff.reset();
          this.opts.onOpen();
        }
        if (!settled) {
          settled = true;
          resolve();
        }
      });
    });
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped || this.retry) return;
    const delay = this.backoff.next();
    this.retry = this.opts.clock.setTimeout(() => void this.attempt(), delay);
    this.opts.onLost(reason, delay);
  }
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const msg = err.message.replace(/^Error: /, '');
  return code && !msg.includes(code) ? `${code} ${msg}` : msg;
}
