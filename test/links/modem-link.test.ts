/**
 * The modem link against the real firmware code path (host emulator behind socat pty pairs): cable pulls,
 * garbage on the line, a full radio queue, a modem reboot, and a 10,000-frame soak with disconnects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeFrame } from '../../src/wire/framing.js';
import { DEFAULT_MODEM_CONFIG, encodeSend } from '../../src/links/modem-protocol.js';
import { ModemEmulator } from '../../src/links/modem-emulator.js';
import { runSoak } from '../../src/links/soak.js';
import type { LinkStateChange, ReceivedPacket, SendResult } from '../../src/links/link.js';
import { modemLink, modemStations, stopStations, tempDir, waitFor, waitState } from './helpers.js';

const fast = { ...DEFAULT_MODEM_CONFIG, sf: 7, dutyPermille: 1000 };

async function pair(prefix: string, timeScale = 1000, config = fast) {
  const { dir, cleanup } = tempDir(prefix);
  const st = await modemStations(dir, 2, { timeScale });
  const a = modemLink(st[0]!.hostPath, { config });
  const b = modemLink(st[1]!.hostPath, { config });
  await a.open();
  await b.open();
  await waitState(a, 'up');
  await waitState(b, 'up');
  const atB: ReceivedPacket[] = [];
  b.on('packet', (p) => atB.push(p));
  return {
    st,
    a,
    b,
    atB,
    async done() {
      await a.close();
      await b.close();
      await stopStations(st);
      cleanup();
    },
  };
}

test('received packets carry the modem RSSI and SNR; status reports queue, airtime and temperature', async () => {
  const p = await pair('meta');
  try {
    assert.ok((await p.a.send(Uint8Array.of(1, 2, 3))).ok);
    await waitFor(() => p.atB.length === 1);
    assert.equal(p.atB[0]!.rssi, -70);
    assert.equal(p.atB[0]!.snr, 9.5);
    await waitFor(() => p.a.stats.transmitted === 1, 2000, 'TX_DONE');
    const s = await p.a.status();
    assert.ok(s);
    assert.equal(s.transmitted, 1);
    assert.equal(s.slots, 16);
    assert.equal(s.temperatureC, 25);
    assert.equal(s.airtimeUsedMs, Math.ceil(p.a.airtimeMs(3)));
    assert.equal(s.dutyPermille, 1000);
  } finally {
    await p.done();
  }
});

test('garbage and truncated frames on the line in both directions: valid frames still get through', async () => {
  const p = await pair('garbage');
  try {
    // toward the modem: a second writer on the host end of the cable sprays junk between the link's frames
    const junkFd = openSync(p.st[0]!.hostPath, 'w');
    const truncated = encodeFrame(encodeSend(7, Uint8Array.of(9, 9, 9))).subarray(0, 5);
    const results: SendResult[] = [];
    for (let i = 0; i < 50; i++) {
      writeSync(junkFd, Buffer.concat([Buffer.from([0xff, 0x13, 0x37, i]), Buffer.from(truncated), Buffer.from([0])]));
      results.push(await p.a.send(Uint8Array.of(i, 0, i)));
    }
    closeSync(junkFd);
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
    await waitFor(() => p.atB.length === 50, 5000, '50 packets');
    assert.deepEqual(
      p.atB.map((x) => x.data[0]),
      Array.from({ length: 50 }, (_, i) => i),
    );
    const status = await p.a.status();
    assert.ok(status && status.serialRejects > 0, 'the modem counted the junk');
    // toward the host: junk written into the modem end reaches the link between the modem's own frames
    const junkModem = openSync(p.st[1]!.pty.b, 'w');
    for (let i = 0; i < 20; i++) {
      writeSync(junkModem, Buffer.from([0x55, 0x00, 0x03, 0x90, 0x00, 0x01, 0x02, 0x00, 0x07, 0x07]));
      await p.a.send(Uint8Array.of(100 + i));
    }
    closeSync(junkModem);
    await waitFor(() => p.atB.length === 70, 5000, '20 more packets');
    assert.ok(p.b.stats.rejectedFrames > 0);
    assert.deepEqual(new Set(p.atB.map((x) => x.data[0])).size, 70);
  } finally {
    await p.done();
  }
});

test('unplugged receiver: the modem keeps what it heard and delivers it once after replug', async () => {
  const p = await pair('unplug');
  try {
    const states: LinkStateChange[] = [];
    p.b.on('state', (s) => states.push(s));
    await p.st[1]!.pty.unplug();
    await waitState(p.b, 'down');
    for (let i = 0; i < 20; i++) assert.ok((await p.a.send(Uint8Array.of(i))).ok);
    await waitFor(() => p.a.stats.transmitted === 20, 3000, 'transmissions');
    await new Promise((r) => setTimeout(r, 100)); // several reconnect attempts hit ENOENT meanwhile
    await p.st[1]!.pty.plug();
    await waitState(p.b, 'up', 5000);
    await waitFor(() => p.atB.length === 20, 5000, 'buffered packets');
    await new Promise((r) => setTimeout(r, 400)); // a replay would show up now
    assert.deepEqual(
      p.atB.map((x) => x.data[0]),
      Array.from({ length: 20 }, (_, i) => i),
    );
    const down = states.filter((s) => s.to === 'down').map((s) => s.reason);
    assert.ok(down.some((r) => /ENOENT|No such file/.test(r)), down.join(' | '));
    assert.equal(p.b.stats.reconnects, 1);
  } finally {
    await p.done();
  }
});

test('a full modem queue is reported as back-pressure, then writable once the radio drains it', async () => {
  // real time on air at SF10: each 50-byte packet holds the radio ~600 ms, so the 16 slots fill at once
  const p = await pair('queue', 1, { ...fast, sf: 10 });
  try {
    let writable = 0;
    p.a.on('writable', () => writable++);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => p.a.send(new Uint8Array(50).fill(i + 1))));
    const ok = results.filter((r) => r.ok).length;
    const full = results.filter((r) => !r.ok && r.reason === 'queue_full').length;
    assert.equal(ok, 16);
    assert.equal(full, 4);
    assert.equal(p.a.stats.queueFull, 4);
    assert.deepEqual(p.a.queue, { used: 16, capacity: 16 });
    const s = await p.a.status();
    assert.ok(s && s.queued === 16 && s.radioBusy && s.queueFullReplies === 4);
    await waitFor(() => writable === 1, 3000, 'writable');
    assert.ok((await p.a.send(Uint8Array.of(99))).ok);
  } finally {
    await p.done();
  }
});

test('a modem that reboots is noticed, reconfigured, and used again', async () => {
  const p = await pair('reboot');
  try {
    const states: LinkStateChange[] = [];
    p.a.on('state', (s) => states.push(s));
    const old = p.st[0]!.emulator;
    await old.stop();
    const fresh = new ModemEmulator({ ...old.opts, bootId: 0xbeef });
    await fresh.start();
    (p.st[0] as { emulator: ModemEmulator }).emulator = fresh;
    await waitFor(() => states.some((s) => s.reason === 'modem rebooted'), 5000, 'reboot noticed');
    await waitState(p.a, 'up');
    assert.equal(p.a.stats.reconnects, 1);
    assert.ok((await p.a.send(Uint8Array.of(5))).ok);
    await waitFor(() => p.atB.length === 1);
    const s = await p.a.status();
    assert.equal(s?.dutyPermille, 1000, 'settings applied again after the reboot');
  } finally {
    await p.done();
  }
});

test('a modem that hangs is noticed by the keepalive: the link goes down, reopens, and recovers', async () => {
  const p = await pair('hang');
  try {
    const states: LinkStateChange[] = [];
    p.a.on('state', (s) => states.push(s));
    p.st[0]!.emulator.freeze();
    await waitState(p.a, 'down', 5000);
    assert.match(states.find((s) => s.to === 'down')!.reason, /no answer from the modem/);
    p.st[0]!.emulator.thaw();
    await waitState(p.a, 'up', 5000);
    assert.equal(p.a.stats.reconnects, 1);
    assert.ok((await p.a.send(Uint8Array.of(8))).ok);
    await waitFor(() => p.atB.length === 1);
  } finally {
    p.st[0]!.emulator.thaw();
    await p.done();
  }
});

test('soak: 10,000 frames with cable pulls on both sides, every accepted frame arrives exactly once', async () => {
  // radio 100x faster than SF7 time on air: ~1,600 frames/s, so a receiver away for 100 ms leaves ~160 frames
  // in its modem's buffer
  const p = await pair('soak', 100);
  try {
    const pulls = new Set([2000, 4500, 7000, 9000]);
    const r = await runSoak({
      sender: p.a,
      receiver: p.b,
      frames: 10_000,
      payloadBytes: 24,
      disrupt: async (i) => {
        if (!pulls.has(i)) return;
        const side = i === 4500 || i === 9000 ? 1 : 0; // receiver or sender
        await p.st[side]!.pty.unplug();
        await new Promise((res) => setTimeout(res, 80));
        await p.st[side]!.pty.plug();
      },
      timeoutMs: 50_000,
    });
    assert.equal(r.accepted, 10_000, JSON.stringify(r));
    if (r.lost > 0) {
      const diag = { b: p.b.state, history: p.b.stateHistory.slice(-6), status: await p.b.status(), stats: p.b.stats, log: p.st[1]!.emulator.log.slice(-500) };
      assert.fail(`lost ${r.lost}: ${JSON.stringify(r)} ${JSON.stringify(diag)}`);
    }
    assert.equal(r.duplicated, 0, JSON.stringify(r));
    assert.equal(r.corrupted, 0);
    assert.ok(p.a.stats.reconnects >= 2 && p.b.stats.reconnects >= 2, `${p.a.stats.reconnects} ${p.b.stats.reconnects}`);
    const rxStatus = await p.b.status();
    assert.equal(rxStatus?.rxDropped, 0);
    console.log(`soak: ${JSON.stringify(r)}; receiver replays dropped as duplicates: ${p.b.stats.duplicates}`);
  } finally {
    await p.done();
  }
});
