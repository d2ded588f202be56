/**
 * Streams the map as Cursor-on-Target to a TAK server (TCP, usually port 8087) or to ATAK devices on
 * the SA multicast group (UDP 239.2.3.1:6969). Sent after changes (coalesced) and refreshed
 * periodically so TAK clients keep the markers before they go stale.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { toCoT } from '../map/cot.js';
import type { GroundStation } from './station.js';

export interface TakTarget {
  readonly protocol: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
}

/** Parses "tcp://host:8087" or "udp://239.2.3.1:6969". */
export function parseTakTarget(s: string): TakTarget {
  const m = /^(tcp|udp):\/\/([^:/]+):(\d+)$/.exec(s);
  if (!m) throw new Error(`TAK target must look like tcp://host:8087 or udp://239.2.3.1:6969, got "${s}"`);
  return { protocol: m[1] as 'tcp' | 'udp', host: m[2]!, port: Number(m[3]) };
}

export class TakStream {
  private tcp: Socket | undefined;
  private udp: UdpSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refresh: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private closed = false;
  eventsSent = 0;

  constructor(
    private readonly station: GroundStation,
    private readonly target: TakTarget,
    private readonly refreshMs = 60_000,
  ) {
    if (target.protocol === 'udp') this.udp = createSocket('udp4');
    else this.connectTcp();
    this.unsubscribe = station.onChange(() => this.schedule());
    this.refresh = setInterval(() => this.sendAll(), refreshMs);
    this.refresh.unref();
    this.schedule();
  }

  private connectTcp(): void {
    if (this.closed) return;
    const s = connect(this.target.port, this.target.host);
    s.on('error', () => undefined);
    s.on('close', () => {
      this.tcp = undefined;
      if (!this.closed) setTimeout(() => this.connectTcp(), 5000).unref();
    });
    s.on('connect', () => {
      this.tcp = s;
      this.sendAll();
    });
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendAll();
    }, 500);
  }

  private sendAll(): void {
    if (this.closed) return;
    const events = toCoT(this.station.map.state(), this.station.frame, { nowMs: Date.now(), staleMs: this.refreshMs * 3 });
    for (const xml of events) {
      if (this.udp) this.udp.send(xml, this.target.port, this.target.host);
      else if (this.tcp) this.tcp.write(xml + '\n');
      else return;
      this.eventsSent++;
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.refresh);
    if (this.timer) clearTimeout(this.timer);
    this.tcp?.destroy();
    this.udp?.close();
  }
}
