/**
 * `murmur scenario generate`: writes a random mission (seeded) in the scenario format, for `murmur sim` and
 * `bench search`. The file is validated by the same loader the simulator and the agents use.
 */
import { writeFileSync } from 'node:fs';
import type { CommandModule } from '../registry.js';
import { numberFlag, parseFlags, UsageError } from '../args.js';
import { parseScenario } from '../../mission/index.js';
import { generateMission, MISSION_KINDS, type MissionKind } from '../../sim/scenario/generate.js';

const usage = `Usage: murmur scenario generate --seed S [--kind ${MISSION_KINDS.join('|')}] [--drones N] [--out file.json]

Generates a search mission on invented ground: a concave area with holes (lakes, collapsed blocks), no-fly
zones (thin corridors, blocks over the edge, blobs, triangles), launch points on an edge or inside, victims by
roads and buildings and beside zones and edges, two crashes and sometimes a radio partition (maps/README.md).
  --seed    the mission's seed (a whole number): the same seed and kind give the same file
  --kind    town, valley, coast or random (default: by seed, the four in turn)
  --drones  the drone count the faults are written for (default 10)
  --out     write the scenario here (default: print it)`;

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values, positionals } = parseFlags(args, { seed: { type: 'string' }, kind: { type: 'string' }, drones: { type: 'string' }, out: { type: 'string' } }, usage);
    if (positionals[0] !== 'generate') throw new UsageError(`expected "generate"\n\n${usage}`);
    if (values.seed === undefined) throw new UsageError(`--seed is required\n\n${usage}`);
    const seed = numberFlag(values.seed, 'seed', 1);
    if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
    const kind = values.kind;
    if (kind !== undefined && !(MISSION_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${MISSION_KINDS.join(', ')}`);
    const drones = numberFlag(values.drones, 'drones', 10);
    if (!Number.isInteger(drones) || drones < 2 || drones > 200) throw new UsageError('--drones must be a whole number 2..200');
    const mission = generateMission({ seed, drones, ...(kind ? { kind: kind as MissionKind } : {}) });
    parseScenario(mission, `generated mission (seed ${seed})`);
    const text = JSON.stringify(mission, null, 1) + '\n';
    if (values.out) {
      try {
        writeFileSync(values.out, text);
      } catch (err) {
        throw new UsageError(`cannot write ${values.out}: ${(err as Error).message}`);
      }
      process.stderr.write(`${String(mission.description)}\nwritten to ${values.out}\n`);
    } else process.stdout.write(text);
    return 0;
  },
};
