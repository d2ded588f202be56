/**
 * `murmur bench attack`: a hostile member on the simulated mesh. N = 20 drones in 5 km × 5 km (random
 * waypoint), 20% extra loss, SF9, EU868 1%, one simulated hour, a status every 30 s and 80 victims/roads, all
 * with authorship (gossip/authorship.ts); drone 1 is the operator (a ground station's role). One more member,
 * id 21, is compromised: it holds the swarm key and its own identity, sits mid-area and transmits one attack
 * per run. Each row is measured against the same run without the attacker's frames:
 * - forged_accepted: facts stored as proven, or acted on, in another member's name (forged commands or
 *   statuses taken, a far-future fact stored, a crashed member kept alive), summed over honest nodes;
 * - honest_delivery_ratio: honest victims/roads usable (provisional or proven) at each live honest node;
 *   honest_proven_ratio: of those, proven by the end;
 * - honest_p95_s and its ratio, honest_airtime_ratio (airtime of the honest nodes, attack / attack-free);
 * - where the delivery gap is: honest_never_heard_pairs (of honest_pairs), answers_refused by the honest nodes'
 *   answer budgets and answer_budget_used_up_nodes (gossip/answer-budget.ts; docs/wire.md, "Not covered yet").
 * `without_authorship`: the attack-free run with every fact taken on its word (what authorship costs).
 */
import type { Benchmark } from '../src/cli/commands/bench.js';
import { seededRandom } from '../src/core/random.js';
import { encodeControl, HB_EPOCH_S } from '../src/gossip/control.js';
import { sameFact } from '../src/gossip/authorship.js';
import { fixed } from '../src/sim/radio/mobility.js';
import { runSwarm, simIdentity, simWireCodecs, type SwarmScenario } from '../src/sim/radio/swarm.js';
import { attestFacts } from '../src/wire/attestation.js';
import { mayAct } from '../src/wire/authority.js';
import { factKey, type Fact, type NodeId } from '../src/wire/facts.js';
import { signingKeyOf } from '../src/wire/keyring.js';

const N = 20;
const ATTACKER = 21;
const OPERATOR = 1;
const CRASHED = 7;
const DURATION = 3600;

type Attack = 'forged-origin-facts' | 'forged-operator-command' | 'forged-status-loss' | 'far-future-supersede' | 'forged-origin-flood' | 'heartbeat-vouching' | 'have-summary-amplification';
const ATTACKS: readonly Attack[] = ['forged-origin-facts', 'forged-operator-command', 'forged-status-loss', 'far-future-supersede', 'forged-origin-flood', 'heartbeat-vouching', 'have-summary-amplification'];

function baseScenario(seed: number, crash: boolean, authorship = true): SwarmScenario {
  const r = seededRandom(`bench-attack/${seed}`);
  const facts = Array.from({ length: 80 }, () => ({ at: r.range(60, DURATION - 300), node: 1 + r.int(N), kind: r.chance(0.5) ? ('victim' as const) : ('road' as const) }));
  return {
    protocol: 'murmur', seed: `attack/${seed}`, n: N, durationS: DURATION, extraLoss: 0.2, facts, statusEveryS: 30,
    ...(crash ? { crashes: [{ node: CRASHED, at: 120 }] } : {}),
    // a member is suspect after 45 and dead after 55 minutes without its own word
    membership: { suspectAfterS: 2700, deadAfterS: 3300 },
    // Durable facts carry tags proven by keys disclosed 90 s on (tesla-proof.ts); a member's chain key goes out
    // at least every 15 minutes (its proof of life). Signatures only for operator facts: signed heartbeats
    // (for copies heard after the key was out) cost 60-80 s of the honest airtime an hour and tipped nodes into
    // their duty cap (attack-free 91.0% with one an hour, 92.2% without; docs/wire.md).
    ...(authorship
      ? { authorship: { operators: [OPERATOR], config: { heartbeatS: 1e9, attestAfterS: 1e9, teslaStatusS: 1e9, livenessKeyS: 900 } } }
      : {}),
  };
}

/** The attacker's frames for one attack, and the facts it forged (to look for in honest stores). */
function attacker(attack: Attack, seed: number) {
  const codec = simWireCodecs(N, [ATTACKER])(ATTACKER);
  const r = seededRandom(`bench-attack/${seed}/${attack}`);
  const forged: Fact[] = [];
  let ownSeq = 0;
  let attSeq = 2 ** 31;
  const key = signingKeyOf(simIdentity(ATTACKER));
  const honest = () => 1 + r.int(N);
  const victimOf = (origin: NodeId, seq: number, t: number): Fact => ({ kind: 'victim', origin, seq, t, pos: { x: r.int(5000), y: r.int(5000) }, count: 200, condition: 'critical', confidence: 99 });
  const seal = (t: number, facts: Fact[], control?: Uint8Array) => codec.seal({ time: Math.floor(t), facts, ...(control ? { control } : {}) });
  const keep = (fs: Fact[]) => (forged.push(...fs), fs);
  let every = 30;
  let frame: (i: number, t: number) => Uint8Array;
  switch (attack) {
    case 'forged-origin-facts':
      // victims in honest members' names, at seqs their real facts use (a race for the id)
      frame = (_i, t) => seal(t, keep(Array.from({ length: 4 }, () => victimOf(honest(), 1 + r.int(150), Math.floor(t)))));
      break;
    case 'forged-operator-command':
      every = 120;
      frame = (i, t) => {
        const T = Math.floor(t);
        const inName: Fact = { kind: 'command', origin: OPERATOR, seq: 500 + i, t: T, target: 0, action: 'land' };
        // and "land, all" in its own name, properly signed: a drone's order
        const own: Fact = { kind: 'command', origin: ATTACKER, seq: ++ownSeq, t: T, target: 0, action: 'land' };
        keep([inName]);
        return seal(t, [inName, own, attestFacts({ origin: ATTACKER, seq: ++attSeq, t: T }, [own], undefined, key)]);
      };
      break;
    case 'forged-status-loss':
      every = 60;
      frame = (i, t) => {
        const o = honest();
        const lost = (seq: number, tt: number): Fact => ({ kind: 'status', origin: o, seq, t: tt, pos: { x: 0, y: 0 }, alt: 0, battery: 0, mode: 9, armed: false, activity: 'fc_lost', sector: -1, heading: 0 });
        return seal(t, keep(i % 2 ? [lost(2 ** 32 - 1, Math.min(2 ** 31 - 1, Math.floor(t) + 10 ** 9))] : [lost(Math.floor(t / 30) + 3, Math.floor(t))]));
      };
      break;
    case 'far-future-supersede':
      every = 120;
      frame = (i, t) => {
        const far = Math.floor(t) + 10 ** 6;
        const target = { origin: honest(), seq: 1 + r.int(100) };
        const own: Fact = { kind: 'supersede', origin: ATTACKER, seq: ++ownSeq, t: far, target, outcome: 'withdrawn' };
        const inName: Fact = { kind: 'supersede', origin: OPERATOR, seq: 900 + i, t: far, target, outcome: 'rescued' };
        keep([own, inName]);
        return seal(t, [inName, own, attestFacts({ origin: ATTACKER, seq: ++attSeq, t: Math.floor(t) }, [own], undefined, key)]);
      };
      break;
    case 'forged-origin-flood':
      every = 20;
      // 12 facts a packet, rotating over the honest origins: well over 30 per origin per 10 minutes
      frame = (i, t) => seal(t, keep(Array.from({ length: 12 }, (_, k) => victimOf(1 + ((i * 12 + k) % N), 2000 + i * 12 + k, Math.floor(t)))));
      break;
    case 'heartbeat-vouching':
      every = 60;
      frame = (_i, t) => {
        const hb = encodeControl([{ type: 'hb', epoch: Math.floor(t / HB_EPOCH_S), entries: [{ id: ATTACKER, age: 0 }, { id: CRASHED, age: 0 }] }]);
        const alive: Fact = { kind: 'status', origin: CRASHED, seq: Math.floor(t), t: Math.floor(t), pos: { x: 2500, y: 2500 }, alt: 60, battery: 80, mode: 3, armed: true, activity: 'searching', sector: 3, heading: 0 };
        return seal(t, keep([alive]), hb);
      };
      break;
    case 'have-summary-amplification':
      every = 10;
      frame = (_i, t) =>
        seal(t, [], encodeControl([{ type: 'sum', count: 2 ** 32 - 1, hash: 7 }, ...Array.from({ length: 9 }, (_, k) => ({ type: 'have' as const, origin: 1 + k * 2, seqs: [] }))]));
      break;
  }
  return { forged, rogue: { id: ATTACKER, mobility: fixed({ x: 2500, y: 2500 }), every, frame, from: 30 } };
}

/** An order an agent acts on (wire/authority.ts), as the agent's role check sees it. */
const isOperatorOrder = (f: Fact) => (f.kind === 'command' || f.kind === 'area' || f.kind === 'mission') && mayAct(f, (o) => o === OPERATOR);

interface Outcome {
  delivery: number;
  /** (fact, node) pairs counted, and those with no copy at all by the end (the delivery gap). */
  pairs: number;
  neverHeard: number;
  /** Answers (repairs, HAVE lists, own digests) refused by honest nodes' answer budgets, and nodes whose budget was used up. */
  answersRefused: number;
  answerBudgetFull: number;
  proven: number;
  p95: number;
  airtime: number;
  forgedAccepted: number;
  forgedProvisional: number;
}

function run(seed: number, attack: Attack | undefined, crash: boolean, authorship = true): Outcome {
  const a = attack ? attacker(attack, seed) : undefined;
  // fact key → node → every version of that id the node learned (a forgery may share a real fact's id)
  const learned = new Map<string, Map<NodeId, { t: number; fact: Fact }[]>>();
  const forgedKeys = new Map<string, Fact[]>();
  const sc = baseScenario(seed, crash, authorship);
  const res = runSwarm({
    ...sc,
    // the attack-free run has the member (silent) too, so both runs have the same keyring and nodes
    rogues: [a?.rogue ?? { id: ATTACKER, mobility: fixed({ x: 2500, y: 2500 }), every: 1e9, frame: () => new Uint8Array(0), from: 1e9 }],
    onLearned: (node, f, t) => {
      if (f.kind === 'status' || f.kind === 'attest') return;
      let m = learned.get(factKey(f));
      if (!m) learned.set(factKey(f), (m = new Map()));
      const seen = m.get(node) ?? [];
      if (!seen.some((e) => sameFact(e.fact, f))) seen.push({ t, fact: f });
      m.set(node, seen);
    },
  });
  for (const f of a?.forged ?? []) forgedKeys.set(factKey(f), [...(forgedKeys.get(factKey(f)) ?? []), f]);
  // recount provisional uses now that every forgery is known (the map above filled as the run went)
  let forgedProvisional = 0;
  for (const [k, m] of learned) for (const seen of m.values()) for (const { fact } of seen) if ((forgedKeys.get(k) ?? []).some((x) => sameFact(x, fact))) forgedProvisional++;

  const honestNodes = [...res.gossip.keys()].filter((id) => id !== ATTACKER && !res.down.has(id));
  let forgedAccepted = 0;
  for (const id of honestNodes) {
    const g = res.gossip.get(id)!;
    for (const f of a?.forged ?? []) {
      if (f.origin === ATTACKER) continue;
      if (f.kind === 'status') {
        const s = g.store.latestStatus(f.origin);
        if (s && sameFact(s, f)) forgedAccepted++;
      } else {
        const h = g.store.get(f);
        if (h && sameFact(h.fact, f)) forgedAccepted++;
      }
    }
    for (const h of g.store.durableFacts()) {
      const f = h.fact;
      if (f.kind === 'attest') continue;
      if (f.t > DURATION + 60) forgedAccepted++; // a far-future fact kept
      if (f.origin !== OPERATOR && isOperatorOrder(f)) forgedAccepted++; // a drone's order an agent would obey
    }
    // a crashed member kept alive by another's word
    if (crash && attack === 'heartbeat-vouching' && g.membership().some((m) => m.id === CRASHED && m.state !== 'dead')) forgedAccepted++;
  }

  // honest delivery: victims/roads of honest origins, usable at each live honest node
  const honestFacts = res.created.filter((c) => c.fact.kind !== 'status' && c.fact.origin !== ATTACKER && c.at <= DURATION - 300);
  let pairs = 0;
  let got = 0;
  let provenCount = 0;
  const lat: number[] = [];
  for (const c of honestFacts) {
    const m = learned.get(factKey(c.fact));
    for (const id of honestNodes) {
      if (id === c.fact.origin) continue;
      pairs++;
      const e = m?.get(id)?.find((x) => sameFact(x.fact, c.fact));
      if (e) {
        got++;
        lat.push(e.t - c.at);
      }
      if (authorship && res.gossip.get(id)!.knows(c.fact) && res.gossip.get(id)!.store.get(c.fact) && sameFact(res.gossip.get(id)!.store.get(c.fact)!.fact, c.fact)) provenCount++;
    }
  }
  lat.sort((x, y) => x - y);
  let airtime = 0;
  for (const [id, g] of res.gossip) if (id !== ATTACKER) airtime += g.stats.airtimeS;
  let answersRefused = 0;
  let answerBudgetFull = 0;
  for (const id of honestNodes) {
    const b = res.gossip.get(id)!.answerBudget(DURATION);
    answersRefused += b.refused;
    if (b.usedShare >= 0.95) answerBudgetFull++;
  }
  return {
    delivery: pairs ? got / pairs : 1,
    pairs,
    neverHeard: pairs - got,
    answersRefused,
    answerBudgetFull,
    proven: pairs ? provenCount / pairs : 1,
    p95: lat.length ? lat[Math.min(lat.length - 1, Math.floor(0.95 * lat.length))]! : 0,
    airtime,
    forgedAccepted,
    forgedProvisional,
  };
}

/** Where the delivery gap is: pairs never heard, and how far the answer budgets (answer-budget.ts) held repairs back. */
const gap = (o: Outcome) => ({
  honest_never_heard_pairs: o.neverHeard,
  honest_pairs: o.pairs,
  answers_refused: o.answersRefused,
  answer_budget_used_up_nodes: o.answerBudgetFull,
});

export const benchmark: Benchmark = {
  summary: 'a compromised member (swarm key + its own identity) against authorship, roles, bounds and budgets: N = 20, 20% loss, 1 h',
  async run({ seed, log, quick }) {
    const rows: Record<string, unknown>[] = [];
    const base = run(seed, undefined, false);
    const baseCrash = run(seed, undefined, true);
    // the fair baseline for what authorship costs: the same attack-free run with every fact taken on its word
    const plain = run(seed, undefined, false, false);
    log(`without authorship: delivery ${(plain.delivery * 100).toFixed(2)}%, p95 ${plain.p95.toFixed(1)} s, honest airtime ${plain.airtime.toFixed(0)} s`);
    log(`attack-free: delivery ${(base.delivery * 100).toFixed(2)}% (proven ${(base.proven * 100).toFixed(1)}%), p95 ${base.p95.toFixed(1)} s, honest airtime ${base.airtime.toFixed(0)} s`);
    log(
      `  never heard: ${base.neverHeard} of ${base.pairs} (fact, node) pairs; answers refused by the answer budgets: ${base.answersRefused}; honest nodes with their answer budget used up: ${base.answerBudgetFull} of ${N}`,
    );
    log('attack                       forged  delivery  proven   p95 s  p95×  airtime×  provisional forged uses');
    for (const attack of quick ? ATTACKS.slice(0, 2) : ATTACKS) {
      const crash = attack === 'heartbeat-vouching';
      const o = run(seed, attack, crash);
      const b = crash ? baseCrash : base;
      const row = {
        attack,
        forged_accepted: o.forgedAccepted,
        honest_delivery_ratio: +o.delivery.toFixed(4),
        honest_proven_ratio: +o.proven.toFixed(4),
        honest_p95_s: +o.p95.toFixed(1),
        honest_p95_ratio: +(b.p95 > 0 ? o.p95 / b.p95 : 1).toFixed(2),
        honest_airtime_ratio: +(o.airtime / b.airtime).toFixed(2),
        forged_provisional_uses: o.forgedProvisional,
        ...gap(o),
        baseline: { honest_delivery_ratio: +b.delivery.toFixed(4), honest_p95_s: +b.p95.toFixed(1), honest_airtime_s: +b.airtime.toFixed(1) },
      };
      rows.push(row);
      log(
        `${attack.padEnd(28)} ${String(o.forgedAccepted).padStart(6)}  ${(o.delivery * 100).toFixed(2).padStart(7)}%  ${(o.proven * 100).toFixed(1).padStart(5)}%  ${o.p95.toFixed(1).padStart(6)}  ${row.honest_p95_ratio.toFixed(2).padStart(4)}  ${row.honest_airtime_ratio.toFixed(2).padStart(8)}  ${o.forgedProvisional}`,
      );
    }
    return {
      n: N,
      duration_s: DURATION,
      extra_loss: 0.2,
      without_authorship: { honest_delivery_ratio: +plain.delivery.toFixed(4), honest_p95_s: +plain.p95.toFixed(1), honest_airtime_s: +plain.airtime.toFixed(1) },
      attack_free: { honest_delivery_ratio: +base.delivery.toFixed(4), honest_proven_ratio: +base.proven.toFixed(4), honest_p95_s: +base.p95.toFixed(1), honest_airtime_s: +base.airtime.toFixed(1), ...gap(base) },
      attacks: rows,
    };
  },
};
