/**
 * The simulated vehicle behind a TCP port, like SITL's SERIAL0 (5760 + 10 × instance): the firmware boots when
 * the first client connects, every client gets the vehicle's messages, and `suspend` drops every connection and
 * refuses new ones for a while (a cable cut) while the vehicle keeps flying.
 */
import net from 'node:net';
import type { Clock } from '../../core/clock.js';
import { socketLink } from '../../vehicle/transport.js';
import { SimCopter, type SimCopterOptions } from './copter.js';
import { SimLink } from './link.js';

export interface SimServerOptions extends SimCopterOptions {
  readonly port: number;
  readonly host?: string;
  readonly loss?: number;
  readonly signingKey?: Uint8Array;
  /** Boot at once instead of waiting for the first client. */
  readonly bootNow?: boolean;
}

export class SimVehicleServer {
  readonly copter: SimCopter;
  private server: net.Server | undefined;
  private readonly links = new Set<SimLink>();
  private readonly sockets = new Set<net.Socket>();
  private loss: number;

  private constructor(
    private readonly opts: SimServerOptions,
    private readonly clock: Clock,
  ) {
    this.copter = new SimCopter(opts);
    this.loss = opts.loss ?? 0;
    if (opts.bootNow) this.copter.boot();
  }

  static async start(opts: SimServerOptions): Promise<SimVehicleServer> {
    const s = new SimVehicleServer(opts, opts.clock);
    await s.listen();
    return s;
  }

  private boundPort = 0;

  /** The TCP port (the real one when started with port 0). */
  get port(): number {
    return this.boundPort || this.opts.port;
  }

  setLoss(p: number): void {
    this.loss = p;
    for (const l of this.links) l.setLoss(p);
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((sock) => {
        this.sockets.add(sock);
        sock.on('close', () => this.sockets.delete(sock));
        const link = new SimLink(this.copter, socketLink(sock), {
          clock: this.clock,
          loss: this.loss,
          seed: this.opts.sysid * 31 + this.links.size,
          ...(this.opts.signingKey ? { signingKey: this.opts.signingKey } : {}),
        });
        this.links.add(link);
        sock.on('close', () => this.links.delete(link));
      });
      server.once('error', reject);
      server.listen(this.boundPort || this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        server.removeListener('error', reject);
        const addr = server.address();
        if (addr && typeof addr === 'object') this.boundPort = addr.port;
        this.server = server;
        resolve();
      });
    });
  }

  /** Drops all clients and refuses connections for `ms` of this server's clock. */
  suspend(ms: number, clock: Clock = this.clock): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const l of this.links) l.detach();
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => {
      const reopen = () => clock.setTimeout(() => void this.listen().then(resolve, resolve), ms);
      if (server) server.close(() => reopen());
      else reopen();
    });
  }

  async close(): Promise<void> {
    this.copter.stop();
    for (const l of this.links) l.detach();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
