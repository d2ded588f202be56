/**
 * The receive path of a link: bytes → frames → sealed packets → payloads. Every failure becomes a typed
 * rejection counted in `rejects`; nothing throws out of it, and memory is bounded by the frame decoder's
 * buffer and the replay window (one bitmap per keyring member).
 */
import type { NodeId } from './facts.js';
import { FrameDecoder } from './framing.js';
import { decodePayload, type PacketPayload } from './codec.js';
import { MAX_PACKET_BYTES, openPacket, type PacketKeyring } from './packet.js';
import { ReplayWindow } from './replay.js';
import { RejectCounter, accept, reject, type Decoded, type RejectReason } from './reject.js';

export interface ReceivedPacket {
  readonly sender: NodeId;
  readonly counter: number;
  readonly payload: PacketPayload;
}

export interface ReceiveRejection {
  readonly reason: RejectReason;
  readonly detail: string;
}

export class ReceivePath {
  readonly rejects = new RejectCounter();
  /** Exceptions caught at the outer guard; a correct decoder keeps this at 0 (the fuzz tests assert it). */
  internalErrors = 0;
  readonly replay: ReplayWindow;
  private readonly frames: FrameDecoder;

  constructor(
    private readonly keyring: PacketKeyring,
    options: { replay?: ReplayWindow; onReject?: (r: ReceiveRejection) => void } = {},
  ) {
    this.replay = options.replay ?? new ReplayWindow();
    this.frames = new FrameDecoder(MAX_PACKET_BYTES);
    this.onReject = options.onReject;
  }

  private readonly onReject: ((r: ReceiveRejection) => void) | undefined;

  /** Byte-stream links (serial): feed whatever arrived; returns the packets completed by it. */
  pushBytes(chunk: Uint8Array): ReceivedPacket[] {
    const out: ReceivedPacket[] = [];
    try {
      this.frames.push(
        chunk,
        (frame) => {
          const r = this.acceptPacket(frame);
          if (r.ok) out.push(r.value);
        },
        (rej) => this.count(rej.reason, rej.detail),
      );
    } catch (err) {
      this.internalErrors++;
      this.count('malformed', `receive path: ${String(err)}`);
    }
    return out;
  }

  /** Datagram links (UDP, a modem that delivers whole packets): one sealed packet. */
  acceptPacket(bytes: Uint8Array): Decoded<ReceivedPacket> {
    try {
      const opened = openPacket(bytes, this.keyring, this.replay);
      if (!opened.ok) return this.counted(opened);
      const decoded = decodePayload(opened.value.payload, opened.value.sender);
      if (!decoded.ok) return this.counted(decoded);
      return accept({ sender: opened.value.sender, counter: opened.value.counter, payload: decoded.value });
    } catch (err) {
      this.internalErrors++;
      this.count('malformed', `receive path: ${String(err)}`);
      return reject('malformed', `receive path: ${String(err)}`);
    }
  }

  private counted<T>(r: Decoded<unknown> & { ok: false }): Decoded<T> {
    this.count(r.reason, r.detail);
    return r;
  }

  private count(reason: RejectReason, detail: string): void {
    this.rejects.add(reason);
    this.onReject?.({ reason, detail });
  }
}
