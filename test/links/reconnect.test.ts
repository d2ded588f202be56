/** Reconnect timing runs on the Clock: with virtual time the back-off schedule is exact and checkable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { VirtualClock } from '../../src/core/clock.js';
import { ModemLink } from '../../src/links/modem-link.js';
import type { LinkStateChange } from '../../src/links/link.js';
import { tempDir, waitFor } from './helpers.js';

test('a missing serial device is retried with doubling back-off, each ENOENT reported with its delay', async () => {
  const { dir, cleanup } = tempDir('enoent');
  const clock = new VirtualClock(0);
  const link = new ModemLink({ path: join(dir, 'ttyUSB9'), clock, backoff: { initialMs: 100, maxMs: 800, factor: 2 } });
  const downs: LinkStateChange[] = [];
  link.on('state', (s) => {
    if (s.to === 'down') downs.push(s);
  });
  try {
    await link.open();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      await waitFor(() => downs.length > attempt, 2000, `attempt ${attempt}`);
      const d = downs[attempt]!;
      delays.push(d.retryInMs!);
      assert.match(d.reason, /ENOENT|No such file/);
      assert.equal(d.at, clock.now());
      clock.advance(d.retryInMs!); // the next open attempt happens exactly then, not earlier
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 800, 800]);
    assert.equal(link.state, 'down');
    const r = await link.send(Uint8Array.of(1));
    assert.deepEqual(r.ok ? 'ok' : r.reason, 'down');
  } finally {
    await link.close();
    cleanup();
  }
});
