/** Shared pieces of the ground station tests: an area, a scene of facts, a browser. */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type {} from '../../src/gcs/page-probe.js';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';
import type { Fact } from '../../src/wire/facts.js';

export const FRAME: AreaFrame = { originLat: 45.18, originLon: 5.72, epoch: 1_790_000_000, cellSize: 50, cols: 60 };

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `murmur-${label}-`));
}

/** What a drone (node 7) has seen: a search area, victims, a road, a hazard, its status and coverage. */
export function droneScene(node = 7): Fact[] {
  const st = (seq: number, t: number, x: number, y: number): Fact => ({
    kind: 'status', origin: node, seq, t, pos: { x, y }, alt: 45, battery: 81 - seq, mode: 4, armed: true, activity: 'searching', sector: 0, heading: 90,
  });
  return [
    { kind: 'area', origin: 1, seq: 100, t: 1, role: 'search', rings: [[{ x: 0, y: 0 }, { x: 3000, y: 0 }, { x: 3000, y: 2000 }, { x: 0, y: 2000 }]], priority: 1 },
    st(1, 10, 300, 300), st(2, 20, 600, 320), st(3, 30, 900, 360),
    { kind: 'victim', origin: node, seq: 4, t: 31, pos: { x: 950, y: 400 }, count: 2, condition: 'injured', confidence: 88 },
    { kind: 'victim', origin: node, seq: 5, t: 32, pos: { x: 1800, y: 1200 }, count: 1, condition: 'critical', confidence: 64 },
    { kind: 'road', origin: node, seq: 6, t: 33, path: [{ x: 200, y: 1500 }, { x: 1400, y: 1550 }, { x: 2600, y: 1700 }], severity: 'impassable' },
    { kind: 'hazard', origin: node, seq: 7, t: 34, hazard: 'fire', pos: { x: 2400, y: 600 }, radius: 120 },
    { kind: 'coverage', origin: node, seq: 8, t: 35, cells: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] },
  ];
}

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Fails at once, saying what to install, when Debian's Chromium is absent: a test that started its servers
 * before a browser launch failed would otherwise keep the test process alive.
 */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: these tests need Debian's Chromium (apt-get install chromium; .ci/run installs it)`);
}

/** Debian's Chromium, headless, with a fresh profile in `dir`; `webgl` turns on software WebGL; `extraArgs` e.g. host resolver rules. */
export async function launchBrowser(dir: string, webgl = false, extraArgs: readonly string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      ...(webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : []),
      ...extraArgs,
    ],
  });
}

/** Waits (bounded) until the page's map renderer has drawn everything it was given. */
export async function waitDrawn(page: Page, timeout = 30_000): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __drawn: boolean }).__drawn = false;
    void window.__murmur.whenDrawn().then(() => ((window as unknown as { __drawn: boolean }).__drawn = true));
  });
  await page.waitForFunction(() => (window as unknown as { __drawn: boolean }).__drawn, undefined, { timeout });
}
