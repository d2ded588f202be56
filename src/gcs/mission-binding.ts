/**
 * A data directory belongs to one mission: one area frame (origin, epoch, cells), one swarm, one mission
 * name. Facts are stored in the frame's local metres and mission seconds, so another mission's map loaded
 * into this one would put its victims in the wrong places at the wrong times. The first start writes
 * `mission.json`; every later start must match it or is refused before anything is read.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AreaFrame } from '../wire/frame-of-reference.js';

export class MissionMismatchError extends Error {}

export interface MissionIdentity {
  readonly area: AreaFrame;
  /** The swarm's name from the key file, when the station has one. */
  readonly swarm?: string;
  /** The IP-sync mission name, when given. */
  readonly mission?: string;
}

const FILE = 'mission.json';
const FORMAT = 'murmur-data-dir/1';
const AREA_KEYS = ['originLat', 'originLon', 'epoch', 'cellSize', 'cols'] as const;

function describeArea(a: AreaFrame): string {
  return `origin ${a.originLat},${a.originLon}, epoch ${a.epoch}, ${a.cols} cells of ${a.cellSize} m`;
}

/**
 * Checks `dataDir` belongs to this mission, binding it on first use. A swarm or mission name missing on
 * either side is not a mismatch (a loopback trial has no swarm); once known, it is recorded.
 */
export function bindDataDir(dataDir: string, id: MissionIdentity): void {
  const path = join(dataDir, FILE);
  let held: { area?: Partial<AreaFrame>; swarm?: string; mission?: string } = {};
  if (existsSync(path)) {
    try {
      held = JSON.parse(readFileSync(path, 'utf8')) as typeof held;
    } catch {
      throw new MissionMismatchError(`${path} is unreadable: this data directory's mission is unknown; fix or remove that file, or use another --data directory`);
    }
    const area = held.area ?? {};
    if (AREA_KEYS.some((k) => area[k] !== id.area[k]))
      throw new MissionMismatchError(
        `${dataDir} holds the map of another area or epoch (${AREA_KEYS.every((k) => typeof area[k] === 'number') ? describeArea(area as AreaFrame) : 'unknown'}); ` +
          `this start is for ${describeArea(id.area)}. Use another --data directory, or the area of that mission to go on with it`,
      );
    if (held.swarm !== undefined && id.swarm !== undefined && held.swarm !== id.swarm)
      throw new MissionMismatchError(`${dataDir} holds the map of swarm "${held.swarm}"; this station's key file is for swarm "${id.swarm}". Use another --data directory`);
    if (held.mission !== undefined && id.mission !== undefined && held.mission !== id.mission)
      throw new MissionMismatchError(`${dataDir} holds the map of mission "${held.mission}", not "${id.mission}". Use another --data directory`);
    if ((held.swarm ?? id.swarm) === held.swarm && (held.mission ?? id.mission) === held.mission) return;
  }
  mkdirSync(dataDir, { recursive: true });
  const record = {
    format: FORMAT,
    area: Object.fromEntries(AREA_KEYS.map((k) => [k, id.area[k]])),
    ...((held.swarm ?? id.swarm) !== undefined ? { swarm: held.swarm ?? id.swarm } : {}),
    ...((held.mission ?? id.mission) !== undefined ? { mission: held.mission ?? id.mission } : {}),
  };
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
