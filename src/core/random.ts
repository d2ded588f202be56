/**
 * Seeded pseudo-random source. The pure core (wire, gossip, map, sectors) never calls Math.random:
 * it is handed a Random, so a simulation run is a function of its seed.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal deviate. */
  gaussian(): number;
  /** An independent stream derived from this one's seed and a label (stable across runs). */
  fork(label: string | number): Random;
}

/** xoshiro128** seeded through splitmix32: small, fast, and good enough for simulation. */
export function seededRandom(seed: number | string): Random {
  const s = new Uint32Array(4);
  let x = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    s[i] = (z ^ (z >>> 16)) >>> 0;
  }
  const baseSeed = typeof seed === 'number' ? String(seed) : seed;
  const nextU32 = (): number => {
    const r = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2] = (s[2]! ^ s[0]!) >>> 0;
    s[3] = (s[3]! ^ s[1]!) >>> 0;
    s[1] = (s[1]! ^ s[2]!) >>> 0;
    s[0] = (s[0]! ^ s[3]!) >>> 0;
    s[2] = (s[2]! ^ t) >>> 0;
    s[3] = rotl(s[3]!, 11);
    return r;
  };
  let spare: number | undefined;
  const rnd: Random = {
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    range: (lo, hi) => lo + (nextU32() / 4294967296) * (hi - lo),
    chance: (p) => nextU32() / 4294967296 < p,
    gaussian: () => {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = nextU32() / 4294967296;
      const v = nextU32() / 4294967296;
      const mag = Math.sqrt(-2 * Math.log(u));
      spare = mag * Math.sin(2 * Math.PI * v);
      return mag * Math.cos(2 * Math.PI * v);
    },
    fork: (label) => seededRandom(`${baseSeed}/${label}`),
  };
  return rnd;
}

function rotl(v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0;
}

/** FNV-1a, 32 bit: turns a label into a seed. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
