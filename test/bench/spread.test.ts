/** The over-seeds summary used to judge gossip changes: what a reader of `bench gossip-seeds` relies on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spread } from '../../bench/gossip-seeds.js';

test('spread gives min, median and max of the runs that finished, and keeps every seed in order', () => {
  assert.deepEqual(spread([3, 1, 2]), { min: 1, median: 2, max: 3, per_seed: [3, 1, 2] });
  // even count: the mean of the middle two; a run that never healed (null) is listed but not ranked
  assert.deepEqual(spread([8.151, null, 5, 7]), { min: 5, median: 7, max: 8.151, per_seed: [8.151, null, 5, 7] });
  assert.deepEqual(spread([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4, per_seed: [4, 1, 3, 2] });
  assert.equal(spread([null, null]), null);
});
