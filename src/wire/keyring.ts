/**
 * Who belongs to the swarm: the shared swarm key (packet encryption), each member's Ed25519 public key
 * (fact attestations) and the revocation list. Built from a node's provisioning file (written by
 * `murmur keys export`); parsing is strict and its errors say which field is wrong.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { MAX_NODE_ID, type NodeId } from './facts.js';
import { SWARM_KEY_BYTES, type PacketKeyring } from './packet.js';
import { chainAnchor, chainSeed, TESLA_KEY_BYTES } from './tesla.js';

/**
 * What a member may do. `operator`: a ground station; its facts may command the swarm (recall, land,
 * resume, zones, areas, rescued, withdrawn, missions). `drone`: reports what it sees and does; its
 * commands are ignored. See authority.ts.
 */
export const ROLES = ['operator', 'drone'] as const;
export type Role = (typeof ROLES)[number];

export interface MemberIdentity {
  readonly id: NodeId;
  readonly name: string;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Default `drone`: a member commands nothing unless its keyring entry says it is an operator. */
  readonly role?: Role;
  /**
   * K(0) of the member's key chain for MACed attestations (tesla.ts), 8 bytes; without it the member's
   * attestations are proven by signatures only.
   */
  readonly chainAnchor?: Uint8Array;
}

export interface NodeIdentity extends MemberIdentity {
  /** Raw 32-byte Ed25519 private key (seed). */
  readonly secretKey: Uint8Array;
}

export const PROVISIONING_FORMAT = 'murmur-provisioning/1';

/** A key file that cannot be used, with one line saying why (never a stack trace for the user). */
export class KeyFileError extends Error {}

/** The provisioning file of one node, as JSON (keys base64url). */
export interface ProvisioningFile {
  readonly format: typeof PROVISIONING_FORMAT;
  readonly swarm: string;
  readonly swarmKey: string;
  readonly self: { id: number; name: string; publicKey: string; secretKey: string };
  readonly members: { id: number; name: string; publicKey: string; role: Role; chainAnchor?: string }[];
  readonly revoked: number[];
  /**
   * Unix seconds when this swarm key was made (or rotated): the epoch of the time-based high part of the
   * packet counters (sequence.ts), so a lost or restored counter file never reuses a nonce.
   */
  readonly keyEpoch?: number;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

export function newSwarmKey(): Uint8Array {
  return new Uint8Array(randomBytes(SWARM_KEY_BYTES));
}

export function generateIdentity(id: NodeId, name: string): NodeIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  void publicKey;
  return { id, name, publicKey: Buffer.from(jwk.x!, 'base64url'), secretKey: Buffer.from(jwk.d!, 'base64url') };
}

/** The raw public key belonging to a raw Ed25519 secret key (seed). */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(secretKey)]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}

/** A deterministic identity from a 32-byte seed (simulations and tests; real members use generateIdentity). */
export function identityFromSeed(id: NodeId, name: string, seed: Uint8Array, role: Role = 'drone'): NodeIdentity {
  return { id, name, role, secretKey: new Uint8Array(seed), publicKey: publicKeyOf(seed) };
}

export function signingKeyOf(identity: NodeIdentity): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: b64(identity.publicKey), d: b64(identity.secretKey) },
    format: 'jwk',
  });
}

export function verifyingKeyOf(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(publicKey) }, format: 'jwk' });
}

export class Keyring implements PacketKeyring {
  private readonly byId = new Map<NodeId, MemberIdentity>();
  private readonly revokedIds: ReadonlySet<NodeId>;
  private readonly verifiers = new Map<NodeId, KeyObject>();

  constructor(
    readonly swarmKey: Uint8Array,
    members: readonly MemberIdentity[],
    revoked: Iterable<NodeId> = [],
  ) {
    if (swarmKey.length !== SWARM_KEY_BYTES) throw new RangeError('swarm key must be 32 bytes');
    for (const m of members) this.byId.set(m.id, m);
    this.revokedIds = new Set(revoked);
  }

  isMember(id: NodeId): boolean {
    return this.byId.has(id);
  }

  isRevoked(id: NodeId): boolean {
    return this.revokedIds.has(id);
  }

  member(id: NodeId): MemberIdentity | undefined {
    return this.byId.get(id);
  }

  get members(): MemberIdentity[] {
    return [...this.byId.values()];
  }

  get revoked(): NodeId[] {
    return [...this.revokedIds];
  }

  /** The member's role; undefined for an id not in the keyring. */
  roleOf(id: NodeId): Role | undefined {
    const m = this.byId.get(id);
    return m ? (m.role ?? 'drone') : undefined;
  }

  /** A member that is an operator and not revoked: only its facts may command the swarm. */
  isOperator(id: NodeId): boolean {
    return this.roleOf(id) === 'operator' && !this.revokedIds.has(id);
  }

  /** The member's key chain anchor (tesla.ts), if provisioned and not revoked. */
  anchorOf(id: NodeId): Uint8Array | undefined {
    return this.revokedIds.has(id) ? undefined : this.byId.get(id)?.chainAnchor;
  }

  /** Ed25519 public key object of a member (cached), undefined if unknown. */
  verifier(id: NodeId): KeyObject | undefined {
    let k = this.verifiers.get(id);
    if (!k) {
      const m = this.byId.get(id);
      if (!m) return undefined;
      k = verifyingKeyOf(m.publicKey);
      this.verifiers.set(id, k);
    }
    return k;
  }
}

function field<T>(ok: boolean, value: T, what: string): T {
  if (!ok) throw new KeyFileError(`provisioning file: ${what}`);
  return value;
}

function key(v: unknown, bytes: number, what: string): Uint8Array {
  const s = field(typeof v === 'string' && /^[A-Za-z0-9_-]+$/.test(v), v as string, `${what} must be base64url text`);
  const b = Buffer.from(s, 'base64url');
  return field(b.length === bytes, new Uint8Array(b), `${what} must be ${bytes} bytes, got ${b.length}`);
}

function nodeId(v: unknown, what: string): NodeId {
  return field(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_NODE_ID, v as number, `${what} must be an integer 1..${MAX_NODE_ID}`);
}

/** Parses a provisioning file; throws an Error naming the faulty field. */
export function parseProvisioning(text: string): { keyring: Keyring; self: NodeIdentity; swarm: string; keyEpoch?: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new KeyFileError(`provisioning file: not JSON (${(err as Error).message})`);
  }
  const o = field(typeof raw === 'object' && raw !== null, raw as Record<string, unknown>, 'not an object');
  field(o.format === PROVISIONING_FORMAT, 0, `format must be "${PROVISIONING_FORMAT}"`);
  const swarm = field(typeof o.swarm === 'string', o.swarm as string, 'swarm must be a name');
  const swarmKey = key(o.swarmKey, SWARM_KEY_BYTES, 'swarmKey');
  const s = field(typeof o.self === 'object' && o.self !== null, o.self as Record<string, unknown>, 'self missing');
  const self: NodeIdentity = {
    id: nodeId(s.id, 'self.id'),
    name: field(typeof s.name === 'string', s.name as string, 'self.name must be text'),
    publicKey: key(s.publicKey, 32, 'self.publicKey'),
    secretKey: key(s.secretKey, 32, 'self.secretKey'),
  };
  const list = field(Array.isArray(o.members), o.members as unknown[], 'members must be a list');
  const members = list.map((m, i) => {
    const e = field(typeof m === 'object' && m !== null, m as Record<string, unknown>, `members[${i}] is not an object`);
    return {
      id: nodeId(e.id, `members[${i}].id`),
      name: field(typeof e.name === 'string', e.name as string, `members[${i}].name must be text`),
      publicKey: key(e.publicKey, 32, `members[${i}].publicKey`),
      // Files written before roles existed: none of their members may command.
      role: e.role === undefined ? ('drone' as const) : field(ROLES.includes(e.role as Role), e.role as Role, `members[${i}].role must be one of ${ROLES.join(', ')}`),
      // Files written before key chains: that member's attestations are proven by signatures only.
      ...(e.chainAnchor === undefined ? {} : { chainAnchor: key(e.chainAnchor, TESLA_KEY_BYTES, `members[${i}].chainAnchor`) }),
    };
  });
  const revoked = field(Array.isArray(o.revoked), o.revoked as unknown[], 'revoked must be a list').map((r, i) =>
    nodeId(r, `revoked[${i}]`),
  );
  const ids = new Set(members.map((m) => m.id));
  field(ids.size === members.length, 0, 'members lists an id twice');
  let derived: Uint8Array;
  try {
    derived = publicKeyOf(self.secretKey);
  } catch {
    throw new KeyFileError('provisioning file: self.secretKey is not an Ed25519 key');
  }
  field(Buffer.from(derived).equals(self.publicKey), 0, 'self.secretKey does not belong to self.publicKey (mismatched key pair)');
  field(members.some((m) => m.id === self.id && Buffer.from(m.publicKey).equals(self.publicKey)), 0, 'self is not among the members');
  field(!revoked.includes(self.id), 0, `this node (id ${self.id}) is listed as revoked; it may not join the swarm`);
  const keyEpoch =
    o.keyEpoch === undefined
      ? undefined
      : field(typeof o.keyEpoch === 'number' && Number.isInteger(o.keyEpoch) && o.keyEpoch > 0, o.keyEpoch as number, 'keyEpoch must be unix seconds');
  const selfRole = members.find((m) => m.id === self.id)!.role;
  return { keyring: new Keyring(swarmKey, members, revoked), self: { ...self, role: selfRole }, swarm, ...(keyEpoch !== undefined ? { keyEpoch } : {}) };
}

/**
 * Reads a provisioning file from disk: refuses one that other users can read (it holds the swarm key
 * and this node's secret key) and turns every problem into a KeyFileError naming the file.
 */
export function loadProvisioning(path: string): ReturnType<typeof parseProvisioning> {
  let text: string;
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0)
      throw new KeyFileError(`${path}: key file is readable by others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof KeyFileError) throw err;
    throw new KeyFileError(`${path}: cannot read key file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return parseProvisioning(text);
  } catch (err) {
    if (err instanceof KeyFileError) throw new KeyFileError(`${path}: ${err.message.replace(/^provisioning file: /, '')}`);
    throw err;
  }
}

/** Builds a node's provisioning file. */
export function provisioningFile(
  swarm: string,
  swarmKey: Uint8Array,
  self: NodeIdentity,
  members: readonly MemberIdentity[],
  revoked: readonly NodeId[],
  keyEpoch?: number,
): ProvisioningFile {
  return {
    format: PROVISIONING_FORMAT,
    swarm,
    swarmKey: b64(swarmKey),
    self: { id: self.id, name: self.name, publicKey: b64(self.publicKey), secretKey: b64(self.secretKey) },
    members: members.map((m) => {
      // whoever writes the file holds every member's secret (swarm.json): the anchor follows from it
      const secret = (m as Partial<NodeIdentity>).secretKey;
      const anchor = secret ? chainAnchor(m.id, chainSeed(secret, swarmKey)) : m.chainAnchor;
      return { id: m.id, name: m.name, publicKey: b64(m.publicKey), role: m.role ?? 'drone', ...(anchor ? { chainAnchor: b64(anchor) } : {}) };
    }),
    revoked: [...revoked].sort((a, b) => a - b),
    ...(keyEpoch !== undefined ? { keyEpoch } : {}),
  };
}
