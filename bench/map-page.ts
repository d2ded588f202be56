/**
 * The browser half of the map benchmark: a ground station holding 10,000 victim reports (one point
 * feature each) is opened in headless Chromium; timed until the page has drawn them all (MapLibre on
 * software WebGL, and the SVG fallback), and the delay from a merge to the page showing the new fact.
 */
import { rmSync, existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { LoopbackHub } from '../src/gcs/mesh-port.js';
import type {} from '../src/gcs/page-probe.js';
import { startGroundStation } from '../src/gcs/ground-station.js';
import type { Fact } from '../src/wire/facts.js';
import type { AreaFrame } from '../src/wire/frame-of-reference.js';

const CHROMIUM = '/usr/bin/chromium';
const FRAME: AreaFrame = { originLat: 45.18, originLon: 5.72, epoch: 1_790_000_000, cellSize: 25, cols: 200 };

export interface PageFigures {
  page_10k_features_ms: number;
  page_10k_features_fallback_ms: number;
  push_latency_ms_median: number;
}


export async function timePageFeatures(facts: readonly Fact[], log: (l: string) => void): Promise<PageFigures> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not installed`);
  void facts;
  const n = 10_000;
  const victims: Fact[] = [];
  for (let i = 0; i < n; i++) {
    victims.push({ kind: 'victim', origin: 2 + (i % 40), seq: 1 + Math.floor(i / 40), t: i, pos: { x: (i * 7919) % 5000, y: (i * 104729) % 5000 }, count: 1 + (i % 3), condition: 'injured', confidence: 50 + (i % 50) });
  }
  const data = mkdtempSync(join(tmpdir(), 'murmur-bench-page-'));
  const profile = mkdtempSync(join(tmpdir(), 'murmur-bench-chromium-'));
  const hub = new LoopbackHub();
  const gcs = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: data, mesh: hub.port(1), port: 0, statusEveryMs: 0 });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  // The whole browser part stays within about a minute even on a loaded machine: every wait is bounded.
  ctx.setDefaultTimeout(25_000);
  try {
    gcs.station.merge(victims);
    const time = async (query: string): Promise<number> => {
      const page = await ctx.newPage();
      const t0 = performance.now();
      await page.goto(gcs.url.replace("#", `${query}#`));
      await page.waitForFunction((k) => (window.__murmur?.featuresShown ?? 0) >= k, n, { polling: 20 });
      await page.evaluate(() => {
        (window as unknown as { __drawn: boolean }).__drawn = false;
        void window.__murmur.whenDrawn().then(() => ((window as unknown as { __drawn: boolean }).__drawn = true));
      });
      await page.waitForFunction(() => (window as unknown as { __drawn: boolean }).__drawn);
      const ms = Math.round(performance.now() - t0);
      await page.close();
      return ms;
    };
    const webgl = await time('');
    const fallback = await time('?renderer=fallback');

    // Merge-to-page delay with a small map (the push is the point here, not the drawing).
    const small = mkdtempSync(join(tmpdir(), 'murmur-bench-push-'));
    const hub2 = new LoopbackHub();
    const drone = hub2.port(9);
    const gcs2 = await startGroundStation({ nodeId: 1, frame: FRAME, dataDir: small, mesh: hub2.port(1), port: 0, statusEveryMs: 0 });
    const page = await ctx.newPage();
    await page.goto(gcs2.url);
    await page.waitForFunction(() => window.__murmur?.renderer !== null && window.__murmur?.renderer !== undefined);
    await page.waitForSelector('#conn.ok');
    const delays: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const t0 = performance.now();
      drone.publish([{ kind: 'victim', origin: 9, seq: i, t: i, pos: { x: 100 * i, y: 100 }, count: 1, condition: 'unknown', confidence: 50 }]);
      await page.waitForSelector(`li[data-victim="9:${i}"]`, { timeout: 5_000 });
      delays.push(performance.now() - t0);
    }
    await page.close();
    await gcs2.close();
    rmSync(small, { recursive: true, force: true });
    delays.sort((a, b) => a - b);
    const median = Math.round(delays[Math.floor(delays.length / 2)]!);
    log(`page: ${n} features drawn in ${webgl} ms (MapLibre, software WebGL), ${fallback} ms (SVG fallback); merge→page median ${median} ms`);
    return { page_10k_features_ms: webgl, page_10k_features_fallback_ms: fallback, push_latency_ms_median: median };
  } finally {
    await ctx.close();
    await gcs.close();
    rmSync(data, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}
