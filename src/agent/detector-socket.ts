/**
 * External detector input: a detector running beside the agent (a camera model, a thermal camera) connects
 * to a local socket and writes one JSON object per line: {"lat","lon","count"?,"condition"?,"confidence"?}
 * (format: maps/README.md). Bad lines are counted and skipped; the connection stays open.
 */
import net from 'node:net';
import { rmSync } from 'node:fs';
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';
import { localMetres } from '../wire/frame-of-reference.js';
import { VICTIM_CONDITIONS, type VictimCondition } from '../wire/facts.js';
import type { Detection } from '../mission/detection.js';
import type { Sensor } from './search-agent.js';

/** Longest line accepted: a detection is well under 200 bytes. */
const MAX_LINE = 4096;

export function parseDetectionLine(line: string, frame: AreaFrame): Detection | string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'not an object';
  const r = o as Record<string, unknown>;
  if (typeof r.lat !== 'number' || r.lat < -90 || r.lat > 90) return 'lat must be a number -90..90';
  if (typeof r.lon !== 'number' || r.lon < -180 || r.lon > 180) return 'lon must be a number -180..180';
  const count = r.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 255) return 'count must be 1..255';
  const condition = r.condition ?? 'unknown';
  if (typeof condition !== 'string' || !(VICTIM_CONDITIONS as readonly string[]).includes(condition)) return `condition must be one of ${VICTIM_CONDITIONS.join(', ')}`;
  const confidence = r.confidence ?? 50;
  if (typeof confidence !== 'number' || confidence < 0 || confidence > 100) return 'confidence must be 0..100';
  const pos: LocalPoint = localMetres(frame, r.lat, r.lon);
  return { pos, count, condition: condition as VictimCondition, confidence: Math.round(confidence), truth: -1 };
}

export class DetectorSocket implements Sensor {
  private readonly queue: Detection[] = [];
  private readonly server: net.Server;
  rejectedLines = 0;
  accepted = 0;

  constructor(
    readonly path: string,
    private readonly frame: AreaFrame,
    private readonly onReject?: (why: string) => void,
  ) {
    this.server = net.createServer((sock) => {
      let buf = '';
      sock.setEncoding('utf8');
      sock.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          this.line(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
        if (buf.length > MAX_LINE) {
          this.reject('line too long');
          buf = '';
        }
      });
      sock.on('error', () => undefined);
    });
  }

  async listen(): Promise<void> {
    rmSync(this.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.path, () => resolve());
    });
  }

  close(): void {
    this.server.close();
    rmSync(this.path, { force: true });
  }

  /** Sightings received since the last call (the agent reports them as it searches). */
  sweep(): Detection[] {
    return this.queue.splice(0);
  }

  private line(text: string): void {
    if (text.trim() === '') return;
    const d = parseDetectionLine(text, this.frame);
    if (typeof d === 'string') return this.reject(d);
    this.accepted++;
    this.queue.push(d);
  }

  private reject(why: string): void {
    this.rejectedLines++;
    this.onReject?.(why);
  }
}
