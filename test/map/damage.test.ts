/**
 * Damage on disk: a flipped byte in map.log, an unreadable map.am. Nothing is lost that could be read,
 * the damaged files are kept aside, and the warning says what was skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskStore } from '../../src/map/disk-store.js';
import { factKey, type Fact } from '../../src/wire/facts.js';

const victim = (seq: number): Fact => ({ kind: 'victim', origin: 7, seq, t: seq, pos: { x: seq, y: 2 * seq }, count: 1 + (seq % 3), condition: 'injured', confidence: 80 });
const NOW = Date.UTC(2026, 11, 7, 17, 0, 0);

/** A log of `n` records, one fact each (a station flushes after every merge). */
function writeLog(dir: string, n: number): string[] {
  const { map, store } = DiskStore.open(dir, '0001aabbccdd0011', { compactLogBytes: Number.MAX_SAFE_INTEGER });
  for (let i = 1; i <= n; i++) {
    map.ingest([victim(i)]);
    store.flush(map);
  }
  map.annotate({ id: '1:1', author: 1, t: 5, pos: { x: 1, y: 1 }, text: 'bridge unsafe' });
  store.flush(map);
  store.close();
  return [...map.facts()].map(factKey).sort();
}

test('a flipped byte a quarter into map.log: every record after it is kept, the log is kept aside, the warning counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-flip-'));
  try {
    const all = writeLog(dir, 200);
    const log = join(dir, 'map.log');
    const bytes = readFileSync(log);
    const at = Math.floor(bytes.length / 4);
    bytes[at] = bytes[at]! ^ 0x20;
    writeFileSync(log, bytes);

    const opened = DiskStore.open(dir, '0001aabbccdd0022', {}, NOW);
    const held = [...opened.map.facts()].map(factKey).sort();
    // One record (one fact) sat on the damaged byte; everything else is here, before and after it.
    const lost = all.filter((k) => !held.includes(k));
    assert.equal(lost.length, 1, `lost ${lost.join(', ')}`);
    const lostSeq = Number(lost[0]!.split(':')[1]);
    assert.ok(lostSeq > 25 && lostSeq < 75, `the damaged record held fact ${lost[0]}`);
    assert.equal(opened.map.annotations()[0]?.text, 'bridge unsafe');
    // Said, with counts: what was skipped and where, what was loaded, where the evidence is.
    assert.equal(opened.warnings.length, 1);
    const w = opened.warnings[0]!;
    assert.match(w, /map\.log: skipped 1 damaged stretch \([\d,]+ bytes at [\d,]+\); loaded 200 records: \d+ facts?, and \d+ more salvaged/);
    assert.match(w, /kept the whole log as .*map\.log\.damaged-20261207T170000Z/);
    // The damaged log is kept whole, byte for byte, not truncated.
    assert.deepEqual(readFileSync(join(dir, 'map.log.damaged-20261207T170000Z')), bytes);
    opened.store.close();

    // The recovered map is durable: the next start finds no damage and the same facts.
    const again = DiskStore.open(dir, '0001aabbccdd0033', {}, NOW + 1000);
    assert.deepEqual(again.warnings, []);
    assert.deepEqual([...again.map.facts()].map(factKey).sort(), held);
    again.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('garbage spliced into the middle of the log and a torn tail: both skipped, both kept, the rest loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-splice-'));
  try {
    const all = writeLog(dir, 60);
    const log = join(dir, 'map.log');
    const bytes = readFileSync(log);
    const mid = Math.floor(bytes.length / 2);
    const spliced = Buffer.concat([bytes.subarray(0, mid), Buffer.alloc(333, 0xab), bytes.subarray(mid, bytes.length - 5)]);
    writeFileSync(log, spliced);
    const opened = DiskStore.open(dir, '0001aabbccdd0022', {}, NOW);
    const held = new Set([...opened.map.facts()].map(factKey));
    // The record cut by the splice and the torn last one are gone; nothing else.
    assert.ok(all.filter((k) => !held.has(k)).length <= 2);
    assert.ok(held.has('7:59'));
    assert.match(opened.warnings[0]!, /skipped 3 damaged stretches|skipped 2 damaged stretches/);
    assert.deepEqual(readFileSync(join(dir, 'map.log.damaged-20261207T170000Z')), spliced);
    opened.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable map.am is named, kept aside, and the log alone still gives its facts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-snap-'));
  try {
    const { map, store } = DiskStore.open(dir, '0001aabbccdd0011', { compactLogBytes: Number.MAX_SAFE_INTEGER });
    for (let i = 1; i <= 30; i++) map.ingest([victim(i)]);
    store.flush(map);
    store.compact(map);
    for (let i = 31; i <= 40; i++) {
      map.ingest([victim(i)]);
      store.flush(map);
    }
    store.close();
    const snap = join(dir, 'map.am');
    const bytes = readFileSync(snap);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(snap, bytes);

    const opened = DiskStore.open(dir, '0001aabbccdd0022', {}, NOW);
    assert.match(opened.warnings[0]!, new RegExp(`^${snap.replace(/[.]/g, '\\.')} is unreadable \\(.+\\); kept as .*map\\.am\\.damaged-20261207T170000Z`));
    // The facts written after the snapshot survive (their history was in the snapshot: salvaged).
    const held = new Set([...opened.map.facts()].map(factKey));
    for (let i = 31; i <= 40; i++) assert.ok(held.has(`7:${i}`), `7:${i} lost`);
    assert.deepEqual(readFileSync(join(dir, 'map.am.damaged-20261207T170000Z')), bytes);
    opened.store.close();
    const again = DiskStore.open(dir, '0001aabbccdd0033', {}, NOW);
    assert.deepEqual(again.warnings, []);
    assert.equal(again.map.size, held.size);
    again.store.close();
    assert.ok(readdirSync(dir).includes('map.log.damaged-20261207T170000Z'));
    assert.ok(existsSync(join(dir, 'map.am')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
