/**
 * The search settings an agent takes from its mission (scenario format): the same on every drone of the
 * roster, which is what lets each of them compute everyone's plan alike.
 */
import type { AreaFrame } from '../wire/frame-of-reference.js';
import { toLocal } from '../wire/frame-of-reference.js';
import { localPolygon, type Scenario } from '../mission/index.js';
import { coverageReportEveryS } from './gossip-settings.js';
import type { SearchAgentOptions } from './search-agent.js';
import { searchableCells, type TakeOffInput } from '../sectors/index.js';
import type { NodeId } from '../wire/facts.js';

export type MissionSearchSettings = Pick<
  SearchAgentOptions,
  'sweepWidthM' | 'altitudeM' | 'cruiseSpeedMps' | 'transitSpeedMps' | 'batteryReturnPct' | 'coverageEveryS' | 'laneAxis' | 'launchSites' | 'nofly' | 'priority'
>;

export function missionSearchSettings(mission: Scenario, frame: AreaFrame, members = 10): MissionSearchSettings {
  const s = mission.search;
  return {
    sweepWidthM: s.sweepWidthM,
    altitudeM: s.altitudeM,
    cruiseSpeedMps: s.cruiseSpeedMps,
    ...(s.transitSpeedMps === undefined ? {} : { transitSpeedMps: s.transitSpeedMps }),
    batteryReturnPct: s.batteryReturnPct,
    coverageEveryS: coverageReportEveryS(mission.radio, members),
    ...(s.laneAxis ? { laneAxis: s.laneAxis } : {}),
    launchSites: mission.launch.map((l) => toLocal(frame, l.lat, l.lon)),
    nofly: mission.nofly.map((p) => localPolygon(frame, p)),
    priority: mission.priority.map((p) => localPolygon(frame, p.polygon)),
  };
}

/**
 * What the take-off plan of this mission and roster is made from, as every agent makes it (search-agent.ts):
 * the ground station draws the sectors from the same.
 */
export function missionTakeOff(mission: Scenario, frame: AreaFrame, roster: readonly NodeId[]): TakeOffInput {
  const s = missionSearchSettings(mission, frame, roster.length);
  const nofly = s.nofly ?? [];
  return {
    frame,
    roster,
    searchable: searchableCells(frame, mission.area.map((p) => localPolygon(frame, p)), nofly),
    cruiseSpeedMps: s.cruiseSpeedMps,
    ...(s.transitSpeedMps === undefined ? {} : { transitSpeedMps: s.transitSpeedMps }),
    ...(s.launchSites ? { launchSites: s.launchSites } : {}),
    nofly,
    ...(s.priority?.length ? { priority: s.priority } : {}),
    ...(s.laneAxis ? { laneAxis: s.laneAxis } : {}),
  };
}

/**
 * Why an agent configured with `roster` cannot fly this mission (undefined: it can). Sectors are shared out
 * over the roster, so a drone with another roster than the mission's would plan other sectors than the rest
 * and than the station shows.
 */
export function rosterProblem(roster: readonly number[], mission: Scenario, missionFile: string): string | undefined {
  const want = mission.roster;
  if (!want) return undefined;
  const mine = [...roster].sort((a, b) => a - b);
  if (mine.length === want.length && mine.every((id, i) => id === want[i])) return undefined;
  return `the roster ${mine.join(',')} is not the mission's (${want.join(',')} in ${missionFile}): every drone and the station plan sectors over the same roster`;
}
