/**
 * What every radio link offers the agent and the ground station: send a packet, hear packets with what the
 * radio measured, know the MTU and what a packet costs in airtime, see back-pressure and connection state.
 * Adapters: ModemLink (our LoRa modem firmware over serial), MeshtasticLink (a stock Meshtastic radio over
 * its serial API), UdpLink (SITL runs and IP mesh radios).
 */

export type LinkKind = 'modem' | 'meshtastic' | 'udp';

/**
 * `connecting`: opening the port / handshaking; `up`: packets flow; `down`: lost (unplugged, EIO, ENOENT,
 * radio rebooting) and a reconnect is scheduled; `closed`: close() was called.
 */
export type LinkState = 'connecting' | 'up' | 'down' | 'closed';

export interface LinkStateChange {
  /** Equal to `to` when the state stayed but the reason changed or another retry was scheduled (EIO, then ENOENT …). */
  readonly from: LinkState;
  readonly to: LinkState;
  /** Why, in words an operator can act on ("ENOENT /dev/ttyUSB0", "radio rebooted", …). */
  readonly reason: string;
  /** When down: the next reconnect attempt is in this many ms. */
  readonly retryInMs?: number;
  readonly at: number;
}

export interface ReceivedPacket {
  readonly data: Uint8Array;
  /** Received signal strength in dBm, when the radio reports it. */
  readonly rssi?: number;
  /** Signal-to-noise ratio in dB, when the radio reports it. */
  readonly snr?: number;
  /** Clock time (ms) at which the link delivered it. */
  readonly receivedAt: number;
}

/** Why a send was refused. `queue_full` is back-pressure: wait for a `writable` event and try again. */
export type SendRefusal = 'queue_full' | 'oversize' | 'down' | 'closed' | 'radio_error';

export type SendResult =
  | { readonly ok: true; /** estimated airtime of this packet, ms */ readonly airtimeMs: number }
  | { readonly ok: false; readonly reason: SendRefusal; readonly detail: string };

export interface LinkStats {
  /** Packets the radio accepted for transmission. */
  sent: number;
  sentBytes: number;
  /** Packets the radio reported transmitted (where it reports it). */
  transmitted: number;
  received: number;
  receivedBytes: number;
  /** Sends refused because the radio's queue was full. */
  queueFull: number;
  /** Other refused sends (oversize, down, …). */
  refused: number;
  /** Frames from the radio that failed framing or decoding (garbage, truncation, line noise). */
  rejectedFrames: number;
  /** Received frames dropped as duplicates (replays after a reconnect). */
  duplicates: number;
  /** Times the link came back up after being down. */
  reconnects: number;
  /** Estimated airtime of everything sent, ms. */
  airtimeMs: number;
}

export function emptyStats(): LinkStats {
  return {
    sent: 0,
    sentBytes: 0,
    transmitted: 0,
    received: 0,
    receivedBytes: 0,
    queueFull: 0,
    refused: 0,
    rejectedFrames: 0,
    duplicates: 0,
    reconnects: 0,
    airtimeMs: 0,
  };
}

/** What the radio said about its transmit queue, when it says anything. */
export interface QueueStatus {
  readonly used: number;
  readonly capacity: number;
}

export interface LinkEvents {
  packet: ReceivedPacket;
  state: LinkStateChange;
  /** The radio has room again after a `queue_full`. */
  writable: QueueStatus;
}

export type Unsubscribe = () => void;

export interface Link {
  readonly kind: LinkKind;
  /** A short name for logs and status pages ("modem:/dev/ttyUSB0"). */
  readonly name: string;
  /** Largest packet `send` accepts, bytes. */
  readonly mtu: number;
  readonly state: LinkState;
  /** Last queue figures reported by the radio (undefined if it never reported). */
  readonly queue: QueueStatus | undefined;
  readonly stats: Readonly<LinkStats>;
  /** Estimated milliseconds on air for a packet of `bytes` payload bytes, with the current radio settings. */
  airtimeMs(bytes: number): number;
  /** Opens the port and starts reconnecting whenever it is lost; resolves once the first attempt finished. */
  open(): Promise<void>;
  /**
   * Hands a packet to the radio. Resolves when the radio accepted or refused it; never throws. A packet the
   * radio accepted is delivered to the air once, even if the cable drops while the answer is on its way.
   */
  send(data: Uint8Array): Promise<SendResult>;
  on<E extends keyof LinkEvents>(event: E, fn: (e: LinkEvents[E]) => void): Unsubscribe;
  close(): Promise<void>;
}

/** Minimal typed event hub shared by the adapters; a throwing listener never breaks a receive loop. */
export class LinkEventHub {
  private readonly listeners: { [E in keyof LinkEvents]: Set<(e: LinkEvents[E]) => void> } = {
    packet: new Set(),
    state: new Set(),
    writable: new Set(),
  };
  listenerErrors = 0;

  on<E extends keyof LinkEvents>(event: E, fn: (e: LinkEvents[E]) => void): Unsubscribe {
    const set = this.listeners[event] as Set<(e: LinkEvents[E]) => void>;
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<E extends keyof LinkEvents>(event: E, e: LinkEvents[E]): void {
    for (const fn of this.listeners[event] as Set<(e: LinkEvents[E]) => void>) {
      try {
        fn(e);
      } catch {
        this.listenerErrors++;
      }
    }
  }
}

/** Tracks the state machine and announces each change. */
export class LinkStateTracker {
  private current: LinkState = 'down';
  private lastReason = '';
  readonly history: LinkStateChange[] = [];

  constructor(
    private readonly hub: LinkEventHub,
    private readonly now: () => number,
    private readonly keep = 50,
  ) {}

  get state(): LinkState {
    return this.current;
  }

  set(to: LinkState, reason: string, retryInMs?: number): void {
    // same state, same reason: nothing new, unless a new retry was scheduled (at most one per back-off step)
    if (to === this.current && reason === this.lastReason && retryInMs === undefined) return;
    const change: LinkStateChange = { from: this.current, to, reason, at: this.now(), ...(retryInMs === undefined ? {} : { retryInMs }) };
    this.current = to;
    this.lastReason = reason;
    this.history.push(change);
    if (this.history.length > this.keep) this.history.shift();
    this.hub.emit('state', change);
  }
}
