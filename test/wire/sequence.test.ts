import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryReservationStore, ReservedSequence, SequenceExhausted } from '../../src/wire/sequence.js';
import { FileReservationStore, openNodeSequences } from '../../src/wire/sequence-file.js';

test('values never repeat across simulated crashes, and a crash skips at most one block', () => {
  const store = new MemoryReservationStore();
  const used = new Set<number>();
  let last = 0;
  for (let boot = 0; boot < 20; boot++) {
    const seq = new ReservedSequence(store, 2 ** 32 - 1, 16);
    const first = seq.peek();
    assert.ok(first > last, 'resumed at or below a value already used');
    assert.ok(first - last <= 16 + 1, `skipped ${first - last - 1} values`);
    const n = (boot * 7) % 40; // crash after n values, anywhere inside a block
    for (let k = 0; k < n; k++) {
      const v = seq.take();
      assert.ok(!used.has(v));
      used.add(v);
      last = v;
    }
  }
  assert.ok(store.writes < used.size, 'a write per value defeats the reservation');
});

test('the reservation is durable before the first value of a block is handed out', () => {
  const store = new MemoryReservationStore();
  const seq = new ReservedSequence(store, 1000, 10);
  assert.equal(store.load(), 0);
  assert.equal(seq.take(), 1);
  assert.equal(store.load(), 10);
  for (let k = 2; k <= 10; k++) seq.take();
  assert.equal(store.load(), 10);
  assert.equal(seq.take(), 11);
  assert.equal(store.load(), 20);
});

test('an exhausted sequence refuses instead of wrapping', () => {
  const seq = new ReservedSequence(new MemoryReservationStore(), 3, 2);
  assert.deepEqual([seq.take(), seq.take(), seq.take()], [1, 2, 3]);
  assert.throws(() => seq.take(), SequenceExhausted);
});

test('the file store survives a restart, writes mode 0600, and refuses a damaged file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-seq-'));
  try {
    const a = openNodeSequences(dir, 50);
    const facts1 = [a.facts.take(), a.facts.take()];
    const pkt1 = a.packets.take();
    const b = openNodeSequences(dir, 50); // reboot
    assert.equal(b.facts.take(), 51);
    assert.equal(b.packets.take(), 51);
    assert.deepEqual(facts1, [1, 2]);
    assert.equal(pkt1, 1);
    const path = join(dir, 'fact-seq.json');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { reserved: 100 });
    writeFileSync(path, '{"reserved": "oops"}');
    assert.throws(() => new FileReservationStore(path).load(), /refusing to restart/);
    writeFileSync(path, '');
    assert.throws(() => openNodeSequences(dir), /refusing to restart/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sender that reboots keeps being heard: its counters resume above the receiver\'s window', async () => {
  const { sealPacket, openPacket } = await import('../../src/wire/packet.js');
  const { ReplayWindow } = await import('../../src/wire/replay.js');
  const { testKeyring, SWARM_KEY } = await import('./helpers.js');
  const dir = mkdtempSync(join(tmpdir(), 'murmur-seq-'));
  try {
    const window = new ReplayWindow();
    const kr = testKeyring();
    const counters = new Set<number>();
    for (let boot = 0; boot < 5; boot++) {
      const { packets } = openNodeSequences(dir, 8);
      for (let k = 0; k < 3 + boot; k++) {
        const c = packets.take();
        assert.ok(!counters.has(c), `counter ${c} reused after a reboot`);
        counters.add(c);
        assert.ok(openPacket(sealPacket(2, c, new Uint8Array([boot, k]), { swarmKey: SWARM_KEY }), kr, window).ok);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deleting the counter file or restoring an old one never reuses a packet counter (nonce) or fact seq', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-seq-clock-'));
  try {
    const epoch = 1_800_000_000;
    let now = epoch + 3600;
    const boot = () => openNodeSequences(dir, 256, { keyEpoch: epoch, nowUnix: () => now });
    const counters = new Set<number>();
    const seqs = new Set<number>();
    const use = (s: ReturnType<typeof boot>, n: number) => {
      for (let i = 0; i < n; i++) {
        now += 0.125; // 8 packets and facts a second, below both rates
        const c = s.packets.take();
        assert.ok(!counters.has(c), `packet counter ${c} reused: a repeated nonce`);
        counters.add(c);
        const f = s.facts.take();
        assert.ok(!seqs.has(f), `fact seq ${f} reused`);
        seqs.add(f);
      }
    };
    use(boot(), 40);
    const backup = { p: readFileSync(join(dir, 'packet-counter.json')), f: readFileSync(join(dir, 'fact-seq.json')) };
    now += 5;
    use(boot(), 300); // past a block: the file moves on from the backup
    now += 3;
    rmSync(join(dir, 'packet-counter.json'));
    rmSync(join(dir, 'fact-seq.json'));
    use(boot(), 50); // files lost
    now += 2;
    writeFileSync(join(dir, 'packet-counter.json'), backup.p);
    writeFileSync(join(dir, 'fact-seq.json'), backup.f);
    use(boot(), 50); // an old backup restored
    // and without the key epoch (files written before it existed) a lost file does restart low: the case the floor is for
    rmSync(join(dir, 'packet-counter.json'));
    assert.equal(openNodeSequences(dir).packets.take(), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sequence that follows the clock refuses to run ahead of it instead of risking a reuse after a reboot', () => {
  let t = 10;
  const seq = new ReservedSequence(new MemoryReservationStore(), 2 ** 29 - 1, 16, { now: () => t, rate: 4 });
  // starts at 10 s · 4/s + 1; a reboot a second later starts at 45: values up to 43 may go now
  assert.deepEqual([seq.take(), seq.take(), seq.take()], [41, 42, 43]);
  assert.throws(() => seq.take(), SequenceExhausted);
  t = 11;
  assert.equal(seq.take(), 44);
});
