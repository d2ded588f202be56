/**
 * Ground stations (command post, field teams) keep one map between them over IP with automerge-repo:
 * a WebSocket server on this station's web port (path /sync) for peers to join, WebSocket clients to the
 * peers given on the command line, and the repo's file-system storage. The radio is for facts; this is
 * for whole documents, on links that are reliable and fast enough for Automerge's sync protocol.
 *
 * Every station of a mission uses the same document id (derived from the mission name), and every map
 * document starts from the same genesis change, so stations that have never met share one history.
 * The repo's document and the station's map are bridged both ways by Automerge merges (idempotent).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import * as A from '@automerge/automerge';
import { Repo, stringifyAutomergeUrl, type DocHandle, type DocumentId, type PeerId, parseAutomergeUrl } from '@automerge/automerge-repo';
import { WebSocketClientAdapter, WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { WebSocketServer } from 'ws';
import type { MapSchema } from '../map/document.js';
import type { GroundStation } from './station.js';

export interface IpSyncOptions {
  readonly station: GroundStation;
  /** Where the repo stores its copy. */
  readonly storageDir: string;
  /** Mission name: stations with the same name share one map. */
  readonly mission: string;
  /** Accept peers on this HTTP server's /sync path. */
  readonly server?: Server;
  /** WebSocket URLs of other stations (ws://host:port/sync). */
  readonly peers?: readonly string[];
  readonly peerName?: string;
}

export function missionDocumentId(mission: string): DocumentId {
  const bytes = createHash('sha256').update(`murmur-map:${mission}`).digest().subarray(0, 16);
  return parseAutomergeUrl(stringifyAutomergeUrl(new Uint8Array(bytes) as never)).documentId;
}

export class IpSync {
  readonly repo: Repo;
  readonly handle: DocHandle<MapSchema>;
  private readonly wss: WebSocketServer | undefined;
  private readonly onUpgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly opts: IpSyncOptions) {
    const network = [];
    if (opts.server) {
      const wss = new WebSocketServer({ noServer: true });
      this.wss = wss;
      this.onUpgrade = (req, socket, head) => {
        if (new URL(req.url ?? '/', 'http://local').pathname !== '/sync') return;
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      };
      opts.server.on('upgrade', this.onUpgrade);
      // The adapter is typed against the CommonJS view of ws; the server object is the same.
      network.push(new WebSocketServerAdapter(wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]));
    }
    for (const url of opts.peers ?? []) network.push(new WebSocketClientAdapter(url, 1000));
    this.repo = new Repo({
      storage: new NodeFSStorageAdapter(opts.storageDir),
      network,
      peerId: `${opts.peerName ?? `gcs-${opts.station.nodeId}`}-${process.pid}-${Date.now()}` as PeerId,
      sharePolicy: async () => true,
    });
    const station = opts.station;
    this.handle = this.repo.import<MapSchema>(station.map.save(), { docId: missionDocumentId(opts.mission) });
    this.handle.on('change', ({ doc }) => {
      if (!this.closed) station.mergeDoc(doc);
    });
    this.unsubscribe = station.onChange(() => this.push());
    station.mergeDoc(this.handle.doc());
  }

  /** Brings the station's latest map into the shared document. */
  push(): void {
    if (this.closed) return;
    const mine = this.opts.station.map.doc;
    // Merging is idempotent: the handle only announces a change when its heads moved.
    this.handle.update((d) => A.merge(d, mine));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.onUpgrade && this.opts.server) this.opts.server.off('upgrade', this.onUpgrade);
    await this.repo.flush().catch(() => undefined);
    await this.repo.shutdown();
    if (this.wss) {
      for (const c of this.wss.clients) c.terminate();
      await new Promise<void>((r) => this.wss!.close(() => r()));
    }
  }
}

