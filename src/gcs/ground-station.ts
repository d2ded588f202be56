/**
 * Composition of one ground station: the mesh node and its map, the web server, the IP sync with
 * other ground stations, and the optional CoT stream. Used by `murmur gcs` and by the tests.
 */
import { join } from 'node:path';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import type { NodeId } from '../wire/facts.js';
import type { MeshPort } from './mesh-port.js';
import { GroundStation } from './station.js';
import { GcsServer } from './server.js';
import { IpSync } from './ip-sync.js';
import { TakStream, parseTakTarget } from './tak-stream.js';

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
  readonly position?: LocalPoint;
}

export interface RunningGroundStation {
  readonly station: GroundStation;
  readonly server: GcsServer;
  readonly sync?: IpSync;
  readonly tak?: TakStream;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startGroundStation(cfg: GroundStationConfig): Promise<RunningGroundStation> {
  const station = new GroundStation({
    nodeId: cfg.nodeId, frame: cfg.frame, dataDir: cfg.dataDir, mesh: cfg.mesh,
    ...(cfg.statusEveryMs !== undefined ? { statusEveryMs: cfg.statusEveryMs } : {}),
    ...(cfg.position ? { position: cfg.position } : {}),
  });
  const server = new GcsServer({
    station, port: cfg.port,
    ...(cfg.host ? { host: cfg.host } : {}),
    ...(cfg.basemap ? { basemap: cfg.basemap } : {}),
    ...(cfg.mapsDir ? { mapsDir: cfg.mapsDir } : {}),
  });
  const port = await server.listen();
  const sync = cfg.mission
    ? new IpSync({ station, storageDir: join(cfg.dataDir, 'repo'), mission: cfg.mission, server: server.http, peers: cfg.peers ?? [] })
    : undefined;
  const tak = cfg.tak ? new TakStream(station, parseTakTarget(cfg.tak)) : undefined;
  const host = cfg.host ?? '127.0.0.1';
  return {
    station, server, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
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
