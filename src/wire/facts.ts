/**
 * The observation model: immutable facts that the swarm gossips and every map merges.
 *
 * A fact is identified by (origin, seq): the node that created it and a sequence number that node never
 * reuses, also across reboots (see sequence.ts). Facts are never edited; a later `supersede` fact resolves
 * or updates an earlier one. All values are already quantised (whole metres in the area frame, whole
 * seconds since the mission epoch, small integers), so a fact decodes to exactly what was encoded and two
 * nodes holding the same facts hold equal values.
 *
 * Units:
 * - positions: `LocalPoint` in whole metres east (x) / north (y) of the area origin (frame-of-reference.ts);
 * - `t`: whole seconds since the mission epoch when the fact was observed;
 * - altitudes: whole metres above the home/launch point; radii and distances: whole metres;
 * - headings: whole degrees clockwise from true north, 0..359;
 * - battery and confidence: whole percent, 0..100.
 */
import type { LocalPoint } from './frame-of-reference.js';

/** A swarm member (drone or ground station): small integer assigned at provisioning, 1..65535. */
export type NodeId = number;

export const MAX_NODE_ID = 0xffff;
export const MAX_SEQ = 0xffffffff;

export interface FactId {
  readonly origin: NodeId;
  /** 1..2^32-1, strictly increasing per origin, never reused. */
  readonly seq: number;
}

export function factKey(id: FactId): string {
  return `${id.origin}:${id.seq}`;
}

export function parseFactKey(key: string): FactId {
  const [o, s] = key.split(':');
  return { origin: Number(o), seq: Number(s) };
}

interface FactBase extends FactId {
  /** Seconds since mission epoch when observed. */
  readonly t: number;
}

export const VICTIM_CONDITIONS = ['unknown', 'ambulatory', 'injured', 'critical', 'deceased'] as const;
export type VictimCondition = (typeof VICTIM_CONDITIONS)[number];

/** A person (or group) seen needing help. */
export interface VictimFact extends FactBase {
  readonly kind: 'victim';
  readonly pos: LocalPoint;
  /** People at that spot, 1..255. */
  readonly count: number;
  readonly condition: VictimCondition;
  /** Detector confidence, percent 0..100. */
  readonly confidence: number;
}

export const ROAD_SEVERITIES = ['partial', 'impassable'] as const;
export type RoadSeverity = (typeof ROAD_SEVERITIES)[number];

/** A blocked road: a segment or a short polyline (2..16 points) along the road's centre line. */
export interface RoadFact extends FactBase {
  readonly kind: 'road';
  readonly path: readonly LocalPoint[];
  readonly severity: RoadSeverity;
}

export const HAZARD_TYPES = ['fire', 'flood', 'collapse', 'gas', 'other'] as const;
export type HazardType = (typeof HAZARD_TYPES)[number];

export interface HazardFact extends FactBase {
  readonly kind: 'hazard';
  readonly hazard: HazardType;
  readonly pos: LocalPoint;
  /** Radius of the affected zone, metres, 0..65535. */
  readonly radius: number;
}

/**
 * What a supersede says about its target:
 * victim: reported → confirmed → rescued | false_alarm; road: cleared; hazard: resolved;
 * any fact (area, command, mistaken report): withdrawn.
 */
export const OUTCOMES = ['confirmed', 'rescued', 'false_alarm', 'cleared', 'resolved', 'withdrawn'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface SupersedeFact extends FactBase {
  readonly kind: 'supersede';
  readonly target: FactId;
  readonly outcome: Outcome;
}

/** Cells of the area grid searched by the origin (sorted, unique cell indices; see AreaFrame). */
export interface CoverageFact extends FactBase {
  readonly kind: 'coverage';
  readonly cells: readonly number[];
}

/** What the member is doing, as its agent sees it. */
export const ACTIVITIES = [
  'idle', // on the ground, ready
  'launching',
  'searching',
  'transit',
  'returning', // going home (low battery, recall, mission done)
  'landed',
  'override', // a pilot or another ground station took control; the agent yields
  'fc_lost', // the flight controller stopped answering
  'ground_station',
  'failsafe', // an ArduPilot failsafe (battery, GCS, fence, EKF, radio) took control; the agent yields
] as const;
export type Activity = (typeof ACTIVITIES)[number];

/**
 * A member's periodic status; it doubles as its heartbeat. Newer status from the same origin
 * supersedes older (never queued twice).
 */
export interface StatusFact extends FactBase {
  readonly kind: 'status';
  readonly pos: LocalPoint;
  /** Metres above home, -1000..10000. */
  readonly alt: number;
  /** Percent 0..100. */
  readonly battery: number;
  /** ArduCopter custom_mode number (e.g. 4 GUIDED, 3 AUTO, 6 RTL), 0..255. */
  readonly mode: number;
  readonly armed: boolean;
  readonly activity: Activity;
  /**
   * Its sector in the mission's take-off plan while searching or between lanes (its place in the roster in id
   * order, from 0: the station shows S1, S2, …), or -1 for none (on the ground, going home, flying no plan).
   */
  readonly sector: number;
  /** Degrees 0..359. */
  readonly heading: number;
}

export const AREA_ROLES = ['search', 'nofly', 'priority'] as const;
export type AreaRole = (typeof AREA_ROLES)[number];

/**
 * An area drawn by an operator: the search area, a no-fly zone, or a priority region (weight 1..9 multiplies
 * search effort). Polygon rings in local metres: first ring outer, others holes; rings are not closed
 * (the last point is not a repeat of the first).
 */
export interface AreaFact extends FactBase {
  readonly kind: 'area';
  readonly role: AreaRole;
  readonly rings: readonly (readonly LocalPoint[])[];
  readonly priority: number;
}

export const COMMAND_ACTIONS = ['rtl', 'resume', 'hold', 'land'] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

/** An operator's order to one member (target) or all (target 0). */
export interface CommandFact extends FactBase {
  readonly kind: 'command';
  readonly target: NodeId;
  readonly action: CommandAction;
}

export const ACK_RESULTS = ['accepted', 'refused', 'done'] as const;
export type AckResult = (typeof ACK_RESULTS)[number];

/**
 * A member's answer to an operator's fact that concerns it (a command, a zone, a mission): accepted (acting
 * on it), refused (cannot: e.g. on the ground with no flight controller), done (carried out). Small on
 * purpose: airtime is scarce and every concerned drone sends one.
 */
export interface AckFact extends FactBase {
  readonly kind: 'ack';
  readonly target: FactId;
  readonly result: AckResult;
}

/**
 * The mission in force: a version (a newer one supersedes), the area facts that make it up (search areas
 * with their holes, no-fly zones, priority regions) and the launch points. Drones on the ground and in the
 * air adopt the newest mission whose areas they hold and re-plan.
 */
export interface MissionFact extends FactBase {
  readonly kind: 'mission';
  /** 1..65535; the highest wins (ties: the later fact). */
  readonly version: number;
  /** 1..16 area facts. */
  readonly areas: readonly FactId[];
  /** 0..16 launch points, local metres. */
  readonly launch: readonly LocalPoint[];
}

/**
 * An origin's signed word for its own facts (authorship, see attestation.ts and docs/wire.md): "my durable
 * facts with seq in [from, to] are exactly `count` facts whose canonical encodings hash to `digest`, and my
 * status with seq `statusSeq` hashes to `statusDigest`", signed with the origin's Ed25519 key. It is
 * checked on its own when it arrives (the signature covers every field), so it is also the origin's
 * authenticated heartbeat. count 0 and from = to = 0: no durable facts; statusSeq 0: no status.
 */
export interface AttestFact extends FactBase {
  readonly kind: 'attest';
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly statusSeq: number;
  /** 16 bytes: SHA-256 of the covered durable facts' canonical encodings, truncated. */
  readonly digest: Uint8Array;
  /** 8 bytes: SHA-256 of the status's canonical encoding, truncated (zeros when statusSeq is 0). */
  readonly statusDigest: Uint8Array;
  /** 64-byte Ed25519 signature, or an 8-byte MAC under the origin's interval key (wire/tesla.ts). */
  readonly signature: Uint8Array;
}

export type Fact =
  | AttestFact
  | StatusFact
  | VictimFact
  | RoadFact
  | HazardFact
  | SupersedeFact
  | CoverageFact
  | AreaFact
  | CommandFact
  | AckFact
  | MissionFact;

export type FactKind = Fact['kind'];

export const FACT_KINDS: readonly FactKind[] = [
  'status',
  'victim',
  'road',
  'hazard',
  'supersede',
  'coverage',
  'area',
  'command',
  'ack',
  'mission',
  'attest',
];

/**
 * Dissemination priority when airtime is short (lower goes first): victims, then roads, hazards and
 * operator orders, then coverage, then status.
 */
export function priorityOf(kind: FactKind): number {
  switch (kind) {
    case 'victim':
      return 0;
    case 'supersede':
    case 'command':
    case 'ack':
    case 'mission':
    case 'area':
    case 'road':
    case 'hazard':
      return 1;
    case 'coverage':
    case 'attest':
      return 2;
    case 'status':
      return 3;
  }
}

export function sameFactId(a: FactId, b: FactId): boolean {
  return a.origin === b.origin && a.seq === b.seq;
}

/** Orders fact ids (origin, then seq): the canonical order used wherever order must not matter. */
export function compareFactIds(a: FactId, b: FactId): number {
  return a.origin - b.origin || a.seq - b.seq;
}
