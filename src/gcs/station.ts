/**
 * The ground station's node: a mesh member that never flies. It merges every fact heard into its map
 * (durably, before anything is shown), turns operator actions into facts of its own node id, and
 * publishes them to the mesh. The web server and the IP sync observe it through `onChange`.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DiskStore } from '../map/disk-store.js';
import { actorFor, MAX_NOTES, type MapDocument, type MapSchema } from '../map/document.js';
import type * as A from '@automerge/automerge';
import { openNodeSequences } from '../wire/sequence-file.js';
import { factProblem } from '../wire/fact-check.js';
import { factKey, parseFactKey, type Fact, type NodeId, type Outcome } from '../wire/facts.js';
import { localMetres, missionSeconds, type AreaFrame, type LocalPoint } from '../wire/frame-of-reference.js';
import type { MeshPort } from './mesh-port.js';
import { MAX_NOTE_TEXT } from '../map/annotation.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { OrderDelivery, type DeliverySettings } from './order-delivery.js';
import { SectorWatch } from './sector-view.js';
import type { TakeOffInput } from '../sectors/index.js';

/** [longitude, latitude], as the page (and GeoJSON) speaks. */
export type LonLat = [number, number];

export type OperatorAction =
  | { action: 'victim'; target: string; outcome: 'confirmed' | 'rescued' | 'false_alarm' }
  | { action: 'road_clear'; target: string }
  | { action: 'road_block'; path: LonLat[]; severity?: 'partial' | 'impassable' }
  | { action: 'hazard_resolve'; target: string }
  | { action: 'search_area'; ring: LonLat[] }
  | { action: 'nofly'; ring: LonLat[] }
  | { action: 'recall'; target: NodeId }
  | { action: 'resume'; target: NodeId }
  | { action: 'land'; target: NodeId }
  | { action: 'note'; pos: LonLat; text: string };

export class ActionError extends Error {}

export interface TimelineEntry {
  readonly id: string;
  readonly kind: Fact['kind'];
  readonly origin: NodeId;
  readonly t: number;
  /** Unix ms when this station merged it. */
  readonly mergedMs: number;
  readonly summary: string;
}

export interface StationOptions {
  readonly nodeId: NodeId;
  readonly frame: AreaFrame;
  readonly dataDir: string;
  readonly mesh: MeshPort;
  readonly clock?: () => number;
  /**
   * Timers for the heartbeat and the repeats of unanswered orders (default: real time; a simulation passes its
   * own clock, whose now() should then be `clock`).
   */
  readonly timers?: Clock;
  /** How unanswered orders are repeated (order-delivery.ts). */
  readonly delivery?: DeliverySettings;
  /** Own status (heartbeat) period in ms; 0 disables. Default 30 s. */
  readonly statusEveryMs?: number;
  /** Where the station stands (local metres), for its status facts. */
  readonly position?: LocalPoint;
  /** Where damage found in the data directory is reported (default: stderr). */
  readonly warn?: (line: string) => void;
  /**
   * The node's fact sequence when the radio side already opened it (its attestations take seqs from it too):
   * one sequence per file, never two. Default: opened here from dataDir.
   */
  readonly factSequence?: { take(): number };
  /** The mission the drones were started with and their roster: the station then draws the sectors they fly. */
  readonly sectors?: TakeOffInput;
}

export type ChangeListener = (fresh: readonly Fact[]) => void;

const TIMELINE_MAX = 500;

/** Real-time timers that do not keep the process alive on their own (the server and the radio do). */
function backgroundTimers(): Clock {
  let next = 1;
  const live = new Map<number, NodeJS.Timeout>();
  const clear = (h: TimerHandle | undefined) => {
    if (h) clearTimeout(live.get(h.id));
    if (h) live.delete(h.id);
  };
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      live.set(id, setTimeout(() => (live.delete(id), fn()), ms).unref());
      return { id };
    },
    setInterval(fn, ms) {
      const id = next++;
      live.set(id, setInterval(fn, ms).unref());
      return { id };
    },
    clearTimeout: clear,
    clearInterval: clear,
  };
}

export function describe(f: Fact): string {
  switch (f.kind) {
    case 'victim':
      return `victim: ${f.count} ${f.condition} (${f.confidence}%) at ${f.pos.x},${f.pos.y}`;
    case 'road':
      return `road ${f.severity} (${f.path.length} points)`;
    case 'hazard':
      return `hazard ${f.hazard} r=${f.radius} m`;
    case 'supersede':
      return `${f.outcome} → ${factKey(f.target)}`;
    case 'coverage':
      return `coverage: ${f.cells.length} cells`;
    case 'status':
      return `status: ${f.activity}, battery ${f.battery}%`;
    case 'area':
      return `${f.role} area (${f.rings[0]?.length ?? 0} points)`;
    case 'command':
      return `${f.action} → ${f.target === 0 ? 'all' : `node ${f.target}`}`;
    case 'ack':
      return `${f.result} ${factKey(f.target)}`;
    case 'mission':
      return `mission v${f.version} (${f.areas.length} areas, ${f.launch.length} launch points)`;
    case 'attest':
      return `attestation of ${f.count} facts`;
  }
}

export class GroundStation {
  readonly map: MapDocument;
  readonly store: DiskStore;
  readonly nodeId: NodeId;
  readonly frame: AreaFrame;
  readonly mesh: MeshPort;
  /** What was found damaged on disk at start, one line each. */
  readonly storageWarnings: readonly string[];
  private readonly seq: { take(): number };
  private readonly clock: () => number;
  private readonly listeners = new Set<ChangeListener>();
  private readonly timeline: TimelineEntry[] = [];
  private readonly unsubscribe: () => void;
  private readonly heartbeat: TimerHandle | undefined;
  private readonly timers: Clock;
  /** Repeats the operator's orders until every drone they concern has answered. */
  readonly delivery: OrderDelivery;
  private readonly position: LocalPoint;
  private noteCounter = 0;
  /** The drones' sectors (absent: the station does not know the mission's roster). */
  readonly sectors: SectorWatch | undefined;

  constructor(opts: StationOptions) {
    this.nodeId = opts.nodeId;
    this.frame = opts.frame;
    this.mesh = opts.mesh;
    this.clock = opts.clock ?? Date.now;
    this.sectors = opts.sectors ? new SectorWatch(opts.sectors) : undefined;
    // facts carry whole metres
    this.position = opts.position ? { x: Math.round(opts.position.x), y: Math.round(opts.position.y) } : { x: 0, y: 0 };
    const opened = DiskStore.open(join(opts.dataDir, 'map'), actorFor(opts.nodeId, randomBytes(8)));
    this.map = opened.map;
    this.store = opened.store;
    this.storageWarnings = opened.warnings;
    for (const w of opened.warnings) (opts.warn ?? ((line: string) => console.warn(line)))(w);
    this.seq = opts.factSequence ?? openNodeSequences(opts.dataDir).facts;
    const now = this.clock();
    for (const f of [...this.map.facts()].sort((a, b) => a.t - b.t).slice(-TIMELINE_MAX)) this.record(f, now);
    this.timers = opts.timers ?? backgroundTimers();
    this.delivery = new OrderDelivery({
      timers: this.timers,
      resend: (id) => this.mesh.resend?.(id),
      drones: () => this.drones(),
      ...(opts.delivery ? { settings: opts.delivery } : {}),
    });
    // orders of a station restarted with the same map: followed again until answered
    this.delivery.heard([...this.map.facts()]);
    this.delivery.gave([...this.map.facts()].filter((f) => f.origin === this.nodeId));
    this.unsubscribe = this.mesh.onFacts((facts) => this.merge(facts));
    const every = opts.statusEveryMs ?? 30_000;
    if (every > 0) {
      this.heartbeat = this.timers.setInterval(() => this.publishStatus(), every);
      this.publishStatus();
    }
  }

  onChange(cb: ChangeListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Facts heard from the mesh (or from elsewhere): merged, made durable, then announced. */
  merge(facts: readonly Fact[]): Fact[] {
    const valid = facts.filter((f) => factProblem(f) === undefined);
    const fresh = this.map.ingest(valid);
    if (fresh.length) this.afterChange(fresh);
    return fresh;
  }

  /** Another map document (an IP peer's) merged in. */
  mergeDoc(doc: A.Doc<MapSchema>): Fact[] {
    const notesBefore = this.map.annotations().length;
    const fresh = this.map.merge(doc);
    if (fresh.length) this.afterChange(fresh);
    else if (this.map.annotations().length !== notesBefore) {
      this.store.flush(this.map);
      for (const cb of this.listeners) cb([]);
    }
    return fresh;
  }

  private afterChange(fresh: readonly Fact[]): void {
    this.store.flush(this.map);
    this.delivery.heard(fresh);
    const now = this.clock();
    for (const f of fresh) this.record(f, now);
    for (const cb of this.listeners) cb(fresh);
  }

  private record(f: Fact, mergedMs: number): void {
    this.timeline.push({ id: factKey(f), kind: f.kind, origin: f.origin, t: f.t, mergedMs, summary: describe(f) });
    if (this.timeline.length > TIMELINE_MAX) this.timeline.splice(0, this.timeline.length - TIMELINE_MAX);
  }

  recentFacts(limit = 200): TimelineEntry[] {
    return this.timeline.slice(-limit).reverse();
  }

  /** Mission seconds now, by this station's clock. */
  missionNow(): number {
    return missionSeconds(this.frame, this.clock());
  }

  private base(): { origin: NodeId; seq: number; t: number } {
    return { origin: this.nodeId, seq: this.seq.take(), t: Math.max(0, missionSeconds(this.frame, this.clock())) };
  }

  private local(p: LonLat): LocalPoint {
    if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') throw new ActionError('a position must be [lon, lat]');
    return localMetres(this.frame, p[1], p[0]);
  }

  private target(key: string, kinds: readonly Fact['kind'][]): Fact {
    const f = typeof key === 'string' ? this.map.get(key) : undefined;
    if (!f || !kinds.includes(f.kind)) throw new ActionError(`no ${kinds.join('/')} fact ${String(key)}`);
    return f;
  }

  private supersede(target: Fact, outcome: Outcome): Fact {
    return { kind: 'supersede', ...this.base(), target: parseFactKey(factKey(target)), outcome };
  }

  private ring(ring: LonLat[]): LocalPoint[] {
    if (!Array.isArray(ring) || ring.length < 3) throw new ActionError('an area needs at least 3 points');
    const pts = ring.map((p) => this.local(p));
    const last = pts[pts.length - 1]!;
    if (pts.length > 3 && last.x === pts[0]!.x && last.y === pts[0]!.y) pts.pop(); // closed ring from the page
    return pts;
  }

  /** Turns an operator action into facts of this node, merges and publishes them. */
  act(a: OperatorAction): Fact[] {
    let facts: Fact[];
    switch (a?.action) {
      case 'victim':
        if (!['confirmed', 'rescued', 'false_alarm'].includes(a.outcome)) throw new ActionError(`unknown victim outcome ${String(a.outcome)}`);
        facts = [this.supersede(this.target(a.target, ['victim']), a.outcome)];
        break;
      case 'road_clear':
        facts = [this.supersede(this.target(a.target, ['road']), 'cleared')];
        break;
      case 'hazard_resolve':
        facts = [this.supersede(this.target(a.target, ['hazard']), 'resolved')];
        break;
      case 'road_block':
        if (!Array.isArray(a.path) || a.path.length < 2) throw new ActionError('a road needs at least 2 points');
        facts = [{ kind: 'road', ...this.base(), path: a.path.map((p) => this.local(p)), severity: a.severity === 'partial' ? 'partial' : 'impassable' }];
        break;
      case 'search_area': {
        // a new search area is a new mission version: the drones adopt it and re-plan
        const area: Fact = { kind: 'area', ...this.base(), role: 'search', rings: [this.ring(a.ring)], priority: 1 };
        facts = [area, this.nextMission([area])];
        break;
      }
      case 'nofly':
        facts = [{ kind: 'area', ...this.base(), role: 'nofly', rings: [this.ring(a.ring)], priority: 1 }];
        break;
      case 'recall':
      case 'resume':
      case 'land':
        if (!Number.isInteger(a.target) || a.target < 0) throw new ActionError('target must be a node id or 0 for all');
        facts = [{ kind: 'command', ...this.base(), target: a.target, action: a.action === 'recall' ? 'rtl' : a.action }];
        break;
      case 'note': {
        const text = String(a.text ?? '').trim();
        if (!text) throw new ActionError('a note needs text');
        if (text.length > MAX_NOTE_TEXT) throw new ActionError(`a note holds at most ${MAX_NOTE_TEXT} characters (this one has ${text.length})`);
        const pos = this.local(a.pos);
        if (this.map.annotations().length >= MAX_NOTES) throw new ActionError(`the map already holds ${MAX_NOTES} notes, the most it keeps`);
        this.map.annotate({ id: `${this.nodeId}:${this.clock()}:${++this.noteCounter}`, author: this.nodeId, t: this.base().t, pos, text });
        this.store.flush(this.map);
        for (const cb of this.listeners) cb([]);
        return [];
      }
      default:
        throw new ActionError(`unknown action ${JSON.stringify((a as { action?: unknown })?.action)}`);
    }
    return this.publishChecked(facts);
  }

  /**
   * The mission that follows the one in force with these search areas: the zones and priority regions in
   * force stay, and so do the launch points.
   */
  nextMission(search: readonly Fact[], launch?: readonly LocalPoint[]): Fact {
    const state = this.map.state();
    const keep = [...state.noFly, ...state.priority].slice(0, Math.max(0, 16 - search.length));
    return {
      kind: 'mission', ...this.base(), version: Math.min(0xffff, (state.mission?.version ?? 0) + 1),
      areas: [...search, ...keep].map((f) => ({ origin: f.origin, seq: f.seq })),
      launch: launch ?? state.mission?.launch ?? [],
    };
  }

  /**
   * Publishes a mission plan's areas and the mission fact that lists them, as the next version: what
   * `murmur gcs --plan` does at start when the map holds no mission yet.
   */
  publishMission(areas: readonly { role: 'search' | 'nofly' | 'priority'; rings: readonly (readonly LonLat[])[]; priority?: number }[], launch: readonly LonLat[]): Fact[] {
    const facts: Fact[] = areas.map((a) => ({ kind: 'area', ...this.base(), role: a.role, rings: a.rings.map((r) => this.ring([...r])), priority: a.priority ?? 1 }));
    const state = this.map.state();
    facts.push({
      kind: 'mission', ...this.base(), version: Math.min(0xffff, (state.mission?.version ?? 0) + 1),
      areas: facts.map((f) => ({ origin: f.origin, seq: f.seq })), launch: launch.map((p) => this.local(p)),
    });
    return this.publishChecked(facts);
  }

  /** Facts the operator made: each must be able to go on air, then into the map and onto the mesh. */
  private publishChecked(facts: Fact[]): Fact[] {
    for (const f of facts) {
      const problem = factProblem(f);
      if (problem) throw new ActionError(problem);
    }
    this.merge(facts);
    this.mesh.publish(facts);
    this.delivery.gave(facts);
    return facts;
  }

  private publishStatus(): void {
    const f: Fact = {
      kind: 'status', ...this.base(), pos: this.position, alt: 0, battery: 100, mode: 0, armed: false,
      activity: 'ground_station', sector: -1, heading: 0,
    };
    this.merge([f]);
    this.mesh.publish([f]);
  }

  /** The drones on the mesh: members that report flight (not stations), not known gone. */
  drones(): NodeId[] {
    const gone = new Set(this.mesh.stats().members.filter((m) => m.state === 'gone').map((m) => m.id));
    return this.map.state().members.filter((m) => m.last.activity !== 'ground_station' && !gone.has(m.id)).map((m) => m.id);
  }

  async close(): Promise<void> {
    this.timers.clearInterval(this.heartbeat);
    this.delivery.close();
    this.unsubscribe();
    this.store.flush(this.map);
    this.store.close();
  }
}
