/**
 * `murmur keys`: the swarm's key ceremony, done before flight on a trusted machine. The swarm file holds
 * the swarm key and every member's key pair; each node gets only its provisioning file (the swarm key, its
 * own key pair, everyone's public keys and the revocation list). Every file is written with mode 0600.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandModule } from '../registry.js';
import { UsageError, parseFlags } from '../args.js';
import { MAX_NODE_ID } from '../../wire/facts.js';
import { generateIdentity, newSwarmKey, parseProvisioning, provisioningFile, ROLES, type NodeIdentity, type Role } from '../../wire/keyring.js';

const usage = `Usage: murmur keys <action> --dir DIR [options]

Creates and manages a swarm's keys before flight. DIR holds swarm.json (the swarm key and every member's
key pair: keep it on the ground station or offline). Files are written with mode 0600.

Actions:
  create --swarm NAME [--admin-id N] [--admin-name NAME]
                      a new swarm: a random 256-bit swarm key and the ground-station/admin identity
                      (default id 1, name "ground"; role operator)
  add --id N --name NAME [--role drone|operator]
                      a new member (id 1..${MAX_NODE_ID}, unique) with a fresh Ed25519 key pair. Only
                      operators (ground stations) may command the swarm; default drone
  revoke --id N [--rotate]
                      revoke a member: its packets and its facts are refused once the other nodes carry
                      the new revocation list. --rotate also replaces the swarm key (the revoked member
                      knew the old one); then re-export every node.
  export --id N [--out FILE]
                      write the member's provisioning file (default DIR/provision/<id>.json): swarm key,
                      its own key pair, every member's public key, the revocation list
  list                members, their public keys and the revocation list (no secrets)

Examples:
  murmur keys create --dir ./swarm --swarm valley-flood
  murmur keys add --dir ./swarm --id 2 --name drone-2
  murmur keys export --dir ./swarm --id 2 --out /media/sd/murmur-node.json
  murmur keys revoke --dir ./swarm --id 2 --rotate`;

const SWARM_FORMAT = 'murmur-swarm/1';

interface SwarmFile {
  format: typeof SWARM_FORMAT;
  swarm: string;
  swarmKey: string;
  admin: number;
  members: { id: number; name: string; publicKey: string; secretKey: string; role?: Role }[];
  revoked: number[];
  /** Unix seconds when the swarm key was made or last rotated (see ProvisioningFile.keyEpoch). */
  keyEpoch?: number;
}

/** Swarm files written before roles existed: the admin is the operator, everyone else a drone. */
const roleIn = (s: SwarmFile, m: SwarmFile['members'][number]): Role => m.role ?? (m.id === s.admin ? 'operator' : 'drone');
const unixNow = () => Math.floor(Date.now() / 1000);

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

/** Writes a secret file atomically with mode 0600 (also when replacing an existing file). */
function writeSecret(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function readSwarm(dir: string): SwarmFile {
  const path = join(dir, 'swarm.json');
  if (!existsSync(path)) throw new UsageError(`no swarm in ${dir} (run: murmur keys create --dir ${dir} --swarm NAME)`);
  let s: SwarmFile;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as SwarmFile;
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (s.format !== SWARM_FORMAT || !Array.isArray(s.members) || !Array.isArray(s.revoked) || typeof s.swarmKey !== 'string')
    throw new UsageError(`${path} is not a murmur swarm file (format "${SWARM_FORMAT}")`);
  return s;
}

function writeSwarm(dir: string, s: SwarmFile): void {
  writeSecret(join(dir, 'swarm.json'), JSON.stringify(s, null, 2) + '\n');
}

function idFlag(v: string | undefined, name = 'id'): number {
  if (v === undefined) throw new UsageError(`--${name} is required`);
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODE_ID) throw new UsageError(`--${name} must be an integer 1..${MAX_NODE_ID}, got "${v}"`);
  return n;
}

function identityOf(s: SwarmFile, m: SwarmFile['members'][number]): NodeIdentity {
  return { id: m.id, name: m.name, role: roleIn(s, m), publicKey: unb64(m.publicKey), secretKey: unb64(m.secretKey) };
}

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values, positionals } = parseFlags(
      args,
      {
        dir: { type: 'string' },
        swarm: { type: 'string' },
        id: { type: 'string' },
        name: { type: 'string' },
        'admin-id': { type: 'string' },
        'admin-name': { type: 'string' },
        out: { type: 'string' },
        rotate: { type: 'boolean' },
        role: { type: 'string' },
      },
      usage,
    );
    const action = positionals[0];
    if (!action) throw new UsageError(`name an action\n\n${usage}`);
    const dir = values.dir;
    if (!dir) throw new UsageError('--dir is required');
    switch (action) {
      case 'create': {
        if (existsSync(join(dir, 'swarm.json'))) throw new UsageError(`${dir} already holds a swarm; refusing to overwrite its keys`);
        const swarm = values.swarm;
        if (!swarm) throw new UsageError('--swarm NAME is required');
        const adminId = values['admin-id'] === undefined ? 1 : idFlag(values['admin-id'], 'admin-id');
        const admin = generateIdentity(adminId, values['admin-name'] ?? 'ground');
        writeSwarm(dir, {
          format: SWARM_FORMAT, swarm, swarmKey: b64(newSwarmKey()), admin: adminId, keyEpoch: unixNow(),
          members: [{ id: admin.id, name: admin.name, publicKey: b64(admin.publicKey), secretKey: b64(admin.secretKey), role: 'operator' }],
          revoked: [],
        });
        console.log(`created swarm "${swarm}" in ${dir}: admin ${admin.name} (id ${adminId})`);
        return 0;
      }
      case 'add': {
        const s = readSwarm(dir);
        const id = idFlag(values.id);
        const name = values.name;
        if (!name) throw new UsageError('--name is required');
        if (s.revoked.includes(id)) throw new UsageError(`id ${id} was revoked; ids are never reused`);
        if (s.members.some((m) => m.id === id)) throw new UsageError(`id ${id} is already taken by ${s.members.find((m) => m.id === id)!.name}`);
        const role = (values.role ?? 'drone') as Role;
        if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${values.role}"`);
        const ident = generateIdentity(id, name);
        s.members.push({ id, name, publicKey: b64(ident.publicKey), secretKey: b64(ident.secretKey), role });
        s.members.sort((a, b) => a.id - b.id);
        writeSwarm(dir, s);
        console.log(`added ${name} (id ${id}, ${role}), public key ${b64(ident.publicKey)}`);
        return 0;
      }
      case 'revoke': {
        const s = readSwarm(dir);
        const id = idFlag(values.id);
        if (!s.members.some((m) => m.id === id)) throw new UsageError(`no member with id ${id}`);
        if (id === s.admin) throw new UsageError(`id ${id} is the swarm's admin; create a new swarm instead`);
        if (s.revoked.includes(id)) throw new UsageError(`id ${id} is already revoked`);
        s.revoked.push(id);
        s.revoked.sort((a, b) => a - b);
        if (values.rotate) {
          s.swarmKey = b64(newSwarmKey());
          s.keyEpoch = unixNow();
        }
        writeSwarm(dir, s);
        console.log(`revoked id ${id}${values.rotate ? '; swarm key replaced' : ''}: re-export the provisioning files of the other members`);
        return 0;
      }
      case 'export': {
        const s = readSwarm(dir);
        const id = idFlag(values.id);
        const m = s.members.find((x) => x.id === id);
        if (!m) throw new UsageError(`no member with id ${id}`);
        if (s.revoked.includes(id)) throw new UsageError(`id ${id} is revoked; it gets no provisioning file`);
        const file = provisioningFile(s.swarm, unb64(s.swarmKey), identityOf(s, m), s.members.map((x) => identityOf(s, x)), s.revoked, s.keyEpoch);
        const text = JSON.stringify(file, null, 2) + '\n';
        parseProvisioning(text); // never hand out a file a node would refuse
        const out = values.out ?? join(dir, 'provision', `${id}.json`);
        writeSecret(out, text);
        console.log(`wrote provisioning file of ${m.name} (id ${id}) to ${out}`);
        return 0;
      }
      case 'list': {
        const s = readSwarm(dir);
        console.log(`swarm "${s.swarm}" (admin id ${s.admin})`);
        for (const m of s.members)
          console.log(`  ${String(m.id).padStart(5)}  ${m.name.padEnd(16)} ${roleIn(s, m).padEnd(8)} ${m.publicKey}${s.revoked.includes(m.id) ? '  REVOKED' : ''}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action}"\n\n${usage}`);
    }
  },
};
