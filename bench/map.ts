/**
 * Situational map benchmark: 10,000 facts of the wire corpus (a seeded 2-hour, 30-drone mission) merged
 * into the Automerge map document, saved, reloaded, merged document-to-document, and shown in the web
 * page; plain JSON storage of the same facts in the same run is the baseline.
 *
 * Also measures the alternative document representation (each fact a nested Automerge map of its
 * fields), which is what the byte-string-per-fact choice in src/map/document.ts was made against.
 */
import * as A from '@automerge/automerge';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchOptions } from '../src/cli/commands/bench.js';
import { MapDocument, actorFor } from '../src/map/document.js';
import { DiskStore } from '../src/map/disk-store.js';
import { encodeFactRecord } from '../src/map/fact-record.js';
import { factKey, type Fact } from '../src/wire/facts.js';
import { wireCorpus } from './wire-corpus.js';
import { timePageFeatures, type PageFigures } from './map-page.js';

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const actor = (n: number) => actorFor(n, new Uint8Array([1, 2, 3, 4]));

/** Facts arrive from gossip in bursts: ingest them in batches of this many (one Automerge change each). */
const BATCH = 1000;
/** Also timed: facts trickling in as from the radio, a few per packet. */
const SMALL_BATCH = 10;

function ingestAll(map: MapDocument, facts: readonly Fact[]): void {
  for (let i = 0; i < facts.length; i += BATCH) map.ingest(facts.slice(i, i + BATCH));
}

/** The alternatives measured against the segment representation of src/map/document.ts. */
function perFactByteString(facts: readonly Fact[]): { ms: number; bytes: number } {
  const t0 = performance.now();
  let d = A.from<{ facts: Record<string, Uint8Array> }>({ facts: {} });
  for (let i = 0; i < facts.length; i += BATCH) {
    d = A.change(d, (doc) => {
      for (const f of facts.slice(i, i + BATCH)) doc.facts[factKey(f)] = encodeFactRecord(f);
    });
  }
  const t = ms(t0);
  return { ms: t, bytes: A.save(d).length };
}

function nestedRepresentation(facts: readonly Fact[]): { ms: number; bytes: number } {
  const t0 = performance.now();
  let d = A.from<{ facts: Record<string, unknown> }>({ facts: {} });
  for (let i = 0; i < facts.length; i += BATCH) {
    d = A.change(d, (doc) => {
      for (const f of facts.slice(i, i + BATCH)) doc.facts[factKey(f)] = JSON.parse(JSON.stringify(f)) as unknown;
    });
  }
  const t = ms(t0);
  return { ms: t, bytes: A.save(d).length };
}

export const benchmark: Benchmark = {
  summary: 'Automerge map: merge 10k facts, bytes/fact on disk, load, page shows 10k features; JSON baseline',
  async run(opts: BenchOptions) {
    const n = opts.quick ? 2000 : 10000;
    const facts = wireCorpus(opts.seed, n);
    const dir = mkdtempSync(join(tmpdir(), 'murmur-bench-map-'));
    try {
      // Warm up the WebAssembly module and the JIT on a small document.
      ingestAll(MapDocument.create(actor(9)), facts.slice(0, 500));

      // Merge n facts into a fresh map (with the duplicates gossip delivers: every fact twice).
      let t0 = performance.now();
      const map = MapDocument.create(actor(1));
      ingestAll(map, facts);
      ingestAll(map, facts);
      const stateOf = map.state();
      const mergeMs = ms(t0);

      // The same facts trickling in a few at a time (one Automerge change per radio packet's worth).
      t0 = performance.now();
      const trickle = MapDocument.create(actor(6));
      for (let i = 0; i < n; i += SMALL_BATCH) trickle.ingest(facts.slice(i, i + SMALL_BATCH));
      const trickleMs = ms(t0);

      // Two ground stations each holding half, merged document-to-document.
      const a = MapDocument.create(actor(2));
      const b = MapDocument.create(actor(3));
      ingestAll(a, facts.slice(0, n / 2));
      ingestAll(b, facts.slice(n / 2));
      t0 = performance.now();
      a.merge(b.doc);
      const docMergeMs = ms(t0);
      if (a.size !== n) throw new Error(`document merge lost facts: ${a.size} of ${n}`);

      // On disk: incremental flushes (as an agent writes), then compacted.
      const opened = DiskStore.open(join(dir, 'am'), actor(4), { compactLogBytes: Number.MAX_SAFE_INTEGER });
      for (let i = 0; i < n; i += 100) {
        opened.map.ingest(facts.slice(i, i + 100));
        opened.store.flush(opened.map);
      }
      const logBytes = opened.store.diskBytes();
      t0 = performance.now();
      opened.store.compact(opened.map);
      const compactMs = ms(t0);
      const snapshotBytes = opened.store.diskBytes();
      opened.store.close();

      t0 = performance.now();
      const reopened = DiskStore.open(join(dir, 'am'), actor(5));
      const loaded = reopened.map.state();
      const loadMs = ms(t0);
      reopened.store.close();
      if (loaded.factCount !== n || stateOf.factCount !== n) throw new Error('reload lost facts');

      const nested = nestedRepresentation(facts);
      const perFact = perFactByteString(facts);

      // Baseline: plain JSON of the same facts, keyed by id, written and read back.
      t0 = performance.now();
      const json: Record<string, Fact> = {};
      for (const f of facts) json[factKey(f)] ??= f;
      for (const f of facts) json[factKey(f)] ??= f;
      const jsonMergeMs = ms(t0);
      const jsonPath = join(dir, 'facts.json');
      writeFileSync(jsonPath, JSON.stringify(json));
      const jsonBytes = statSync(jsonPath).size;
      t0 = performance.now();
      const back = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, Fact>;
      const jsonLoadMs = ms(t0);
      if (Object.keys(back).length !== n) throw new Error('JSON baseline lost facts');

      let page: Partial<Record<keyof PageFigures, number | null>> & { page_note?: string } = { page_10k_features_ms: null };
      try {
        page = await timePageFeatures(facts, opts.log);
      } catch (err) {
        page = { page_10k_features_ms: null, page_note: `browser timing skipped: ${(err as Error).message}` };
      }

      const r = {
        facts: n,
        merge_10k_ms: mergeMs,
        merge_batch: BATCH,
        merge_10k_in_batches_of_10_ms: trickleMs,
        doc_merge_two_halves_ms: docMergeMs,
        bytes_per_fact_disk: Math.round((snapshotBytes / n) * 10) / 10,
        bytes_per_fact_log_before_compaction: Math.round((logBytes / n) * 10) / 10,
        compact_ms: compactMs,
        load_10k_ms: loadMs,
        ...page,
        per_fact_bytes_representation_ms: perFact.ms,
        per_fact_bytes_representation_bytes_per_fact: Math.round((perFact.bytes / n) * 10) / 10,
        nested_map_representation_ms: nested.ms,
        nested_map_bytes_per_fact: Math.round((nested.bytes / n) * 10) / 10,
        baseline_json_merge_ms: jsonMergeMs,
        baseline_json_bytes_per_fact: Math.round((jsonBytes / n) * 10) / 10,
        baseline_json_load_ms: jsonLoadMs,
      };
      opts.log(`facts: ${n} (wire corpus, seed ${opts.seed}), ingested in batches of ${BATCH}, each twice`);
      opts.log('                        map (segments)  key per fact: bytes / nested map   plain JSON (baseline)');
      opts.log(`merge ${n} facts (ms)   ${String(r.merge_10k_ms).padEnd(16)}${String(r.per_fact_bytes_representation_ms).padEnd(15)}${String(r.nested_map_representation_ms).padEnd(20)}${r.baseline_json_merge_ms}`);
      opts.log(`bytes per fact on disk  ${String(r.bytes_per_fact_disk).padEnd(16)}${String(r.per_fact_bytes_representation_bytes_per_fact).padEnd(15)}${String(r.nested_map_bytes_per_fact).padEnd(20)}${r.baseline_json_bytes_per_fact}`);
      opts.log(`load (ms)               ${String(r.load_10k_ms).padEnd(51)}${r.baseline_json_load_ms}`);
      opts.log(`merge ${n} facts ${SMALL_BATCH} at a time: ${r.merge_10k_in_batches_of_10_ms} ms`);
      opts.log(`doc merge of two halves ${r.doc_merge_two_halves_ms} ms; log before compaction ${r.bytes_per_fact_log_before_compaction} B/fact; compaction ${r.compact_ms} ms`);
      if (page.page_note) opts.log(page.page_note);
      return r;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
