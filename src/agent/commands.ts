/**
 * What the operators ask of this drone, and its answers. Pure: facts in; the order in force, the mission to
 * adopt and the acknowledgements to send out.
 *
 * - Orders: the newest command that concerns this drone (its own id or 0 = all; by time, then fact id) is
 *   the order in force: rtl, land, hold, or resume (search again). A recall is undone by a later resume.
 * - Mission: the highest-version mission fact whose area facts are all known is adopted once; an older one
 *   is refused. Its search areas (with their holes) and no-fly zones give the cells to search.
 * - Acknowledgements: one per operator fact that concerns this drone (command, no-fly zone, mission), sent once.
 *   Only the newest command is answered: a drone that boots late does not spend airtime on old orders.
 */
import { compareFactIds, factKey, type AckResult, type AreaFact, type CommandAction, type CommandFact, type Fact, type FactId, type MissionFact, type NodeId } from '../wire/facts.js';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { searchableCells, type Polygon } from '../sectors/index.js';

export type Order = Exclude<CommandAction, 'resume'> | 'search';

export interface Ack {
  readonly target: FactId;
  readonly result: AckResult;
}

/** A mission adopted: what the drone searches from now on. */
export interface AdoptedMission {
  readonly version: number;
  readonly searchable: number[];
  readonly launch: readonly LocalPoint[];
  /** The mission's priority regions (searched first). */
  readonly priority: readonly Polygon[];
  readonly nofly: readonly Polygon[];
}

export interface OperatorDeskOptions {
  readonly self: NodeId;
  readonly frame: AreaFrame;
  /** Whether a node may command (its role in the keyring, see src/wire/authority.ts). */
  readonly isOperator: (id: NodeId) => boolean;
  /** Zones the drone was started with (they are no facts, and stay zones whatever the mission). */
  readonly zones?: readonly Polygon[];
}

const later = (a: Fact, b: Fact): boolean => (a.t !== b.t ? a.t > b.t : compareFactIds(a, b) > 0);

export class OperatorDesk {
  private latest: CommandFact | undefined;
  private readonly answered = new Set<string>();
  private readonly areas = new Map<string, AreaFact>();
  private readonly withdrawn = new Set<string>();
  private newest: MissionFact | undefined;
  private adopted: MissionFact | undefined;
  private pending: AdoptedMission | undefined;
  /** Acknowledgements waiting to be sent. */
  private outbox: Ack[] = [];

  constructor(private readonly o: OperatorDeskOptions) {}

  /** The order in force ('search' until an operator says otherwise, and after a resume). */
  get order(): Order {
    const a = this.latest?.action;
    return a === undefined || a === 'resume' ? 'search' : a;
  }

  /** The command in force, if any. */
  get command(): CommandFact | undefined {
    return this.latest;
  }

  /** Takes in a fact heard or made; true when the order in force or the mission changed. */
  learn(f: Fact, canAct: boolean): boolean {
    if (f.origin === this.o.self || !this.o.isOperator(f.origin)) return false;
    switch (f.kind) {
      case 'command': {
        if (f.target !== 0 && f.target !== this.o.self) return false;
        if (this.latest && !later(f, this.latest)) return false;
        const before = this.order;
        this.latest = f;
        this.answer(f, canAct ? 'accepted' : 'refused');
        return this.order !== before;
      }
      case 'area':
        this.areas.set(factKey(f), f);
        // a zone is answered on its own; search areas and priority regions through the mission that lists them
        if (f.role === 'nofly') this.answer(f, 'accepted');
        return this.tryAdopt();
      case 'mission':
        if (this.newest && (f.version < this.newest.version || (f.version === this.newest.version && !later(f, this.newest)))) {
          this.answer(f, 'refused');
          return false;
        }
        this.newest = f;
        return this.tryAdopt();
      case 'supersede':
        if (f.outcome === 'withdrawn') this.withdrawn.add(factKey(f.target));
        return false;
      default:
        return false;
    }
  }

  /** The mission adopted since the last call, once. */
  takeMission(): AdoptedMission | undefined {
    const m = this.pending;
    this.pending = undefined;
    return m;
  }

  /** Acknowledgements to send, once each. */
  takeAcks(): Ack[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /** The version of the mission adopted (0: the one the drone was started with). */
  get missionVersion(): number {
    return this.adopted?.version ?? 0;
  }

  private answer(f: FactId, result: AckResult): void {
    const key = factKey(f);
    if (this.answered.has(key)) return;
    this.answered.add(key);
    this.outbox.push({ target: { origin: f.origin, seq: f.seq }, result });
  }

  private tryAdopt(): boolean {
    const m = this.newest;
    if (!m || m === this.adopted) return false;
    const parts = m.areas.map((id) => this.areas.get(factKey(id)));
    if (parts.some((a) => a === undefined)) return false; // waits for its areas to arrive
    const areas = parts as AreaFact[];
    const search = areas.filter((a) => a.role === 'search').map((a) => a.rings as Polygon);
    if (search.length === 0) {
      this.answer(m, 'refused');
      return false;
    }
    // every zone known stays a zone: the mission's and any drawn since that was not withdrawn
    const nofly = [...(this.o.zones ?? []), ...[...this.areas.values()].filter((a) => a.role === 'nofly' && !this.withdrawn.has(factKey(a))).map((a) => a.rings as Polygon)];
    this.adopted = m;
    const priority = areas.filter((a) => a.role === 'priority').map((a) => a.rings as Polygon);
    this.pending = { version: m.version, searchable: searchableCells(this.o.frame, search, nofly), launch: m.launch, nofly, priority };
    this.answer(m, 'accepted');
    return true;
  }
}
