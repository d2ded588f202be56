/** A small swarm for the wire tests: members 1..5 (4 revoked), a fixed swarm key. */
import { Keyring } from '../../src/wire/keyring.js';

export const SWARM_KEY = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
export const OTHER_KEY = new Uint8Array(32).map((_, i) => (i * 53 + 7) & 0xff);

export function testKeyring(revoked: number[] = [4]): Keyring {
  const members = [1, 2, 3, 4, 5, 300].map((id) => ({ id, name: `n${id}`, publicKey: new Uint8Array(32).fill(id & 0xff) }));
  return new Keyring(SWARM_KEY, members, revoked);
}
