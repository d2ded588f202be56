/** `murmur basemap build`: an offline basemap of a real place for the ground station. */
import { readFileSync } from 'node:fs';
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { BasemapError, buildBasemap, parseBbox, type Bbox } from '../../basemap/build.js';

const usage = `Usage: murmur basemap build --osm region.osm.pbf --out area.pmtiles [--bbox W,S,E,N | --area area.json] [--maxzoom 14]

Builds an offline basemap (streets with their names, buildings, water, land cover, place names) from
OpenStreetMap data, before deploying, while there is still internet to download the extract:
osmium-tool clips the extract to the area, tilemaker cuts vector tiles, and they are packed into one
.pmtiles file. Show it with: murmur gcs --basemap area.pmtiles …  (needs: sudo apt-get install tilemaker osmium-tool)

  --osm FILE      OpenStreetMap extract (.osm.pbf, or .osm XML), e.g. a country or state from a mirror of
                  the OSM planet
  --out FILE      the basemap to write (.pmtiles)
  --bbox W,S,E,N  clip to this box, degrees (default: the whole extract; clip it: a country takes long)
  --area FILE     clip to an area file's box instead: a scenario/mission JSON (its "area" polygons)
                  or a GeoJSON file, with a 500 m margin
  --maxzoom Z     highest zoom cut, 10..14 (default 14: streets and buildings; further zoom enlarges it)`;

/** The box round a mission's area polygons or a GeoJSON's coordinates, with a margin of about 500 m. */
function areaBbox(file: string): Bbox {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--area ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const pts: number[][] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number') pts.push(v as number[]);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) if (k === 'coordinates' || k === 'area' || k === 'features' || k === 'geometry' || k === 'geometries') visit(c);
  };
  visit(json);
  if (pts.length === 0) throw new UsageError(`--area ${file}: no coordinates found (expected a mission's "area" or GeoJSON)`);
  const lons = pts.map((p) => p[0]!);
  const lats = pts.map((p) => p[1]!);
  const dLat = 500 / 111_320;
  const dLon = dLat / Math.cos((((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI) / 180);
  return [Math.min(...lons) - dLon, Math.min(...lats) - dLat, Math.max(...lons) + dLon, Math.max(...lats) + dLat];
}

export const command: CommandModule = {
  usage,
  async run(args) {
    const [action, ...rest] = args;
    if (action !== 'build') throw new UsageError(`expected "build"\n\n${usage}`);
    const { values } = parseFlags(rest, { osm: { type: 'string' }, out: { type: 'string' }, bbox: { type: 'string' }, area: { type: 'string' }, maxzoom: { type: 'string' } }, usage);
    if (!values.osm || !values.out) throw new UsageError(`--osm and --out are required\n\n${usage}`);
    if (values.bbox && values.area) throw new UsageError('give --bbox or --area, not both');
    try {
      const bbox = values.bbox ? parseBbox(values.bbox) : values.area ? areaBbox(values.area) : undefined;
      const t0 = Date.now();
      const r = buildBasemap({
        osm: values.osm,
        out: values.out,
        ...(bbox ? { bbox } : {}),
        maxzoom: numberFlag(values.maxzoom, 'maxzoom', 14),
        log: (l) => console.log(l),
      });
      console.log(`wrote ${values.out}: ${r.tiles} tiles, zoom ${r.minzoom}-${r.maxzoom}, ${(r.bytes / 1024).toFixed(0)} KiB, in ${((Date.now() - t0) / 1000).toFixed(1)} s; show it with murmur gcs --basemap ${values.out}`);
      return 0;
    } catch (err) {
      if (err instanceof BasemapError) throw new UsageError(err.message);
      throw err;
    }
  },
};
