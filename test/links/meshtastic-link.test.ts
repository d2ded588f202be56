/**
 * The Meshtastic link against a fake radio that speaks the real stream framing and protobufs over ptys:
 * handshake, PRIVATE_APP payloads, reboot, QueueStatus back-pressure, console text and broken frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { MeshtasticLink, MESHTASTIC_MTU } from '../../src/links/meshtastic-link.js';
import { FakeMeshAir, FakeMeshtasticRadio } from '../../src/links/meshtastic-fake-radio.js';
import { encodeStreamFrame } from '../../src/links/meshtastic-stream.js';
import { PtyPair } from '../../src/links/pty-pair.js';
import type { LinkStateChange, ReceivedPacket, SendResult } from '../../src/links/link.js';
import { FAST_BACKOFF, tempDir, waitFor, waitState } from './helpers.js';

async function meshPair(prefix: string, timeScale = 100, queueSlots = 16) {
  const { dir, cleanup } = tempDir(prefix);
  const air = new FakeMeshAir();
  const pairs = [0, 1].map((i) => new PtyPair(join(dir, `host${i}`), join(dir, `radio${i}`)));
  const radios: FakeMeshtasticRadio[] = [];
  for (const [i, p] of pairs.entries()) {
    await p.plug();
    const r = new FakeMeshtasticRadio({ path: p.b, nodeNum: 0xb000 + i, air, timeScale, queueSlots });
    await r.open();
    radios.push(r);
  }
  const a = new MeshtasticLink({ path: pairs[0]!.a, backoff: FAST_BACKOFF });
  const b = new MeshtasticLink({ path: pairs[1]!.a, backoff: FAST_BACKOFF });
  await a.open();
  await b.open();
  await waitState(a, 'up');
  await waitState(b, 'up');
  const atB: ReceivedPacket[] = [];
  b.on('packet', (p) => atB.push(p));
  return {
    a,
    b,
    radios,
    atB,
    async done() {
      await a.close();
      await b.close();
      for (const r of radios) await r.close();
      for (const p of pairs) await p.unplug();
      cleanup();
    },
  };
}

test('handshake learns the node number; packets go out as PRIVATE_APP broadcasts with RSSI/SNR on arrival', async () => {
  const m = await meshPair('mesh-basic');
  try {
    assert.equal(m.a.myNodeNum, 0xb000);
    assert.equal(m.a.mtu, MESHTASTIC_MTU);
    const r = await m.a.send(new Uint8Array(MESHTASTIC_MTU).fill(3));
    assert.ok(r.ok);
    // LongFast on air: 16-byte header + Data protobuf around 233 bytes ≈ 255-byte frame, about 2.2 s
    assert.ok(r.ok && r.airtimeMs > 2000 && r.airtimeMs < 2400, `${r.ok && r.airtimeMs}`);
    await waitFor(() => m.atB.length === 1, 5000);
    assert.equal(m.atB[0]!.rssi, -97);
    assert.equal(m.atB[0]!.snr, 6.25);
    assert.equal(m.radios[0]!.stats.transmitted, 1);
  } finally {
    await m.done();
  }
});

test('a radio reboot is noticed: the link redoes the handshake and carries on', async () => {
  const m = await meshPair('mesh-reboot', 1); // real LongFast airtime: the queue holds packets for seconds
  try {
    const states: LinkStateChange[] = [];
    m.a.on('state', (s) => states.push(s));
    assert.ok((await m.a.send(Uint8Array.of(1))).ok);
    m.radios[0]!.reboot();
    await waitFor(() => states.some((s) => s.reason.startsWith('radio rebooted')), 3000, 'reboot noticed');
    await waitState(m.a, 'up');
    assert.equal(m.a.rebootsSeen, 1);
    assert.equal(m.a.stats.reconnects, 1);
    assert.ok((await m.a.send(Uint8Array.of(2))).ok);
  } finally {
    await m.done();
  }
});

test('QueueStatus with no room becomes queue_full back-pressure, and writable once the radio drains', async () => {
  const m = await meshPair('mesh-queue', 20, 4); // 4-slot queue, ~100 ms per packet
  try {
    let writable = 0;
    m.a.on('writable', () => writable++);
    const results: SendResult[] = await Promise.all(Array.from({ length: 7 }, (_, i) => m.a.send(Uint8Array.of(i))));
    assert.equal(results.filter((r) => r.ok).length, 4);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'queue_full').length, 3);
    assert.equal(m.a.stats.queueFull, 3);
    await waitFor(() => writable > 0, 3000, 'writable');
    await waitFor(() => m.atB.length === 4, 3000, 'four packets');
  } finally {
    await m.done();
  }
});

test('console text, garbage, oversize headers and truncated frames between valid frames are survived', async () => {
  const m = await meshPair('mesh-garbage');
  try {
    const pkt = (i: number) =>
      encodeStreamFrame(
        toBinary(
          Mesh.FromRadioSchema,
          create(Mesh.FromRadioSchema, {
            payloadVariant: {
              case: 'packet',
              value: create(Mesh.MeshPacketSchema, {
                from: 0x77,
                to: 0xffffffff,
                id: 1000 + i,
                payloadVariant: {
                  case: 'decoded',
                  value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.PRIVATE_APP, payload: Uint8Array.of(i, i) }),
                },
              }),
            },
          }),
        ),
      );
    const other = encodeStreamFrame(
      toBinary(
        Mesh.FromRadioSchema,
        create(Mesh.FromRadioSchema, {
          payloadVariant: {
            case: 'packet',
            value: create(Mesh.MeshPacketSchema, {
              from: 0x77,
              id: 5,
              payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: Uint8Array.of(65) }) },
            }),
          },
        }),
      ),
    );
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      chunks.push(new TextEncoder().encode('INFO  | 12:00:00 [Router] console line\r\n'));
      chunks.push(Uint8Array.of(0x94, 0xc3, 0x7f, 0xff)); // a header announcing 32 KB: impossible
      chunks.push(pkt(i).subarray(0, 9)); // truncated frame, swallows the start of the next one
      chunks.push(pkt(i));
      chunks.push(other); // text messages are not ours
      chunks.push(pkt(i)); // the radio repeating itself: a duplicate
    }
    m.radios[1]!.injectRaw(Buffer.concat(chunks));
    await waitFor(() => m.atB.length === 10, 5000, '10 packets');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      m.atB.map((p) => p.data[0]),
      Array.from({ length: 10 }, (_, i) => i),
    );
    assert.ok(m.b.stats.rejectedFrames >= 10, `${m.b.stats.rejectedFrames}`);
    assert.equal(m.b.stats.duplicates, 10);
    assert.equal(m.b.state, 'up');
  } finally {
    await m.done();
  }
});
