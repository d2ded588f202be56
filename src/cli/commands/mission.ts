/** `murmur mission create`: a mission for a real place from GeoJSON or KML files, checked, as one plan file. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { buildPlan, DEFAULT_CELL_M, DEFAULT_MISSION_RADIO, MissionFileError, parseShapes, type Shapes } from '../../mission/mission-file.js';

const usage = `Usage: murmur mission create --area <file> [--nofly <file>]… [--priority <file>[:weight]]… [--launch <file>] [--roster <ids>]
                              [--name NAME] [--epoch <unix s>] [--cell ${DEFAULT_CELL_M}] [--out mission.json]

Makes a mission plan for a real place: the search area (polygons; inner rings are holes), no-fly zones,
priority regions (weight 1..9, default 2) and launch points, from GeoJSON or KML files (what QGIS, Google Earth,
geojson.io or CalTopo export). Everything is checked; a problem is reported in one line naming the file and the
feature. Start the ground station with it (murmur gcs --plan mission.json): the station publishes it as the
mission's first version, which the drones adopt.

  --area <file>       search area: Polygon/MultiPolygon features (Point features become launch points
                      unless --launch is given)
  --nofly <file>      no-fly zones (repeatable)
  --priority <f[:w]>  priority regions with weight w (repeatable)
  --launch <file>     launch points (Point features)
  --roster <ids>      the drones of the mission, e.g. 2,3,4,5 or 2-5: every agent's roster must be this
                      one, and the ground station (gcs --plan) draws the sector each of them flies
  --name NAME         mission name (default: the area file's name)
  --epoch <s>         mission epoch, Unix seconds (default: today 00:00 UTC)
  --cell <m>          coverage cell side, metres (default ${DEFAULT_CELL_M}, as the shipped scenarios)
  --out <file>        where to write the plan (default mission.json); an existing file is not overwritten
                      without --force
  --force             overwrite --out`;

function read(file: string): Shapes & { file: string } {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  return { ...parseShapes(readFileSync(file, 'utf8'), file), file };
}

/** Node ids as "2,3,4,5" or "2-5" (or both: "2-4,7"), sorted. */
function parseRoster(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const [a, b] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || a < 1 || b > 65535 || a > b || b - a > 1000) throw new UsageError(`--roster ${text}: expected node ids 1..65535 as 2,3,4,5 or 2-5`);
    for (let id = a; id <= b; id++) ids.push(id);
  }
  if (new Set(ids).size !== ids.length) throw new UsageError(`--roster ${text}: lists a node twice`);
  return ids.sort((x, y) => x - y);
}

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values, positionals } = parseFlags(
      args,
      {
        area: { type: 'string' }, nofly: { type: 'string', multiple: true }, priority: { type: 'string', multiple: true },
        launch: { type: 'string' }, roster: { type: 'string' }, name: { type: 'string' }, epoch: { type: 'string' }, cell: { type: 'string' },
        out: { type: 'string' }, force: { type: 'boolean' },
      },
      usage,
    );
    if (positionals[0] !== 'create') throw new UsageError(`expected "murmur mission create …"\n\n${usage}`);
    if (!values.area) throw new UsageError(`--area <file> is required\n\n${usage}`);
    const out = values.out ?? 'mission.json';
    if (existsSync(out) && !values.force) throw new UsageError(`${out} exists: give another --out, or --force to replace it`);
    try {
      const plan = buildPlan({
        name: values.name ?? values.area.replace(/^.*\//, '').replace(/\.[^.]+$/, ''),
        area: read(values.area),
        nofly: (values.nofly ?? []).map(read),
        priority: (values.priority ?? []).map((spec) => {
          const m = /^(.*?)(?::(\d+))?$/.exec(spec)!;
          return { ...read(m[1]!), weight: m[2] ? Number(m[2]) : 2 };
        }),
        ...(values.launch ? { launch: read(values.launch) } : {}),
        epoch: numberFlag(values.epoch, 'epoch', Math.floor(Date.now() / 86_400_000) * 86_400),
        cellSize: numberFlag(values.cell, 'cell', DEFAULT_CELL_M),
      });
      // one file for the station (--plan) and for every drone's agent (agent.json "mission"): the agents also need
      // the search and radio settings, which the operator may edit (defaults: the station's radio, SF9 125 kHz
      // at 1% duty cycle; lanes one cell apart at 60 m)
      const roster = values.roster === undefined ? undefined : parseRoster(values.roster);
      const mission = {
        ...plan,
        ...(roster ? { roster } : {}),
        description: `${plan.name}: made by murmur mission create`,
        search: { altitudeM: 60, sweepWidthM: plan.frame.cellSize, cruiseSpeedMps: 10, transitSpeedMps: 10, detectionProbability: 0.95, falsePositivesPerKm2: 0, batteryReturnPct: 25 },
        radio: { ...DEFAULT_MISSION_RADIO },
        truth: { victims: [], roads: [], hazards: [] },
        // the longest a simulated run of it goes (murmur sim --scenario mission.json)
        durationS: 7200,
      };
      writeFileSync(out, JSON.stringify(mission, null, 1) + '\n');
      console.log(
        `${out}: mission "${plan.name}", ${plan.area.length} search polygon(s), ${plan.nofly.length} no-fly zone(s), ${plan.priority.length} priority region(s), ${plan.launch.length} launch point(s); ` +
          `frame origin ${plan.frame.originLat.toFixed(6)},${plan.frame.originLon.toFixed(6)}, ${plan.frame.cellSize} m cells × ${plan.frame.cols} columns` +
          (roster ? `, roster ${roster.join(',')}` : ''),
      );
      return 0;
    } catch (err) {
      if (err instanceof MissionFileError) throw new UsageError(err.message);
      throw err;
    }
  },
};
