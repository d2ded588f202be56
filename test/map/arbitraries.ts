/** Generators of missions whose supersedes actually hit their targets (a small id space). */
import fc from 'fast-check';
import { anyFact } from '../wire/arbitraries.js';
import { factKey, type Fact } from '../../src/wire/facts.js';

const smallOrigin = fc.integer({ min: 1, max: 4 });
const smallSeq = fc.integer({ min: 1, max: 25 });
const smallT = fc.integer({ min: 0, max: 30 });

/** A fact with an id (and supersede target) from a small space, and times that often tie. */
export const missionFact: fc.Arbitrary<Fact> = fc
  .tuple(anyFact, smallOrigin, smallSeq, smallT, smallOrigin, smallSeq)
  .map(([f, origin, seq, t, to, ts]) => {
    const g = { ...f, origin, seq, t } as Fact;
    return g.kind === 'supersede' ? ({ ...g, target: { origin: to, seq: ts } } as Fact) : g;
  });

/** A set of distinct facts (one fact per id: facts are immutable). */
export const mission = (maxLength: number) => fc.uniqueArray(missionFact, { minLength: 1, maxLength, selector: factKey });
