/**
 * Who may use the ground station's web server and its /sync socket.
 *
 * - Credentials: two bearer tokens derived (HMAC-SHA256) from the station's secret: the secret key of its
 *   key file, or, without one (loopback trials, the demo), a random secret kept in the data directory.
 *   The operator token may act; the viewer token may only look. Derived, so they survive restarts and
 *   need no storage of their own; a new key file gives new tokens.
 * - Host check (DNS rebinding): the Host header must be an IP literal, `localhost`, or a name the operator
 *   allowed. A page served from an attacker's name that resolves to this station never gets an answer.
 * - Origin check (CSRF, cross-site WebSocket): when a browser says where a request comes from, it must be
 *   this station's own origin.
 *
 * Pure apart from the secret file (loadOrCreateStationSecret).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';

export type Role = 'operator' | 'viewer';

/** The station secret file is not one (a user's mistake: said in one line). */
export class StationSecretError extends Error {}

export interface StationTokens {
  readonly operator: string;
  readonly viewer: string;
}

/** The tokens of a station secret (32 random bytes or an Ed25519 secret key). */
export function deriveTokens(secret: Uint8Array): StationTokens {
  const token = (role: Role) => createHmac('sha256', secret).update(`murmur-gcs-token/1/${role}`).digest('base64url').slice(0, 32);
  return { operator: token('operator'), viewer: token('viewer') };
}

const SECRET_FILE = 'station-secret';

/** The secret of a station without a key file: made once, kept (owner-only) in its data directory. */
export function loadOrCreateStationSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, SECRET_FILE);
  if (existsSync(path)) {
    const hex = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
    throw new StationSecretError(`${path}: not a station secret (64 hex digits); remove it to make a new one (the tokens change)`);
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(path, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return secret;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Hostname of a Host header value ("[::1]:8080" → "::1", "Example.org:80" → "example.org"). */
function hostName(host: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (v6) return v6[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

export interface AccessOptions {
  readonly tokens: StationTokens;
  /** Names (besides IP literals and localhost) this station may be reached by, e.g. "gcs.local". */
  readonly allowedHosts?: readonly string[];
}

export class AccessGuard {
  readonly tokens: StationTokens;
  private readonly names: Set<string>;

  constructor(opts: AccessOptions) {
    this.tokens = opts.tokens;
    this.names = new Set(['localhost', ...(opts.allowedHosts ?? []).map((h) => h.toLowerCase())]);
  }

  roleOf(token: string | null | undefined): Role | undefined {
    if (!token) return undefined;
    if (sameToken(token, this.tokens.operator)) return 'operator';
    if (sameToken(token, this.tokens.viewer)) return 'viewer';
    return undefined;
  }

  /** Why this request must not be answered at all (wrong Host, foreign Origin), or undefined. */
  refusal(req: IncomingMessage): string | undefined {
    const host = req.headers.host;
    if (!host) return 'no Host header';
    const name = hostName(host);
    if (!isIP(name) && !this.names.has(name)) return `host ${name} is not this station's (start it with --allow-host ${name} to serve that name)`;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) return `cross-origin request from ${origin}`;
    return undefined;
  }

  /** The credential a request carries: `Authorization: Bearer <token>`, or `?token=` where a browser API cannot set headers. */
  credential(req: IncomingMessage, url: URL, queryAllowed: boolean): Role | undefined {
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (auth) return this.roleOf(auth[1]);
    return queryAllowed ? this.roleOf(url.searchParams.get('token')) : undefined;
  }
}
