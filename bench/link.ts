/**
 * `murmur bench link`: what each link carries through real pseudo-terminals (and loopback UDP), what it
 * costs in CPU and framing bytes, and whether a 10,000-frame soak with cable pulls loses anything.
 * Baselines measured in the same run: raw bytes through the same kind of pty pair with no protocol, and
 * KISS framing (RNode's host protocol) on the same payloads.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { SerialPort } from 'serialport';
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import type { Benchmark, BenchOptions } from '../src/cli/commands/bench.js';
import { encodeFrame } from '../src/wire/framing.js';
import { seededRandom } from '../src/core/random.js';
import { PtyPair } from '../src/links/pty-pair.js';
import { buildEmulator, ModemEmulator } from '../src/links/modem-emulator.js';
import { ModemLink } from '../src/links/modem-link.js';
import { DEFAULT_MODEM_CONFIG, encodeSend } from '../src/links/modem-protocol.js';
import { MeshtasticLink, BROADCAST_NUM } from '../src/links/meshtastic-link.js';
import { FakeMeshAir, FakeMeshtasticRadio } from '../src/links/meshtastic-fake-radio.js';
import { encodeStreamFrame } from '../src/links/meshtastic-stream.js';
import { UdpLink } from '../src/links/udp-link.js';
import { runSoak, type SoakResult } from '../src/links/soak.js';
import type { Link } from '../src/links/link.js';

const BACKOFF = { initialMs: 20, maxMs: 200, factor: 2 };
const FAST = { ...DEFAULT_MODEM_CONFIG, sf: 7, dutyPermille: 1000 };

async function freePorts(n: number): Promise<number[]> {
  const socks = await Promise.all(
    Array.from({ length: n }, () => {
      const s = createSocket('udp4');
      return new Promise<ReturnType<typeof createSocket>>((r) => s.bind(0, '127.0.0.1', () => r(s)));
    }),
  );
  const ports = socks.map((s) => s.address().port);
  for (const s of socks) s.close();
  return ports;
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** CPU seconds used so far by another process (utime + stime from /proc, in ms). */
function childCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10; // USER_HZ = 100
  } catch {
    return 0;
  }
}

interface Throughput {
  frames: number;
  payload_bytes: number;
  frames_per_s: number;
  bytes_per_s: number;
  cpu_ms_per_1000_frames: number;
  far_end_cpu_ms_per_1000_frames?: number;
  overhead_bytes_per_frame: number;
  lost: number;
}

async function measure(
  sender: Link,
  receiver: Link,
  frames: number,
  payloadBytes: number,
  overhead: number,
  farEndCpu?: () => number,
  window = 16,
): Promise<Throughput> {
  const cpu0 = process.cpuUsage();
  const far0 = farEndCpu?.() ?? 0;
  const r: SoakResult = await runSoak({ sender, receiver, frames, payloadBytes, window, drainMs: 2000, timeoutMs: 40_000 });
  const cpu = process.cpuUsage(cpu0);
  const secs = r.elapsedMs / 1000;
  const out: Throughput = {
    frames: r.received,
    payload_bytes: payloadBytes,
    frames_per_s: Math.round(r.received / secs),
    bytes_per_s: Math.round((r.received * payloadBytes) / secs),
    cpu_ms_per_1000_frames: +(((cpu.user + cpu.system) / 1000 / Math.max(1, r.received)) * 1000).toFixed(1),
    overhead_bytes_per_frame: overhead,
    lost: r.lost,
  };
  if (farEndCpu) out.far_end_cpu_ms_per_1000_frames = +(((farEndCpu() - far0) / Math.max(1, r.received)) * 1000).toFixed(1);
  return out;
}

async function modemStations(dir: string, timeScale: number) {
  buildEmulator();
  const ports = await freePorts(2);
  const st: { pty: PtyPair; emu: ModemEmulator; link: ModemLink }[] = [];
  for (let i = 0; i < 2; i++) {
    const pty = new PtyPair(join(dir, `host${i}`), join(dir, `modem${i}`));
    await pty.plug();
    const emu = new ModemEmulator({ serial: pty.b, udpPort: ports[i]!, peers: [ports[1 - i]!], timeScale, bootId: 0x100 + i });
    await emu.start();
    const link = new ModemLink({ path: pty.a, config: FAST, backoff: BACKOFF, answerTimeoutMs: 300, keepaliveMs: 250 });
    st.push({ pty, emu, link });
  }
  for (const s of st) await s.link.open();
  await until(() => st.every((s) => s.link.state === 'up'));
  return {
    st,
    async stop() {
      for (const s of st) {
        await s.link.close();
        await s.emu.stop();
        await s.pty.unplug();
      }
    },
  };
}

/** Raw bytes through a socat pty pair, no protocol: the ceiling for every serial link. */
async function rawPty(dir: string, frames: number, frameBytes: number) {
  const pty = new PtyPair(join(dir, 'rawA'), join(dir, 'rawB'));
  await pty.plug();
  const open = (path: string) =>
    new Promise<SerialPort>((res, rej) => {
      const p = new SerialPort({ path, baudRate: 115200, autoOpen: false });
      p.open((e) => (e ? rej(e) : res(p)));
    });
  const a = await open(pty.a);
  const b = await open(pty.b);
  let got = 0;
  b.on('data', (d: Buffer) => (got += d.length));
  const chunk = Buffer.alloc(frameBytes * 16, 0x55);
  const total = frames * frameBytes;
  const t0 = Date.now();
  let sent = 0;
  while (sent < total) {
    const n = Math.min(chunk.length, total - sent);
    if (!a.write(chunk.subarray(0, n))) await new Promise((r) => a.once('drain', r));
    sent += n;
    if (sent - got > 64 * 1024) await until(() => sent - got <= 16 * 1024, 20_000);
  }
  await until(() => got >= total, 20_000);
  const secs = (Date.now() - t0) / 1000;
  await new Promise((r) => a.close(r));
  await new Promise((r) => b.close(r));
  await pty.unplug();
  return { frames_per_s: Math.round(frames / secs), bytes_per_s: Math.round(total / secs) };
}

/** KISS (FEND/FESC escaping, one command byte) around the same payloads: RNode's host framing. */
function kissOverhead(payloads: Uint8Array[]): number {
  let extra = 0;
  for (const p of payloads) {
    let n = 3; // FEND, command, FEND
    for (const b of p) if (b === 0xc0 || b === 0xdb) n++;
    extra += n;
  }
  return extra / payloads.length;
}

function meshtasticOverhead(n: number): number {
  const msg = create(Mesh.ToRadioSchema, {
    payloadVariant: {
      case: 'packet',
      value: create(Mesh.MeshPacketSchema, {
        to: BROADCAST_NUM,
        id: 0x7abcdef1,
        hopLimit: 3,
        payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.PRIVATE_APP, payload: new Uint8Array(n) }) },
      }),
    },
  });
  return encodeStreamFrame(toBinary(Mesh.ToRadioSchema, msg)).length - n;
}

async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const log = opts.log;
  const q = opts.quick;
  const dir = mkdtempSync(join(tmpdir(), 'murmur-bench-link-'));
  const rnd = seededRandom(opts.seed);
  const PAYLOAD = 100;
  const samples = Array.from({ length: 2000 }, () => Uint8Array.from({ length: PAYLOAD }, () => rnd.int(256)));
  const modemOverhead = samples.reduce((s, p) => s + encodeFrame(encodeSend(1, p)).length - p.length, 0) / samples.length;
  try {
    // --- soak: the acceptance figure
    log(`soak: ${q ? 2000 : 10000} frames through two emulated modems, 4 cable pulls`);
    const soakBench = await modemStations(dir, 100);
    const [s0, s1] = soakBench.st as [(typeof soakBench.st)[0], (typeof soakBench.st)[0]];
    const N = q ? 2000 : 10_000;
    const pulls = new Map([
      [Math.round(N * 0.2), s0],
      [Math.round(N * 0.45), s1],
      [Math.round(N * 0.7), s0],
      [Math.round(N * 0.9), s1],
    ]);
    const soak = await runSoak({
      sender: s0.link,
      receiver: s1.link,
      frames: N,
      payloadBytes: 24,
      disrupt: async (i) => {
        const s = pulls.get(i);
        if (!s) return;
        await s.pty.unplug();
        await new Promise((r) => setTimeout(r, 80));
        await s.pty.plug();
      },
      timeoutMs: 45_000,
    });
    const reconnects = s0.link.stats.reconnects + s1.link.stats.reconnects;
    const [txStatus, rxStatus] = [await s0.link.status(), await s1.link.status()];
    await soakBench.stop();
    log(`  sender modem transmitted ${txStatus?.transmitted}; receiver modem heard ${rxStatus?.received}, dropped ${rxStatus?.rxDropped} for want of buffer`);
    log(`  accepted ${soak.accepted}, received ${soak.received}, lost ${soak.lost}, duplicated ${soak.duplicated}, reconnects ${reconnects}, ${soak.elapsedMs} ms`);

    // --- throughput per link
    const F = q ? 500 : 3000;
    log(`throughput: ${F} frames of ${PAYLOAD} bytes per link`);
    const mb = await modemStations(dir, 1000);
    const modem = await measure(mb.st[0]!.link, mb.st[1]!.link, F, PAYLOAD, +modemOverhead.toFixed(2), () =>
      mb.st.reduce((s, x) => s + childCpuMs(x.emu.pid), 0),
    );
    await mb.stop();

    const air = new FakeMeshAir();
    const mp = [0, 1].map((i) => new PtyPair(join(dir, `mh${i}`), join(dir, `mr${i}`)));
    const radios: FakeMeshtasticRadio[] = [];
    for (const [i, p] of mp.entries()) {
      await p.plug();
      const r = new FakeMeshtasticRadio({ path: p.b, nodeNum: 0xc000 + i, air, timeScale: 20_000 });
      await r.open();
      radios.push(r);
    }
    const ma = new MeshtasticLink({ path: mp[0]!.a, backoff: BACKOFF });
    const mbk = new MeshtasticLink({ path: mp[1]!.a, backoff: BACKOFF });
    await ma.open();
    await mbk.open();
    await until(() => ma.state === 'up' && mbk.state === 'up');
    // the fake radios run in this process: their CPU is included in the figure
    const meshtastic = await measure(ma, mbk, q ? 300 : 1500, PAYLOAD, meshtasticOverhead(PAYLOAD));
    await ma.close();
    await mbk.close();
    for (const r of radios) await r.close();
    for (const p of mp) await p.unplug();

    const [uport] = await freePorts(1);
    const ua = new UdpLink({ address: '239.255.77.2', port: uport! });
    const ub = new UdpLink({ address: '239.255.77.2', port: uport! });
    await ua.open();
    await ub.open();
    const udp = await measure(ua, ub, q ? 2000 : 10_000, PAYLOAD, 28);
    await ua.close();
    await ub.close();

    const raw = await rawPty(dir, F, PAYLOAD + Math.round(modemOverhead));
    const kiss = +kissOverhead(samples).toFixed(2);

    log('');
    log('link         frames/s   bytes/s     cpu ms/1000 fr   overhead B/frame   lost');
    const row = (name: string, t: Throughput) =>
      log(
        `${name.padEnd(12)} ${String(t.frames_per_s).padStart(8)}   ${String(t.bytes_per_s).padStart(9)}   ${String(t.cpu_ms_per_1000_frames).padStart(8)}${t.far_end_cpu_ms_per_1000_frames !== undefined ? ` (+${t.far_end_cpu_ms_per_1000_frames} fw)` : ''}   ${String(t.overhead_bytes_per_frame).padStart(10)}   ${t.lost}`,
      );
    row('modem', modem);
    row('meshtastic', meshtastic);
    row('udp', udp);
    log(`baseline: raw pty, no protocol  ${raw.frames_per_s} frames/s, ${raw.bytes_per_s} bytes/s (same frame size as modem)`);
    log(`baseline: KISS framing on the same payloads  ${kiss} B/frame (vs COBS+CRC ${modemOverhead.toFixed(2)} incl. 5-byte command header)`);
    log(`soak: frames_lost ${soak.lost} (target 0)`);
    return {
      frames_lost: soak.lost,
      soak: { ...soak, reconnects },
      links: { modem, meshtastic, udp },
      framing: {
        modem_cobs_crc_bytes_per_frame: +modemOverhead.toFixed(2),
        modem_cobs_crc_without_command_header: +(modemOverhead - 5).toFixed(2),
        meshtastic_bytes_per_frame: meshtasticOverhead(PAYLOAD),
      },
      baseline: { raw_pty: raw, kiss_bytes_per_frame: kiss },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  summary: 'radio links over real ptys: throughput, CPU, framing overhead, and frames lost in a soak with cable pulls',
  run,
};
