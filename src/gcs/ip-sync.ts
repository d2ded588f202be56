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
import type { AreaFrame } from '../wire/frame-of-reference.js';
import type { GroundStation } from './station.js';
import type { AccessGuard } from './access.js';

/** Other stations syncing with this one at once (each holds a copy of the document in memory). */
export const MAX_SYNC_PEERS = 16;
/** automerge-repo's save throttle (its default saveDebounceRate, 100 ms) plus a margin. */
const SAVE_SETTLE_MS = 150;

/** Answers a refused WebSocket upgrade with a plain HTTP status and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = `${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Forbidden'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

export interface IpSyncOptions {
  readonly station: GroundStation;
  /** Where the repo stores its copy. */
  readonly storageDir: string;
  /** Mission name: stations with the same name share one map. */
  readonly mission: string;
  /** Accept peers on this HTTP server's /sync path. */
  readonly server?: Server;
  /** Required with `server`: a peer must present this station's operator token (ws://host:port/sync?token=...). */
  readonly access?: AccessGuard;
  /** WebSocket URLs of other stations (ws://host:port/sync?token=<that station's operator token>). */
  readonly peers?: readonly string[];
  readonly peerName?: string;
  /** Where a peer's refusal is reported (default: stderr). */
  readonly warn?: (line: string) => void;
}

/**
 * The client adapter rethrows any connection error but "refused" from inside a socket event, which would
 * bring the station down when a peer answers 401 (wrong token) or 403. Here it is one warning per distinct
 * reason (the token blanked out), and the adapter keeps retrying.
 */
class PeerAdapter extends WebSocketClientAdapter {
  constructor(url: string, warn: (line: string) => void) {
    super(url, 1000);
    const shown = url.replace(/token=[^&]*/, 'token=…');
    let last = '';
    this.onError = (event) => {
      const reason = 'error' in event ? (event.error as Error).message : 'connection failed';
      if (reason !== last) warn(`IP sync with ${shown}: ${reason}`);
      last = reason;
    };
  }
}

/**
 * The shared document of a mission in an area: stations of another area (or another epoch) never open
 * the same document, so their maps, in another frame's metres and seconds, are never merged into this one.
 */
export function missionDocumentId(mission: string, area: AreaFrame): DocumentId {
  const frame = `${area.originLat},${area.originLon},${area.epoch},${area.cellSize},${area.cols}`;
  const bytes = createHash('sha256').update(`murmur-map:${mission}:${frame}`).digest().subarray(0, 16);
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
      const access = opts.access;
      if (!access) throw new Error('IP sync on a server needs its access guard: /sync must check who connects');
      const wss = new WebSocketServer({ noServer: true, maxPayload: 64 << 20 });
      this.wss = wss;
      this.onUpgrade = (req, socket, head) => {
        const url = new URL(req.url ?? '/', 'http://local');
        if (url.pathname !== '/sync') return;
        const refused = access.refusal(req);
        if (refused) return refuseUpgrade(socket, 403, refused);
        // Syncing writes into this station's map: the operator token only, never a viewer's.
        const role = access.credential(req, url, true);
        if (role !== 'operator') return refuseUpgrade(socket, role ? 403 : 401, role ? 'a viewer may not sync' : 'no valid credential: /sync?token=<operator token>');
        if (wss.clients.size >= MAX_SYNC_PEERS) return refuseUpgrade(socket, 503, `already ${MAX_SYNC_PEERS} stations syncing`);
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      };
      opts.server.on('upgrade', this.onUpgrade);
      // The adapter is typed against the CommonJS view of ws; the server object is the same.
      network.push(new WebSocketServerAdapter(wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]));
    }
    const warn = opts.warn ?? ((line: string) => console.warn(line));
    for (const url of opts.peers ?? []) network.push(new PeerAdapter(url, warn));
    const docId = missionDocumentId(opts.mission, opts.station.frame);
    this.repo = new Repo({
      storage: new NodeFSStorageAdapter(opts.storageDir),
      network,
      peerId: `${opts.peerName ?? `gcs-${opts.station.nodeId}`}-${process.pid}-${Date.now()}` as PeerId,
      // The mission's document only: a peer asking for any other id gets "unavailable", and this repo
      // never opens a handle for it (each would be kept, in memory, for as long as the station runs).
      shareConfig: { announce: async (_peer, id) => id === docId, access: async (_peer, id) => id === docId },
    });
    const station = opts.station;
    this.handle = this.repo.import<MapSchema>(station.map.save(), { docId });
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
    await this.repo.flush([this.handle.documentId]).catch(() => undefined);
    // A peer may have asked for a document this station does not hold (another area's mission): the
    // repo then holds a handle that never becomes ready, and its shutdown's flush of every handle throws
    // after the sockets are closed. Nothing of ours is lost: our document was flushed above.
    await this.repo.shutdown().catch(() => undefined);
    // The repo saves documents and sync states throttled (100 ms) and shutdown does not wait for them:
    // let the last ones land before the caller moves on (and, in tests, removes the directory).
    await new Promise((r) => setTimeout(r, SAVE_SETTLE_MS));
    if (this.wss) {
      for (const c of this.wss.clients) c.terminate();
      await new Promise<void>((r) => this.wss!.close(() => r()));
    }
  }
}

