import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/core/log.js';

test('logs are one JSON object per line with component path, level filter and fields', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', sink: (l) => lines.push(l), now: () => 0, component: 'agent' });
  log.debug('hidden');
  log.child('vehicle', { node: 3 }).warn('fc lost', { after_s: 5, err: new Error('EIO') });
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]!);
  assert.deepEqual(rec, {
    t: '1970-01-01T00:00:00.000Z',
    level: 'warn',
    component: 'agent.vehicle',
    msg: 'fc lost',
    node: 3,
    after_s: 5,
    err: 'EIO',
  });
});
