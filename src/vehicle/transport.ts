/**
 * Byte transports for MAVLink: serial, TCP, UDP (listen), UDP out, and an in-memory pair for running vehicles in
 * virtual time. A transport only moves bytes; framing, retries and reconnects live above it.
 */
import net from 'node:net';
import dgram from 'node:dgram';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';

export interface ByteLink {
  write(bytes: Uint8Array): void;
  close(): void;
  /** Set by the user of the link. */
  onData: ((bytes: Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
}

/** Opens a fresh link; called again after each loss (reconnect). */
export type Connector = () => Promise<ByteLink>;

export class ConnectionStringError extends Error {}

export function describeConnectionStrings(): string {
  return 'serial:/dev/ttyAMA0:921600 | tcp:HOST:PORT | udp:BIND_ADDR:PORT (listen) | udpout:HOST:PORT';
}

/** Parses `serial:/dev/x:baud`, `tcp:host:port`, `udp:addr:port` (listen), `udpout:host:port`. */
export function connectorFor(conn: string): Connector {
  const m = /^(serial|tcp|udp|udpout):(.+):(\d+)$/.exec(conn.trim());
  if (!m) throw new ConnectionStringError(`bad connection string "${conn}" (expected ${describeConnectionStrings()})`);
  const [, kind, host, portStr] = m as unknown as [string, string, string, string];
  const port = Number(portStr);
  switch (kind) {
    case 'tcp':
      return () => tcpLink(host, port);
    case 'udp':
      return () => udpListenLink(host, port);
    case 'udpout':
      return () => udpOutLink(host, port);
    default:
      return () => serialLink(host, port);
  }
}

class SocketLink implements ByteLink {
  onData: ((bytes: Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
  private closed = false;
  constructor(private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (b) => this.onData?.(b));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.onClose?.();
    });
  }
  write(bytes: Uint8Array): void {
    if (!this.closed && this.sock.writable) this.sock.write(bytes);
  }
  close(): void {
    this.sock.destroy();
  }
}

export function socketLink(sock: net.Socket): ByteLink {
  return new SocketLink(sock);
}

export function tcpLink(host: string, port: number, timeoutMs = 3000): Promise<ByteLink> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`tcp ${host}:${port}: connect timeout`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(new SocketLink(sock));
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    });
  });
}

/** UDP server: replies go to whoever sent last (as MAVProxy / SITL do with udp:). */
function udpListenLink(addr: string, port: number): Promise<ByteLink> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    let peer: { address: string; port: number } | undefined;
    const link: ByteLink = {
      onData: undefined,
      onClose: undefined,
      write(bytes) {
        if (peer) sock.send(bytes, peer.port, peer.address);
      },
      close() {
        sock.close();
      },
    };
    sock.on('message', (msg, rinfo) => {
      peer = { address: rinfo.address, port: rinfo.port };
      link.onData?.(msg);
    });
    sock.once('error', reject);
    sock.on('close', () => link.onClose?.());
    sock.bind(port, addr, () => resolve(link));
  });
}

function udpOutLink(host: string, port: number): Promise<ByteLink> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const link: ByteLink = {
      onData: undefined,
      onClose: undefined,
      write(bytes) {
        sock.send(bytes, port, host);
      },
      close() {
        sock.close();
      },
    };
    sock.on('message', (msg) => link.onData?.(msg));
    sock.once('error', reject);
    sock.on('close', () => link.onClose?.());
    sock.bind(0, () => resolve(link));
  });
}

async function serialLink(path: string, baudRate: number): Promise<ByteLink> {
  const { SerialPort } = await import('serialport');
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    let closed = false;
    const link: ByteLink = {
      onData: undefined,
      onClose: undefined,
      write(bytes) {
        if (!closed) port.write(Buffer.from(bytes));
      },
      close() {
        if (port.isOpen) port.close();
      },
    };
    port.on('data', (b: Buffer) => link.onData?.(b));
    port.on('close', () => {
      if (closed) return;
      closed = true;
      link.onClose?.();
    });
    port.on('error', () => {
      if (port.isOpen) port.close();
    });
    port.open((err) => (err ? reject(err) : resolve(link)));
  });
}

export interface MemoryLinkOptions {
  readonly clock: Clock;
  /** One-way delay in this clock's ms (0 delivers on the next timer tick). */
  readonly latencyMs?: number;
  /** Probability that a write is lost (whole write = one MAVLink packet for our encoders). */
  readonly loss?: number;
  readonly random?: Random;
}

/**
 * Two connected in-memory endpoints whose deliveries are clock timers: deterministic in virtual time, with
 * optional latency and per-write loss. `cut()` makes both ends see a close (a cable pulled).
 */
export function memoryLinkPair(opts: MemoryLinkOptions): [ByteLink & { cut(): void }, ByteLink & { cut(): void }] {
  const latency = opts.latencyMs ?? 0;
  let open = true;
  const make = () => {
    const end: ByteLink & { cut(): void; peer?: ByteLink } = {
      onData: undefined,
      onClose: undefined,
      write(bytes) {
        if (!open) return;
        if (opts.loss && opts.random && opts.random.chance(opts.loss)) return;
        const copy = new Uint8Array(bytes);
        const peer = end.peer;
        opts.clock.setTimeout(() => {
          if (open) peer?.onData?.(copy);
        }, latency);
      },
      close() {
        cut();
      },
      cut() {
        cut();
      },
    };
    return end;
  };
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  const cut = () => {
    if (!open) return;
    open = false;
    opts.clock.setTimeout(() => {
      a.onClose?.();
      b.onClose?.();
    }, 0);
  };
  return [a, b];
}
