/**
 * The simulated flight battery: charge used, the current the motors draw and the voltage the pack shows under
 * it. Failsafe reactions to it are failsafes.ts's.
 */
import type { ParamTable } from './params.js';

/**
 * A 3S pack as ArduPilot SITL's battery behaves (measured on the recorded firmware, SIM_BATT_CAP_AH 22,
 * cruising 8-10 m/s at 30-36 A): rest voltage by fraction used, less the current through 0.0107 ohm. SITL
 * read 12.28 V at 1% used, 11.44 V at 28%, 10.93 V at 51% and 10.48 V at 65%, where its low-voltage
 * failsafe (BATT_LOW_VOLT 10.5) fired with 35% still showing; past that the curve goes on at its last slope.
 */
const PACK_REST_V: readonly (readonly [number, number])[] = [
  [0, 12.6], [0.08, 12.37], [0.14, 12.24], [0.21, 11.98], [0.28, 11.79], [0.38, 11.6], [0.45, 11.47],
  [0.51, 11.3], [0.59, 11.09], [0.65, 10.87],
];
const PACK_OHM = 0.0107;

export function packVoltage(fullV: number, usedFraction: number, currentA: number): number {
  const u = Math.max(0, usedFraction);
  let rest = PACK_REST_V[PACK_REST_V.length - 1]![1];
  const last = PACK_REST_V.length - 1;
  if (u >= PACK_REST_V[last]![0]) {
    const [u0, v0] = PACK_REST_V[last - 1]!;
    const [u1, v1] = PACK_REST_V[last]!;
    rest = v1 + ((v1 - v0) / (u1 - u0)) * (u - u1);
  } else
    for (let i = 1; i <= last; i++) {
      const [u0, v0] = PACK_REST_V[i - 1]!;
      const [u1, v1] = PACK_REST_V[i]!;
      if (u <= u1) {
        rest = v0 + ((v1 - v0) * (u - u0)) / (u1 - u0);
        break;
      }
    }
  return Math.max(0, (rest * fullV) / 12.6 - currentA * PACK_OHM);
}

/** What the battery needs to know of the copter's flight. */
export interface BatteryLoad {
  armed(): boolean;
  airborne(): boolean;
  vel(): { readonly n: number; readonly e: number; readonly u: number };
}

export class SimBattery {
  consumedMah = 0;

  constructor(
    private readonly params: ParamTable,
    private readonly load: BatteryLoad,
  ) {}

  /** Draws the current for `dt` seconds. */
  drain(dt: number): void {
    this.consumedMah += (this.current() * dt) / 3.6;
  }

  current(): number {
    if (!this.load.armed()) return 0;
    if (!this.load.airborne()) return 3;
    // constant power as the pack sags, as in ArduPilot SITL (354 W hovering, 361 W at 7 m/s, 382 W at 10 m/s;
    // set a little lower so that a whole search flight trips the low-voltage failsafe when SITL does)
    const vel = this.load.vel();
    const watts = 333 + 4 * Math.hypot(vel.n, vel.e) + 25 * Math.max(0, vel.u);
    return watts / this.restVoltageFor(watts);
  }

  /** The pack's voltage at this power draw (solving V = rest − (P/V)·R), for the current it implies. */
  private restVoltageFor(watts: number): number {
    const v = this.params.get('SIM_BATT_VOLTAGE');
    const capAh = this.params.get('SIM_BATT_CAP_AH');
    const rest = capAh > 0 ? packVoltage(v, this.consumedMah / (capAh * 1000), 0) : v;
    const disc = rest * rest - 4 * PACK_OHM * watts;
    return disc > 0 ? (rest + Math.sqrt(disc)) / 2 : rest / 2;
  }

  voltage(): number {
    const v = this.params.get('SIM_BATT_VOLTAGE');
    const capAh = this.params.get('SIM_BATT_CAP_AH');
    if (capAh <= 0) return v;
    return packVoltage(v, this.consumedMah / (capAh * 1000), this.current());
  }

  remainingPct(): number {
    const cap = this.params.get('BATT_CAPACITY');
    if (cap <= 0) return -1;
    return Math.max(0, Math.round(100 - (this.consumedMah / cap) * 100));
  }
}
