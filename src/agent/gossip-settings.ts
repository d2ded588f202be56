/**
 * Gossip settings for a search swarm: heartbeats, failure detection and anti-entropy paced to the band's
 * duty cycle, so a lost drone is noticed within minutes and a member that missed a sighting asks within
 * seconds, without outspending the budget. Used by the drone agent, the ground station and the simulator.
 */
import { defaultGossipConfig, type GossipConfig } from '../gossip/engine.js';
import type { NodeId } from '../wire/facts.js';

export interface BandSettings {
  readonly sf: number;
  readonly bwHz: number;
  /** Coding rate as the 4/x denominator (5..8). */
  readonly cr: number;
  readonly dutyCyclePct: number;
}

export function searchGossipConfig(self: NodeId, band: BandSettings): GossipConfig {
  const duty = band.dutyCyclePct / 100;
  // every 30 s at 10% duty, every 150 s at 1%
  const hbS = Math.max(30, Math.min(150, 3 / duty));
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
    repairSettleS: Math.min(15, hbS / 10),
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
 * after 10 s, then 20, 40… (six times) until some member is known to hold them, instead of after 30 s.
 */
export function stationGossipConfig(self: NodeId, band: BandSettings): GossipConfig {
  return { ...searchGossipConfig(self, band), ownConfirmS: 10, ownRetries: 6 };
}

/**
 * How often a searching drone reports its coverage: every 20 s when the band allows 10% duty cycle, every 3
 * minutes at 1%. Coverage is the bulk of a search swarm's traffic; a lost drone's last unreported minutes are
 * searched again, which is cheaper than a saturated channel.
 */
export function coverageReportEveryS(band: BandSettings): number {
  return Math.max(20, Math.min(180, 2 / (band.dutyCyclePct / 100)));
}
