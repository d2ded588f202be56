/** Small-distance geodesy for flight work: local north/east metres around a reference point (equirectangular). */
const EARTH_RADIUS_M = 6378137;
const DEG = Math.PI / 180;

export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** The point `north` m north and `east` m east of `from`. Accurate to centimetres over a few km. */
export function offsetLatLon(from: LatLon, north: number, east: number): LatLon {
  const lat = from.lat + north / EARTH_RADIUS_M / DEG;
  const lon = from.lon + east / (EARTH_RADIUS_M * Math.cos(from.lat * DEG)) / DEG;
  return { lat, lon };
}

/** North/east metres from `from` to `to`. */
export function northEastOf(from: LatLon, to: LatLon): { north: number; east: number } {
  return {
    north: (to.lat - from.lat) * DEG * EARTH_RADIUS_M,
    east: (to.lon - from.lon) * DEG * EARTH_RADIUS_M * Math.cos(from.lat * DEG),
  };
}

export function distanceM(a: LatLon, b: LatLon): number {
  const d = northEastOf(a, b);
  return Math.hypot(d.north, d.east);
}
