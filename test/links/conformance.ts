/**
 * The shared conformance suite: every link adapter runs these same tests against a real far end (emulated
 * modem firmware over ptys, a fake Meshtastic radio over ptys, UDP multicast on loopback).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Link, LinkStateChange, ReceivedPacket } from '../../src/links/link.js';
import { waitFor, waitState } from './helpers.js';

export interface LinkPairFixture {
  readonly a: Link;
  readonly b: Link;
  /** Pulls the cable of `a` and plugs it back after `ms` (adapters with a cable). */
  readonly unplugA?: (ms: number) => Promise<void>;
  readonly teardown: () => Promise<void>;
}

function collect(link: Link): ReceivedPacket[] {
  const got: ReceivedPacket[] = [];
  link.on('packet', (p) => got.push(p));
  return got;
}

export function linkConformance(name: string, make: () => Promise<LinkPairFixture>): void {
  const withPair = (title: string, body: (f: LinkPairFixture, t: TestContext) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const f = await make();
      try {
        await body(f, t);
      } finally {
        await f.teardown();
      }
    });

  withPair('opens, announces connecting then up', async (f) => {
    const states: LinkStateChange[] = [];
    f.a.on('state', (s) => states.push(s));
    await f.a.open();
    await f.b.open();
    await waitState(f.a, 'up');
    await waitState(f.b, 'up');
    assert.equal(states.at(-1)!.to, 'up');
    assert.ok(states.every((s) => s.reason.length > 0 && Number.isFinite(s.at)));
    assert.ok(f.a.mtu >= 200, `MTU ${f.a.mtu}`);
  });

  withPair('packets cross both ways intact, in order, with metadata', async (f) => {
    await f.a.open();
    await f.b.open();
    await waitState(f.a, 'up');
    await waitState(f.b, 'up');
    const atB = collect(f.b);
    const atA = collect(f.a);
    const sizes = [1, 2, 17, 100, f.a.mtu - 1, f.a.mtu];
    const payloads = sizes.map((n, i) => Uint8Array.from({ length: n }, (_, k) => (k * 7 + i) & 0xff));
    for (const p of payloads) {
      const r = await f.a.send(p);
      assert.ok(r.ok, `send of ${p.length} bytes: ${JSON.stringify(r)}`);
      assert.ok(r.ok && r.airtimeMs > 0);
    }
    const back = Uint8Array.of(0, 0, 0, 0xff, 0);
    assert.ok((await f.b.send(back)).ok);
    await waitFor(() => atB.length === payloads.length && atA.length === 1, 5000, 'packets to arrive');
    assert.deepEqual(atB.map((p) => p.data), payloads);
    assert.deepEqual(atA[0]!.data, back);
    for (const p of atB) assert.ok(Number.isFinite(p.receivedAt));
    assert.equal(f.a.stats.sent, payloads.length);
    assert.equal(f.b.stats.received, payloads.length);
    assert.equal(f.a.stats.sentBytes, sizes.reduce((s, n) => s + n, 0));
  });

  withPair('refuses oversize and empty packets, and says why', async (f) => {
    await f.a.open();
    await waitState(f.a, 'up');
    const big = await f.a.send(new Uint8Array(f.a.mtu + 1));
    assert.deepEqual(big.ok ? 'ok' : big.reason, 'oversize');
    const empty = await f.a.send(new Uint8Array(0));
    assert.deepEqual(empty.ok ? 'ok' : empty.reason, 'oversize');
    assert.equal(f.a.stats.refused, 2);
  });

  withPair('airtime grows with size', async (f) => {
    let prev = 0;
    for (const n of [1, 10, 50, 100, 200]) {
      const t = f.a.airtimeMs(Math.min(n, f.a.mtu));
      assert.ok(t > 0 && t >= prev, `${n} bytes: ${t} ms`);
      prev = t;
    }
  });

  withPair('after close: state closed, sends refused as closed', async (f) => {
    await f.a.open();
    await waitState(f.a, 'up');
    await f.a.close();
    assert.equal(f.a.state, 'closed');
    const r = await f.a.send(Uint8Array.of(1));
    assert.deepEqual(r.ok ? 'ok' : r.reason, 'closed');
  });

  withPair('a pulled cable is reported down, comes back up by itself, and traffic resumes', async (f, t) => {
    if (!f.unplugA) return t.skip('no cable to pull on this adapter');
    await f.a.open();
    await f.b.open();
    await waitState(f.a, 'up');
    await waitState(f.b, 'up');
    const states: LinkStateChange[] = [];
    f.a.on('state', (s) => states.push(s));
    const atB = collect(f.b);
    await f.unplugA(150);
    await waitState(f.a, 'up', 10_000);
    assert.ok(states.some((s) => s.to === 'down'), JSON.stringify(states));
    assert.equal(f.a.stats.reconnects, 1);
    assert.ok((await f.a.send(Uint8Array.of(42))).ok);
    await waitFor(() => atB.length === 1, 5000, 'packet after replug');
    assert.deepEqual(atB[0]!.data, Uint8Array.of(42));
  });
}
