/**
 * Keeps the flight controller's geofence in step with the zones the agent knows, so that ArduPilot holds them
 * if this computer fails (src/vehicle/fence.ts: exclusion polygons, FENCE_ACTION 4 = brake), and tells the
 * agent when the fence itself took control after a breach, so that it takes control back and leaves the zone
 * instead of yielding as it would to a pilot (fence.md: switch back to GUIDED, fly out; no re-trigger).
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { toLatLon } from '../wire/frame-of-reference.js';
import type { Vehicle } from '../vehicle/vehicle.js';
import { FenceClient } from '../vehicle/fence.js';
import type { Airspace } from './airspace.js';

/** A failed load is tried again after this long, milliseconds. */
const RETRY_MS = 30_000;
/** A mode change this soon after "… fence breached" is the fence's action, milliseconds. */
const BREACH_TAKEOVER_MS = 5_000;

export class FenceKeeper {
  /** Airspace version in the flight controller (-1: none yet). */
  private loaded = -1;
  private busy = false;
  private lastTry = -Infinity;
  private breachAt = -Infinity;
  /** Breaches the flight controller reported. */
  breaches = 0;

  constructor(
    private readonly o: { vehicle: Vehicle; frame: AreaFrame; airspace: Airspace; clock: Clock; log: Logger },
  ) {
    o.vehicle.telemetry.onStatusText((e) => {
      if (/fence breached$/.test(e.text)) {
        this.breachAt = o.clock.now();
        this.breaches++;
        o.log.warn('geofence breach reported by the flight controller', { text: e.text });
      }
    });
  }

  /** Is the fence in the flight controller the zones known now? */
  inStep(): boolean {
    // a mission with no zones leaves the flight controller's fence as it is, until an operator draws one
    return this.loaded === this.o.airspace.version || (this.loaded === -1 && this.o.airspace.zones().length === 0);
  }

  /**
   * Loads the zones when they changed. Not while the drone is inside one: a fence enabled in breach acts at
   * once (fence.md), and the agent is already leaving by the shortest way; it loads once out.
   */
  async sync(pos: LocalPoint | undefined): Promise<void> {
    const now = this.o.clock.now();
    if (this.busy || this.inStep() || now - this.lastTry < RETRY_MS) return;
    if (pos && this.o.airspace.containing(pos)) return;
    this.busy = true;
    this.lastTry = now;
    const version = this.o.airspace.version;
    try {
      const rings = this.o.airspace.zones().map((z) => (z[0] ?? []).map((p) => toLatLon(this.o.frame, p)));
      const r = await new FenceClient(this.o.vehicle).apply(rings);
      if (r.ok) {
        this.loaded = version;
        this.lastTry = -Infinity;
        this.o.log.info('geofence loaded', { zones: rings.length, items: r.items, ms: r.ms });
      } else this.o.log.warn('geofence not loaded: the flight controller does not hold the zones', { result: r.result });
    } finally {
      this.busy = false;
    }
  }

  /** Did the fence's own action (BRAKE, RTL) just take control from the agent? */
  tookOver(): boolean {
    return this.o.clock.now() - this.breachAt < BREACH_TAKEOVER_MS;
  }
}
