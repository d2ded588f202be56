import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_COUNTER, maxPayloadFor, onAirLength, openPacket, packetOverhead, peekHeader, sealPacket } from '../../src/wire/packet.js';
import { ReplayWindow } from '../../src/wire/replay.js';
import { OTHER_KEY, SWARM_KEY, testKeyring } from './helpers.js';

const keys = { swarmKey: SWARM_KEY };

test('a sealed packet opens to the same sender, counter and payload, and hides the payload', () => {
  fc.assert(
    fc.property(fc.constantFrom(1, 2, 3, 5, 300), fc.integer({ min: 0, max: MAX_COUNTER }), fc.uint8Array({ maxLength: 300 }), (sender, counter, payload) => {
      const sealed = sealPacket(sender, counter, payload, keys);
      assert.equal(sealed.length, payload.length + packetOverhead(sender, false));
      const opened = openPacket(sealed, testKeyring(), new ReplayWindow());
      assert.ok(opened.ok, JSON.stringify(opened));
      assert.equal(opened.value.sender, sender);
      assert.equal(opened.value.counter, counter);
      assert.deepEqual(opened.value.payload, payload);
      if (payload.length >= 8) assert.ok(Buffer.from(sealed).indexOf(Buffer.from(payload.subarray(0, 8))) < 0, 'payload visible on air');
    }),
    { numRuns: 200 },
  );
});

test('per-packet overhead: 5-byte header for ids up to 255, 8-byte tag, 4 bytes of framing', () => {
  assert.equal(packetOverhead(7), 17);
  assert.equal(packetOverhead(300), 18);
  assert.equal(packetOverhead(7, false), 13);
  assert.equal(onAirLength(7, 14), 31);
  assert.equal(onAirLength(7, maxPayloadFor(200, 7)), 200);
});

test('a flipped bit anywhere, a wrong key or a wrong sender id fails authentication', () => {
  const sealed = sealPacket(2, 9, new TextEncoder().encode('victim at 1200,3400'), keys);
  for (let i = 0; i < sealed.length; i++) {
    if (i < 4) continue; // the version/counter word: checked below
    const bad = sealed.slice();
    bad[i]! ^= 0x10;
    const r = openPacket(bad, testKeyring(), new ReplayWindow());
    assert.ok(!r.ok);
    assert.ok(['bad_tag', 'unknown_sender', 'revoked_sender'].includes(r.reason), r.reason);
  }
  const counterFlip = sealed.slice();
  counterFlip[3]! ^= 1;
  assert.equal((openPacket(counterFlip, testKeyring(), new ReplayWindow()) as { reason: string }).reason, 'bad_tag');
  const foreign = sealPacket(2, 9, new Uint8Array(10), { swarmKey: OTHER_KEY });
  assert.equal((openPacket(foreign, testKeyring(), new ReplayWindow()) as { reason: string }).reason, 'bad_tag');
});

test('header rejections: unknown version, truncated, oversize, non-canonical sender field', () => {
  const kr = testKeyring();
  const w = new ReplayWindow();
  const sealed = sealPacket(2, 1, new Uint8Array(5), keys);
  const v2 = sealed.slice();
  v2[0] = (v2[0]! & 0x3f) | 0xc0; // version 3
  assert.deepEqual(reason(openPacket(v2, kr, w)), 'unknown_version');
  assert.equal(reason(openPacket(sealed.subarray(0, 3), kr, w)), 'truncated');
  assert.equal(reason(openPacket(sealed.subarray(0, 12), kr, w)), 'truncated'); // header and no room for the 8-byte tag
  assert.equal(reason(openPacket(new Uint8Array(5000), kr, w)), 'oversize');
  const wide = new Uint8Array([...sealed.subarray(0, 4), 0, ...sealed.subarray(4)]);
  wide[0]! |= 0x20;
  assert.equal(reason(openPacket(wide, kr, w)), 'malformed');
  const h = peekHeader(sealPacket(300, 77, new Uint8Array(1), keys));
  assert.ok(h.ok);
  assert.deepEqual(h.value, { version: 2, sender: 300, counter: 77, headerLength: 6 });
});

test('senders: unknown and revoked are refused before decryption', () => {
  const kr = testKeyring([4]);
  assert.equal(reason(openPacket(sealPacket(9, 1, new Uint8Array(3), keys), kr, new ReplayWindow())), 'unknown_sender');
  assert.equal(reason(openPacket(sealPacket(4, 1, new Uint8Array(3), keys), kr, new ReplayWindow())), 'revoked_sender');
});

test('replays are refused, reordering within the window is accepted, forgeries do not move the window', () => {
  const kr = testKeyring();
  const w = new ReplayWindow(64);
  const p = (c: number) => sealPacket(2, c, new Uint8Array([c & 0xff]), keys);
  assert.ok(openPacket(p(100), kr, w).ok);
  assert.equal(reason(openPacket(p(100), kr, w)), 'replay');
  assert.ok(openPacket(p(90), kr, w).ok, 'late but inside the window');
  assert.equal(reason(openPacket(p(90), kr, w)), 'replay');
  assert.equal(reason(openPacket(p(36), kr, w)), 'replay', 'older than the window');
  assert.ok(openPacket(p(37), kr, w).ok);
  // a forged packet with a huge counter fails its tag and leaves the window where it was
  const forged = p(5000);
  forged[forged.length - 1]! ^= 1;
  assert.equal(reason(openPacket(forged, kr, w)), 'bad_tag');
  assert.equal(w.highest(2), 100);
  assert.ok(openPacket(p(101), kr, w).ok);
  // another sender has its own window
  assert.ok(openPacket(sealPacket(3, 100, new Uint8Array(1), keys), kr, w).ok);
  // a jump beyond the window clears it
  assert.ok(openPacket(p(1000), kr, w).ok);
  assert.equal(reason(openPacket(p(101), kr, w)), 'replay');
  assert.ok(openPacket(p(999), kr, w).ok);
});

test('sealing refuses out-of-range arguments', () => {
  assert.throws(() => sealPacket(0, 1, new Uint8Array(1), keys), RangeError);
  assert.throws(() => sealPacket(1, MAX_COUNTER + 1, new Uint8Array(1), keys), RangeError);
  assert.throws(() => sealPacket(1, 1, new Uint8Array(1), { swarmKey: new Uint8Array(16) }), RangeError);
});

function reason(r: { ok: boolean; reason?: string }): string | undefined {
  return r.ok ? 'ok' : r.reason;
}
