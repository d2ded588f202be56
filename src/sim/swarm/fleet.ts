/**
 * The vehicles of a swarm run. In-process simulated ArduCopters on the run's virtual clock (the default:
 * deterministic, hundreds of times real speed), or external vehicles over MAVLink/TCP in (scaled) real time:
 * ArduPilot SITL processes, or Murmur's simulated ArduCopter served on the same ports. The run needs the same
 * four things of either: a connection for the agent's Vehicle adapter, where the drone really is (the
 * simulated physics, or what the vehicle reports), and ways to inject the scenario's faults.
 */
import type { Clock, VirtualClock } from '../../core/clock.js';
import type { Connector } from '../../vehicle/transport.js';
import type { Vehicle } from '../../vehicle/vehicle.js';
import { readFileSync } from 'node:fs';
import { inProcessVehicle } from '../vehicle/virtual.js';
import { parseParmFile } from '../vehicle/params.js';
import { DEFAULT_PARAM_FILE } from '../../../sitl/launch.js';

export interface FleetHome {
  readonly lat: number;
  readonly lon: number;
}

export interface FleetDrone {
  /** For the agent's Vehicle adapter. */
  readonly connection: string | Connector;
  /** Where the drone is and whether it is in the air (undefined: not known yet). */
  truth(vehicle: Vehicle): { lat: number; lon: number; flying: boolean } | undefined;
  /** The drone is lost: its vehicle stops (in-process) or is left to its own failsafes (external). */
  crash(): void;
  /** The pack sags to the critical voltage (ArduCopter's battery failsafe takes over). */
  batteryFailure(vehicle: Vehicle): void;
  /** The flight controller's link drops for this long (false: not possible with this fleet). */
  fcReboot(downMs: number): boolean;
}

export interface Fleet {
  /** What the run's agents, radio and camera keep time with. */
  readonly clock: Clock;
  /** Set for in-process fleets: the run advances it step by step instead of waiting. */
  readonly virtual?: VirtualClock;
  readonly kind: string;
  drone(id: number, home: FleetHome, seed: number): FleetDrone;
  stop(): Promise<void>;
}

/** A search multirotor's pack (22 Ah, about 35 minutes at cruise) instead of SITL's 3.3 Ah default. */
export const SEARCH_PACK = { BATT_CAPACITY: 22000, SIM_BATT_CAP_AH: 22 } as const;

/**
 * Murmur's parameter file and the search pack's capacity: what in-process vehicles get. Their pack does not
 * sag (no SIM_BATT_CAP_AH), so the scripted battery failure holds the pack at 10.0 V exactly, which is the
 * low-voltage failsafe (RTL) the behaviour record shows for SIM_BATT_VOLTAGE 10; external vehicles get the whole
 * pack and sag as SITL does.
 */
export function swarmParams(): Record<string, number> {
  return { ...parseParmFile(readFileSync(DEFAULT_PARAM_FILE, 'utf8')), BATT_CAPACITY: SEARCH_PACK.BATT_CAPACITY };
}

export function inProcessFleet(clock: VirtualClock): Fleet {
  const stops: (() => void)[] = [];
  const params = swarmParams();
  return {
    clock,
    virtual: clock,
    kind: 'in-process simulated ArduCopter',
    drone(id, home, seed) {
      const sim = inProcessVehicle({ clock, sysid: id, home: { ...home, alt: 0 }, seed, latencyMs: 2, params });
      stops.push(() => sim.copter.stop());
      return {
        connection: sim.connect,
        truth: () => sim.copter.truth(),
        crash: () => sim.copter.stop(),
        batteryFailure: () => sim.copter.params.set('SIM_BATT_VOLTAGE', 10.0),
        fcReboot: (ms) => {
          sim.cut(ms);
          return true;
        },
      };
    },
    stop: async () => {
      for (const s of stops) s();
    },
  };
}

/**
 * Vehicles already running behind TCP connection strings (one per roster member, in id order), on a clock
 * that runs as fast as they do. Truth is their own telemetry: for SITL that is its physics model.
 */
export function externalFleet(kind: string, clock: Clock, connections: readonly string[], stop: () => Promise<void>): Fleet {
  return {
    clock,
    kind,
    drone(id) {
      const connection = connections[id - 1];
      if (!connection) throw new Error(`no vehicle for drone ${id}`);
      return {
        connection,
        truth: (v) => {
          const s = v.telemetry.state;
          if (!s.position) return undefined;
          return { lat: s.position.lat, lon: s.position.lon, flying: (s.armed ?? false) && (s.position.relAlt ?? 0) > 0.5 };
        },
        crash: () => undefined,
        batteryFailure: (v) => void v.setParam('SIM_BATT_VOLTAGE', 10.0),
        fcReboot: () => false,
      };
    },
    stop,
  };
}
