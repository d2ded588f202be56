/**
 * The search behaviour of one drone: take off, fly its sector of the shared plan, account coverage, report
 * sightings and status, re-divide when members die or go home, go home itself on low battery or when
 * recalled, and yield when a pilot or ArduPilot's failsafe takes over. It talks to the flight controller
 * through the Vehicle adapter and to the swarm through a MeshPort, and keeps time only through a Clock, so
 * the same code runs on a drone and in the simulator's virtual time.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { sleep } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { cellIndex, missionSeconds, toLatLon, toLocal } from '../wire/frame-of-reference.js';
import type { Activity, Fact, HazardFact, NodeId, RoadFact, StatusFact, VictimFact } from '../wire/facts.js';
import { assistChunks, handOver, keepLanesClear, legDistanceToZone, legEntersZone, reachLaneEnds, sweptCells, takeOffPlan, type AssistChunk, type LaneAxis, type Polygon, type TakeOff } from '../sectors/index.js';
import type { OverrideInfo, Vehicle } from '../vehicle/vehicle.js';
import { mayAct } from '../wire/authority.js';
import { OperatorDesk } from './commands.js';
import type { Detection, GroundObservation } from '../mission/detection.js';
import { Airspace } from './airspace.js';
import { FenceKeeper } from './airspace-fence.js';
import { Flight, REACHED_M } from './flight.js';
import { leadInPoint, ownRoute, searchedForPlan } from './own-route.js';
import { coverageChunks, groundFact, knownVictim, statusFact, victimFact } from './reports.js';
import { assistParties, roles, type TeamView } from './roles.js';

/** What the agent needs from the mesh (the gossip node behind a link, or the simulator's radio). */
export interface MeshPort {
  /** Hands a fact this drone created to the gossip engine. */
  publish(fact: Fact): void;
  /** Members the membership view does not consider dead (self included). */
  liveMembers(): readonly NodeId[];
  /** Members not heard from for a while but not yet declared dead, with their freshest evidence of life (mission seconds; see roles()). */
  suspectMembers?(): readonly { readonly id: NodeId; readonly heardS: number }[];
}

export interface Sensor {
  /** Detections while the camera swept a → b (local metres). */
  sweep(a: LocalPoint, b: LocalPoint): Detection[];
  /** Blocked roads and hazards seen while the camera swept a → b (a detector that can tell them). */
  observe?(a: LocalPoint, b: LocalPoint): GroundObservation[];
}

export interface SearchAgentOptions {
  readonly self: NodeId;
  readonly roster: readonly NodeId[];
  readonly frame: AreaFrame;
  readonly searchable: readonly number[];
  readonly sweepWidthM: number;
  readonly altitudeM: number;
  readonly cruiseSpeedMps: number;
  /** Speed between lanes and to and from a sector, where the camera is not searching (default: cruise). */
  readonly transitSpeedMps?: number;
  /**
   * The mission's launch points, shared out in roster order (see launchPointIndex). The take-off plan gives
   * members the sectors nearest their launch point and makes far sectors smaller (default: one point at the
   * area origin).
   */
  readonly launchSites?: readonly LocalPoint[];
  /** Zones never to be flown over (local metres): legs between lanes go round them. */
  readonly nofly?: readonly Polygon[];
  /** The mission's priority regions (local metres): every member flies its stretch of them first. */
  readonly priority?: readonly Polygon[];
  readonly batteryReturnPct: number;
  /** Lane direction of the mission plan, when the mission sets one. */
  readonly laneAxis?: LaneAxis;
  /** false: fly the take-off plan and never re-divide (the pre-flight-plan baseline). */
  readonly redivide: boolean;
  readonly clock: Clock;
  readonly vehicle: Vehicle;
  readonly mesh: MeshPort;
  readonly sensor: Sensor;
  readonly nextSeq: () => number;
  /** Members whose orders count (the keyring's operators); without it, no command is obeyed. */
  readonly isOperator?: (id: NodeId) => boolean;
  /** Load the zones into the flight controller's geofence as well (default true). */
  readonly geofence?: boolean;
  readonly log: Logger;
  readonly statusEveryS?: number;
  readonly coverageEveryS?: number;
  /** A sighting this close to a known victim is the same victim, metres. */
  readonly sameVictimM?: number;
  /** Called for every detection the agent acted on (simulator bookkeeping). */
  readonly onDetection?: (d: Detection, fact: VictimFact | undefined) => void;
  /** Called for every cell this drone searched (simulator bookkeeping). */
  readonly onCovered?: (cells: readonly number[], atMs: number) => void;
}

/**
 * A copter sent a new target runs on along its old heading before it turns: 25.7 m at 10 m/s (fence.md,
 * measured alike in the simulated vehicle, test/sim/vehicle-run-on.test.ts). A waypoint within this (plus the
 * clearance) of a zone is flown to a stop instead of by: ArduCopter brakes into its target, so the turn for
 * the next leg starts from where it was planned.
 */
const RUN_ON_M = 26;
const ZONE_CLEARANCE_M = 10;
/** Reached when stopping at a waypoint, metres. */
const STOP_M = 2;
/**
 * A member is helped (and helps) only while the newest fact it made is this fresh, seconds (at least 2.5 status
 * periods): a member silent for longer may be cut off and still flying its lanes, and its remainder waits for
 * membership, unless it alone went silent (see lookForHelp).
 */
const ASSIST_FRESH_S = 90;
/** A finished drone looks again for someone to help at most this often, seconds (the view changes slowly). */
const ASSIST_EVERY_S = 10;

export class SearchAgent {
  activity: Activity = 'idle';
  /** Cells known searched, by anyone. */
  readonly covered = new Set<number>();
  /** Cells searched, by the member that searched them. */
  private readonly coveredBy = new Map<NodeId, Set<number>>();
  /** Members whose unsearched cells were handed to the others in the current plan. */
  private orphanOwners = new Set<NodeId>();
  readonly victims: VictimFact[] = [];
  /** Blocked roads and hazards known (reported by anyone): one seen again is not reported twice. */
  private readonly roads: RoadFact[] = [];
  private readonly hazards: HazardFact[] = [];
  private searchableSet: Set<number>;
  private readonly statusOf = new Map<NodeId, StatusFact>();
  private pendingCells: number[] = [];
  private path: readonly LocalPoint[] = [];
  private wp = 0;
  private onLane = false;
  private replanWanted = true;
  /** The view the current plan was made from (searchers, orphaned members, their frozen coverage). */
  private planKey = '';
  private lastPos: LocalPoint | undefined;
  private stopped = false;
  private caughtErrors = 0;
  private readonly unsubscribes: (() => void)[] = [];
  /** Operators' orders and missions, and this drone's answers (commands.ts). */
  private readonly desk: OperatorDesk;
  private timers: TimerHandle[] = [];
  private lastStatus = -Infinity;
  private lastCoverage = -Infinity;
  private plannedOnce = false;
  /** The take-off plan (src/sectors/takeoff.ts), made once per mission. */
  private plan0: TakeOff | undefined;
  /** The way to the current waypoint went round a no-fly zone. */
  private detoured = false;
  /** The far end of a slower member's remainder this drone, its own work done, is searching (sectors/assist.ts). */
  private assisting: AssistChunk | undefined;
  private lastAssistLook = -Infinity;
  /** Unsearched cells of the current plan: others' reports over them trigger a new plan that skips them. */
  private plannedCells = new Set<number>();
  /** Reports from others over this drone's planned cells, so far (part of the plan's key). */
  private foreignReports = 0;
  /** Newest mission time of any fact each member made itself (status, coverage, sighting): when it was last alive. */
  private readonly lastMadeS = new Map<NodeId, number>();

  /** The no-fly zones known: the mission's and the operator's (see airspace.ts). */
  readonly airspace: Airspace;
  /** The zones in the flight controller's geofence (airspace-fence.ts). */
  readonly fence: FenceKeeper | undefined;
  /** Flying to points round the zones (flight.ts). */
  private readonly flight: Flight;

  // not readonly: a mission from the ground station replaces the searchable cells and launch sites
  constructor(private o: SearchAgentOptions) {
    this.searchableSet = new Set(o.searchable);
    this.desk = new OperatorDesk({ self: o.self, frame: o.frame, isOperator: o.isOperator ?? (() => false), ...(o.nofly ? { zones: o.nofly } : {}) });
    this.airspace = new Airspace(o.nofly ?? [], o.isOperator);
    this.fence = o.geofence === false ? undefined : new FenceKeeper({ vehicle: o.vehicle, frame: o.frame, airspace: this.airspace, clock: o.clock, log: o.log });
    this.flight = new Flight({
      vehicle: o.vehicle,
      frame: o.frame,
      altitudeM: o.altitudeM,
      clock: o.clock,
      log: o.log,
      airspace: this.airspace,
      fence: this.fence,
      transitSpeed: () => this.transitSpeed(),
      stopped: () => this.stopped,
      position: () => this.position(),
      detoured: () => {
        this.onLane = false;
        this.detoured = true;
      },
    });
  }

  private transitSpeed(): number {
    return Math.max(this.o.cruiseSpeedMps, this.o.transitSpeedMps ?? this.o.cruiseSpeedMps);
  }

  /** Where a member takes off (the same on every agent: mission and roster only). */
  private launchOf(id: NodeId): LocalPoint {
    return this.baseline().launchOf(id);
  }

  /**
   * The whole roster's take-off plan: fixed for the mission, the same on every agent and at the ground
   * station (it depends only on the mission and the roster).
   */
  private baseline(): TakeOff {
    this.plan0 ??= takeOffPlan({
      frame: this.o.frame,
      searchable: this.o.searchable,
      roster: this.o.roster,
      cruiseSpeedMps: this.o.cruiseSpeedMps,
      ...(this.o.transitSpeedMps === undefined ? {} : { transitSpeedMps: this.o.transitSpeedMps }),
      ...(this.o.launchSites ? { launchSites: this.o.launchSites } : {}),
      ...(this.o.nofly ? { nofly: this.o.nofly } : {}),
      ...(this.o.priority ? { priority: this.o.priority } : {}),
      ...(this.o.laneAxis ? { laneAxis: this.o.laneAxis } : {}),
    });
    return this.plan0;
  }

  /** Facts learned from the mesh. */
  learn(facts: readonly Fact[]): void {
    for (const f of facts) {
      if (!mayAct(f, this.o.isOperator)) continue;
      if (f.origin !== this.o.self && f.t > (this.lastMadeS.get(f.origin) ?? -Infinity)) this.lastMadeS.set(f.origin, f.t);
      if (this.desk.learn(f, this.canObey())) this.replanWanted = true;
      // a zone drawn or withdrawn: plan again at once (the flight loops poll replanWanted)
      if (this.airspace.learn(f)) {
        this.replanWanted = true;
        this.o.log.info('no-fly zones changed', { zones: this.airspace.zones().length });
      }
      switch (f.kind) {
        case 'coverage': {
          let mine = this.coveredBy.get(f.origin);
          if (!mine) this.coveredBy.set(f.origin, (mine = new Set()));
          for (const c of f.cells) {
            this.covered.add(c);
            mine.add(c);
          }
          // a late report from a member whose remainder was handed out changes that remainder
          if (this.orphanOwners.has(f.origin)) this.replanWanted = true;
          // another drone searched lanes this one still meant to fly (a helper at the far end of its remainder,
          // or the member it helps): plan again without them
          if (f.origin !== this.o.self && f.cells.filter((c) => this.plannedCells.has(c)).length >= 2) {
            this.foreignReports++;
            this.replanWanted = true;
          }
          break;
        }
        case 'victim':
          this.victims.push(f);
          break;
        case 'road':
          this.roads.push(f);
          break;
        case 'hazard':
          this.hazards.push(f);
          break;
        case 'status': {
          const prev = this.statusOf.get(f.origin);
          if (!prev || prev.t < f.t || (prev.t === f.t && prev.seq < f.seq)) this.statusOf.set(f.origin, f);
          if (!prev || prev.activity !== f.activity) this.replanWanted = true;
          break;
        }
        default:
          break;
      }
    }
    this.adoptMission();
    for (const a of this.desk.takeAcks()) this.publish({ kind: 'ack', origin: this.o.self, seq: this.o.nextSeq(), t: this.t(), target: a.target, result: a.result });
  }

  /** An operator's order other than "search" is in force (recall, land, hold). */
  private get recalled(): boolean {
    return this.desk.order !== 'search';
  }

  /** Whether this drone can carry out an operator's order now (else it answers "refused"). */
  private canObey(): boolean {
    return this.activity !== 'fc_lost' && this.activity !== 'override' && !this.stopped;
  }

  /** A newer mission from the ground station: its cells replace the searchable area, and every agent re-plans alike. */
  private adoptMission(): void {
    const m = this.desk.takeMission();
    if (!m) return;
    this.o = { ...this.o, searchable: m.searchable, priority: m.priority, ...(m.launch.length ? { launchSites: m.launch } : {}) };
    this.searchableSet = new Set(m.searchable);
    this.plan0 = undefined;
    this.plannedOnce = false;
    this.replanWanted = true;
    this.o.log.info('mission adopted', { version: m.version, cells: m.searchable.length });
  }

  /** The mesh's membership changed (someone suspected, dead or back). */
  membershipChanged(): void {
    this.replanWanted = true;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.o.clock.clearInterval(t);
    this.timers = [];
    for (const off of this.unsubscribes.splice(0)) off();
  }

  private now(): number {
    return this.o.clock.now();
  }

  private t(): number {
    return Math.max(0, missionSeconds(this.o.frame, this.now()));
  }

  private position(): LocalPoint | undefined {
    const p = this.o.vehicle.telemetry.state.position;
    if (!p) return undefined;
    return toLocal(this.o.frame, p.lat, p.lon);
  }

  /** What this drone knows of its team now (see roles.ts). */
  private teamView(): TeamView {
    return {
      self: this.o.self,
      roster: this.o.roster,
      activity: this.activity,
      live: this.o.mesh.liveMembers(),
      suspects: this.o.mesh.suspectMembers?.() ?? [],
      statusOf: this.statusOf,
      lastMadeS: this.lastMadeS,
      now: this.t(),
    };
  }

  /**
   * The plan, in two layers that every agent computes alike: (1) the whole searchable area divided among the
   * whole roster, once and for all, so a member's own sector never moves under it; (2) the unsearched part
   * of orphaned members' sectors divided among the members still searching. Layer 2 subtracts only the
   * orphaned members' own coverage, which stops changing when they stop, so every agent soon holds the same
   * view of it; survivors' coverage, always a little behind on air, never moves a boundary. Each drone then
   * flies its own sector first, then its share of the orphans, skipping every cell it knows is searched.
   */
  private replan(): void {
    this.replanWanted = false;
    const { recipients, orphaned } = this.o.redivide ? roles(this.teamView()) : { recipients: [...this.o.roster], orphaned: [] };
    const helping = this.assisting ? `${this.assisting.owner}:${this.assisting.cells.length}` : '';
    const key = `${recipients.join(',')}|${orphaned.join(',')}|${orphaned.map((id) => this.coveredBy.get(id)?.size ?? 0).join(',')}|${this.airspace.version}|${this.foreignReports}|${helping}`;
    if (this.plannedOnce && key === this.planKey) return;
    this.plannedOnce = true;
    this.planKey = key;
    this.orphanOwners = new Set(orphaned);
    const here = this.position() ?? { x: 0, y: 0 };
    const takeOff = this.baseline();
    const base = takeOff.plan;
    // cells an operator's zone closed are left out like searched ones: the take-off plan stays the same everywhere
    const closed = this.airspace.closedCells(this.o.frame, this.o.searchable);
    const share: readonly number[] = recipients.includes(this.o.self)
      ? (handOver({ frame: this.o.frame, takeOff, recipients, orphaned, coveredBy: (id) => this.coveredBy.get(id), closed }).get(this.o.self) ?? [])
      : [];
    const laneEnd = this.path[this.wp];
    const covered = searchedForPlan({
      frame: this.o.frame,
      covered: this.covered,
      closed,
      here,
      laneEnd: this.onLane && this.activity === 'searching' && laneEnd && this.position() ? laneEnd : undefined,
    });
    const route = ownRoute({ frame: this.o.frame, self: this.o.self, takeOff, share, covered, here, assisting: this.assisting });
    if (route.ownWork) this.stopAssisting();
    this.plannedCells = new Set(route.cells);
    const zones = this.airspace.zones();
    const reached = reachLaneEnds(route.work, {
      zones,
      cellSize: this.o.frame.cellSize,
      axis: base.axis,
      searchableAt: (p) => this.searchableAt(p),
    });
    // lanes through cells close to a zone moved aside or cut short to keep the clearance (lane-clearance.ts)
    this.path = keepLanesClear(reached, zones, base.axis, this.o.frame.cellSize);
    this.wp = 0;
    this.onLane = false;
    this.o.log.info('plan', {
      searching: recipients.length,
      orphaned,
      waypoints: this.path.length,
      share: share.length,
      // metres still to fly: own sector (from here), then the share (from the sector's end)
      ownM: Math.round(route.ownM),
      shareM: Math.round(route.shareM),
    });
  }

  /** Own work (a sector, a lost member's share) came back while helping: that comes first. */
  private stopAssisting(): void {
    if (!this.assisting) return;
    this.assisting = undefined;
    if (this.activity === 'transit') {
      this.activity = 'searching';
      this.status();
    }
  }

  /**
   * Own sector done: the far end of a slower live member's remainder, if one is worth the flight (see
   * sectors/assist.ts). The drone stays 'transit' to the others while it helps, so every finished drone
   * counts it among the helpers and picks a different piece. True when it has lanes to fly.
   */
  private lookForHelp(force = false): boolean {
    if (!this.o.redivide || this.recalled || this.stopped || this.batteryLow()) return false;
    const nowS = this.t();
    if (!force && nowS - this.lastAssistLook < ASSIST_EVERY_S) return false;
    this.lastAssistLook = nowS;
    const here = this.position();
    if (!here) return false;
    const fresh = Math.max(ASSIST_FRESH_S, 2.5 * (this.o.statusEveryS ?? 30));
    const view = this.teamView();
    const { recipients, orphaned } = roles(view);
    const takeOff = this.baseline();
    const closed = this.airspace.closedCells(this.o.frame, this.o.searchable);
    const shares = orphaned.length ? handOver({ frame: this.o.frame, takeOff, recipients, orphaned, coveredBy: (id) => this.coveredBy.get(id), closed }) : new Map<NodeId, number[]>();
    const { owners, helpers } = assistParties({ ...view, now: nowS }, here, recipients, fresh, (id) =>
      [...(takeOff.plan.sectors.get(id) ?? []), ...(shares.get(id) ?? [])].filter((c) => !this.covered.has(c) && !closed.has(c)),
    );
    if (!owners.length) return false;
    const mine = assistChunks({
      frame: this.o.frame,
      axis: takeOff.plan.axis,
      ranks: takeOff.ranks,
      owners,
      helpers,
      cruiseSpeedMps: this.o.cruiseSpeedMps,
      transitSpeedMps: this.transitSpeed(),
    }).get(this.o.self);
    if (!mine) return false;
    if (this.activity !== 'transit') {
      this.activity = 'transit';
      this.status();
    }
    this.assisting = mine;
    this.replan();
    // own work came back meanwhile (a lost member's share): replan() took it instead
    if (!this.assisting) return this.wp < this.path.length;
    if (this.wp >= this.path.length) {
      this.assisting = undefined;
      return false;
    }
    this.o.log.info('helping a slower member', { member: mine.owner, cells: mine.cells.length });
    return true;
  }

  /** Are cells left that nobody is known to have searched (cells an operator's zone closed excepted)? */
  private unsearchedLeft(): boolean {
    if (this.covered.size >= this.searchableSet.size) return false;
    const closed = this.airspace.closedCells(this.o.frame, this.o.searchable);
    for (const c of this.searchableSet) if (!this.covered.has(c) && !closed.has(c)) return true;
    return false;
  }

  private overridden(): boolean {
    return this.o.vehicle.telemetry.state.control === 'override';
  }

  private batteryLow(): boolean {
    const remaining = this.o.vehicle.telemetry.state.battery?.remaining ?? -1;
    return remaining >= 0 && remaining <= this.o.batteryReturnPct;
  }

  /** Is the cell under p searchable (false off the frame's grid)? */
  private searchableAt(p: LocalPoint): boolean {
    const f = this.o.frame;
    if (p.x < 0 || p.y < 0 || p.x >= f.cols * f.cellSize) return false;
    return this.searchableSet.has(cellIndex(f, p));
  }

  private publish(f: Fact): void {
    // stopped: the radio and the sequence files are closed (a publish then failed with 'The value of "fd" is out of range')
    if (this.stopped) return;
    try {
      this.o.mesh.publish(f);
    } catch (err) {
      // one fact that cannot go on air must not end the sortie: it is logged and counted
      this.caughtErrors++;
      this.o.log.error('fact not published', { kind: f.kind, err: err as Error, count: this.caughtErrors });
      return;
    }
    this.learn([f]);
  }

  private status(): void {
    const f = statusFact({
      self: this.o.self,
      state: this.o.vehicle.telemetry.state,
      here: this.position(),
      launch: () => this.launchOf(this.o.self),
      seq: this.o.nextSeq(),
      t: this.t(),
      activity: this.activity,
      sectorIndex: () => this.baseline().sectorIndex(this.o.self),
    });
    this.publish(f);
    this.lastStatus = this.now();
  }

  private flushCoverage(): void {
    this.lastCoverage = this.now();
    if (this.pendingCells.length === 0) return;
    const chunks = coverageChunks(this.pendingCells);
    this.pendingCells = [];
    for (const cells of chunks) this.publish({ kind: 'coverage', origin: this.o.self, seq: this.o.nextSeq(), t: this.t(), cells });
  }

  /**
   * Timer callbacks never throw: an exception there would end the process (and a drone's agent with it). It is
   * logged and counted, and the next tick runs as usual.
   */
  private guarded(what: string, fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (err) {
        this.caughtErrors++;
        this.o.log.error(`${what} failed`, { err: err as Error, count: this.caughtErrors });
      }
    };
  }

  /** Errors caught in the agent's timers and in publishing, so far (each logged as it happened). */
  get caughtErrorCount(): number {
    return this.caughtErrors;
  }

  /** Once a second: coverage and detections along the last second's track, status and coverage reports. */
  private tick(): void {
    if (this.stopped) return;
    const pos = this.position();
    if (pos) this.sweepTo(pos);
    if (pos && this.fence && !this.fence.inStep()) void this.fence.sync(pos).catch((err: unknown) => this.o.log.error('geofence load failed', { err: err as Error }));
    if (this.now() - this.lastCoverage >= (this.o.coverageEveryS ?? 20) * 1000 || this.pendingCells.length >= 200) this.flushCoverage();
    if (this.now() - this.lastStatus >= (this.o.statusEveryS ?? 30) * 1000) this.status();
  }

  /** The camera's track since the last sample: coverage and detections, on search lanes only. */
  private sweepTo(pos: LocalPoint): void {
    if (this.lastPos && this.onLane && (this.activity === 'searching' || (this.assisting && this.activity === 'transit'))) {
      const cells = sweptCells(this.o.frame, this.lastPos, pos, this.o.sweepWidthM).filter((c) => this.searchableSet.has(c));
      const fresh = cells.filter((c) => !this.covered.has(c));
      if (cells.length) this.o.onCovered?.(cells, this.now());
      for (const c of fresh) this.covered.add(c);
      this.pendingCells.push(...fresh);
      for (const d of this.o.sensor.sweep(this.lastPos, pos)) this.sighting(d);
      for (const g of this.o.sensor.observe?.(this.lastPos, pos) ?? []) this.groundSeen(g);
    }
    this.lastPos = pos;
  }

  private sighting(d: Detection): void {
    if (knownVictim(this.victims, d, this.o.sameVictimM ?? 15)) {
      this.o.onDetection?.(d, undefined);
      return;
    }
    const f = victimFact(d, this.o.self, this.o.nextSeq(), this.t());
    this.publish(f);
    this.o.onDetection?.(d, f);
  }

  /** A blocked road or a hazard in view: reported unless someone already did (same place, same kind). */
  private groundSeen(g: GroundObservation): void {
    const f = groundFact(g, { roads: this.roads, hazards: this.hazards }, this.o.self, this.t(), () => this.o.nextSeq());
    if (f) this.publish(f);
  }

  private async goHome(why: string): Promise<void> {
    this.activity = 'returning';
    this.flushCoverage();
    this.status();
    this.o.log.info('returning home', { why });
    // ArduCopter's RTL flies straight home, through any zone: fly home in GUIDED round the zones (re-routing if
    // one is drawn on the way), and RTL only above home, where it just lands. An operator's resume turns a
    // recalled drone round on the way.
    const home = this.flight.homePoint();
    const resumed = () => why === 'recalled by operator' && !this.recalled;
    const r = home ? await this.flight.reachSafely(home, 250, resumed) : 'reached';
    if (this.stopped || r === 'interrupted') return;
    await this.o.vehicle.action.rtl();
  }

  /**
   * Sector searched: go home at transit speed in GUIDED (round no-fly zones), then land with RTL, standing by
   * all the while: a member lost later hands this drone a share of its sector. True when it has one (back to
   * search), false when it is home or has been recalled, stopped or taken over.
   */
  private async standBy(): Promise<boolean> {
    const v = this.o.vehicle;
    this.activity = 'transit';
    this.status();
    this.o.log.info('returning home', { why: 'sector searched' });
    const shareArrived = (): boolean => {
      if (this.replanWanted) {
        this.replan();
        if (this.wp < this.path.length) {
          this.activity = 'searching';
          this.status();
          this.o.log.info("back to search: a share of a lost member's sector");
          return true;
        }
      }
      return this.lookForHelp();
    };
    const home = this.flight.homePoint();
    if (home && this.position()) {
      let back = false;
      const interrupt = () => this.recalled || (back = shareArrived());
      await this.flight.reachSafely(home, 500, interrupt);
      if (back) return true;
      // recalled on the way: home the same way round the zones, never by RTL from here
      if (this.recalled && !this.stopped && v.telemetry.state.control !== 'override') {
        await this.goHome('recalled by operator');
        return false;
      }
      if (this.stopped || v.telemetry.state.control === 'override') return false;
      // Hover over home while cells are still unsearched in this drone's view: a member lost now, noticed only
      // after its silence times out, hands its remainder to those still in the air; landed, nobody would fly it.
      while (!this.stopped && this.unsearchedLeft() && !this.batteryLow()) {
        await sleep(this.o.clock, 2000);
        if (this.overridden()) return false;
        if (this.recalled) {
          await this.goHome('recalled by operator');
          return false;
        }
        if (shareArrived()) return true;
      }
    }
    await v.action.rtl();
    while (!this.stopped && v.telemetry.state.armed && this.activity === 'transit') {
      await sleep(this.o.clock, 2000);
      if (this.recalled || v.telemetry.state.control === 'override') return false;
      if (shareArrived()) {
        await this.flight.guided();
        return true;
      }
    }
    if (!v.telemetry.state.armed) {
      this.activity = 'landed';
      this.status();
    }
    return false;
  }

  /**
   * Lanes are flown at search speed; the legs to a lane, where the camera has nothing to search, at transit
   * speed when they are long. ArduCopter applies a new speed from the next target on.
   */
  private async paceFor(target: LocalPoint): Promise<void> {
    const p = this.position();
    const leg = p ? Math.hypot(target.x - p.x, target.y - p.y) : 0;
    const toLaneStart = this.wp % 2 === 0;
    await this.flight.setPace(toLaneStart && leg > 2 * this.o.frame.cellSize ? this.transitSpeed() : this.o.cruiseSpeedMps);
  }

  /**
   * A pilot or the autopilot took control: the agent stops commanding and says which, so the swarm takes
   * this drone's remainder over (roles() orphans both) and the operator sees a failsafe as a failsafe.
   */
  private yieldTo(o: OverrideInfo | undefined): void {
    this.activity = o?.reason === 'failsafe' ? 'failsafe' : 'override';
    this.status();
    if (this.activity === 'failsafe') this.o.log.warn('yielding: autopilot failsafe took control', { failsafe: o?.failsafe, text: o?.text, mode: o?.to });
    else this.o.log.warn('yielding: mode changed by a pilot or another ground station', { override: o });
    // a failsafe text may trail the mode change by a moment: report the corrected cause when it comes
    const off = this.o.vehicle.telemetry.onOverride((n) => {
      if (n.reason !== 'failsafe' || (this.activity === 'failsafe' && n.failsafe === o?.failsafe)) return;
      if (this.activity === 'override') {
        this.activity = 'failsafe';
        this.status();
      }
      this.o.log.warn('autopilot failsafe named', { failsafe: n.failsafe, text: n.text, mode: n.to });
    });
    this.unsubscribes.push(off);
  }

  /**
   * An autopilot failsafe whose action is RTL (low battery, lost radio) wants the drone home, but ArduCopter's
   * RTL flies straight there, through any zone in the way (and its geofence then brakes it inside). When the
   * straight line home crosses a zone, the agent does what the failsafe asks the way the agent's own returns do
   * it: home round the zones in GUIDED, then RTL above home to land. It stays 'failsafe' for the swarm (its
   * remainder is shared out), and a later failsafe action (a critical battery's LAND) takes over again.
   */
  private async failsafeHomeRoundZones(o: OverrideInfo | undefined): Promise<void> {
    const v = this.o.vehicle;
    if (o?.reason !== 'failsafe' || o.to !== 'RTL' || o.failsafe === 'fence' || this.stopped || !v.telemetry.state.armed) return;
    const here = this.position();
    const home = this.flight.homePoint();
    if (!here || !home || !this.airspace.zones().some((z) => legEntersZone(here, home, z) || legDistanceToZone(here, home, z) < ZONE_CLEARANCE_M)) return;
    this.o.log.warn('failsafe RTL would cross a no-fly zone: flying home round it', { failsafe: o.failsafe });
    v.resumeControl();
    await this.flight.guided();
    const r = await this.flight.reachSafely(home, 250, () => false);
    if (r === 'reached' && !this.stopped && v.telemetry.state.control !== 'override') await v.action.rtl();
  }

  /**
   * Arms and climbs to the search altitude in GUIDED. A booting or busy autopilot (a link that drops while its
   * EKF waits for home, a pre-arm check still failing) is no reason to stay on the ground for the whole
   * mission: the drone reports itself idle and tries again every 10 s; false when recalled or stopped meanwhile.
   */
  private async takeOff(): Promise<boolean> {
    const { vehicle: v, clock, log } = this.o;
    await this.flight.guided();
    for (let attempt = 1; ; attempt++) {
      const armed = await v.action.arm({ waitArmableMs: 180_000 });
      if (this.stopped) return false;
      if (armed.ok) break;
      log.error('cannot arm', { result: armed.result, texts: armed.texts, attempt, retryInS: 10 });
      if (this.activity !== 'idle') {
        this.activity = 'idle';
        this.status();
      }
      await sleep(clock, 10_000);
      if (this.stopped || this.recalled) return false;
      if (v.telemetry.state.control === 'override' && !v.telemetry.state.armed) v.resumeControl();
      await this.flight.guided();
    }
    this.activity = 'launching';
    await this.flight.guided();
    const took = await v.action.takeoff(this.o.altitudeM);
    if (!took.ok) log.warn('takeoff refused', { result: took.result });
    await v.telemetry.waitFor((s) => (s.position?.relAlt ?? 0) >= this.o.altitudeM - 2, 60_000);
    this.flight.forgetSpeed();
    return true;
  }

  /** Carries out the operator's order in force: home (round the zones), land where it is, or hold. */
  private async obey(): Promise<void> {
    const order = this.desk.order;
    if (order === 'rtl') return this.goHome('recalled by operator');
    this.flushCoverage();
    this.activity = order === 'land' ? 'returning' : 'transit';
    this.status();
    this.o.log.info('operator order', { order });
    if (order === 'land') await this.o.vehicle.action.land();
    else {
      const here = this.o.vehicle.telemetry.state.position;
      if (here) await this.o.vehicle.action.gotoLocation(here.lat, here.lon, this.o.altitudeM);
    }
  }

  /**
   * Waits while an order other than "search" is in force (reporting 'idle' once down); true when an operator
   * resumed the search and the drone is back in the air under the agent's control.
   */
  private async resumed(): Promise<boolean> {
    const v = this.o.vehicle;
    while (!this.stopped && this.recalled) {
      if (v.telemetry.state.control === 'override') return false;
      // on the ground under an order it is 'idle' (ready), not 'landed' (its sector done): the others keep its
      // remainder in their plans (roles() hands an idle member's cells out, never a landed one's)
      if (this.activity !== 'idle' && !v.telemetry.state.armed) {
        this.activity = 'idle';
        this.status();
      }
      await sleep(this.o.clock, 1000);
    }
    if (this.stopped || v.telemetry.state.control === 'override') return false;
    this.o.log.info('search resumed by operator', { wasLanded: !v.telemetry.state.armed });
    if (v.telemetry.state.armed) await this.flight.guided();
    else if (!(await this.takeOff())) return false;
    this.activity = 'searching';
    // a fresh plan from here: the one in force was cut mid-lane, and its next waypoint is that lane's far end
    this.plannedOnce = false;
    this.replanWanted = true;
    this.status();
    return true;
  }

  /** The whole sortie; resolves when the drone is home, yielded, or stopped. */
  async run(): Promise<void> {
    const { vehicle: v, clock, log } = this.o;
    this.timers.push(clock.setInterval(this.guarded('tick', () => this.tick()), 1000));
    this.activity = 'launching';
    this.status();
    // Drones powered up together would report in step and collide on air: each keeps its own phase
    // (golden-ratio spacing over the ids spreads any roster evenly).
    const phase = (this.o.self * 0.6180339887) % 1;
    this.lastCoverage = this.now() - phase * (this.o.coverageEveryS ?? 20) * 1000;
    this.lastStatus = this.now() - phase * (this.o.statusEveryS ?? 30) * 1000;
    // ArduCopter resets the mode to STABILIZE at the end of its boot (~2.5 s): take the mode after that.
    await v.telemetry.waitFor((s) => s.link === 'connected' && s.systemStatus !== 'BOOT' && s.systemStatus !== 'UNINIT', 120_000);
    if (this.stopped) return;
    await sleep(clock, 2000);
    if (this.stopped) return;
    if (v.telemetry.state.control === 'override' && !v.telemetry.state.armed) {
      log.info('taking control on the ground after the boot-time mode reset');
      v.resumeControl();
    }
    if (!(await this.takeOff())) return;
    this.activity = 'searching';
    this.status();
    while (!this.stopped) {
      const s = v.telemetry.state;
      if (s.control === 'override' && (await this.flight.reclaimFromFence())) continue;
      if (s.control === 'override') {
        this.yieldTo(s.override);
        await this.failsafeHomeRoundZones(s.override);
        return;
      }
      if (this.recalled) {
        await this.obey();
        if (await this.resumed()) continue;
        return;
      }
      if (this.batteryLow()) return this.goHome('battery low');
      if (this.replanWanted || !this.plannedOnce) this.replan();
      if (this.wp >= this.path.length) {
        // My sector is searched. Taking over cells that others are still flying would only search them
        // twice (their newest coverage is always a little behind), so go home in 'transit': the others keep
        // counting this drone in the plan and do not re-divide for it.
        this.flushCoverage();
        this.assisting = undefined;
        if (this.lookForHelp(true)) continue;
        if (await this.standBy()) continue;
        if (this.recalled && (await this.resumed())) continue;
        return;
      }
      const target = this.path[this.wp]!;
      // a lane (to an odd waypoint) runs where the searchable cells are, which keep their own distance from the
      // zones: only a leg between lanes is held to the routing clearance
      const detour = await this.flight.detourFor(target, 250, () => this.replanWanted || this.recalled, this.wp % 2 === 1 ? 0 : undefined);
      if (detour === 'refused') await sleep(clock, 1000);
      if (detour !== 'reached') continue;
      await this.paceFor(target);
      const ll = toLatLon(this.o.frame, target);
      const r = await v.action.gotoLocation(ll.lat, ll.lon, this.o.altitudeM);
      if (!r.ok && r.result !== 'SENT') {
        await sleep(clock, 1000);
        continue;
      }
      // fly until there, or until something asks for a new plan
      const reachedM = this.airspace.near(target, RUN_ON_M + ZONE_CLEARANCE_M) ? STOP_M : REACHED_M;
      for (;;) {
        await sleep(clock, 250);
        if (this.stopped || this.replanWanted || this.recalled) break;
        if (v.telemetry.state.control === 'override') break;
        const p = this.position();
        // Fly-by: the camera sees 27 m either side, so a waypoint within 10 m is reached (no full stop)
        if (p && Math.hypot(p.x - target.x, p.y - target.y) < reachedM) {
          // reaching an even waypoint starts a lane, an odd one ends it (a one-cell lane does both)
          this.sweepTo(p);
          // a lane met side-on at the end of a detour is joined via a point a little way along it (see leadInPoint)
          const entry = this.detoured && this.wp % 2 === 0 ? leadInPoint(this.path, this.wp) : undefined;
          this.detoured = false;
          if (this.wp % 2 === 0) {
            this.onLane = true;
            this.lastPos = undefined;
            this.sweepTo(p);
            this.sweepTo(p);
          } else this.onLane = false;
          this.wp++;
          // on the lane already: searching on the way, at the pace in force
          if (entry) await this.flight.flyTo(entry, 250, () => this.replanWanted || this.recalled, 'as-is');
          break;
        }
      }
    }
  }
}
