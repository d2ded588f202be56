import { linkConformance } from './conformance.js';
import { FAST_BACKOFF, freeUdpPorts, modemLink, modemStations, stopStations, tempDir, waitFor } from './helpers.js';
import { DEFAULT_MODEM_CONFIG } from '../../src/links/modem-protocol.js';
import { MeshtasticLink } from '../../src/links/meshtastic-link.js';
import { FakeMeshAir, FakeMeshtasticRadio } from '../../src/links/meshtastic-fake-radio.js';
import { PtyPair } from '../../src/links/pty-pair.js';
import { UdpLink } from '../../src/links/udp-link.js';
import { join } from 'node:path';

const fastConfig = { ...DEFAULT_MODEM_CONFIG, sf: 7, dutyPermille: 1000 };

linkConformance('modem link (firmware emulator over ptys)', async () => {
  const { dir, cleanup } = tempDir('conf-modem');
  const st = await modemStations(dir, 2);
  const a = modemLink(st[0]!.hostPath, { config: fastConfig });
  const b = modemLink(st[1]!.hostPath, { config: fastConfig });
  return {
    a,
    b,
    unplugA: async (ms) => {
      await st[0]!.pty.unplug();
      await waitFor(() => a.state === 'down', 5000, 'modem link down');
      await new Promise((r) => setTimeout(r, ms));
      await st[0]!.pty.plug();
    },
    teardown: async () => {
      await a.close();
      await b.close();
      await stopStations(st);
      cleanup();
    },
  };
});

linkConformance('meshtastic link (fake radio over ptys)', async () => {
  const { dir, cleanup } = tempDir('conf-mesh');
  const air = new FakeMeshAir();
  const pairs = [0, 1].map((i) => new PtyPair(join(dir, `host${i}`), join(dir, `radio${i}`)));
  const radios: FakeMeshtasticRadio[] = [];
  for (const [i, p] of pairs.entries()) {
    await p.plug();
    const r = new FakeMeshtasticRadio({ path: p.b, nodeNum: 0xa000 + i, air, timeScale: 100, chatty: i === 0 });
    await r.open();
    radios.push(r);
  }
  const a = new MeshtasticLink({ path: pairs[0]!.a, backoff: FAST_BACKOFF });
  const b = new MeshtasticLink({ path: pairs[1]!.a, backoff: FAST_BACKOFF });
  return {
    a,
    b,
    unplugA: async (ms) => {
      await radios[0]!.close();
      await pairs[0]!.unplug();
      await waitFor(() => a.state === 'down', 5000, 'meshtastic link down');
      await new Promise((r) => setTimeout(r, ms));
      await pairs[0]!.plug();
      radios[0] = new FakeMeshtasticRadio({ path: pairs[0]!.b, nodeNum: 0xa000, air, timeScale: 100 });
      await radios[0].open();
    },
    teardown: async () => {
      await a.close();
      await b.close();
      for (const r of radios) await r.close();
      for (const p of pairs) await p.unplug();
      cleanup();
    },
  };
});

linkConformance('udp link (multicast on loopback)', async () => {
  const [port] = await freeUdpPorts(1);
  const a = new UdpLink({ address: '239.255.77.1', port: port!, mtu: 1200 });
  const b = new UdpLink({ address: '239.255.77.1', port: port!, mtu: 1200 });
  return {
    a,
    b,
    teardown: async () => {
      await a.close();
      await b.close();
    },
  };
});

linkConformance('udp link (broadcast on loopback)', async () => {
  const [port] = await freeUdpPorts(1);
  const a = new UdpLink({ address: '127.255.255.255', port: port!, mtu: 1200 });
  const b = new UdpLink({ address: '127.255.255.255', port: port!, mtu: 1200 });
  return {
    a,
    b,
    teardown: async () => {
      await a.close();
      await b.close();
    },
  };
});
