/**
 * Composition of one ground station: the mesh node and its map, the web server, the IP sync with
 * other ground stations, and the optional CoT stream. Used by `murmur gcs` and by the tests.
 */
import { join } from 'node:path';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import type { MeshPort } from './mesh-port.js';
import type { Clock } from '../core/clock.js';
import { GroundStation } from './station.js';
import type { TakeOffInput } from '../sectors/index.js';
import { GcsServer } from './server.js';
import { IpSync } from './ip-sync.js';
import { TakStream, parseTakTarget } from './tak-stream.js';
import { bindDataDir } from './mission-binding.js';
import { AccessGuard, deriveTokens, loadOrCreateStationSecret, type StationTokens } from './access.js';

export interface GroundStationConfig {
  readonly nodeId: NodeId;
  readonly frame: AreaFrame;
  readonly dataDir: string;
  readonly mesh: MeshPort;
  readonly port: number;
  readonly host?: string;
  readonly basemap?: string;
  readonly mapsDir?: string;
  /** Mission name for IP sync between ground stations; IP sync is off without it. */
  readonly mission?: string;
  readonly peers?: readonly string[];
  /** tcp://host:port or udp://group:port */
  readonly tak?: string;
  readonly statusEveryMs?: number;
  /** Unix ms now (default Date.now; a simulation passes its own clock). */
  readonly clock?: () => number;
  /** Timers for the station's heartbeat and order repeats (default: real time; a simulation passes its own). */
  readonly timers?: Clock;
  readonly position?: LocalPoint;
  /** Secret the access tokens derive from: the station key file's secret key. Default: a secret kept in dataDir. */
  readonly secret?: Uint8Array;
  /** The swarm's name (from the key file): a data directory keeps the map of one swarm only. */
  readonly swarm?: string;
  /** Where damage found in the data directory and refused sync peers are reported (default: stderr). */
  readonly warn?: (line: string) => void;
  /** Host names (besides IP literals and localhost) the web server answers to. */
  readonly allowedHosts?: readonly string[];
  /** The node's fact sequence, when the radio side opened it (station.ts). */
  readonly factSequence?: { take(): number };
  /** The mission the drones were started with and their roster, for the sector outlines (station.ts). */
  readonly sectors?: TakeOffInput;
}

export interface RunningGroundStation {
  readonly station: GroundStation;
  readonly server: GcsServer;
  readonly sync?: IpSync;
  readonly tak?: TakStream;
  readonly port: number;
  /** The operator's address: the page URL carrying the operator token (in the fragment, never sent). */
  readonly url: string;
  /** The same for a viewer, who can only look. */
  readonly viewerUrl: string;
  /** The page URL without any credential. */
  readonly baseUrl: string;
  readonly tokens: StationTokens;
  close(): Promise<void>;
}

export async function startGroundStation(cfg: GroundStationConfig): Promise<RunningGroundStation> {
  // Before anything is read: this directory must hold this mission's map, not another's.
  bindDataDir(cfg.dataDir, { area: cfg.frame, ...(cfg.swarm ? { swarm: cfg.swarm } : {}), ...(cfg.mission ? { mission: cfg.mission } : {}) });
  const station = new GroundStation({
    nodeId: cfg.nodeId, frame: cfg.frame, dataDir: cfg.dataDir, mesh: cfg.mesh,
    ...(cfg.statusEveryMs !== undefined ? { statusEveryMs: cfg.statusEveryMs } : {}),
    ...(cfg.position ? { position: cfg.position } : {}),
    ...(cfg.clock ? { clock: cfg.clock } : {}),
    ...(cfg.timers ? { timers: cfg.timers } : {}),
    ...(cfg.warn ? { warn: cfg.warn } : {}),
    ...(cfg.factSequence ? { factSequence: cfg.factSequence } : {}),
    ...(cfg.sectors ? { sectors: cfg.sectors } : {}),
  });
  const tokens = deriveTokens(cfg.secret ?? loadOrCreateStationSecret(cfg.dataDir));
  const access = new AccessGuard({ tokens, ...(cfg.allowedHosts ? { allowedHosts: cfg.allowedHosts } : {}) });
  const server = new GcsServer({
    station, port: cfg.port, access,
    ...(cfg.host ? { host: cfg.host } : {}),
    ...(cfg.basemap ? { basemap: cfg.basemap } : {}),
    ...(cfg.mapsDir ? { mapsDir: cfg.mapsDir } : {}),
  });
  const port = await server.listen();
  const sync = cfg.mission
    ? new IpSync({ station, storageDir: join(cfg.dataDir, 'repo'), mission: cfg.mission, server: server.http, access, peers: cfg.peers ?? [], ...(cfg.warn ? { warn: cfg.warn } : {}) })
    : undefined;
  const tak = cfg.tak ? new TakStream(station, parseTakTarget(cfg.tak)) : undefined;
  const host = cfg.host ?? '127.0.0.1';
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  return {
    station, server, port, baseUrl, tokens,
    url: `${baseUrl}#token=${tokens.operator}`,
    viewerUrl: `${baseUrl}#token=${tokens.viewer}`,
    ...(sync ? { sync } : {}),
    ...(tak ? { tak } : {}),
    async close() {
      tak?.close();
      await sync?.close();
      await server.close();
      await station.close();
      await cfg.mesh.close();
    },
  };
}
