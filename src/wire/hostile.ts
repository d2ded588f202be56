/**
 * Hostile input for the receive path: random bytes, valid packets mutated on the line, and payloads
 * mutated or made up by an insider who holds the swarm key (so they pass the AEAD and reach the payload
 * decoder), replays, unknown and revoked senders. Used by the fuzz test, the wire benchmark and swarm
 * scenarios. Seeded: a run is a function of its seed.
 */
import type { Random } from '../core/random.js';
import { encoder } from './cbor.js';
import { encodePayload } from './codec.js';
import type { Fact, NodeId } from './facts.js';
import { factProblem } from './fact-check.js';
import { encodeFrame } from './framing.js';
import { sealPacket, type PacketKeyring, type SealKeys } from './packet.js';
import { ReceivePath } from './receive.js';
import type { RejectReason } from './reject.js';


export interface FuzzReport {
  readonly cases: number;
  /** Exceptions that escaped the receive path or were caught by its outer guard: must be 0. */
  readonly crashes: number;
  /** Packets accepted (valid ones and mutations that happened to stay valid). */
  readonly accepted: number;
  /** Accepted facts outside their documented ranges: must be 0. */
  readonly invalidAccepted: number;
  readonly rejects: Partial<Record<RejectReason, number>>;
}

export interface FuzzSetup {
  readonly keyring: PacketKeyring;
  readonly keys: SealKeys;
  /** Members allowed to send (ids in the keyring, not revoked). */
  readonly senders: readonly NodeId[];
  readonly revoked: NodeId;
  readonly stranger: NodeId;
  /** Valid facts to build packets from. */
  readonly samples: readonly Fact[];
}

const CBOR_TROUBLE = [0x18, 0x19, 0x1a, 0x1b, 0x3b, 0x5a, 0x5f, 0x7a, 0x9b, 0x9f, 0xbb, 0xbf, 0xd8, 0xdb, 0xf9, 0xfb, 0xff];

function mutate(rnd: Random, src: Uint8Array): Uint8Array {
  let b = Array.from(src);
  const ops = 1 + rnd.int(4);
  for (let k = 0; k < ops; k++) {
    const at = b.length ? rnd.int(b.length) : 0;
    switch (rnd.int(6)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << rnd.int(8));
        break;
      case 1:
        if (b.length) b[at] = rnd.int(256);
        break;
      case 2:
        b.splice(at, 0, rnd.int(256));
        break;
      case 3:
        b.splice(at, 1 + rnd.int(4));
        break;
      case 4:
        b = b.slice(0, rnd.int(b.length + 1));
        break;
      case 5: // CBOR heads that announce long arguments, big strings, arrays, maps, tags, floats, breaks
        b.splice(at, 0, CBOR_TROUBLE[rnd.int(CBOR_TROUBLE.length)]!, rnd.int(256), rnd.int(256));
        break;
    }
  }
  return new Uint8Array(b);
}

/** Random JS values that cbor-x will encode as maps, tags, floats, deep nesting, typed arrays… */
function junkValue(rnd: Random, depth: number): unknown {
  switch (rnd.int(depth > 6 ? 5 : 9)) {
    case 0:
      return rnd.int(2 ** 32) - 2 ** 31;
    case 1:
      return rnd.next() * 1e12;
    case 2:
      return 'x'.repeat(rnd.int(20));
    case 3:
      return new Uint8Array(rnd.int(30));
    case 4:
      return [null, undefined, true, false, -0, NaN][rnd.int(6)];
    case 5:
      return Array.from({ length: rnd.int(5) }, () => junkValue(rnd, depth + 1));
    case 6:
      return { a: junkValue(rnd, depth + 1), [rnd.int(100)]: junkValue(rnd, depth + 1) };
    case 7:
      return new Date(rnd.int(2 ** 31) * 1000);
    default: {
      let v: unknown = 1;
      for (let d = 0; d < 50 + rnd.int(500); d++) v = [v];
      return v;
    }
  }
}

/** Runs `cases` hostile inputs through a fresh receive path. Never throws. */
export function fuzzReceivePath(rnd: Random, setup: FuzzSetup, cases: number): FuzzReport {
  const path = new ReceivePath(setup.keyring);
  let counter = 1;
  let crashes = 0;
  let accepted = 0;
  let invalidAccepted = 0;
  const sent: Uint8Array[] = [];
  const pickFacts = (): Fact[] => {
    const n = rnd.int(12);
    const seen = new Set<string>();
    const out: Fact[] = [];
    for (let k = 0; k < n; k++) {
      const f = setup.samples[rnd.int(setup.samples.length)]!;
      const key = `${f.origin}:${f.seq}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(f);
      }
    }
    return out;
  };
  const sender = () => setup.senders[rnd.int(setup.senders.length)]!;
  const validPayload = (s: NodeId) => encodePayload({ time: rnd.int(8000), facts: pickFacts() }, s);
  const seal = (s: NodeId, payload: Uint8Array) => sealPacket(s, counter++, payload.subarray(0, 1024), setup.keys);

  for (let i = 0; i < cases; i++) {
    let line: Uint8Array;
    const s = sender();
    switch (rnd.int(8)) {
      case 0: // line noise, sometimes with delimiters inside
        line = new Uint8Array(rnd.int(300)).map(() => (rnd.chance(0.05) ? 0 : rnd.int(256)));
        break;
      case 1: // a valid packet hit on the line (framing sees it: CRC, COBS, lengths)
        line = mutate(rnd, encodeFrame(seal(s, validPayload(s))));
        break;
      case 2: // a valid frame whose sealed packet was altered before framing (the AEAD sees it)
        line = encodeFrame(mutate(rnd, seal(s, validPayload(s))));
        break;
      case 3: // an insider's mutated payload, properly sealed (the payload decoder sees it)
        line = encodeFrame(seal(s, mutate(rnd, validPayload(s))));
        break;
      case 4: // an insider's arbitrary CBOR, properly sealed
        line = encodeFrame(seal(s, encoder.encode(junkValue(rnd, 0))));
        break;
      case 5: { // replays of earlier packets
        const old = sent[rnd.int(Math.max(1, sent.length))];
        line = old ?? encodeFrame(seal(s, validPayload(s)));
        break;
      }
      case 6: // strangers and revoked members (they may even hold the key)
        line = encodeFrame(seal(rnd.chance(0.5) ? setup.revoked : setup.stranger, validPayload(s)));
        break;
      default: { // valid traffic
        line = encodeFrame(seal(s, validPayload(s)));
        if (sent.length < 64) sent.push(line);
        else sent[rnd.int(64)] = line;
      }
    }
    try {
      const got = path.pushBytes(line);
      // A mutated frame may lack its delimiter: end it so every case is judged on its own.
      const tail = path.pushBytes(new Uint8Array([0]));
      for (const p of [...got, ...tail]) {
        accepted++;
        for (const f of p.payload.facts) if (factProblem(f)) invalidAccepted++;
      }
    } catch {
      crashes++;
    }
  }
  return { cases, crashes: crashes + path.internalErrors, accepted, invalidAccepted, rejects: path.rejects.summary() };
}
