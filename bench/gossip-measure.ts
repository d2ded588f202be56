/**
 * Measurements of `bench gossip` beyond the swarm's own figures: the airtime spent on victims and roads, packet
 * by packet, the lower bound for each victim/road from the true topology at its creation, and the anti-entropy
 * floor of a repair scenario. Everything is read as an observer holding the swarm key would read the air.
 */
import { loraTimeOnAir, SF9_125, type LoraParams } from '../src/gossip/airtime.js';
import type { PacketCodec } from '../src/gossip/codec.js';
import { linkProbability, minExpectedTransmissions } from '../src/sim/radio/bound.js';
import type { SwarmResult } from '../src/sim/radio/swarm.js';
import { simWireCodecs } from '../src/sim/radio/swarm.js';
import type { Fact, NodeId } from '../src/wire/facts.js';

const durable = (f: Fact) => f.kind === 'victim' || f.kind === 'road';

/**
 * Logs every packet a protocol node sends and shares its airtime among the facts it carries: the victims' and
 * roads' share over the victims and roads created is the airtime per victim/road fact (control bytes riding in
 * a packet with facts are paid by those facts; packets with no fact count only in the total).
 */
export function factAirtimeLog(n: number, lora: LoraParams) {
  const observer = simWireCodecs(n, [999])(999);
  let durableAirtime = 0;
  let packetsWithDurable = 0;
  const onTransmit = (_id: NodeId, bytes: Uint8Array) => {
    const o = observer.open(bytes);
    if (!o.ok) return;
    const facts = o.value.payload.facts;
    const d = facts.filter(durable).length;
    if (d === 0) return;
    packetsWithDurable++;
    durableAirtime += (loraTimeOnAir(bytes.length, lora) * d) / facts.length;
  };
  return {
    onTransmit,
    figures(res: SwarmResult) {
      const created = res.created.filter((c) => durable(c.fact)).length;
      return {
        airtime_per_victim_fact_s: created ? durableAirtime / created : 0,
        packets_per_victim_fact: created ? packetsWithDurable / created : 0,
      };
    },
  };
}

/** Link probabilities among nodes 1..n at time t (index i − 1), as the medium would draw them. */
export function linkMatrix(res: SwarmResult, ids: readonly NodeId[], t: number): number[][] {
  const { medium } = res;
  const loss = res.scenario.extraLoss ?? 0;
  const pos = ids.map((id) => medium.position(id, t));
  const cutoff = medium.propagation.maxRangeM;
  return ids.map((a, i) =>
    ids.map((b, j) => {
      if (i === j) return 0;
      const d = Math.hypot(pos[i]!.x - pos[j]!.x, pos[i]!.y - pos[j]!.y);
      if (d > cutoff) return 0;
      if (medium.linkFilter && !medium.linkFilter(a, b, t)) return 0;
      return linkProbability(medium.propagation, loss, a, b, d);
    }),
  );
}

/** Bytes of the smallest packet carrying these facts whole: packed greedily into as few frames as fit. */
export function packedBytes(codec: PacketCodec, facts: readonly Fact[], time: number): { bytes: number; packets: number } {
  const sorted = [...facts].sort((a, b) => codec.sizeOfFact(b) - codec.sizeOfFact(a));
  const bins: Fact[][] = [];
  for (const f of sorted) {
    const bin = bins.find((b) => codec.packetBytes({ time, facts: [...b, f] }) <= codec.maxPacketBytes);
    if (bin) bin.push(f);
    else bins.push([f]);
  }
  return { bytes: bins.reduce((s, b) => s + codec.packetBytes({ time, facts: b }), 0), packets: bins.length };
}

/**
 * The bound per victim/road: for each one created by a node that stayed up, the minimum expected transmissions
 * to bring it from its origin to every node up at its creation (true topology at that moment), times the
 * airtime of the smallest packet carrying it alone (Murmur's wire format and radio settings). Mean over them
 * (`every` > 1: over every so many of them, for large swarms where each programme takes long).
 */
export function victimBound(res: SwarmResult, lora: LoraParams = SF9_125, every = 1) {
  const codec = simWireCodecs(res.scenario.n, [999])(999);
  let sumAir = 0;
  let sumTx = 0;
  let count = 0;
  let i = 0;
  for (const c of res.created) {
    if (!durable(c.fact) || res.down.has(c.fact.origin)) continue;
    if (i++ % every !== 0) continue;
    const ids: NodeId[] = [];
    for (let id = 1; id <= res.scenario.n; id++) if (!(res.downtime.get(id) ?? []).some(([a, b]) => c.at >= a && c.at < b) && !res.down.has(id)) ids.push(id);
    const p = linkMatrix(res, ids, c.at);
    const src = ids.indexOf(c.fact.origin);
    const tx = minExpectedTransmissions(p, [src], ids.map((_, i) => i).filter((i) => i !== src)).value;
    const air = loraTimeOnAir(codec.packetBytes({ time: Math.floor(c.at), facts: [c.fact] }), lora);
    sumAir += tx * air;
    sumTx += tx;
    count++;
  }
  return {
    bound_per_victim_fact_s: count ? sumAir / count : 0,
    bound_transmissions_per_victim_fact: count ? sumTx / count : 0,
  };
}

/**
 * The anti-entropy floor of a repair scenario, in bytes of whole packets: for each group of facts (held by
 * `holders`, lacked by `lacking`), the facts packed into the fewest frames, times the minimum expected
 * transmissions of one frame from the holders to every node lacking them (the true topology at `t`; coding
 * cannot beat k packets × the one-packet bound).
 */
export function antiEntropyFloor(res: SwarmResult, t: number, groups: readonly { holders: NodeId[]; lacking: NodeId[]; facts: Fact[] }[]) {
  const ids = Array.from({ length: res.scenario.n }, (_, i) => i + 1);
  const p = linkMatrix(res, ids, t);
  const codec = simWireCodecs(res.scenario.n, [999])(999);
  let bytes = 0;
  let packets = 0;
  for (const g of groups) {
    if (g.facts.length === 0 || g.lacking.length === 0) continue;
    const tx = minExpectedTransmissions(p, g.holders.map((id) => id - 1), g.lacking.map((id) => id - 1)).value;
    const packed = packedBytes(codec, g.facts, Math.floor(t));
    bytes += tx * packed.bytes;
    packets += tx * packed.packets;
  }
  return { floor_bytes: +bytes.toFixed(1), floor_packets: +packets.toFixed(2) };
}
