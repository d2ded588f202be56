/**
 * `murmur bench wire`: bytes on air per fact, encode/decode speed, signature costs and a long fuzz run of
 * the receive path, on the seeded corpus of bench/wire-corpus.ts. Baselines measured in the same run: the
 * same facts as JSON text and as plain cbor-x maps, both per fact and sealed into the same packets.
 */
import { performance } from 'node:perf_hooks';
import { encode as cborEncode } from 'cbor-x';
import type { Benchmark, BenchOptions } from '../src/cli/commands/bench.js';
import { seededRandom } from '../src/core/random.js';
import type { Fact, NodeId } from '../src/wire/facts.js';
import { BatchBuilder, encodePayload } from '../src/wire/codec.js';
import { encodeFrame } from '../src/wire/framing.js';
import { maxPayloadFor, onAirLength, packetOverhead, sealPacket } from '../src/wire/packet.js';
import { ReceivePath } from '../src/wire/receive.js';
import { Keyring, generateIdentity, signingKeyOf } from '../src/wire/keyring.js';
import { attest, attestFacts, encodeAttestation, verifyAttestation } from '../src/wire/attestation.js';
import { encodeControl } from '../src/gossip/control.js';
import { isTagged, tagsRecord } from '../src/gossip/tesla-proof.js';
import { TESLA_TAG_BYTES } from '../src/wire/tesla.js';
import { fuzzReceivePath } from '../src/wire/hostile.js';
import { sign, verify } from 'node:crypto';
import { wireCorpus } from './wire-corpus.js';

const MTU = 200;
const ATTEST_EVERY = 32;

/**
 * Each origin's facts in packets as the gossip engine sends them with authorship (gossip/tesla-proof.ts): a
 * TAGS control record with 4 bytes per durable fact, and for the outbox's last status (the one others may act
 * on; earlier ones are superseded), and one KEY record closing the outbox (the disclosure that proves the lot).
 */
function taggedOutbox(byOrigin: readonly Fact[]): { onAir: number; keyBytes: number } {
  let onAir = 0;
  let keyBytes = 0;
  const chainKey = new Uint8Array(8).fill(3);
  const tag = new Uint8Array(TESLA_TAG_BYTES).fill(9);
  for (const o of [...new Set(byOrigin.map((f) => f.origin))]) {
    const queue = byOrigin.filter((f) => f.origin === o);
    const statuses = queue.filter((f) => f.kind === 'status');
    const proven = statuses[statuses.length - 1];
    const tagOf = (f: Fact) => (isTagged(f) || f === proven ? tag : undefined);
    const key = { type: 'key' as const, origin: o, interval: 7000, key: chainKey };
    const room = maxPayloadFor(MTU, o);
    const payload = (fs: Fact[], withKey: boolean) => {
      const recs = [tagsRecord(fs, tagOf), withKey ? key : undefined].filter((r) => r !== undefined);
      return encodePayload({ time: Math.max(...fs.map((f) => f.t)), facts: fs, ...(recs.length ? { control: encodeControl(recs) } : {}) }, o);
    };
    while (queue.length) {
      const facts: Fact[] = [];
      while (queue.length && payload([...facts, queue[0]!], queue.length === 1).length <= room) facts.push(queue.shift()!);
      if (facts.length === 0) throw new Error('a fact does not fit an empty packet');
      const bytes = payload(facts, queue.length === 0);
      if (queue.length === 0) keyBytes = bytes.length - payload(facts, false).length;
      onAir += onAirLength(o, bytes.length);
    }
  }
  return { onAir, keyBytes };
}

interface Stream {
  /** Payload bytes each kind added when it joined its packet (before re-timing). */
  readonly byKind: Map<string, number[]>;
  readonly packets: Uint8Array[];
  readonly senders: NodeId[];
  readonly onAir: number;
}

/** Fills packets of at most `mtu` bytes on air from facts in order; a new packet when the sender changes. */
function stream(facts: readonly Fact[], senderOf: (f: Fact) => NodeId, mtu = MTU, reserve = 0): Stream {
  const packets: Uint8Array[] = [];
  const senders: NodeId[] = [];
  const byKind = new Map<string, number[]>();
  let onAir = 0;
  let i = 0;
  while (i < facts.length) {
    const sender = senderOf(facts[i]!);
    let time = 0;
    for (let k = i; k < facts.length && k < i + 40; k++) time = Math.max(time, facts[k]!.t);
    const b = new BatchBuilder({ sender, time, maxPayload: maxPayloadFor(mtu, sender) - reserve });
    while (i < facts.length && senderOf(facts[i]!) === sender) {
      const added = b.add(facts[i]!);
      if (added === undefined) break;
      const list = byKind.get(facts[i]!.kind) ?? [];
      list.push(added);
      byKind.set(facts[i]!.kind, list);
      i++;
    }
    if (b.count === 0) throw new Error(`fact ${facts[i]!.origin}:${facts[i]!.seq} does not fit an empty packet`);
    // The sender sends as soon as it holds these facts: the packet time is the newest of them, which only
    // shortens ages, so the same facts still fit.
    const newest = Math.max(...b.facts.map((f) => f.t));
    const payload = encodePayload({ time: newest, facts: b.facts }, sender);
    if (payload.length > b.size) throw new Error('re-timed packet grew');
    packets.push(payload);
    senders.push(sender);
    onAir += onAirLength(sender, payload.length) + reserve;
  }
  return { byKind, packets, senders, onAir };
}

/** The same greedy packing for an opaque per-fact representation (the baselines). */
function packOpaque(sizes: readonly number[], sender: NodeId): number {
  const room = maxPayloadFor(MTU, sender);
  let onAir = 0;
  let used = 1; // array head
  for (const s of sizes) {
    if (s + 1 > room) {
      onAir += onAirLength(sender, s + 1); // alone, over the MTU: it would need fragmenting
      continue;
    }
    if (used + s > room) {
      onAir += onAirLength(sender, used);
      used = 1;
    }
    used += s;
  }
  return onAir + (used > 1 ? onAirLength(sender, used) : 0);
}

function perSecond(run: () => number, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    n += run();
    t = performance.now();
  } while (t - t0 < minMs);
  return n / ((t - t0) / 1000);
}

const fmt = (v: number, d = 1) => (Number.isInteger(v) ? String(v) : v.toFixed(d));

export const benchmark: Benchmark = {
  summary: 'bytes on air per fact, codec speed, signature costs, receive-path fuzzing (vs JSON and cbor-x maps)',
  async run(opts: BenchOptions) {
    const { log, quick, seed } = opts;
    const facts = wireCorpus(seed);
    const n = facts.length;
    const byOrigin = [...facts].sort((a, b) => a.origin - b.origin || a.seq - b.seq);

    // Murmur packets filled to 200 bytes on air, all overhead counted.
    const outbox = stream(byOrigin, (f) => f.origin); // every origin broadcasting its own facts
    const live = stream(facts, () => 1); // a relay forwarding everyone's facts in the order they arose
    const catchUp = stream(byOrigin, () => 1); // a relay answering a catch-up request
    const victim = facts.find((f) => f.kind === 'victim')!;
    const victimPayload = encodePayload({ time: victim.t, facts: [victim] }, victim.origin);
    const singleVictimBare = onAirLength(victim.origin, victimPayload.length);
    // with authorship as built: its tag rides beside it (gossip/tesla-proof.ts)
    const victimTags = tagsRecord([victim], () => new Uint8Array(TESLA_TAG_BYTES).fill(9))!;
    const singleVictim = onAirLength(victim.origin, encodePayload({ time: victim.t, facts: [victim], control: encodeControl([victimTags]) }, victim.origin).length);

    // Baselines: the same facts as JSON text and as cbor-x maps.
    const json = facts.map((f) => Buffer.byteLength(JSON.stringify(f)));
    const cbor = facts.map((f) => cborEncode(f).length);
    const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
    const jsonOnAir = packOpaque(json, 1);
    const cborOnAir = packOpaque(cbor, 1);
    const victimJson = onAirLength(victim.origin, Buffer.byteLength(JSON.stringify(victim)));
    const victimCbor = onAirLength(victim.origin, cborEncode(victim).length);

    // Speed: the whole send path (batch, encode, seal, frame) and receive path (deframe, open, decode).
    const swarmKey = new Uint8Array(32).map((_, i) => i * 7 + 1);
    const ids = [...new Set(facts.map((f) => f.origin)), 1];
    const keyring = new Keyring(swarmKey, ids.map((id) => ({ id, name: `n${id}`, publicKey: new Uint8Array(32) })));
    const ms = quick ? 300 : 1500;
    let counter = 0;
    const lines: Uint8Array[] = [];
    const encodeRate = perSecond(() => {
      const s = stream(byOrigin, (f) => f.origin);
      lines.length = 0;
      for (let k = 0; k < s.packets.length; k++) lines.push(encodeFrame(sealPacket(s.senders[k]!, ++counter, s.packets[k]!, keyring)));
      return n;
    }, ms);
    const wire = Buffer.concat(lines);
    const decodeRate = perSecond(() => {
      const rx = new ReceivePath(keyring);
      let got = 0;
      for (const p of rx.pushBytes(wire)) got += p.payload.facts.length;
      if (got !== n) throw new Error(`receive path returned ${got} of ${n} facts`);
      return got;
    }, ms);

    // Authorship: Ed25519 per fact, per packet, or one attestation per 32 facts of an origin.
    const me = generateIdentity(2, 'bench');
    const key = signingKeyOf(me);
    const idKeyring = new Keyring(swarmKey, [me]);
    const pub = idKeyring.verifier(2)!;
    const msg = encodePayload({ time: victim.t, facts: [victim] }, victim.origin);
    const sigs = quick ? 300 : 2000;
    let t0 = performance.now();
    let sig = sign(null, msg, key);
    for (let k = 1; k < sigs; k++) sig = sign(null, msg, key);
    const signUs = ((performance.now() - t0) * 1000) / sigs;
    t0 = performance.now();
    for (let k = 0; k < sigs; k++) if (!verify(null, msg, pub, sig)) throw new Error('signature');
    const verifyUs = ((performance.now() - t0) * 1000) / sigs;
    const mine = byOrigin.filter((f) => f.origin === byOrigin[0]!.origin).slice(0, ATTEST_EVERY).map((f) => ({ ...f, origin: 2 }) as Fact);
    const rounds = quick ? 50 : 300;
    t0 = performance.now();
    let att = attest(2, mine, key);
    for (let k = 1; k < rounds; k++) att = attest(2, mine, key);
    const attestUsPerFact = ((performance.now() - t0) * 1000) / rounds / mine.length;
    t0 = performance.now();
    for (let k = 0; k < rounds; k++) if (!verifyAttestation(att, mine, idKeyring).ok) throw new Error('attestation');
    const attestVerifyUsPerFact = ((performance.now() - t0) * 1000) / rounds / mine.length;
    const attBytes = encodeAttestation(att).length;
    const sigItem = 2 + sig.length; // a 64-byte CBOR byte string
    // Per fact: each fact carries its own signature (packed with the same greedy filling).
    const eachSized = byOrigin.map((f) => new BatchBuilder({ sender: f.origin, time: f.t, maxPayload: 1024 }).add(f)! + sigItem);
    const signEachOnAir = packOpaque(eachSized, 2) / n;
    // Per batch: every packet gives 66 bytes of its room to a signature.
    const signBatchOnAir = stream(byOrigin, (f) => f.origin, MTU, sigItem).onAir / n;
    // On demand: one attestation per 32 facts of an origin, in control records of the origin's packets.
    const attestations = [...new Set(byOrigin.map((f) => f.origin))].reduce(
      (a, o) => a + Math.ceil(byOrigin.filter((f) => f.origin === o).length / ATTEST_EVERY), 0);
    const attestOnAir = (outbox.onAir + attestations * (attBytes + 2) * (MTU / maxPayloadFor(MTU, 2))) / n;

    // With authorship as built (gossip/authorship.ts): each origin's outbox ends with its attest fact — the
    // signed digest of its durable facts and of its latest status — batched with its facts like any other.
    const signers = new Map<NodeId, ReturnType<typeof signingKeyOf>>();
    const signer = (o: NodeId) => signers.get(o) ?? (signers.set(o, signingKeyOf(generateIdentity(o, `n${o}`))), signers.get(o)!);
    const authored: Fact[] = [];
    for (const o of [...new Set(byOrigin.map((f) => f.origin))]) {
      const mine = byOrigin.filter((f) => f.origin === o);
      authored.push(...mine);
      const statuses = mine.filter((f) => f.kind === 'status');
      const t = Math.max(...mine.map((f) => f.t));
      authored.push(attestFacts({ origin: o, seq: Math.max(...mine.map((f) => f.seq)) + 1, t }, mine.filter((f) => f.kind !== 'status'), statuses[statuses.length - 1], signer(o)));
    }
    const signedOutbox = stream(authored, (f) => f.origin);
    const attestFactBytes = new BatchBuilder({ sender: 2, time: 100, maxPayload: 1024 }).add(authored.find((f) => f.kind === 'attest')!)!;
    // As built (gossip/tesla-proof.ts): tags and a key; the signed attestation above is what it replaced.
    const tagged = taggedOutbox(byOrigin);

    // Fuzz: hostile input through the whole receive path, in rounds of 10,000 cases until the target or the
    // time budget is reached (the machine may be shared; the acceptance check allows 50 s in all).
    const fuzzTarget = quick ? 20_000 : 150_000;
    const fuzzBudgetMs = quick ? 5_000 : 15_000;
    const fuzzSetup = {
      keyring: new Keyring(swarmKey, [...keyring.members, { id: 400, name: 'revoked', publicKey: new Uint8Array(32) }], [400]),
      keys: keyring,
      senders: ids.slice(0, 8),
      revoked: 400,
      stranger: 999,
      samples: facts,
    };
    const fuzz = { cases: 0, crashes: 0, invalidAccepted: 0, accepted: 0, rejects: {} as Record<string, number> };
    const fz0 = performance.now();
    for (let round = 0; fuzz.cases < fuzzTarget && (round < 2 || performance.now() - fz0 < fuzzBudgetMs); round++) {
      const rep = fuzzReceivePath(seededRandom(`wire-bench-fuzz/${seed}/${round}`), fuzzSetup, 10_000);
      fuzz.cases += rep.cases;
      fuzz.crashes += rep.crashes;
      fuzz.invalidAccepted += rep.invalidAccepted;
      fuzz.accepted += rep.accepted;
      for (const [k, v] of Object.entries(rep.rejects)) fuzz.rejects[k] = (fuzz.rejects[k] ?? 0) + (v ?? 0);
    }
    const fuzzSeconds = (performance.now() - fz0) / 1000;

    const r = {
      facts: n,
      mtu: MTU,
      // with authorship included (one attest fact per origin's outbox; docs/wire.md)
      bytes_per_fact_batched: +(tagged.onAir / n).toFixed(2),
      bytes_per_fact_batched_signed_attestations: +(signedOutbox.onAir / n).toFixed(2),
      tesla_key_record_bytes: tagged.keyBytes,
      bytes_per_fact_batched_without_authorship: +(outbox.onAir / n).toFixed(2),
      attest_fact_bytes: attestFactBytes,
      bytes_per_fact_batched_relay_live: +(live.onAir / n).toFixed(2),
      bytes_per_fact_batched_catch_up: +(catchUp.onAir / n).toFixed(2),
      packets: outbox.packets.length,
      bytes_per_fact_payload: +(sum(outbox.packets.map((p) => p.length)) / n).toFixed(2),
      bytes_single_victim_packet: singleVictim,
      bytes_single_victim_packet_without_authorship: singleVictimBare,
      bytes_per_packet_overhead: packetOverhead(2),
      bytes_per_fact_json: +(sum(json) / n).toFixed(2),
      bytes_per_fact_cbor_map: +(sum(cbor) / n).toFixed(2),
      bytes_per_fact_json_batched: +(jsonOnAir / n).toFixed(2),
      bytes_per_fact_cbor_map_batched: +(cborOnAir / n).toFixed(2),
      bytes_single_victim_packet_json: victimJson,
      bytes_single_victim_packet_cbor_map: victimCbor,
      encode_facts_per_s: Math.round(encodeRate),
      decode_facts_per_s: Math.round(decodeRate),
      sign_us: +signUs.toFixed(1),
      verify_us: +verifyUs.toFixed(1),
      bytes_per_fact_sign_each: +signEachOnAir.toFixed(2),
      bytes_per_fact_sign_batch: +signBatchOnAir.toFixed(2),
      bytes_per_fact_attested: +attestOnAir.toFixed(2),
      attestation_bytes: attBytes,
      attestation_facts: ATTEST_EVERY,
      attest_sign_us_per_fact: +attestUsPerFact.toFixed(2),
      attest_verify_us_per_fact: +attestVerifyUsPerFact.toFixed(2),
      fuzz_cases: fuzz.cases,
      fuzz_crashes: fuzz.crashes,
      fuzz_invalid_accepted: fuzz.invalidAccepted,
      fuzz_accepted: fuzz.accepted,
      fuzz_rejects: fuzz.rejects,
      fuzz_cases_per_s: Math.round(fuzz.cases / fuzzSeconds),
    };

    log(`corpus: ${n} facts (seed ${seed}), packets of at most ${MTU} bytes on air (framing, header, counter, tag counted)`);
    log('');
    log('                                   murmur   cbor-x maps      JSON');
    log(`bytes/fact, payload only         ${fmt(r.bytes_per_fact_payload, 2).padStart(9)} ${fmt(r.bytes_per_fact_cbor_map, 2).padStart(12)} ${fmt(r.bytes_per_fact_json, 2).padStart(9)}`);
    log(`bytes/fact on air, 200 B packets ${fmt(r.bytes_per_fact_batched, 2).padStart(9)} ${fmt(r.bytes_per_fact_cbor_map_batched, 2).padStart(12)} ${fmt(r.bytes_per_fact_json_batched, 2).padStart(9)}`);
    log(`one victim, sealed+framed packet ${String(singleVictim).padStart(9)} ${String(victimCbor).padStart(12)} ${String(victimJson).padStart(9)}`);
    log('');
    log(`murmur on air by traffic pattern: own outbox ${r.bytes_per_fact_batched} B/fact (${outbox.packets.length} packets), ` +
      `relay in arrival order ${r.bytes_per_fact_batched_relay_live}, catch-up relay ${r.bytes_per_fact_batched_catch_up}`);
    const kindCost = (st: Stream) =>
      [...st.byKind].map(([k, v]) => `${k} ${fmt(sum(v) / v.length)}`).join(', ');
    log(`payload bytes per fact by kind, own outbox: ${kindCost(outbox)}`);
    log(`                          relay in arrival order: ${kindCost(live)}`);
    log(`speed: send path ${fmt(r.encode_facts_per_s / 1000)} k facts/s, receive path ${fmt(r.decode_facts_per_s / 1000)} k facts/s`);
    log('');
    log('authorship (Ed25519, Node crypto)       on air B/fact   sign µs/fact   verify µs/fact');
    log(`  4-byte tags + a key (${r.tesla_key_record_bytes} B) per origin outbox [built] ${fmt(r.bytes_per_fact_batched, 2).padStart(5)}`);
    log(`  signed attest fact per origin outbox (${r.attest_fact_bytes} B) ${fmt(r.bytes_per_fact_batched_signed_attestations, 2).padStart(10)}`);
    log(`  none (swarm key only)                 ${fmt(r.bytes_per_fact_batched_without_authorship, 2).padStart(13)}   ${'0'.padStart(12)}   ${'0'.padStart(14)}`);
    log(`  sign each fact (+${sigItem} B)              ${fmt(r.bytes_per_fact_sign_each, 2).padStart(13)}   ${fmt(signUs).padStart(12)}   ${fmt(verifyUs).padStart(14)}`);
    log(`  sign each packet (+${sigItem} B)            ${fmt(r.bytes_per_fact_sign_batch, 2).padStart(13)}   ${fmt(signUs / (n / outbox.packets.length)).padStart(12)}   ${fmt(verifyUs / (n / outbox.packets.length)).padStart(14)}`);
    log(`  attest per ${ATTEST_EVERY} facts (${attBytes} B) [chosen] ${fmt(r.bytes_per_fact_attested, 2).padStart(13)}   ${fmt(attestUsPerFact, 2).padStart(12)}   ${fmt(attestVerifyUsPerFact, 2).padStart(14)}`);
    log('');
    log(`fuzz: ${fuzz.cases} hostile inputs in ${fmt(fuzzSeconds)} s, crashes ${fuzz.crashes}, invalid facts accepted ${fuzz.invalidAccepted}, ` +
      `rejects ${JSON.stringify(fuzz.rejects)}`);
    return r;
  },
};
