/** A simulation scenario (format documented in maps/README.md). Positions WGS84 degrees, times seconds. */
export type LonLat = readonly [number, number];

export interface GeoPolygon {
  readonly type: 'Polygon';
  /** Rings of [lon, lat]; first outer, others holes; closed or not. */
  readonly coordinates: readonly (readonly LonLat[])[];
}

export interface ScenarioVictim {
  readonly lat: number;
  readonly lon: number;
  readonly count: number;
  readonly condition: 'unknown' | 'ambulatory' | 'injured' | 'critical' | 'deceased';
}

export interface ScenarioRoad {
  readonly path: readonly LonLat[];
  readonly severity: 'partial' | 'impassable';
}

export interface ScenarioHazard {
  readonly type: 'fire' | 'flood' | 'collapse' | 'gas' | 'other';
  readonly lat: number;
  readonly lon: number;
  readonly radiusM: number;
}

export type ScenarioFault =
  | { readonly type: 'crash'; readonly drone: number; readonly atS: number }
  | { readonly type: 'battery_failure'; readonly drone: number; readonly atS: number }
  | { readonly type: 'fc_reboot'; readonly drone: number; readonly atS: number; readonly downS: number }
  | { readonly type: 'radio_partition'; readonly groups: readonly (readonly number[])[]; readonly fromS: number; readonly toS: number }
  /** An operator draws a no-fly zone at the ground station during the mission. */
  | { readonly type: 'operator_zone'; readonly atS: number; readonly polygon: GeoPolygon }
  | {
      readonly type: 'hostile_transmitter';
      readonly lat: number;
      readonly lon: number;
      readonly fromS: number;
      readonly toS: number;
      readonly packetsPerMin: number;
    };

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly area: readonly GeoPolygon[];
  readonly nofly: readonly GeoPolygon[];
  readonly priority: readonly { readonly polygon: GeoPolygon; readonly weight: number }[];
  /** `cols`: the grid's width in cells, when the mission fixes it (a plan from `murmur mission create` does). */
  readonly frame: { readonly originLat: number; readonly originLon: number; readonly epoch: number; readonly cellSize: number; readonly cols?: number };
  readonly truth: {
    readonly victims: readonly ScenarioVictim[];
    readonly roads: readonly ScenarioRoad[];
    readonly hazards: readonly ScenarioHazard[];
  };
  readonly launch: readonly { readonly lat: number; readonly lon: number }[];
  /**
   * The drones of the mission (node ids, sorted), when the mission names them (murmur mission create --roster):
   * every agent's roster must be this one, and the ground station draws their sectors from it.
   */
  readonly roster?: readonly number[];
  readonly radio: {
    readonly sf: number;
    readonly bwHz: number;
    readonly cr: number;
    readonly dutyCyclePct: number;
    readonly medianRangeM: number;
    readonly extraLoss: number;
  };
  readonly search: {
    readonly altitudeM: number;
    readonly sweepWidthM: number;
    readonly cruiseSpeedMps: number;
    /** Speed to and between lanes, where the camera is not searching; absent: the cruise speed. */
    readonly transitSpeedMps?: number;
    readonly detectionProbability: number;
    readonly falsePositivesPerKm2: number;
    readonly batteryReturnPct: number;
    /** Side overlap of neighbouring lanes, percent: lane spacing (= cell size) is sweep × (1 − overlap). */
    readonly sideOverlapPct: number;
    /** Lane direction; absent: along the area's longer extent. */
    readonly laneAxis?: 'north-south' | 'east-west';
  };
  readonly faults: readonly ScenarioFault[];
  readonly durationS: number;
  /** Folder under maps/ with GeoJSON layers (roads, buildings, boundary) for the ground station. */
  readonly layers?: string;
}
