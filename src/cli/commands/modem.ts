/**
 * `murmur modem`: run host-emulated modems (the firmware core behind socat pseudo-terminals) and talk to a
 * modem on a serial port.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { PtyPair } from '../../links/pty-pair.js';
import { buildEmulator, ModemEmulator } from '../../links/modem-emulator.js';
import { ModemLink } from '../../links/modem-link.js';

const usage = `Usage: murmur modem <emulate|status|listen|send> [options]

  emulate [--count N] [--dir DIR] [--time-scale K] [--base-port P]
      start N emulated modems that hear each other (firmware core + socat pty pairs); prints the serial
      port of each, runs until Ctrl-C
  status <serial-port>          print the modem's queue, airtime, temperature and counters
  listen <serial-port>          print every packet the modem receives (hex, RSSI, SNR)
  send <serial-port> <text>     transmit one packet`;

async function emulate(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    { count: { type: 'string' }, dir: { type: 'string' }, 'time-scale': { type: 'string' }, 'base-port': { type: 'string' } },
    usage,
  );
  const count = numberFlag(values.count, 'count', 2);
  const dir = resolve(values.dir ?? '/tmp/murmur-modems');
  const scale = numberFlag(values['time-scale'], 'time-scale', 1);
  const base = numberFlag(values['base-port'], 'base-port', 47100);
  mkdirSync(dir, { recursive: true });
  buildEmulator();
  const ports = Array.from({ length: count }, (_, i) => base + i);
  const running: { pty: PtyPair; emu: ModemEmulator }[] = [];
  for (let i = 0; i < count; i++) {
    const pty = new PtyPair(join(dir, `host${i}`), join(dir, `.modem${i}`));
    await pty.plug();
    const emu = new ModemEmulator({ serial: pty.b, udpPort: ports[i]!, peers: ports.filter((_, j) => j !== i), timeScale: scale });
    await emu.start();
    running.push({ pty, emu });
    console.log(`modem ${i}: ${pty.a}  (radio on udp 127.0.0.1:${ports[i]})`);
  }
  console.log('Ctrl-C to stop');
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  for (const r of running) {
    await r.emu.stop();
    await r.pty.unplug();
  }
  return 0;
}

async function withModem<T>(path: string, fn: (link: ModemLink) => Promise<T>): Promise<T> {
  const link = new ModemLink({ path, keepModemSettings: true });
  link.on('state', (s) => console.error(`[${s.to}] ${s.reason}`));
  await link.open();
  const deadline = Date.now() + 5000;
  while (link.state !== 'up' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  try {
    if (link.state !== 'up') throw new Error(`no modem answered on ${path}`);
    return await fn(link);
  } finally {
    await link.close();
  }
}

export const command: CommandModule = {
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'emulate':
        return emulate(rest);
      case 'status': {
        if (!rest[0]) throw new UsageError(usage);
        const s = await withModem(rest[0], (l) => l.status());
        console.log(JSON.stringify(s, null, 2));
        return s ? 0 : 1;
      }
      case 'send': {
        if (!rest[0] || rest[1] === undefined) throw new UsageError(usage);
        const r = await withModem(rest[0], (l) => l.send(new TextEncoder().encode(rest.slice(1).join(' '))));
        console.log(JSON.stringify(r));
        return r.ok ? 0 : 1;
      }
      case 'listen': {
        if (!rest[0]) throw new UsageError(usage);
        await withModem(rest[0], (l) => {
          l.on('packet', (p) => console.log(`${Buffer.from(p.data).toString('hex')}  rssi ${p.rssi} dBm  snr ${p.snr} dB`));
          return new Promise<void>((done) => process.once('SIGINT', done));
        });
        return 0;
      }
      default:
        throw new UsageError(usage);
    }
  },
};
