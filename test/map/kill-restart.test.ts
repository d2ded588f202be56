import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskStore } from '../../src/map/disk-store.js';
import { seededRandom } from '../../src/core/random.js';
import { factKey } from '../../src/wire/facts.js';

const fixture = join(import.meta.dirname, 'fixtures', 'ack-writer.ts');

/** Runs the writer until `killAfterMs` past its "ready" line, then SIGKILLs it; returns its acks. */
function runAndKill(dir: string, round: number, killAfterMs: number): Promise<{ acks: string[]; readyCount: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, '42', String(round)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acks: string[] = [];
    let readyCount = -1;
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ack ')) acks.push(line.slice(4));
        else if (line.startsWith('ready ')) {
          readyCount = Number(line.slice(6));
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (${String(signal)})`));
      else resolve({ acks, readyCount });
    });
  });
}

test('a writer killed with SIGKILL at random moments restarts with every fact it acknowledged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-kill-'));
  try {
    const rng = seededRandom(7);
    const acked = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const { acks, readyCount } = await runAndKill(dir, round, 30 + rng.int(400));
      // On restart the writer already holds at least everything acknowledged in earlier lives.
      assert.ok(readyCount >= acked.size, `round ${round}: restarted with ${readyCount} facts, ${acked.size} acknowledged before`);
      for (const a of acks) acked.add(a);
    }
    assert.ok(acked.size > 50, `only ${acked.size} facts acknowledged: the test did not exercise much`);
    const { map, store } = DiskStore.open(dir);
    const held = new Set([...map.facts()].map(factKey));
    const missing = [...acked].filter((k) => !held.has(k));
    assert.deepEqual(missing, []);
    store.close();
    // The writers compacted along the way (only compaction writes the snapshot), so kills hit that too.
    assert.ok(existsSync(store.snapshotPath));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn log tail is cut off and the rest loads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-torn-'));
  try {
    const { map, store } = DiskStore.open(dir);
    map.ingest([{ kind: 'command', origin: 2, seq: 1, t: 1, target: 0, action: 'rtl' }]);
    store.flush(map);
    map.ingest([{ kind: 'command', origin: 2, seq: 2, t: 2, target: 0, action: 'resume' }]);
    store.flush(map);
    store.close();
    const { truncateSync, statSync } = await import('node:fs');
    truncateSync(store.logPath, statSync(store.logPath).size - 3);
    const again = DiskStore.open(dir);
    assert.ok(again.tornBytes > 0);
    assert.deepEqual([...again.map.facts()].map(factKey), ['2:1']);
    // The store keeps working after the cut.
    again.map.ingest([{ kind: 'command', origin: 2, seq: 3, t: 3, target: 0, action: 'hold' }]);
    again.store.flush(again.map);
    again.store.compact(again.map);
    again.store.close();
    const third = DiskStore.open(dir);
    assert.deepEqual([...third.map.facts()].map(factKey).sort(), ['2:1', '2:3']);
    assert.equal(third.tornBytes, 0);
    third.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
