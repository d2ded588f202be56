/**
 * Integer packing used by the fact codec. Every token on air is a CBOR integer in
 * [-2^32, 2^32 - 1] (cbor-x writes larger numbers as floats, so the codec never produces them), and the
 * cost of a token is the CBOR head: 1 byte up to 23, 2 up to 255, 3 up to 65535, 5 up to 2^32 - 1.
 */

export const U32_MAX = 0xffffffff;

/** Bytes CBOR spends on an integer token (major type 0 or 1). */
export function cborIntSize(v: number): number {
  const m = v < 0 ? -1 - v : v;
  if (m < 24) return 1;
  if (m < 0x100) return 2;
  if (m < 0x10000) return 3;
  if (m <= U32_MAX) return 5;
  return 9;
}

/** Bytes CBOR spends on a byte string of n bytes. */
export function cborBytesSize(n: number): number {
  return cborIntSize(n) + n;
}

/** Zig-zag: small signed → small unsigned (0, -1, 1, -2 … → 0, 1, 2, 3 …). */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/**
 * Interleaves the bits of two 16-bit unsigned values (Morton / Z-order), so that a point near the origin
 * is a small number whatever its axis: (a, b) with a, b < 2^k → < 2^2k.
 */
export function interleave(a: number, b: number): number {
  let r = 0;
  let bit = 1;
  while (a > 0 || b > 0) {
    r += (b & 1) * bit + (a & 1) * bit * 2;
    a >>>= 1;
    b >>>= 1;
    bit *= 4;
  }
  return r;
}

export function deinterleave(v: number): [number, number] {
  let a = 0;
  let b = 0;
  let bit = 1;
  while (v > 0) {
    const pair = v % 4;
    b += (pair & 1) * bit;
    a += (pair >> 1) * bit;
    v = (v - pair) / 4;
    bit *= 2;
  }
  return [a, b];
}
