/**
 * A stand-in for a Meshtastic radio at the far end of a serial cable, for tests and benchmarks: it speaks
 * the real stream framing and protobufs (config handshake, QueueStatus per packet, reboot notice, console
 * text between frames) and hands PRIVATE_APP packets to the other fake radios on the same FakeMeshAir.
 * Only the radio physics is invented: each packet occupies the queue for its LoRa time on air / timeScale.
 */
import { SerialPort } from 'serialport';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Channel, Config, Mesh } from '@meshtastic/protobufs';
import { loraAirtimeMs, MESHTASTIC_LONG_FAST } from './airtime.js';
import { encodeStreamFrame, StreamDecoder } from './meshtastic-stream.js';
import { dataMessageLength, MESHTASTIC_HEADER } from './meshtastic-link.js';

/** The shared ether of fake radios: every transmission reaches every other radio. */
export class FakeMeshAir {
  readonly radios = new Set<FakeMeshtasticRadio>();
  transmit(from: FakeMeshtasticRadio, packet: Mesh.MeshPacket): void {
    for (const r of this.radios) if (r !== from) r.hear(packet);
  }
}

export interface FakeRadioOptions {
  readonly path: string;
  readonly nodeNum: number;
  readonly air: FakeMeshAir;
  /** Transmit queue length (Meshtastic's MAX_TX_QUEUE is 16). */
  readonly queueSlots?: number;
  /** Radio time runs this many times faster than LongFast time on air. */
  readonly timeScale?: number;
  /** Print console text between frames, as a radio with its debug log on does. */
  readonly chatty?: boolean;
}

export class FakeMeshtasticRadio {
  private port: SerialPort | undefined;
  private readonly decoder = new StreamDecoder();
  private readonly queue: Mesh.MeshPacket[] = [];
  private transmitting: ReturnType<typeof setTimeout> | undefined;
  private configured = false;
  /** Packets heard from the air while no client had finished the handshake are kept, as the firmware does. */
  private readonly undelivered: Mesh.MeshPacket[] = [];
  readonly stats = { received: 0, transmitted: 0, queueFull: 0, badFrames: 0 };

  constructor(readonly opts: FakeRadioOptions) {
    opts.air.radios.add(this);
  }

  get slots(): number {
    return this.opts.queueSlots ?? 16;
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.opts.path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', (chunk: Buffer) => this.decoder.push(chunk, (pb) => this.onToRadio(pb)));
    port.on('error', () => undefined);
    port.on('close', () => {
      if (this.port === port) this.port = undefined;
    });
    this.port = port;
  }

  async close(): Promise<void> {
    clearTimeout(this.transmitting);
    this.transmitting = undefined;
    this.opts.air.radios.delete(this);
    const p = this.port;
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  }

  /** Simulates a firmware restart: the queue is lost and the client is told to redo its handshake. */
  reboot(): void {
    this.queue.length = 0;
    clearTimeout(this.transmitting);
    this.transmitting = undefined;
    this.configured = false;
    this.write(create(Mesh.FromRadioSchema, { payloadVariant: { case: 'rebooted', value: true } }));
  }

  /** Writes raw bytes to the client (garbage, truncated frames). */
  injectRaw(bytes: Uint8Array): void {
    this.port?.write(Buffer.from(bytes));
  }

  hear(packet: Mesh.MeshPacket): void {
    const copy = create(Mesh.MeshPacketSchema, { ...packet, rxRssi: -97, rxSnr: 6.25, rxTime: 0 });
    if (this.configured) this.deliver(copy);
    else if (this.undelivered.length < 64) this.undelivered.push(copy);
  }

  private deliver(p: Mesh.MeshPacket): void {
    this.stats.received++;
    this.write(create(Mesh.FromRadioSchema, { payloadVariant: { case: 'packet', value: p } }));
  }

  private write(msg: Mesh.FromRadio): void {
    const p = this.port;
    if (!p?.isOpen) return;
    if (this.opts.chatty) p.write('DEBUG | ??:??:?? 12 [Router] Console text between frames\r\n');
    p.write(Buffer.from(encodeStreamFrame(toBinary(Mesh.FromRadioSchema, msg))));
  }

  private onToRadio(pb: Uint8Array): void {
    let msg: Mesh.ToRadio;
    try {
      msg = fromBinary(Mesh.ToRadioSchema, pb);
    } catch {
      this.stats.badFrames++;
      return;
    }
    const v = msg.payloadVariant;
    if (v.case === 'wantConfigId') this.sendConfig(v.value);
    else if (v.case === 'packet') this.enqueue(v.value);
    else if (v.case === 'disconnect') this.configured = false;
  }

  private sendConfig(nonce: number): void {
    const n = this.opts.nodeNum;
    const F = (payloadVariant: Mesh.FromRadio['payloadVariant']) => this.write(create(Mesh.FromRadioSchema, { payloadVariant }));
    F({ case: 'myInfo', value: create(Mesh.MyNodeInfoSchema, { myNodeNum: n, rebootCount: 1 }) });
    F({ case: 'nodeInfo', value: create(Mesh.NodeInfoSchema, { num: n }) });
    F({
      case: 'config',
      value: create(Config.ConfigSchema, {
        payloadVariant: {
          case: 'lora',
          value: create(Config.Config_LoRaConfigSchema, {
            usePreset: true,
            modemPreset: Config.Config_LoRaConfig_ModemPreset.LONG_FAST,
            region: Config.Config_LoRaConfig_RegionCode.EU_868,
            hopLimit: 3,
            txEnabled: true,
          }),
        },
      }),
    });
    F({ case: 'channel', value: create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY }) });
    F({ case: 'configCompleteId', value: nonce });
    this.configured = true;
    for (const p of this.undelivered.splice(0)) this.deliver(p);
  }

  private enqueue(packet: Mesh.MeshPacket): void {
    const full = this.queue.length >= this.slots;
    if (full) this.stats.queueFull++;
    else this.queue.push(create(Mesh.MeshPacketSchema, { ...packet, from: this.opts.nodeNum }));
    this.write(
      create(Mesh.FromRadioSchema, {
        payloadVariant: {
          case: 'queueStatus',
          value: create(Mesh.QueueStatusSchema, {
            res: full ? 1 : 0,
            free: this.slots - this.queue.length,
            maxlen: this.slots,
            meshPacketId: packet.id,
          }),
        },
      }),
    );
    this.pump();
  }

  private pump(): void {
    if (this.transmitting || this.queue.length === 0) return;
    const p = this.queue[0]!;
    const bytes = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value.payload.length : 0;
    const ms = loraAirtimeMs(MESHTASTIC_LONG_FAST, MESHTASTIC_HEADER + dataMessageLength(bytes)) / (this.opts.timeScale ?? 1);
    this.transmitting = setTimeout(() => {
      this.transmitting = undefined;
      this.queue.shift();
      this.stats.transmitted++;
      this.opts.air.transmit(this, p);
      this.pump();
    }, ms);
  }
}
