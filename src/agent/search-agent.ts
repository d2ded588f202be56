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
import { missionSeconds, toLatLon, toLocal } from '../wire/frame-of-reference.js';
import type { Activity, CommandFact, Fact, NodeId, StatusFact, VictimFact } from '../wire/facts.js';
import { planSectors, sweptCells } from '../sectors/index.js';
import type { Vehicle } from '../vehicle/vehicle.js';
import type { Detection } from '../sim/sensors/camera.js';

/** What the agent needs from the mesh (the gossip node behind a link, or the simulator's radio). */
export interface MeshPort {
  /** Hands a fact this drone created to the gossip engine. */
  publish(fact: Fact): void;
  /** Members the membership view does not consider dead (self included). */
  liveMembers(): readonly NodeId[];
}

export interface Sensor {
  /** Detections while the camera swept a → b (local metres). */
  sweep(a: LocalPoint, b: LocalPoint): Detection[];
}

export interface SearchAgentOptions {
  readonly self: NodeId;
  readonly roster: readonly NodeId[];
  readonly frame: AreaFrame;
  readonly searchable: readonly number[];
  readonly sweepWidthM: number;
  readonly altitudeM: number;
  readonly cruiseSpeedMps: number;
  readonly batteryReturnPct: number;
  /** false: fly the take-off plan and never re-divide (the pre-flight-plan baseline). */
  readonly redivide: boolean;
  readonly clock: Clock;
  readonly vehicle: Vehicle;
  readonly mesh: MeshPort;
  readonly sensor: Sensor;
  readonly nextSeq: () => number;
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

const SEARCHING: ReadonlySet<Activity> = new Set(['launching', 'searching', 'transit']);

export class SearchAgent {
  activity: Activity = 'idle';
  /** Cells known searched, by anyone. */
  readonly covered = new Set<number>();
  readonly victims: VictimFact[] = [];
  private readonly searchableSet: Set<number>;
  private readonly statusOf = new Map<NodeId, StatusFact>();
  private pendingCells: number[] = [];
  private path: readonly LocalPoint[] = [];
  private wp = 0;
  private onLane = false;
  private replanWanted = true;
  private planMembers = '';
  private lastPos: LocalPoint | undefined;
  private stopped = false;
  private recalled = false;
  private timers: TimerHandle[] = [];
  private lastStatus = -Infinity;
  private lastCoverage = -Infinity;
  private plannedOnce = false;

  constructor(private readonly o: SearchAgentOptions) {
    this.searchableSet = new Set(o.searchable);
  }

  /** Facts learned from the mesh. */
  learn(facts: readonly Fact[]): void {
    for (const f of facts) {
      switch (f.kind) {
        case 'coverage':
          for (const c of f.cells) this.covered.add(c);
          break;
        case 'victim':
          this.victims.push(f);
          break;
        case 'status': {
          const prev = this.statusOf.get(f.origin);
          if (!prev || prev.t < f.t || (prev.t === f.t && prev.seq < f.seq)) this.statusOf.set(f.origin, f);
          if (prev && SEARCHING.has(prev.activity) !== SEARCHING.has(f.activity)) this.replanWanted = true;
          break;
        }
        case 'command':
          if ((f.target === 0 || f.target === this.o.self) && f.action === 'rtl') this.recalled = true;
          break;
        default:
          break;
      }
    }
  }

  /** The mesh's membership changed (someone suspected, dead or back). */
  membershipChanged(): void {
    this.replanWanted = true;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.o.clock.clearInterval(t);
    this.timers = [];
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

  /** Members the plan is divided among: the roster, minus the dead and those no longer searching. */
  private searchers(): NodeId[] {
    if (!this.o.redivide) return [...this.o.roster];
    const live = new Set(this.o.mesh.liveMembers());
    return this.o.roster.filter((id) => {
      if (id === this.o.self) return SEARCHING.has(this.activity);
      if (!live.has(id)) return false;
      const s = this.statusOf.get(id);
      return !s || SEARCHING.has(s.activity);
    });
  }

  private replan(): void {
    const members = this.searchers();
    const key = members.join(',');
    this.replanWanted = false;
    if (this.plannedOnce && (!this.o.redivide || (key === this.planMembers && this.wp < this.path.length))) return;
    this.plannedOnce = true;
    this.planMembers = key;
    const here = this.position() ?? { x: 0, y: 0 };
    // Blocks go out in member-id order, so equal views give equal plans whatever positions each has heard;
    // only the corner this drone starts from depends on where it is.
    const plan = planSectors({
      frame: this.o.frame,
      searchable: this.o.searchable,
      covered: this.covered,
      orderBy: 'id',
      members: members.map((id) => ({ id, pos: id === this.o.self ? here : { x: 0, y: 0 } })),
    });
    this.path = plan.paths.get(this.o.self) ?? [];
    this.wp = 0;
    this.onLane = false;
    this.o.log.info('plan', { members: members.length, waypoints: this.path.length, remaining: plan.remaining });
  }

  private publish(f: Fact): void {
    this.o.mesh.publish(f);
    this.learn([f]);
  }

  private status(): void {
    const s = this.o.vehicle.telemetry.state;
    const pos = this.position() ?? { x: 0, y: 0 };
    const f: StatusFact = {
      kind: 'status',
      origin: this.o.self,
      seq: this.o.nextSeq(),
      t: this.t(),
      pos: { x: Math.round(pos.x), y: Math.round(pos.y) },
      alt: Math.max(-1000, Math.min(10000, Math.round(s.position?.relAlt ?? 0))),
      battery: Math.max(0, Math.min(100, Math.round(s.battery?.remaining ?? 0))),
      mode: Math.max(0, Math.min(255, s.customMode ?? 0)),
      armed: s.armed ?? false,
      activity: this.activity,
      sector: -1,
      heading: Math.round((((s.heading ?? 0) % 360) + 360) % 360) % 360,
    };
    this.publish(f);
    this.lastStatus = this.now();
  }

  private flushCoverage(): void {
    this.lastCoverage = this.now();
    if (this.pendingCells.length === 0) return;
    const cells = [...new Set(this.pendingCells)].sort((a, b) => a - b);
    this.pendingCells = [];
    // a coverage fact carries at most 1,000 cells, so one always fits a packet after run-length coding
    for (let i = 0; i < cells.length; i += 1000)
      this.publish({ kind: 'coverage', origin: this.o.self, seq: this.o.nextSeq(), t: this.t(), cells: cells.slice(i, i + 1000) });
  }

  /** Once a second: coverage and detections along the last second's track, status and coverage reports. */
  private tick(): void {
    if (this.stopped) return;
    const pos = this.position();
    if (pos) this.sweepTo(pos);
    if (this.now() - this.lastCoverage >= (this.o.coverageEveryS ?? 60) * 1000 || this.pendingCells.length >= 200) this.flushCoverage();
    if (this.now() - this.lastStatus >= (this.o.statusEveryS ?? 30) * 1000) this.status();
  }

  /** The camera's track since the last sample: coverage and detections, on search lanes only. */
  private sweepTo(pos: LocalPoint): void {
    if (this.lastPos && this.onLane && this.activity === 'searching') {
      const cells = sweptCells(this.o.frame, this.lastPos, pos, this.o.sweepWidthM).filter((c) => this.searchableSet.has(c));
      const fresh = cells.filter((c) => !this.covered.has(c));
      if (cells.length) this.o.onCovered?.(cells, this.now());
      for (const c of fresh) this.covered.add(c);
      this.pendingCells.push(...fresh);
      for (const d of this.o.sensor.sweep(this.lastPos, pos)) this.sighting(d);
    }
    this.lastPos = pos;
  }

  private sighting(d: Detection): void {
    const near = this.o.sameVictimM ?? 15;
    if (this.victims.some((v) => Math.hypot(v.pos.x - d.pos.x, v.pos.y - d.pos.y) <= near)) {
      this.o.onDetection?.(d, undefined);
      return;
    }
    const f: VictimFact = {
      kind: 'victim',
      origin: this.o.self,
      seq: this.o.nextSeq(),
      t: this.t(),
      pos: d.pos,
      count: d.count,
      condition: d.condition,
      confidence: d.confidence,
    };
    this.publish(f);
    this.o.onDetection?.(d, f);
  }

  private async goHome(why: string): Promise<void> {
    this.activity = 'returning';
    this.flushCoverage();
    this.status();
    this.o.log.info('returning home', { why });
    await this.o.vehicle.action.rtl();
  }

  /** The whole sortie; resolves when the drone is on its way home, yielded, or stopped. */
  async run(): Promise<void> {
    const { vehicle: v, clock, log } = this.o;
    this.timers.push(clock.setInterval(() => this.tick(), 1000));
    this.activity = 'launching';
    this.status();
    // ArduCopter resets the mode to STABILIZE at the end of its boot (~2.5 s): take the mode after that.
    await v.telemetry.waitFor((s) => s.link === 'connected' && s.systemStatus !== 'BOOT' && s.systemStatus !== 'UNINIT', 120_000);
    await sleep(clock, 2000);
    if (v.telemetry.state.control === 'override' && !v.telemetry.state.armed) {
      log.info('taking control on the ground after the boot-time mode reset');
      v.resumeControl();
    }
    await v.action.setMode('GUIDED');
    const armed = await v.action.arm({ waitArmableMs: 180_000 });
    if (!armed.ok) {
      log.error('cannot arm', { result: armed.result, texts: armed.texts });
      this.activity = 'idle';
      this.status();
      return;
    }
    await v.action.setMode('GUIDED');
    const took = await v.action.takeoff(this.o.altitudeM);
    if (!took.ok) log.warn('takeoff refused', { result: took.result });
    await v.telemetry.waitFor((s) => (s.position?.relAlt ?? 0) >= this.o.altitudeM - 2, 60_000);
    await v.action.setSpeed(this.o.cruiseSpeedMps);
    this.activity = 'searching';
    this.status();
    while (!this.stopped) {
      const s = v.telemetry.state;
      if (s.control === 'override') {
        this.activity = 'override';
        this.status();
        log.warn('yielding: mode changed by pilot or failsafe', { override: s.override });
        return;
      }
      if (this.recalled) return this.goHome('recalled by operator');
      const remaining = s.battery?.remaining ?? -1;
      if (remaining >= 0 && remaining <= this.o.batteryReturnPct) return this.goHome('battery low');
      if (this.replanWanted || !this.plannedOnce) this.replan();
      if (this.wp >= this.path.length) {
        if (this.o.redivide) {
          // my sector is done: see whether anything is left for me after re-dividing what remains
          this.planMembers = '';
          this.replan();
          if (this.path.length > 0) continue;
        }
        this.flushCoverage();
        return this.goHome('sector searched');
      }
      const target = this.path[this.wp]!;
      const ll = toLatLon(this.o.frame, target);
      const r = await v.action.gotoLocation(ll.lat, ll.lon, this.o.altitudeM);
      if (!r.ok && r.result !== 'SENT') {
        await sleep(clock, 1000);
        continue;
      }
      // fly until there, or until something asks for a new plan
      for (;;) {
        await sleep(clock, 250);
        if (this.stopped || this.replanWanted || this.recalled) break;
        if (v.telemetry.state.control === 'override') break;
        const p = this.position();
        if (p && Math.hypot(p.x - target.x, p.y - target.y) < 2.5) {
          // reaching an even waypoint starts a lane, an odd one ends it (a one-cell lane does both)
          this.sweepTo(p);
          if (this.wp % 2 === 0) {
            this.onLane = true;
            this.lastPos = undefined;
            this.sweepTo(p);
            this.sweepTo(p);
          } else this.onLane = false;
          this.wp++;
          break;
        }
      }
    }
  }
}
