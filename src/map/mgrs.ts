/**
 * WGS84 latitude/longitude to MGRS (Military Grid Reference System), the grid ground teams and rescue
 * services read off their maps and GPS units: UTM (transverse Mercator, Krüger series to the 6th order of n)
 * with the zone exceptions of Norway and Svalbard, the latitude band, and the 100 km square letters (AA scheme).
 * Polar areas (UPS, beyond 84°N / 80°S) are out of scope: there the result is undefined.
 */
const A = 6378137;
const F = 1 / 298.257223563;
const K0 = 0.9996;
const BANDS = 'CDEFGHJKLMNPQRSTUVWX';
const COL_SETS = ['ABCDEFGH', 'JKLMNPQR', 'STUVWXYZ'];
const ROWS = 'ABCDEFGHJKLMNPQRSTUV';

export interface Utm {
  readonly zone: number;
  readonly band: string;
  readonly easting: number;
  readonly northing: number;
}

function utmZone(lat: number, lon: number): number {
  let zone = Math.floor((lon + 180) / 6) + 1;
  if (zone > 60) zone = 60;
  if (lat >= 56 && lat < 64 && lon >= 3 && lon < 12) return 32; // south-west Norway
  if (lat >= 72 && lat < 84 && lon >= 0) {
    // Svalbard: zones 31, 33, 35, 37 only
    if (lon < 9) return 31;
    if (lon < 21) return 33;
    if (lon < 33) return 35;
    if (lon < 42) return 37;
  }
  return zone;
}

/** UTM coordinates of a WGS84 point, metres (undefined outside 80°S..84°N). */
export function toUtm(lat: number, lon: number): Utm | undefined {
  if (!(lat >= -80 && lat <= 84) || !(lon >= -180 && lon <= 180)) return undefined;
  const zone = utmZone(lat, lon);
  const lon0 = ((zone - 1) * 6 - 180 + 3) * (Math.PI / 180);
  const n = F / (2 - F);
  const n2 = n * n;
  const n3 = n2 * n;
  const n4 = n3 * n;
  const n5 = n4 * n;
  const n6 = n5 * n;
  const AA = (A / (1 + n)) * (1 + n2 / 4 + n4 / 64 + n6 / 256);
  const alpha = [
    0,
    n / 2 - (2 / 3) * n2 + (5 / 16) * n3 + (41 / 180) * n4 - (127 / 288) * n5 + (7891 / 37800) * n6,
    (13 / 48) * n2 - (3 / 5) * n3 + (557 / 1440) * n4 + (281 / 630) * n5 - (1983433 / 1935360) * n6,
    (61 / 240) * n3 - (103 / 140) * n4 + (15061 / 26880) * n5 + (167603 / 181440) * n6,
    (49561 / 161280) * n4 - (179 / 168) * n5 + (6601661 / 7257600) * n6,
    (34729 / 80640) * n5 - (3418889 / 1995840) * n6,
    (212378941 / 319334400) * n6,
  ];
  const phi = lat * (Math.PI / 180);
  const lambda = lon * (Math.PI / 180) - lon0;
  const e = Math.sqrt(F * (2 - F));
  const tau = Math.tan(phi);
  const sigma = Math.sinh(e * Math.atanh((e * tau) / Math.sqrt(1 + tau * tau)));
  const tauP = tau * Math.sqrt(1 + sigma * sigma) - sigma * Math.sqrt(1 + tau * tau);
  const xiP = Math.atan2(tauP, Math.cos(lambda));
  const etaP = Math.asinh(Math.sin(lambda) / Math.sqrt(tauP * tauP + Math.cos(lambda) ** 2));
  let xi = xiP;
  let eta = etaP;
  for (let j = 1; j <= 6; j++) {
    xi += alpha[j]! * Math.sin(2 * j * xiP) * Math.cosh(2 * j * etaP);
    eta += alpha[j]! * Math.cos(2 * j * xiP) * Math.sinh(2 * j * etaP);
  }
  const easting = K0 * AA * eta + 500000;
  let northing = K0 * AA * xi;
  if (lat < 0) northing += 10000000;
  const band = BANDS[Math.min(BANDS.length - 1, Math.floor((lat + 80) / 8))]!;
  return { zone, band, easting, northing };
}

/**
 * MGRS reference to 1 m (`digits` 5) down to 10 km (1), e.g. "31U DQ 48251 11932". Coordinates are truncated,
 * not rounded, as MGRS requires (a reference names the square the point is in).
 */
export function toMgrs(lat: number, lon: number, digits = 5): string | undefined {
  const u = toUtm(lat, lon);
  if (!u) return undefined;
  const e100k = Math.floor(u.easting / 100000);
  const n100k = Math.floor(u.northing / 100000) % 20;
  const col = COL_SETS[(u.zone - 1) % 3]![e100k - 1];
  const row = ROWS[(n100k + (u.zone % 2 === 0 ? 5 : 0)) % 20];
  if (!col || !row) return undefined;
  const scale = 10 ** (5 - digits);
  const e = String(Math.floor((u.easting % 100000) / scale)).padStart(digits, '0');
  const n = String(Math.floor((u.northing % 100000) / scale)).padStart(digits, '0');
  return `${u.zone}${u.band} ${col}${row} ${e} ${n}`;
}
