/**
 * The sectors the drones fly, as the station sees them: the mission's take-off plan computed with the same
 * function and inputs the agents use (src/sectors/takeoff.ts), re-made when a newer mission is in force, and
 * the shares of lost members' remainders handed over, judged from what the station hears (statuses, coverage
 * by origin, membership), as each agent judges it from what it hears. Outlines go to the page as GeoJSON.
 */
import { cellOutline, handOver, labelPoint, searchableCells, takeOffPlan, type Polygon, type TakeOff, type TakeOffInput } from '../sectors/index.js';
import { inOrNearZone, NOFLY_CLEARANCE_M } from '../sectors/grid.js';
import { cellCentre } from '../wire/frame-of-reference.js';
import { factKey, type Activity, type AreaFact, type Fact, type NodeId } from '../wire/facts.js';
import type { MapState } from '../map/state.js';
import { position, type Feature } from '../map/geojson.js';
import type { MemberHealth } from './mesh-port.js';

/** A suspected member's remainder is handed over after this much silence (the agents' SUSPICION_ACTS_AFTER_S). */
const SUSPICION_ACTS_AFTER_S = 300;

export interface SectorRow {
  readonly member: NodeId;
  /** Its sector in the take-off plan (0-based; the page shows S1, S2, …). */
  readonly sector: number;
  readonly cells: number;
  /** Cells of lost members' sectors it has taken over. */
  readonly shareCells: number;
  /** Its remainder is handed to the others (lost, recalled, yielded; not while nobody is searching to take it). */
  readonly orphaned: boolean;
}

export interface SectorPicture {
  readonly features: Feature[];
  readonly rows: SectorRow[];
  /** The mission the plan was made for (0: the one the drones were started with). */
  readonly missionVersion: number;
}

/** Who searches and whose remainder is orphaned, by the agents' rule (search-agent.ts roles()). */
export function sectorRoles(
  roster: readonly NodeId[], state: MapState, health: ReadonlyMap<NodeId, MemberHealth>, nowT: number,
): { recipients: NodeId[]; orphaned: NodeId[] } {
  const recipients: NodeId[] = [];
  const orphaned: NodeId[] = [];
  for (const id of roster) {
    const m = state.members.find((x) => x.id === id);
    const activity: Activity | undefined = m?.last.activity;
    const h = health.get(id)?.state;
    const silentMidSector = h === 'suspect' && m !== undefined && nowT - m.last.t >= SUSPICION_ACTS_AFTER_S && (activity === 'launching' || activity === 'searching');
    // never heard or declared dead: the agents hold it lost too
    const alive = m !== undefined && h !== 'gone' && !silentMidSector;
    if (alive && (activity === 'launching' || activity === 'searching' || activity === 'transit')) recipients.push(id);
    else if (!alive || activity === 'returning' || activity === 'override' || activity === 'failsafe' || activity === 'fc_lost' || activity === 'idle') orphaned.push(id);
  }
  return { recipients, orphaned };
}

export class SectorWatch {
  private takeOff: { key: string; plan: TakeOff; searchable: readonly number[] } | undefined;
  private closed: { key: string; cells: ReadonlySet<number> } | undefined;
  private last: { key: string; picture: SectorPicture } | undefined;

  /** `base`: the mission the drones were started with and their roster. */
  constructor(readonly base: TakeOffInput) {}

  /** The take-off plan of the mission in force: a newer mission's areas replace the area, as the agents adopt it (commands.ts). */
  private plan(state: MapState, get: (key: string) => Fact | undefined): { key: string; plan: TakeOff; searchable: readonly number[]; version: number } {
    const m = state.mission;
    const areas = m ? m.areas.map((id) => get(factKey(id))) : [];
    const complete = m !== undefined && areas.every((a) => a?.kind === 'area');
    const search = complete ? (areas as AreaFact[]).filter((a) => a.role === 'search') : [];
    const key = m && search.length ? factKey(m) : 'base';
    if (this.takeOff?.key !== key) {
      let input = this.base;
      if (m && search.length) {
        // zones known when the mission was made stay zones (the agents keep every zone they know)
        const zones = state.noFly.filter((z) => z.t <= m.t).map((z) => z.rings as Polygon);
        input = {
          ...this.base,
          searchable: searchableCells(this.base.frame, search.map((a) => a.rings as Polygon), [...(this.base.nofly ?? []), ...zones]),
          priority: (areas as AreaFact[]).filter((a) => a.role === 'priority').map((a) => a.rings as Polygon),
          ...(m.launch.length ? { launchSites: m.launch } : {}),
        };
      }
      this.takeOff = { key, plan: takeOffPlan(input), searchable: input.searchable };
    }
    return { ...this.takeOff, version: key === 'base' ? 0 : m!.version };
  }

  picture(state: MapState, facts: Iterable<Fact>, get: (key: string) => Fact | undefined, health: ReadonlyMap<NodeId, MemberHealth>, nowT: number): SectorPicture {
    const { key: planKey, plan: takeOff, searchable, version } = this.plan(state, get);
    // cells the operators' zones closed are handed to no one, as the agents leave them out (airspace.ts)
    const zonesKey = `${planKey}|${state.noFly.map((z) => factKey(z)).join(',')}`;
    if (this.closed?.key !== zonesKey) {
      const zones = state.noFly.map((z) => z.rings as Polygon);
      const cells = new Set<number>();
      if (zones.length) for (const c of searchable) if (inOrNearZone(cellCentre(this.base.frame, c), zones, NOFLY_CLEARANCE_M)) cells.add(c);
      this.closed = { key: zonesKey, cells };
    }
    const closed = this.closed.cells;
    const { recipients, orphaned } = sectorRoles(this.base.roster, state, health, nowT);
    const coveredBy = new Map<NodeId, Set<number>>();
    if (orphaned.length)
      for (const f of facts) {
        if (f.kind !== 'coverage' || !orphaned.includes(f.origin)) continue;
        let s = coveredBy.get(f.origin);
        if (!s) coveredBy.set(f.origin, (s = new Set()));
        for (const c of f.cells) s.add(c);
      }
    const key = `${zonesKey}|${recipients.join(',')}|${orphaned.join(',')}|${orphaned.map((id) => coveredBy.get(id)?.size ?? 0).join(',')}`;
    if (this.last?.key === key) return this.last.picture;
    const shares = handOver({ frame: this.base.frame, takeOff, recipients, orphaned, coveredBy: (id) => coveredBy.get(id), closed });
    const frame = this.base.frame;
    // before anyone takes off every drone is 'idle', which the agents count as orphaned: nobody takes anything
    const handedOver = (id: NodeId) => recipients.length > 0 && orphaned.includes(id);
    const features: Feature[] = [];
    const rows: SectorRow[] = [];
    const outline = (id: NodeId, cells: readonly number[], kind: 'own' | 'share', sector: number) => {
      const at = labelPoint(frame, cells);
      if (!at) return;
      const [lon, lat] = position(frame, at);
      features.push({
        type: 'Feature',
        id: `sector-${kind}-${id}`,
        geometry: { type: 'MultiLineString', coordinates: cellOutline(frame, cells).map((ring) => ring.map((p) => position(frame, p))) },
        properties: { layer: 'sector', kind, member: id, sector, orphaned: handedOver(id), labelLon: lon, labelLat: lat },
      });
    };
    for (const id of [...this.base.roster].sort((a, b) => a - b)) {
      const sector = takeOff.sectorIndex(id);
      const own = takeOff.plan.sectors.get(id) ?? [];
      const share = shares.get(id) ?? [];
      outline(id, own, 'own', sector);
      if (share.length) outline(id, share, 'share', sector);
      rows.push({ member: id, sector, cells: own.length, shareCells: share.length, orphaned: handedOver(id) });
    }
    const picture = { features, rows, missionVersion: version };
    this.last = { key, picture };
    return picture;
  }
}
