/**
 * The area of operation's frame of reference. Every position on air is in whole metres east/north of
 * the area's origin and every time in whole seconds since the mission epoch, so a fact costs a few bytes
 * and decodes to exactly what was encoded. The projection is a local tangent plane (equirectangular about
 * the origin): over a 10 km area its distortion is far below the 1 m quantum.
 */
export interface AreaFrame {
  /** Origin of local coordinates (usually the south-west corner of the area), WGS84 degrees. */
  readonly originLat: number;
  readonly originLon: number;
  /** Mission epoch, Unix seconds. Fact times count from here. */
  readonly epoch: number;
  /** Side of a coverage cell in metres (cells tile the area from the origin, row-major). */
  readonly cellSize: number;
  /** Number of cell columns; cell index = row * cols + col. */
  readonly cols: number;
}

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6371008.8;
const DEG = Math.PI / 180;

export interface LocalPoint {
  /** Metres east of the origin. */
  x: number;
  /** Metres north of the origin. */
  y: number;
}

export function toLocal(frame: AreaFrame, lat: number, lon: number): LocalPoint {
  return {
    x: (lon - frame.originLon) * DEG * EARTH_RADIUS_M * Math.cos(frame.originLat * DEG),
    y: (lat - frame.originLat) * DEG * EARTH_RADIUS_M,
  };
}

export function toLatLon(frame: AreaFrame, p: LocalPoint): { lat: number; lon: number } {
  return {
    lat: frame.originLat + p.y / (EARTH_RADIUS_M * DEG),
    lon: frame.originLon + p.x / (EARTH_RADIUS_M * DEG * Math.cos(frame.originLat * DEG)),
  };
}

/** Quantise to the 1 m grid used on air (error ≤ 0.5 m per axis, ≤ 0.71 m in the plane). */
export function quantisePoint(p: LocalPoint): LocalPoint {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/** Quantised local position of a WGS84 point. */
export function localMetres(frame: AreaFrame, lat: number, lon: number): LocalPoint {
  return quantisePoint(toLocal(frame, lat, lon));
}

/** Whole seconds since the mission epoch of a Unix time in milliseconds (error ≤ 0.5 s). */
export function missionSeconds(frame: AreaFrame, unixMs: number): number {
  return Math.round(unixMs / 1000 - frame.epoch);
}

export function cellIndex(frame: AreaFrame, p: LocalPoint): number {
  const col = Math.floor(p.x / frame.cellSize);
  const row = Math.floor(p.y / frame.cellSize);
  return row * frame.cols + col;
}

/** Centre of a cell in local metres. */
export function cellCentre(frame: AreaFrame, cell: number): LocalPoint {
  const row = Math.floor(cell / frame.cols);
  const col = cell - row * frame.cols;
  return { x: (col + 0.5) * frame.cellSize, y: (row + 0.5) * frame.cellSize };
}
