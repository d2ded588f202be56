/**
 * The ground station's web server: the page and every script and style it needs (MapLibre GL JS and
 * pmtiles from node_modules; no CDN, no web fonts), the state as JSON, a server-sent-events stream that
 * pushes the state after each merge, operator actions, the local basemap and the area's vector layers,
 * and GeoJSON / CoT exports.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { toLatLon, type AreaFrame } from '../wire/frame-of-reference.js';
import { toGeoJSON } from '../map/geojson.js';
import { toCoT } from '../map/cot.js';
import { mapKml, victimsCsv } from '../map/victim-report.js';
import { ActionError, type GroundStation, type OperatorAction } from './station.js';
import { pageView } from './view.js';
import type { AccessGuard, Role } from './access.js';
import { projectRoot } from '../core/project-root.js';

const ROOT = projectRoot(import.meta.url);
const PAGE_DIR = join(ROOT, 'src', 'gcs', 'page');
/** A dependency's folder as Node finds it: beside the project, or hoisted above it when murmur is installed. */
function packageDir(name: string): string {
  for (let dir = ROOT; ; dir = dirname(dir)) {
    const p = join(dir, 'node_modules', name);
    if (existsSync(p) || dirname(dir) === dir) return p;
  }
}
const VENDOR: Record<string, string> = {
  maplibre: join(packageDir('maplibre-gl'), 'dist'),
  pmtiles: join(packageDir('pmtiles'), 'dist'),
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.pbf': 'application/x-protobuf',
  '.mvt': 'application/vnd.mapbox-vector-tile',
  '.pmtiles': 'application/octet-stream',
};

export interface ServerOptions {
  readonly station: GroundStation;
  /** Credentials, Host and Origin checks. */
  readonly access: AccessGuard;
  readonly port: number;
  readonly host?: string;
  /** A .pmtiles file or a {z}/{x}/{y}.<ext> tile folder. */
  readonly basemap?: string;
  /** Folder of GeoJSON layers of the area (roads, buildings, boundary...). */
  readonly mapsDir?: string;
  /** Longest wait between a merge and the push to pages, ms (pushes are coalesced). Default 200. */
  readonly pushEveryMs?: number;
}

/** Serves `rel` from inside `dir` only (no path escapes). */
function safeJoin(dir: string, rel: string): string | undefined {
  const p = normalize(join(dir, decodeURIComponent(rel)));
  return p.startsWith(dir + sep) || p === dir ? p : undefined;
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string | undefined): void {
  if (!path || !existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  const size = statSync(path).size;
  const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { 'Content-Type': type, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    createReadStream(path, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
  createReadStream(path).pipe(res);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(s);
}

/** Largest action body: a 1,000-point ring is about 40 KB. */
export const MAX_BODY = 64 * 1024;
/** Pages following the live state at once: each costs a state push per merge. */
export const MAX_EVENT_CLIENTS = 32;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      reject(new HttpError(413, `request body over ${MAX_BODY} bytes`));
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export interface BasemapInfo {
  readonly kind: 'pmtiles' | 'tiles' | 'none';
  readonly url?: string;
}

function basemapInfo(basemap: string | undefined): BasemapInfo {
  if (!basemap) return { kind: 'none' };
  if (basemap.endsWith('.pmtiles')) return { kind: 'pmtiles', url: '/basemap/basemap.pmtiles' };
  // Tile folder: find the image extension from the first tile present.
  const ext = findTileExt(basemap) ?? 'png';
  return { kind: 'tiles', url: `/basemap/{z}/{x}/{y}.${ext}` };
}

function findTileExt(dir: string, depth = 0): string | undefined {
  if (!existsSync(dir) || depth > 3) return undefined;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && depth === 2) return extname(e.name).slice(1);
    if (e.isDirectory()) {
      const found = findTileExt(join(dir, e.name), depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

export function areaConfig(frame: AreaFrame, opts: ServerOptions) {
  const centre = toLatLon(frame, { x: frame.cellSize * frame.cols / 2, y: frame.cellSize * frame.cols / 2 });
  const layers = opts.mapsDir && existsSync(opts.mapsDir) ? readdirSync(opts.mapsDir).filter((f) => f.endsWith('.geojson')).sort() : [];
  return {
    frame,
    centre: [centre.lon, centre.lat],
    basemap: basemapInfo(opts.basemap),
    layers: layers.map((f) => ({ name: f.replace(/\.geojson$/, ''), url: `/maps/${encodeURIComponent(f)}` })),
  };
}

export class GcsServer {
  readonly http: Server;
  private readonly clients = new Set<ServerResponse>();
  private pushTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: ServerOptions) {
    this.http = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : err instanceof ActionError ? 400 : 500;
        if (!res.headersSent) json(res, status, { error: (err as Error).message });
        else res.end();
      });
    });
    this.unsubscribe = opts.station.onChange(() => this.schedulePush());
  }

  listen(): Promise<number> {
    return new Promise((resolveListen, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        const addr = this.http.address();
        resolveListen(typeof addr === 'object' && addr ? addr.port : this.opts.port);
      });
    });
  }

  /** Cost of the last state push, ms: a big map is pushed less often so the station stays responsive. */
  private lastPushCostMs = 0;

  private schedulePush(): void {
    if (this.pushTimer || this.clients.size === 0) return;
    const delay = Math.min(800, Math.max(this.opts.pushEveryMs ?? 200, 3 * this.lastPushCostMs));
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      const t0 = performance.now();
      const data = JSON.stringify(pageView(this.opts.station));
      for (const c of this.clients) c.write(`event: state\ndata: ${data}\n\n`);
      this.lastPushCostMs = performance.now() - t0;
    }, delay);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    const s = this.opts.station;
    // Never inside another site's frame: the framed page would hold the operator's token, and a page
    // laid over it could steer the operator's clicks (clickjacking).
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    const refused = this.opts.access.refusal(req);
    if (refused) throw new HttpError(403, refused);
    if (path.startsWith('/api/')) {
      // EventSource cannot set headers: the event stream alone takes its credential in the query.
      const role = this.opts.access.credential(req, url, req.method === 'GET' && path === '/api/events');
      if (!role) throw new HttpError(401, 'no valid credential: open the URL the station printed at start (it carries the token)');
      if (req.method !== 'GET') return this.change(req, res, path, role);
    }
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) return sendFile(req, res, join(PAGE_DIR, 'index.html'));
    if (req.method === 'GET' && /^\/[a-z-]+\.(js|css)$/.test(path)) return sendFile(req, res, safeJoin(PAGE_DIR, path.slice(1)));
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const vendor = /^\/vendor\/([a-z]+)\/(.+)$/.exec(path);
    if (req.method === 'GET' && vendor) {
      const dir = VENDOR[vendor[1]!];
      return sendFile(req, res, dir ? safeJoin(dir, vendor[2]!) : undefined);
    }
    if (req.method === 'GET' && path === '/api/config') return json(res, 200, { node: s.nodeId, role: this.opts.access.credential(req, url, false), ...areaConfig(s.frame, this.opts) });
    if (req.method === 'GET' && path === '/api/state') return json(res, 200, pageView(s));
    if (req.method === 'GET' && path === '/api/events') {
      if (this.clients.size >= MAX_EVENT_CLIENTS) throw new HttpError(503, `already ${MAX_EVENT_CLIENTS} pages following the station`);
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(`event: state\ndata: ${JSON.stringify(pageView(s))}\n\n`);
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
      return;
    }
    if (req.method === 'GET' && path === '/api/fact') {
      const id = url.searchParams.get('id') ?? '';
      const f = s.map.get(id);
      if (!f) return json(res, 404, { error: `no fact ${id}` });
      const holders = s.mesh.whoHolds ? s.mesh.whoHolds(f) : null;
      return json(res, 200, { fact: f, holders });
    }
    if (req.method === 'GET' && path === '/api/geojson') return json(res, 200, toGeoJSON(s.map.state(), s.frame));
    if (req.method === 'GET' && path === '/api/victims.csv') {
      res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="victims.csv"', 'Cache-Control': 'no-store' });
      return void res.end(victimsCsv(s.map.state(), s.frame));
    }
    if (req.method === 'GET' && path === '/api/map.kml') {
      res.writeHead(200, { 'Content-Type': 'application/vnd.google-earth.kml+xml', 'Content-Disposition': 'attachment; filename="murmur.kml"', 'Cache-Control': 'no-store' });
      return void res.end(mapKml(s.map.state(), s.frame));
    }
    if (req.method === 'GET' && path === '/api/cot') {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(`<events>\n${toCoT(s.map.state(), s.frame, { nowMs: Date.now() }).join('\n')}\n</events>\n`);
      return;
    }
    if (req.method === 'GET' && path.startsWith('/maps/') && this.opts.mapsDir)
      return sendFile(req, res, safeJoin(resolve(this.opts.mapsDir), path.slice('/maps/'.length)));
    if (req.method === 'GET' && path.startsWith('/basemap/') && this.opts.basemap) {
      const bm = resolve(this.opts.basemap);
      if (bm.endsWith('.pmtiles')) return sendFile(req, res, path === '/basemap/basemap.pmtiles' ? bm : undefined);
      return sendFile(req, res, safeJoin(bm, path.slice('/basemap/'.length)));
    }
    res.writeHead(404).end('not found');
  }

  /**
   * State-changing requests: the operator only, as JSON. A page elsewhere can send a cross-site "simple"
   * request (a form, text/plain) without the browser asking first; JSON with an Authorization header makes
   * the browser ask (CORS preflight), which this server never grants.
   */
  private async change(req: IncomingMessage, res: ServerResponse, path: string, role: Role): Promise<void> {
    if (req.method !== 'POST' || path !== '/api/action') throw new HttpError(404, 'not found');
    if (role !== 'operator') throw new HttpError(403, 'a viewer may only look: actions need the operator token');
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'actions are sent as JSON (Content-Type: application/json)');
    let action: OperatorAction;
    try {
      action = JSON.parse(await readBody(req)) as OperatorAction;
    } catch (err) {
      throw err instanceof HttpError ? err : new ActionError('body is not JSON');
    }
    const facts = this.opts.station.act(action);
    return json(res, 200, { facts });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    if (this.pushTimer) clearTimeout(this.pushTimer);
    for (const c of this.clients) c.end();
    this.clients.clear();
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }
}
