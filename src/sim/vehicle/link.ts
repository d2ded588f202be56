/**
 * Binds a simulated copter to one byte link: MAVLink decoding of what arrives, encoding (as sysid/1) of what the
 * copter sends, optional signing, and optional injected packet loss in both directions (seeded).
 */
import type { Clock } from '../../core/clock.js';
import { seededRandom, type Random } from '../../core/random.js';
import type { MavLinkData } from 'node-mavlink';
import { MavlinkDecoder, MavlinkEncoder } from '../../vehicle/mavlink/codec.js';
import type { ByteLink } from '../../vehicle/transport.js';
import type { SimCopter, SimSink } from './copter.js';

export interface SimLinkOptions {
  readonly clock: Clock;
  /** Probability of dropping each packet, in each direction. */
  readonly loss?: number;
  readonly seed?: number;
  readonly signingKey?: Uint8Array;
}

export class SimLink implements SimSink {
  readonly decoder: MavlinkDecoder;
  private readonly encoder: MavlinkEncoder;
  private readonly rnd: Random;
  private loss: number;
  private attached = true;
  sent = 0;
  received = 0;

  constructor(
    private readonly copter: SimCopter,
    private readonly link: ByteLink,
    opts: SimLinkOptions,
  ) {
    this.loss = opts.loss ?? 0;
    this.rnd = seededRandom(opts.seed ?? copter.sysid * 7919);
    // With a key, like ArduPilot with signing set up: unsigned packets are dropped.
    this.decoder = new MavlinkDecoder(opts.signingKey ? { signingKey: opts.signingKey, requireSigned: true } : {});
    this.encoder = new MavlinkEncoder({
      sysid: copter.sysid,
      compid: 1,
      ...(opts.signingKey ? { signing: { key: opts.signingKey, linkId: 0, now: () => opts.clock.now() } } : {}),
    });
    link.onData = (bytes) => {
      for (const msg of this.decoder.push(bytes)) {
        if (this.loss > 0 && this.rnd.chance(this.loss)) continue;
        this.received++;
        this.copter.receive(msg);
      }
    };
    link.onClose = () => this.detach();
    copter.addSink(this);
    copter.boot();
  }

  setLoss(p: number): void {
    this.loss = p;
  }

  message(data: MavLinkData): void {
    if (!this.attached) return;
    if (this.loss > 0 && this.rnd.chance(this.loss)) return;
    this.sent++;
    this.link.write(this.encoder.encode(data));
  }

  raw(bytes: Uint8Array): void {
    if (this.attached) this.link.write(bytes);
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.copter.removeSink(this);
    this.link.close();
  }
}
