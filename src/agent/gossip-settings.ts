/**
 * Gossip settings for a search swarm: heartbeats, failure detection and anti-entropy paced to the band's
 * duty cycle, so a lost drone is noticed within minutes and a member that missed a sighting asks within
 * seconds, without outspending the budget. Used by the drone agent, the ground station and the simulator.
 */
import { defaultGossipConfig, type GossipConfig } from '../gossip/engine.js';
import { loraTimeOnAir } from '../gossip/airtime.js';
import type { NodeId } from '../wire/facts.js';

export interface BandSettings {
  readonly sf: number;
  readonly bwHz: number;
  /** Coding rate as the 4/x denominator (5..8). */
  readonly cr: number;
  readonly dutyCyclePct: number;
}

/** A typical gossip packet (a status or coverage fact with its heartbeat record), bytes. */
const TYPICAL_PACKET_BYTES = 60;
/** Share of the channel the members' heartbeats may take together. */
const HEARTBEAT_CHANNEL_SHARE = 0.15;
/** Share of the channel the searching members' coverage reports may take together. */
const COVERAGE_CHANNEL_SHARE = 0.25;

/** Airtime of a typical packet on this band, seconds. */
function packetAirtimeS(band: BandSettings): number {
  return loraTimeOnAir(TYPICAL_PACKET_BYTES, { sf: band.sf, bw: band.bwHz, cr: band.cr - 4 });
}

/**
 * Seconds between a member's heartbeats: what the duty cycle allows (every 30 s at 10%, every 150 s at 1%),
 * and no more often than keeps the whole roster's heartbeats to a small share of the one shared channel. With
 * 50 or 100 drones on SF9 a fixed 30 s would fill the channel with heartbeats, and heartbeats lost to
 * collisions read as deaths.
 */
export function heartbeatEveryS(band: BandSettings, members: number): number {
  const duty = band.dutyCyclePct / 100;
  const byDuty = Math.max(30, Math.min(150, 3 / duty));
  const byChannel = (Math.max(1, members) * packetAirtimeS(band)) / HEARTBEAT_CHANNEL_SHARE;
  return Math.max(byDuty, Math.min(600, byChannel));
}

/**
 * Gossip settings for a member of a roster of `members` (default 10): timings stretch with the roster so
 * that heartbeats keep to their share of the channel and a member is declared dead only after six missed ones.
 */
export function searchGossipConfig(self: NodeId, band: BandSettings, members = 10): GossipConfig {
  const duty = band.dutyCyclePct / 100;
  const hbS = heartbeatEveryS(band, members);
  const base = defaultGossipConfig(self);
  return defaultGossipConfig(self, {
    lora: { sf: band.sf, bw: band.bwHz, cr: band.cr - 4 },
    duty: { fraction: duty, windowS: 3600 },
    membership: { suspectAfterS: hbS * 3, deadAfterS: hbS * 6 },
    beaconIntervalS: hbS,
    hbEveryS: hbS,
    ownStatusEveryS: hbS,
    // Sightings are few and what the swarm exists for, and an operator's orders (zones, recalls, areas) are
    // few and must reach every drone within a minute: every member relays one unless it hears three copies
    // first, instead of trusting the relay geometry, which grey-zone links and collisions defeat.
    urgentPriority: 1,
    urgentCopies: 3,
    // a searching drone publishes a coverage fact every 20 s and every sighting
    maxFactsPerOrigin: 400,
    sumEveryS: Math.min(20, hbS / 6),
    // a quiet member is heard once a heartbeat: remembered as a neighbour (for relay selection) over two missed
    neighbourhood: { ...base.neighbourhood, keepS: Math.max(base.neighbourhood.keepS, 2.5 * hbS) },
    // coverage reports steer every member's plan: relayed on half a neighbour expected to lack them (earthquake
    // town, 10 drones, seeds 1-6: sighting p95 median 18 s, max duty 2.4-2.8%; 23 s and 2.8-2.9% with the coverage
    // disc rule before it; found 24/24 but on seed 3, 23/24)
    relayMinGain: 0.5,
    repairSettleS: Math.min(15, hbS / 10),
    // a learned fact restarts the settle, as before settleGapS: with it, earthquake town, 10 drones, seeds 1-4 gave
    // sighting p95 14.3 / 30.1 / 14.0 / 10.6 s against 12.4 / 54.4 / 15.5 / 14.9 s, but time ratio 1.715 / 1.694 /
    // 1.681 / 1.699 against 1.682 / 1.693 / 1.681 / 1.695 (coverage facts arrive every few seconds here)
    settleGapS: 0,
    // a landed drone that only beacons may hold a fact others lack while lacking one of theirs: it asks too
    tieAskAfterSettles: 4,
    // digests open to every neighbour, no quick follow-ups: heartbeats every 30-150 s keep summaries coming
    odgNameMinGap: Infinity,
    odgFollowUps: 0,
    reconcileAfterS: Math.min(15, hbS / 10),
    odgMinIntervalS: Math.min(90, hbS / 2),
    repeatAfterS: Math.min(120, hbS),
    // the flooding guard is relative to what an honest member may send under this band's duty cycle
    defence: { ...base.defence, maxAirtimeFraction: Math.min(0.5, 8 * duty) },
  });
}

/**
 * The ground station's settings: a search member's, except that its own facts (an operator's zones, recalls,
 * areas: few, and each to reach drones that may all be flying out of the station's range) are sent again
 * after 10 s, then 20, 40… (six times) until some member is known to hold them, instead of after 30 s. Its
 * heartbeats and failure detection follow the roster as the drones' do: with the timing of 10 members among 50 drones
 * (each heard about every two minutes) it held 21 live drones suspect at 300 s and 5 dead by 420 s (earthquake
 * town, seed 1), and no longer repeated its orders to those.
 */
export function stationGossipConfig(self: NodeId, band: BandSettings, members = 10): GossipConfig {
  return { ...searchGossipConfig(self, band, members), ownConfirmS: 10, ownRetries: 6 };
}

/**
 * How often a searching drone reports its coverage: every 20 s when the band allows 10% duty cycle, every 3
 * minutes at 1%, and less often in a large roster, so that all the reports together keep to a quarter of the channel. Coverage is the bulk of a search swarm's traffic; a lost drone's last unreported minutes are
 * searched again, which is cheaper than a saturated channel.
 */
export function coverageReportEveryS(band: BandSettings, members = 10): number {
  const byDuty = Math.max(20, Math.min(180, 2 / (band.dutyCyclePct / 100)));
  const byChannel = (Math.max(1, members) * packetAirtimeS(band)) / COVERAGE_CHANNEL_SHARE;
  return Math.max(byDuty, Math.min(300, byChannel));
}
