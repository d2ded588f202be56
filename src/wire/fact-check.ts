/**
 * The documented range of every fact field, checked in one place: the encoder refuses a fact outside it
 * (a programming error upstream) and the decoder turns it into an `out_of_range` rejection.
 */
import {
  ACK_RESULTS,
  ACTIVITIES,
  AREA_ROLES,
  COMMAND_ACTIONS,
  HAZARD_TYPES,
  MAX_NODE_ID,
  MAX_SEQ,
  OUTCOMES,
  ROAD_SEVERITIES,
  VICTIM_CONDITIONS,
  type Fact,
} from './facts.js';
import type { LocalPoint } from './frame-of-reference.js';

/** Largest |x| or |y| on air, metres from the area origin (±32.7 km: far beyond any area of operation). */
export const MAX_COORD = 32767;
/** Largest time on air, seconds since the mission epoch (68 years). */
export const MAX_TIME = 0x7fffffff;
export const MAX_ALT = 10000;
export const MIN_ALT = -1000;
export const MAX_SECTOR = 65534;
export const MAX_ROAD_POINTS = 16;
/** Cells in one coverage fact: bounds what a decoder expands from run lengths. */
export const MAX_COVERAGE_CELLS = 4096;
export const MAX_CELL_INDEX = 0xfffffffe;
export const MAX_AREA_RINGS = 16;
export const MAX_RING_POINTS = 256;
export const MAX_MISSION_AREAS = 16;
export const MAX_LAUNCH_POINTS = 16;

const isInt = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function pointProblem(p: LocalPoint | undefined, what: string): string | undefined {
  if (!p || typeof p !== 'object') return `${what} is not a point`;
  if (!isInt(p.x, -MAX_COORD, MAX_COORD) || !isInt(p.y, -MAX_COORD, MAX_COORD))
    return `${what} (${p.x}, ${p.y}) is not whole metres within ±${MAX_COORD}`;
  return undefined;
}

function enumProblem(v: string, values: readonly string[], what: string): string | undefined {
  return values.includes(v) ? undefined : `${what} "${v}" is not one of ${values.join(', ')}`;
}

/** Why the fact is outside the documented ranges, or undefined if it is fine. */
export function factProblem(f: Fact): string | undefined {
  if (!isInt(f.origin, 1, MAX_NODE_ID)) return `origin ${f.origin} outside 1..${MAX_NODE_ID}`;
  if (!isInt(f.seq, 1, MAX_SEQ)) return `seq ${f.seq} outside 1..${MAX_SEQ}`;
  if (!isInt(f.t, 0, MAX_TIME)) return `t ${f.t} outside 0..${MAX_TIME}`;
  switch (f.kind) {
    case 'status':
      return (
        pointProblem(f.pos, 'pos') ??
        (!isInt(f.alt, MIN_ALT, MAX_ALT) ? `alt ${f.alt} outside ${MIN_ALT}..${MAX_ALT}` : undefined) ??
        (!isInt(f.battery, 0, 100) ? `battery ${f.battery} outside 0..100` : undefined) ??
        (!isInt(f.mode, 0, 255) ? `mode ${f.mode} outside 0..255` : undefined) ??
        (typeof f.armed !== 'boolean' ? 'armed is not a boolean' : undefined) ??
        enumProblem(f.activity, ACTIVITIES, 'activity') ??
        (!isInt(f.sector, -1, MAX_SECTOR) ? `sector ${f.sector} outside -1..${MAX_SECTOR}` : undefined) ??
        (!isInt(f.heading, 0, 359) ? `heading ${f.heading} outside 0..359` : undefined)
      );
    case 'victim':
      return (
        pointProblem(f.pos, 'pos') ??
        (!isInt(f.count, 1, 255) ? `count ${f.count} outside 1..255` : undefined) ??
        enumProblem(f.condition, VICTIM_CONDITIONS, 'condition') ??
        (!isInt(f.confidence, 0, 100) ? `confidence ${f.confidence} outside 0..100` : undefined)
      );
    case 'road': {
      if (!Array.isArray(f.path) || f.path.length < 2 || f.path.length > MAX_ROAD_POINTS)
        return `road path must have 2..${MAX_ROAD_POINTS} points`;
      for (let i = 0; i < f.path.length; i++) {
        const p = pointProblem(f.path[i], `path[${i}]`);
        if (p) return p;
      }
      return enumProblem(f.severity, ROAD_SEVERITIES, 'severity');
    }
    case 'hazard':
      return (
        enumProblem(f.hazard, HAZARD_TYPES, 'hazard') ??
        pointProblem(f.pos, 'pos') ??
        (!isInt(f.radius, 0, 65535) ? `radius ${f.radius} outside 0..65535` : undefined)
      );
    case 'supersede':
      return (
        (!isInt(f.target?.origin, 1, MAX_NODE_ID) ? `target origin outside 1..${MAX_NODE_ID}` : undefined) ??
        (!isInt(f.target?.seq, 1, MAX_SEQ) ? `target seq outside 1..${MAX_SEQ}` : undefined) ??
        enumProblem(f.outcome, OUTCOMES, 'outcome')
      );
    case 'coverage': {
      const c = f.cells;
      if (!Array.isArray(c) || c.length < 1 || c.length > MAX_COVERAGE_CELLS)
        return `coverage must list 1..${MAX_COVERAGE_CELLS} cells`;
      let prev = -1;
      for (const cell of c) {
        if (!isInt(cell, 0, MAX_CELL_INDEX)) return `cell ${cell} outside 0..${MAX_CELL_INDEX}`;
        if (cell <= prev) return 'cells must be sorted and unique';
        prev = cell;
      }
      return undefined;
    }
    case 'area': {
      const problem = enumProblem(f.role, AREA_ROLES, 'role');
      if (problem) return problem;
      if (!isInt(f.priority, 1, 9)) return `priority ${f.priority} outside 1..9`;
      if (!Array.isArray(f.rings) || f.rings.length < 1 || f.rings.length > MAX_AREA_RINGS)
        return `area must have 1..${MAX_AREA_RINGS} rings`;
      for (const ring of f.rings) {
        if (!Array.isArray(ring) || ring.length < 3 || ring.length > MAX_RING_POINTS)
          return `a ring must have 3..${MAX_RING_POINTS} points`;
        for (const p of ring) {
          const pp = pointProblem(p, 'ring point');
          if (pp) return pp;
        }
      }
      return undefined;
    }
    case 'command':
      return (
        (!isInt(f.target, 0, MAX_NODE_ID) ? `target ${f.target} outside 0..${MAX_NODE_ID}` : undefined) ??
        enumProblem(f.action, COMMAND_ACTIONS, 'action')
      );
    case 'attest': {
      const bytes = (v: unknown, n: number) => v instanceof Uint8Array && v.length === n;
      if (!bytes(f.digest, 16) || !bytes(f.statusDigest, 8) || !(bytes(f.signature, 64) || bytes(f.signature, 8))) return 'attestation digests or signature of the wrong size';
      if (!isInt(f.count, 0, MAX_SEQ) || !isInt(f.from, 0, MAX_SEQ) || !isInt(f.to, 0, MAX_SEQ) || !isInt(f.statusSeq, 0, MAX_SEQ))
        return 'attestation range outside 0..2^32-1';
      if (f.count === 0 ? f.from !== 0 || f.to !== 0 : f.from < 1 || f.from > f.to || f.to >= f.seq || f.count > f.to - f.from + 1)
        return `attested range ${f.from}..${f.to} (${f.count}) is not before ${f.seq}`;
      if (f.statusSeq >= f.seq) return `attested status ${f.statusSeq} is not before ${f.seq}`;
      return undefined;
    }
    case 'ack':
      return (
        (!isInt(f.target?.origin, 1, MAX_NODE_ID) ? `target origin outside 1..${MAX_NODE_ID}` : undefined) ??
        (!isInt(f.target?.seq, 1, MAX_SEQ) ? `target seq outside 1..${MAX_SEQ}` : undefined) ??
        enumProblem(f.result, ACK_RESULTS, 'result')
      );
    case 'mission': {
      if (!isInt(f.version, 1, 0xffff)) return `version ${f.version} outside 1..65535`;
      if (!Array.isArray(f.areas) || f.areas.length < 1 || f.areas.length > MAX_MISSION_AREAS) return `a mission lists 1..${MAX_MISSION_AREAS} areas`;
      for (const a of f.areas) if (!isInt(a?.origin, 1, MAX_NODE_ID) || !isInt(a?.seq, 1, MAX_SEQ)) return 'a mission area is not a fact id';
      if (!Array.isArray(f.launch) || f.launch.length > MAX_LAUNCH_POINTS) return `a mission has 0..${MAX_LAUNCH_POINTS} launch points`;
      for (const p of f.launch) {
        const pp = pointProblem(p, 'launch point');
        if (pp) return pp;
      }
      return undefined;
    }
    default:
      return `unknown kind "${(f as { kind: unknown }).kind}"`;
  }
}
