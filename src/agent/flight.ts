/**
 * Flying the drone from point to point in GUIDED: at a pace, round the no-fly zones (leaving one it finds itself
 * inside by the shortest way), and taking control back when the geofence's own action took it at a breach.
 */
import type { Clock } from '../core/clock.js';
import { sleep } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { routeAround } from '../sectors/index.js';
import type { Vehicle } from '../vehicle/vehicle.js';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { toLatLon, toLocal } from '../wire/frame-of-reference.js';
import { stoppingPoint, type Airspace } from './airspace.js';
import type { FenceKeeper } from './airspace-fence.js';

/** A waypoint this close counts as reached, metres. */
export const REACHED_M = 10;
/**
 * How far past a zone's edge a drone inside one is sent: a copter re-targeted at 10 m/s runs on 25.7 m along
 * its old heading (fence.md), so this keeps the turn onto the next leg outside.
 */
const ZONE_EXIT_M = 30;

/** What the flight needs of the agent. */
export interface FlightHost {
  readonly vehicle: Vehicle;
  readonly frame: AreaFrame;
  readonly altitudeM: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly airspace: Airspace;
  readonly fence: FenceKeeper | undefined;
  /** Speed off the search lanes. */
  transitSpeed(): number;
  /** The agent was stopped: every flight ends. */
  stopped(): boolean;
  position(): LocalPoint | undefined;
  /** The way to a point went round a zone: the drone left its lane, and joins the next one by a lead-in. */
  detoured(): void;
}

export class Flight {
  /** The speed last commanded (undefined: the flight controller's default, e.g. after a mode change). */
  private speedSet: number | undefined;

  constructor(private readonly h: FlightHost) {}

  /** The flight controller's speed is its default again (after a take-off). */
  forgetSpeed(): void {
    this.speedSet = undefined;
  }

  /** Commands a speed unless it is the one in force. */
  async setPace(speed: number): Promise<void> {
    if (speed === this.speedSet) return;
    const r = await this.h.vehicle.action.setSpeed(speed);
    this.speedSet = r.ok ? speed : undefined;
  }

  /**
   * Flies round the no-fly zones on the way to a point (corner to corner, at transit speed; see flyTo), up to
   * the last corner. 'reached' when the straight leg to the point is then clear; otherwise why it stopped, so
   * the caller looks at the situation again.
   */
  async detourFor(target: LocalPoint, pollMs: number, interrupt: () => boolean, clearanceM?: number): Promise<'reached' | 'refused' | 'interrupted'> {
    // the caller's interrupt may act when it fires (a share taken on): asked once a poll, and remembered
    let hit = false;
    const asked = () => (hit ||= interrupt());
    for (;;) {
      const version = this.h.airspace.version;
      // a zone drawn (or withdrawn) on the way: route again from where the drone is then
      const stale = () => asked() || this.h.airspace.version !== version;
      const r = await this.detourOnce(target, pollMs, stale, clearanceM);
      if (r !== 'interrupted' || hit || this.h.airspace.version === version) return r;
    }
  }

  private async detourOnce(target: LocalPoint, pollMs: number, interrupt: () => boolean, clearanceM?: number): Promise<'reached' | 'refused' | 'interrupted'> {
    const from = this.h.position();
    const zones = this.h.airspace.zones();
    if (!from || !zones.length) return 'reached';
    // Inside a zone (one drawn over the drone), or bound to run on into one (drawn just ahead of it): out by the
    // shortest way from where it comes to a stop, before anything else. Routing from a stop inside a zone would
    // ignore that zone and cross it (61 m in, in test/sim/airspace.test.ts). The way out is at the zone's edge
    // plus the copter's run-on, so turning for the next leg stays outside.
    const v0 = this.h.vehicle.telemetry.state.velocity;
    const stop = v0 ? stoppingPoint(from, v0.north, v0.east) : from;
    const outOf = this.h.airspace.containing(from) ? from : this.h.airspace.containing(stop) ? stop : from;
    const out = this.h.airspace.wayOut(outOf, ZONE_EXIT_M);
    if (out !== outOf) {
      this.h.detoured();
      this.h.log.warn('inside a no-fly zone: leaving by the shortest way', { at: { x: Math.round(from.x), y: Math.round(from.y) }, to: { x: Math.round(out.x), y: Math.round(out.y) } });
      const r = await this.flyTo(out, pollMs, interrupt);
      if (r !== 'reached') return r;
    }
    // from where a new target leaves it: the copter brakes along its heading first (fence.md), then flies straight
    const here = this.h.position() ?? from;
    const vel = this.h.vehicle.telemetry.state.velocity;
    const via = routeAround(vel ? stoppingPoint(here, vel.north, vel.east) : here, target, zones, undefined, clearanceM);
    if (via.length) {
      this.h.detoured();
    }
    for (const p of via) {
      const r = await this.flyTo(p, pollMs, interrupt);
      if (r !== 'reached') return r;
    }
    return 'reached';
  }

  /**
   * Flies to a point round every zone, re-routing when the zones change on the way: what going home uses
   * instead of ArduCopter's RTL, which flies straight through a zone. 'reached' when there.
   */
  async reachSafely(target: LocalPoint, pollMs: number, interrupt: () => boolean): Promise<'reached' | 'refused' | 'interrupted'> {
    let hit = false;
    const asked = () => (hit ||= interrupt());
    for (;;) {
      const version = this.h.airspace.version;
      const d = await this.detourFor(target, pollMs, asked);
      if (d === 'interrupted' && !hit && (await this.reclaimFromFence())) continue;
      if (d !== 'reached') return d;
      const r = await this.flyTo(target, pollMs, () => asked() || this.h.airspace.version !== version);
      if (r === 'interrupted' && !hit && (await this.reclaimFromFence())) continue;
      if (r !== 'interrupted' || hit || this.h.airspace.version === version) return r;
    }
  }

  /**
   * After the geofence's own action (BRAKE at a breach) took control from the agent: take it back, to leave
   * the zone by the shortest way (detourOnce) rather than hover inside it. True when it did.
   */
  async reclaimFromFence(): Promise<boolean> {
    const v = this.h.vehicle;
    if (this.h.stopped() || v.telemetry.state.control !== 'override' || !v.telemetry.state.armed || !this.h.fence?.tookOver()) return false;
    this.h.log.warn('the geofence took control at a breach: taking it back to leave the zone');
    v.resumeControl();
    await this.guided();
    return true;
  }

  /** Home, or the nearest point clear of the zones when an operator drew one over home. */
  homePoint(): LocalPoint | undefined {
    const home = this.h.vehicle.telemetry.state.home;
    return home ? this.h.airspace.wayOut(toLocal(this.h.frame, home.lat, home.lon), ZONE_EXIT_M) : undefined;
  }

  /**
   * Flies to a point (GUIDED): off the search lanes at transit speed, or (`as-is`, a lead-in on a lane) at the
   * pace in force. 'interrupted' when stopped, taken over
   * by a pilot or when `interrupt` says so (polled every `pollMs`); 'refused' when the vehicle refused the target.
   */
  async flyTo(p: LocalPoint, pollMs: number, interrupt: () => boolean, pace: 'transit' | 'as-is' = 'transit'): Promise<'reached' | 'refused' | 'interrupted'> {
    const v = this.h.vehicle;
    if (pace === 'transit') await this.setPace(this.h.transitSpeed());
    const ll = toLatLon(this.h.frame, p);
    const r = await v.action.gotoLocation(ll.lat, ll.lon, this.h.altitudeM);
    if (!r.ok && r.result !== 'SENT') return 'refused';
    for (;;) {
      await sleep(this.h.clock, pollMs);
      if (this.h.stopped() || v.telemetry.state.control === 'override' || interrupt()) return 'interrupted';
      const at = this.h.position();
      if (at && Math.hypot(at.x - p.x, at.y - p.y) < REACHED_M) return 'reached';
    }
  }

  /** Mode changes reset ArduCopter's speed to its parameter: command it again afterwards. */
  async guided(): Promise<void> {
    this.speedSet = undefined;
    await this.h.vehicle.action.setMode('GUIDED');
  }
}
