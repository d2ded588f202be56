/**
 * A swarm of gossip (or flooding) nodes on the simulated channel, with the scenario's facts injected and
 * everything measured: who learned what when, membership changes, airtime and duty cycle per node.
 * Used by the tests and by `murmur bench gossip`.
 */
import { seededRandom, type Random } from '../../core/random.js';
import { EU868_1PCT, SF9_125, type DutyCycleRule, type LoraParams } from '../../gossip/airtime.js';
import type { PacketCodec } from '../../gossip/codec.js';
import { defaultGossipConfig, GossipNode, type GossipConfig } from '../../gossip/engine.js';
import type { MembershipChange, MembershipTimings } from '../../gossip/membership.js';
import { wireCodec } from '../../gossip/wire-codec.js';
import { identityFromSeed, Keyring, signingKeyOf, type NodeIdentity } from '../../wire/keyring.js';
import { Authorship, DEFAULT_AUTHORSHIP, type AuthorshipConfig } from '../../gossip/authorship.js';
import { createHash } from 'node:crypto';
import { chainSeed, KeyChain } from '../../wire/tesla.js';
import { factKey, type Fact, type NodeId, type RoadFact, type StatusFact, type VictimFact } from '../../wire/facts.js';
import { FloodingNode, type FloodingConfig } from '../flooding/managed-flooding.js';
import { RadioMedium, type ChannelHarshness, type RadioEndpoint, type RxMeta } from './medium.js';
import { fixed, randomWaypoint, type Mobility, type Point } from './mobility.js';
import { DEFAULT_PROPAGATION, type PropagationConfig } from './propagation.js';

export type ProtocolName = 'murmur' | 'flooding';

export interface SwarmScenario {
  readonly protocol: ProtocolName;
  readonly seed: number | string;
  /** Node ids are 1..n. */
  readonly n: number;
  readonly durationS: number;
  /** Fixed positions or a movement model per node; default random waypoint in `area`. */
  readonly mobility?: (id: NodeId, random: Random) => Mobility;
  readonly area?: { w: number; h: number };
  readonly lora?: LoraParams;
  readonly propagation?: Partial<PropagationConfig>;
  readonly extraLoss?: number;
  /** The less kind channel's parts (summed interference, LBT detection time, turnaround, bursty loss). */
  readonly harsh?: ChannelHarshness;
  /** Regional duty-cycle rule for every node (default EU868 1%/h; the 869.4–869.65 MHz sub-band allows 10%). */
  readonly duty?: DutyCycleRule;
  /** Adjusts the flooding baseline's configuration (hop limit, Meshtastic's background-traffic rules). */
  readonly floodingConfig?: (base: FloodingConfig) => FloodingConfig;
  /** Status (heartbeat) fact per node every this many seconds (0: none). */
  readonly statusEveryS?: number;
  /** Durable facts to inject: at time, on node. */
  readonly facts?: readonly { at: number; node: NodeId; kind: 'victim' | 'road' }[];
  readonly crashes?: readonly { node: NodeId; at: number; rebootAt?: number }[];
  /** Link filter (partitions): false blocks a→b at t. */
  readonly link?: (a: NodeId, b: NodeId, t: number) => boolean;
  readonly membership?: MembershipTimings;
  readonly gossip?: Partial<GossipConfig>;
  readonly codec?: (self: NodeId) => PacketCodec;
  /** Called with every frame a protocol node puts on the air (measurements). */
  readonly onTransmit?: (id: NodeId, bytes: Uint8Array, now: number) => void;
  /**
   * Authorship on (gossip/authorship.ts): every node signs attestations of its facts with its simulated
   * identity and uses others' facts only once proven. Members 1..n; `operators` get the operator role.
   */
  readonly authorship?: boolean | { readonly operators?: readonly NodeId[]; readonly config?: Partial<AuthorshipConfig> };
  /** Called with every fact a node learns: `proven` false for one used before its proof (authorship). */
  readonly onLearned?: (node: NodeId, fact: Fact, t: number, proven: boolean) => void;
  /** Extra raw transmitters (attackers): id, position, and a schedule of frames. */
  readonly rogues?: readonly { id: NodeId; mobility: Mobility; every: number; frame: (i: number, t: number) => Uint8Array; from?: number }[];
}

export interface CreatedFact {
  readonly fact: Fact;
  readonly at: number;
}

export interface SwarmResult {
  readonly scenario: SwarmScenario;
  readonly medium: RadioMedium;
  readonly created: CreatedFact[];
  /** fact key → node → time learned. */
  readonly learned: Map<string, Map<NodeId, number>>;
  readonly changes: { observer: NodeId; change: MembershipChange }[];
  readonly gossip: Map<NodeId, GossipNode>;
  readonly flooding: Map<NodeId, FloodingNode>;
  /** Nodes down at the end. */
  readonly down: Set<NodeId>;
  /** Down intervals per node. */
  readonly downtime: Map<NodeId, [number, number][]>;
  knows(node: NodeId, f: Fact): boolean;
}

/** A GossipNode on a simulated radio: the medium wakes it, asks it to transmit, and hands it what it hears. */
export class GossipEndpoint implements RadioEndpoint {
  constructor(
    readonly node: GossipNode,
    private readonly where: (t: number) => Point,
    private readonly sent: ((bytes: Uint8Array, now: number) => void) | undefined,
    private readonly onActions: (a: ReturnType<GossipNode['tick']>, now: number) => void,
  ) {}
  nextWakeAt(now: number) {
    return this.node.nextWakeAt(now);
  }
  wake(now: number) {
    this.onActions(this.node.tick(now), now);
  }
  wantsToTransmit(now: number) {
    return this.node.wantsToTransmit(now);
  }
  transmit(now: number) {
    this.node.setPosition(this.where(now)); // the drone knows its GPS position
    const bytes = this.node.transmit(now);
    if (bytes) this.sent?.(bytes, now);
    return bytes;
  }
  hear(bytes: Uint8Array, rx: RxMeta, now: number) {
    this.node.setPosition(this.where(now));
    this.onActions(this.node.receive(bytes, rx, now), now);
  }
}

export function runSwarm(sc: SwarmScenario): SwarmResult {
  const root = seededRandom(sc.seed);
  const lora = sc.lora ?? SF9_125;
  const area = sc.area ?? { w: 5000, h: 5000 };
  const membership = sc.membership ?? defaultGossipConfig(0).membership;
  const duty = sc.duty ?? EU868_1PCT;
  const medium = new RadioMedium(
    {
      lora,
      propagation: { ...DEFAULT_PROPAGATION, ...sc.propagation },
      extraLoss: sc.extraLoss ?? 0,
      duty,
      lbtBackoffS: [0.05, 0.6],
      ...(sc.harsh ? { harsh: sc.harsh } : {}),
    },
    root.fork('medium'),
  );
  medium.linkFilter = sc.link;
  const makeCodec = sc.codec ?? simWireCodecs(sc.n, sc.rogues?.map((r) => r.id) ?? []);
  const created: CreatedFact[] = [];
  const learned = new Map<string, Map<NodeId, number>>();
  const changes: { observer: NodeId; change: MembershipChange }[] = [];
  const gossip = new Map<NodeId, GossipNode>();
  const flooding = new Map<NodeId, FloodingNode>();
  const down = new Set<NodeId>();
  const downtime = new Map<NodeId, [number, number][]>();
  const seqs = new Map<NodeId, number>();
  const mobilities = new Map<NodeId, Mobility>();
  const nextSeq = (id: NodeId) => {
    const s = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, s);
    return s;
  };
  const noteLearned = (id: NodeId, f: Fact, now: number) => {
    if (f.kind === 'status') return;
    const key = factKey(f);
    let m = learned.get(key);
    if (!m) learned.set(key, (m = new Map()));
    if (!m.has(id)) m.set(id, now);
  };

  const authOpts = sc.authorship === true ? {} : sc.authorship || undefined;
  const members = [...Array.from({ length: sc.n }, (_, i) => i + 1), ...(sc.rogues?.map((r) => r.id) ?? [])];
  const authKeyring = authOpts ? simKeyring(members, authOpts.operators ?? []) : undefined;
  const boot = (id: NodeId, now: number, generation: number) => {
    const rnd = root.fork(`node/${id}/${generation}`);
    if (sc.protocol === 'murmur') {
      const cfg = defaultGossipConfig(id, { membership, lora, duty, ...sc.gossip });
      const auth =
        authOpts && authKeyring
          ? new Authorship(
              id,
              authKeyring,
              {
                signingKey: signingKeyOf(simIdentity(id)),
                chain: simKeyChain(id),
                // the node's own fact sequence, as on a drone: the next seq after its facts costs 1 byte on air
                nextAttestSeq: () => nextSeq(id),
              },
              { ...DEFAULT_AUTHORSHIP, ...authOpts.config },
              now,
            )
          : undefined;
      const node = new GossipNode(cfg, makeCodec(id), rnd, now, auth);
      gossip.set(id, node);
      const mob = mobilities.get(id)!;
      const where = (t: number) => {
        const p = mob.at(t);
        return { x: Math.round(p.x), y: Math.round(p.y) };
      };
      node.setPosition(where(now));
      const sent = sc.onTransmit ? (b: Uint8Array, t: number) => sc.onTransmit!(id, b, t) : undefined;
      return new GossipEndpoint(node, where, sent, (a, t) => {
        for (const f of a.learned) noteLearned(id, f, t);
        for (const f of a.provisional) noteLearned(id, f, t); // a sighting is used at once (costs a look if forged)
        if (sc.onLearned) {
          for (const f of a.learned) sc.onLearned(id, f, t, true);
          for (const f of a.provisional) sc.onLearned(id, f, t, false);
        }
        for (const c of a.membership) changes.push({ observer: id, change: c });
      });
    }
    const base: FloodingConfig = { self: id, lora, duty, hopLimit: 3, retries: 3, queueLimit: 16, membership };
    const node = new FloodingNode(
      sc.floodingConfig ? sc.floodingConfig(base) : base,
      makeCodec(id),
      rnd,
      {
        learned: (f, t) => noteLearned(id, f, t),
        membership: (c) => changes.push({ observer: id, change: c }),
      },
    );
    flooding.set(id, node);
    if (!sc.onTransmit) return node;
    const onTx = sc.onTransmit;
    const endpoint: RadioEndpoint = {
      nextWakeAt: (t) => node.nextWakeAt(t),
      wake: (t) => node.wake(t),
      wantsToTransmit: (t) => node.wantsToTransmit(t),
      transmit(t) {
        const bytes = node.transmit(t);
        if (bytes) onTx(id, bytes, t);
        return bytes;
      },
      hear: (b, rx, t) => node.hear(b, rx, t),
    };
    return endpoint;
  };

  for (let id = 1; id <= sc.n; id++) {
    const mob = sc.mobility ? sc.mobility(id, root.fork(`mob/${id}`)) : randomWaypoint(root.fork(`mob/${id}`), area);
    mobilities.set(id, mob);
  }
  for (let id = 1; id <= sc.n; id++) {
    const mob = mobilities.get(id)!;
    medium.addNode(id, mob, boot(id, 0, 0));
  }
  for (const r of sc.rogues ?? []) {
    medium.addNode(r.id, r.mobility, undefined, true);
    let i = 0;
    const fire = () => {
      medium.sendRaw(r.id, r.frame(i++, medium.now));
      if (medium.now + r.every < sc.durationS) medium.at(medium.now + r.every, fire);
    };
    medium.at(r.from ?? 0, fire);
  }

  const local = (id: NodeId, f: Fact) => {
    if (down.has(id)) return;
    const now = medium.now;
    created.push({ fact: f, at: now });
    if (sc.protocol === 'murmur') {
      const a = gossip.get(id)!.addLocal(f, now);
      for (const x of a.learned) noteLearned(id, x, now);
    } else flooding.get(id)!.originate(f, now);
    medium.poke(id);
  };

  // Status (heartbeat) facts.
  const statusEvery = sc.statusEveryS ?? 30;
  if (statusEvery > 0) {
    for (let id = 1; id <= sc.n; id++) {
      const phase = root.fork(`phase/${id}`).range(0, statusEvery);
      let battery = 100;
      const tick = () => {
        if (!down.has(id)) {
          const p = mobilities.get(id)!.at(medium.now);
          battery = Math.max(5, battery - 0.3);
          const s: StatusFact = {
            kind: 'status', origin: id, seq: nextSeq(id), t: Math.floor(medium.now), pos: { x: Math.round(p.x), y: Math.round(p.y) },
            alt: 60, battery: Math.round(battery), mode: 3, armed: true, activity: 'searching', sector: id % 16, heading: Math.floor(medium.now) % 360,
          };
          local(id, s);
        }
        if (medium.now + statusEvery < sc.durationS) medium.at(medium.now + statusEvery, tick);
      };
      medium.at(phase, tick);
    }
  }
  // Victims and roads.
  const frnd = root.fork('facts');
  for (const inj of sc.facts ?? []) {
    medium.at(inj.at, () => {
      const id = inj.node;
      const p: Point = mobilities.get(id)!.at(medium.now);
      const base = { origin: id, seq: nextSeq(id), t: Math.floor(medium.now) };
      const pos = { x: Math.round(p.x + frnd.range(-50, 50)), y: Math.round(p.y + frnd.range(-50, 50)) };
      const f: VictimFact | RoadFact =
        inj.kind === 'victim'
          ? { kind: 'victim', ...base, pos, count: 1 + frnd.int(4), condition: 'injured', confidence: 60 + frnd.int(40) }
          : { kind: 'road', ...base, severity: 'impassable', path: [pos, { x: pos.x + frnd.int(300), y: pos.y + frnd.int(300) }] };
      local(id, f);
    });
  }
  // Crashes and reboots (a rebooted node has lost its memory but not its sequence counter).
  for (const c of sc.crashes ?? []) {
    medium.at(c.at, () => {
      down.add(c.node);
      medium.setEndpoint(c.node, undefined);
      downtime.set(c.node, [...(downtime.get(c.node) ?? []), [c.at, Infinity]]);
    });
    if (c.rebootAt !== undefined) {
      const at = c.rebootAt;
      medium.at(at, () => {
        down.delete(c.node);
        const iv = downtime.get(c.node)!;
        iv[iv.length - 1]![1] = at;
        medium.setEndpoint(c.node, boot(c.node, at, 1));
      });
    }
  }

  medium.run(sc.durationS);

  return {
    scenario: sc,
    medium,
    created,
    learned,
    changes,
    gossip,
    flooding,
    down,
    downtime,
    knows(node, f) {
      const g = gossip.get(node);
      if (g) return g.knows(f);
      return flooding.get(node)?.knows(f) ?? false;
    },
  };
}

export { fixed };

/** A fixed swarm key for simulations (the simulator's packets never leave the process). */
export const SIM_SWARM_KEY = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);

const simIdentities = new Map<NodeId, NodeIdentity>();
/** A simulated member's Ed25519 identity, derived from its id (the same in every run). */
export function simIdentity(id: NodeId): NodeIdentity {
  let i = simIdentities.get(id);
  if (!i) simIdentities.set(id, (i = identityFromSeed(id, `node-${id}`, createHash('sha256').update(`murmur-sim-identity/${id}`).digest())));
  return i;
}

/** Simulated key chains are shorter than a drone's (11 hours of 10 s intervals): runs are hours at most. */
export const SIM_CHAIN_LENGTH = 4096;
const simChains = new Map<NodeId, KeyChain>();
/** A simulated member's key chain (tesla.ts), from its identity and the simulator's swarm key. */
export function simKeyChain(id: NodeId): KeyChain {
  let c = simChains.get(id);
  if (!c) simChains.set(id, (c = new KeyChain(id, chainSeed(simIdentity(id).secretKey, SIM_SWARM_KEY), SIM_CHAIN_LENGTH)));
  return c;
}

/**
 * The simulated swarm's keyring. `anchors` false leaves out the key-chain anchors, which only authorship reads
 * (a wire codec never does): each anchor costs a member's whole chain of hashes, a second at 50 drones.
 */
export function simKeyring(members: readonly NodeId[], operators: readonly NodeId[] = [], anchors = true): Keyring {
  return new Keyring(
    SIM_SWARM_KEY,
    members.map((id) => ({
      id, name: `node-${id}`, publicKey: simIdentity(id).publicKey, role: operators.includes(id) ? ('operator' as const) : ('drone' as const),
      ...(anchors ? { chainAnchor: simKeyChain(id).anchor } : {}),
    })),
  );
}

/**
 * The project's wire codec for every simulated node (members 1..n plus any `extra` insiders holding the
 * key). Packet counters survive a node's reboot, as the persisted sequence does on a drone.
 */
export function simWireCodecs(n: number, extra: readonly NodeId[] = []): (self: NodeId) => PacketCodec {
  const keyring = simKeyring([...Array.from({ length: n }, (_, i) => i + 1), ...extra], [], false);
  const counters = new Map<NodeId, number>();
  return (self) =>
    wireCodec({
      self,
      keyring,
      nextCounter: () => {
        const c = counters.get(self) ?? 0;
        counters.set(self, c + 1);
        return c;
      },
    });
}
