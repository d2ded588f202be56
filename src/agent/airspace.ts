/**
 * The no-fly zones a drone knows: the mission's, and those an operator draws at any time (gossiped `area`
 * facts with role 'nofly' from an operator, withdrawn by an operator's `supersede`). The agent routes round them, gives up the searchable
 * cells they close, and leaves one by the shortest way out if it ever finds itself inside. Pure: facts in,
 * geometry out.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { cellCentre } from '../wire/frame-of-reference.js';
import { factKey, type Fact, type NodeId } from '../wire/facts.js';
import { mayAct } from '../wire/authority.js';
import { inOrNearZone, NOFLY_CLEARANCE_M, pointInPolygon, type Polygon } from '../sectors/grid.js';
import { distanceToZone } from '../sectors/route.js';

/** Inside a zone's outer ring (a hole does not make a point safe to fly: it is surrounded by the zone). */
export const insideZone = (p: LocalPoint, zone: Polygon): boolean => pointInPolygon(p, [zone[0] ?? []]);

/**
 * Deceleration of a copter re-targeted in GUIDED, m/s²: it runs on along its old heading v²/(2a) before it
 * turns, 17.2 m at 8 m/s and 25.7 m at 10 m/s in fence.md (a = 1.86 and 1.95).
 */
export const RUN_ON_DECEL_MPS2 = 1.9;

/** Where a copter at p moving at (vNorth, vEast) m/s comes to a stop when sent elsewhere. */
export function stoppingPoint(p: LocalPoint, vNorth: number, vEast: number): LocalPoint {
  const v = Math.hypot(vNorth, vEast);
  if (v < 0.5) return p;
  const d = (v * v) / (2 * RUN_ON_DECEL_MPS2);
  return { x: p.x + (vEast / v) * d, y: p.y + (vNorth / v) * d };
}

export class Airspace {
  /** Zones drawn by an operator, by fact key. */
  private readonly drawn = new Map<string, Polygon>();
  private readonly withdrawn = new Set<string>();
  private closedCache: { version: number; cells: ReadonlySet<number> } | undefined;
  /** Changes whenever the set of zones does: plans and routes made under an older version are stale. */
  version = 0;
  /** Zone facts ignored because their origin may not command. */
  refused = 0;

  constructor(
    private readonly mission: readonly Polygon[],
    /** Who may draw or withdraw a zone (the keyring's operators; see wire/authority.ts). */
    private readonly isOperator: ((id: NodeId) => boolean) | undefined,
  ) {}

  /** Takes in a fact; true when it changed the zones. */
  learn(f: Fact): boolean {
    if (f.kind === 'area' && f.role === 'nofly') {
      const key = factKey(f);
      if (!mayAct(f, this.isOperator)) {
        this.refused++;
        return false;
      }
      if (this.drawn.has(key) || this.withdrawn.has(key) || f.rings.length === 0 || (f.rings[0]?.length ?? 0) < 3) return false;
      this.drawn.set(key, f.rings);
      this.version++;
      return true;
    }
    if (f.kind === 'supersede' && f.outcome === 'withdrawn') {
      const key = factKey(f.target);
      if (!mayAct(f, this.isOperator) || this.withdrawn.has(key)) return false;
      this.withdrawn.add(key);
      if (!this.drawn.delete(key)) return false;
      this.version++;
      return true;
    }
    return false;
  }

  /** Every zone in force: the mission's, then the operator's in the order they arrived. */
  zones(): Polygon[] {
    return [...this.mission, ...this.drawn.values()];
  }

  /** Is p inside a zone or within `m` metres of one? */
  near(p: LocalPoint, m: number): boolean {
    return this.zones().some((z) => insideZone(p, z) || distanceToZone(p, z) < m);
  }

  /** The zone p is inside, if any. */
  containing(p: LocalPoint): Polygon | undefined {
    return this.zones().find((z) => insideZone(p, z));
  }

  /**
   * Searchable cells an operator's zone closed (centre inside or within NOFLY_CLEARANCE_M, as the mission's
   * zones close cells in searchableCells): they are left unsearched, like cells already searched.
   */
  closedCells(frame: AreaFrame, searchable: readonly number[]): ReadonlySet<number> {
    if (this.closedCache?.version === this.version) return this.closedCache.cells;
    const zones = [...this.drawn.values()];
    const cells = new Set<number>();
    if (zones.length) for (const c of searchable) if (inOrNearZone(cellCentre(frame, c), zones, NOFLY_CLEARANCE_M)) cells.add(c);
    this.closedCache = { version: this.version, cells };
    return cells;
  }

  /**
   * The shortest way out of every zone from p: the nearest point on a zone's boundary, carried `marginM` on
   * outward, that is clear of all zones by the margin. p itself when it is in none.
   */
  wayOut(p: LocalPoint, marginM: number): LocalPoint {
    const zones = this.zones();
    if (!zones.some((z) => insideZone(p, z))) return p;
    const candidates: LocalPoint[] = [];
    for (const zone of zones) {
      const ring = zone[0] ?? [];
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const a = ring[j]!;
        const b = ring[i]!;
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const len2 = dx * dx + dy * dy;
        if (len2 === 0) continue;
        const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
        const q = { x: a.x + t * dx, y: a.y + t * dy };
        // outward: away from p across the edge when p is inside; both normals are tried, the zone test decides
        const len = Math.sqrt(len2);
        for (const s of [1, -1]) {
          const n = { x: (s * dy) / len, y: (-s * dx) / len };
          candidates.push({ x: q.x + n.x * marginM, y: q.y + n.y * marginM });
        }
      }
    }
    const clear = (c: LocalPoint) => !zones.some((z) => insideZone(c, z) || distanceToZone(c, z) < marginM * 0.99);
    const d = (c: LocalPoint) => Math.hypot(c.x - p.x, c.y - p.y);
    const ok = candidates.filter(clear).sort((a, b) => d(a) - d(b));
    if (ok[0]) return ok[0];
    // nothing clear by the whole margin (zones packed close): the nearest point outside all of them
    const outside = candidates.filter((c) => !zones.some((z) => insideZone(c, z))).sort((a, b) => d(a) - d(b));
    return outside[0] ?? p;
  }
}
