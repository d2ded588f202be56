/** fast-check generators of valid, already-quantised facts (shared by the wire tests). */
import fc from 'fast-check';
import {
  ACK_RESULTS,
  ACTIVITIES,
  AREA_ROLES,
  COMMAND_ACTIONS,
  HAZARD_TYPES,
  OUTCOMES,
  ROAD_SEVERITIES,
  VICTIM_CONDITIONS,
  type Fact,
} from '../../src/wire/facts.js';
import type { LocalPoint } from '../../src/wire/frame-of-reference.js';

const coord = fc.oneof(fc.integer({ min: -32767, max: 32767 }), fc.integer({ min: 0, max: 5000 }));
export const point: fc.Arbitrary<LocalPoint> = fc.record({ x: coord, y: coord });
const nearPoint = (p: LocalPoint) =>
  fc.record({
    x: fc.integer({ min: Math.max(-32767, p.x - 300), max: Math.min(32767, p.x + 300) }),
    y: fc.integer({ min: Math.max(-32767, p.y - 300), max: Math.min(32767, p.y + 300) }),
  });
const path = (min: number, max: number) =>
  fc.oneof(
    fc.array(point, { minLength: min, maxLength: max }),
    point.chain((p) => fc.array(nearPoint(p), { minLength: min - 1, maxLength: max - 1 }).map((rest) => [p, ...rest])),
  );

const base = {
  origin: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 65535 })),
  seq: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 0xffffffff })),
  t: fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 0x7fffffff })),
};

export const statusFact = fc.record({
  kind: fc.constant('status' as const),
  ...base,
  pos: point,
  alt: fc.oneof(fc.integer({ min: 0, max: 150 }), fc.integer({ min: -1000, max: 10000 })),
  battery: fc.integer({ min: 0, max: 100 }),
  mode: fc.oneof(fc.constantFrom(0, 3, 4, 5, 6, 9, 17), fc.integer({ min: 0, max: 255 })),
  armed: fc.boolean(),
  activity: fc.constantFrom(...ACTIVITIES),
  sector: fc.oneof(fc.integer({ min: -1, max: 49 }), fc.integer({ min: -1, max: 65534 })),
  heading: fc.integer({ min: 0, max: 359 }),
});
export const victimFact = fc.record({
  kind: fc.constant('victim' as const),
  ...base,
  pos: point,
  count: fc.integer({ min: 1, max: 255 }),
  condition: fc.constantFrom(...VICTIM_CONDITIONS),
  confidence: fc.integer({ min: 0, max: 100 }),
});
export const roadFact = fc.record({
  kind: fc.constant('road' as const),
  ...base,
  path: path(2, 16),
  severity: fc.constantFrom(...ROAD_SEVERITIES),
});
export const hazardFact = fc.record({
  kind: fc.constant('hazard' as const),
  ...base,
  hazard: fc.constantFrom(...HAZARD_TYPES),
  pos: point,
  radius: fc.integer({ min: 0, max: 65535 }),
});
export const supersedeFact = fc.record({
  kind: fc.constant('supersede' as const),
  ...base,
  target: fc.record({ origin: base.origin, seq: base.seq }),
  outcome: fc.constantFrom(...OUTCOMES),
});
export const coverageFact = fc.record({
  kind: fc.constant('coverage' as const),
  ...base,
  cells: fc.oneof(
    fc.uniqueArray(fc.integer({ min: 0, max: 0xfffffffe }), { minLength: 1, maxLength: 40 }),
    fc
      .tuple(fc.integer({ min: 0, max: 40000 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 60 })), { minLength: 1, maxLength: 6 }))
      .map(([start, runs]) => {
        const cells: number[] = [];
        let c = start;
        for (const [gap, len] of runs) {
          c += gap;
          for (let k = 0; k < len; k++) cells.push(c++);
        }
        return cells;
      }),
  ).map((cells) => [...cells].sort((a, b) => a - b)),
});
export const areaFact = fc.record({
  kind: fc.constant('area' as const),
  ...base,
  role: fc.constantFrom(...AREA_ROLES),
  rings: fc.array(path(3, 12), { minLength: 1, maxLength: 3 }),
  priority: fc.integer({ min: 1, max: 9 }),
});
export const commandFact = fc.record({
  kind: fc.constant('command' as const),
  ...base,
  target: fc.integer({ min: 0, max: 65535 }),
  action: fc.constantFrom(...COMMAND_ACTIONS),
});
export const ackFact = fc.record({
  kind: fc.constant('ack' as const),
  ...base,
  target: fc.record({ origin: base.origin, seq: base.seq }),
  result: fc.constantFrom(...ACK_RESULTS),
});
export const missionFact = fc.record({
  kind: fc.constant('mission' as const),
  ...base,
  version: fc.integer({ min: 1, max: 65535 }),
  areas: fc.array(fc.record({ origin: base.origin, seq: base.seq }), { minLength: 1, maxLength: 16 }),
  launch: fc.array(point, { maxLength: 16 }),
});

export const attestFact = fc
  .record({
    kind: fc.constant('attest' as const),
    origin: base.origin,
    seq: fc.integer({ min: 3, max: 2 ** 32 - 1 }),
    t: base.t,
    back: fc.integer({ min: 1, max: 2 }),
    count: fc.integer({ min: 0, max: 1 }),
    status: fc.boolean(),
    digest: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    statusDigest: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  })
  .map(({ back, status, ...a }): Fact => {
    const from = a.count === 0 ? 0 : a.seq - back;
    return { ...a, from, to: from, statusSeq: status ? a.seq - 1 : 0, ...(status ? {} : { statusDigest: new Uint8Array(8) }) };
  });

/** Plain objects (fast-check may build records without a prototype; decoded facts have one). */
const plain = (arb: fc.Arbitrary<Fact>): fc.Arbitrary<Fact> => arb.map((f) => JSON.parse(JSON.stringify(f)) as Fact);

export const KIND_ARBITRARIES: Record<Fact['kind'], fc.Arbitrary<Fact>> = {
  status: statusFact,
  victim: victimFact,
  road: roadFact,
  hazard: hazardFact,
  supersede: supersedeFact,
  coverage: coverageFact,
  area: areaFact,
  command: commandFact,
  attest: attestFact,
  ack: ackFact,
  mission: missionFact,
};
for (const k of Object.keys(KIND_ARBITRARIES) as Fact['kind'][]) KIND_ARBITRARIES[k] = plain(KIND_ARBITRARIES[k]);
KIND_ARBITRARIES.attest = attestFact; // byte strings: not through JSON

/** Facts a map holds: every kind but attestations, which stay in the gossip layer (codec tests cover them). */
export const anyFact: fc.Arbitrary<Fact> = fc.oneof(...Object.entries(KIND_ARBITRARIES).filter(([k]) => k !== 'attest').map(([, a]) => a));

/** Facts with distinct ids (a batch never holds the same fact twice). */
export const factBatch = (maxLength: number) =>
  fc.uniqueArray(anyFact, { maxLength, selector: (f) => `${f.origin}:${f.seq}` });
