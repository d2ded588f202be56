/**
 * The mission loop on the demo, in a real browser: the operator draws a new search area and a no-fly zone over
 * ground nobody has searched yet, every drone answers both, no drone flies inside the zone once it had time to
 * leave; one drone is recalled (confirmed in a dialog) and resumed, answering each order and flying home and
 * back to search; and the victims exported as CSV stand where the ground truth puts them. Run from
 * browser.test.ts (one Chromium at a time).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadScenario, localPolygon } from '../../src/mission/index.js';
import { runWithStation } from '../../src/sim/swarm/with-station.js';
import type { RunningGroundStation } from '../../src/gcs/ground-station.js';
import type { RunRecord } from '../../src/sim/swarm/report.js';
import type { Fact } from '../../src/wire/facts.js';
import { pointInPolygon, searchableCells } from '../../src/sectors/index.js';
import { cellIndex, toLatLon, toLocal, type AreaFrame, type LocalPoint } from '../../src/wire/frame-of-reference.js';
import { launchBrowser, tempDir } from './helpers.js';

const DRONES = 6;
/** Mission seconds of the simulation now (for the messages of failed waits). */
let simT = 0;
/** Operator zones get this long to reach the drones and for them to leave (the report's rule). */
const ZONE_GRACE_S = 60;

interface Sample {
  readonly t: number;
  readonly id: number;
  readonly p: LocalPoint;
}

async function clickAt(page: Page, ll: [number, number]): Promise<void> {
  const [x, y] = await page.evaluate((p) => window.__murmur.project!(p), ll);
  const box = (await page.locator('#map').boundingBox())!;
  // a corner under the legend or a button would be lost (the area drawn with a corner short)
  const hit = await page.evaluate(([px, py]: [number, number]) => !!document.elementFromPoint(px, py)?.closest('#map .maplibregl-canvas-container, #map svg'), [box.x + x, box.y + y] as [number, number]);
  assert.ok(hit, `the point ${ll.join(',')} is not on the open map`);
  await page.mouse.click(box.x + x, box.y + y);
}

async function draw(page: Page, tool: string, ring: [number, number][]): Promise<void> {
  await page.click(tool);
  for (const ll of ring) await clickAt(page, ll);
  await page.click('#tool-finish');
}

/** Waits until `n` drones' chips on the newest order of this kind say `result`; returns the order's id. */
async function everyDroneAnswered(page: Page, what: string, n = DRONES, result = 'accepted'): Promise<string> {
  const handle = await page
    .waitForFunction(
    ({ what, result, n }) => {
      for (const li of Array.from(document.querySelectorAll("#orders li[data-order]"))) {
        if (!li.querySelector('b')?.textContent?.startsWith(what)) continue;
        const chips = Array.from(li.querySelectorAll("[data-ack]"));
        return chips.length >= n && chips.every((c) => c.getAttribute('data-result') === result) ? li.getAttribute('data-order') : false;
      }
      return false;
    },
    { what, result, n },
    { timeout: 40_000, polling: 250 },
  )
    .catch(async (err: Error) => {
      const orders = await page.locator('#orders').innerText().catch(() => '?');
      throw new Error(`${what}: not answered by ${n} (${err.message.split('\n')[0]}); at mission t = ${Math.round(simT)} s the orders read:\n${orders}`);
    });
  return (await handle.jsonValue()) as string;
}

/**
 * One outline per drone, labelled with the sector the drone itself reports (drones table); returns the cells
 * each outline encloses, drone by drone.
 */
async function sectorOutlines(page: Page, f: AreaFrame): Promise<Map<number, Set<number>>> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-sector-label][data-kind="own"]').length === n, DRONES, { timeout: 10_000 });
  const shown = await page.evaluate(() => ({
    labels: Object.fromEntries(Array.from(document.querySelectorAll('[data-sector-label][data-kind="own"]')).map((e) => [e.getAttribute('data-sector-label'), e.textContent])),
    table: Object.fromEntries(Array.from(document.querySelectorAll('#members tr[data-member]')).map((tr) => [tr.getAttribute('data-member'), (tr as HTMLTableRowElement).cells[2]!.textContent])),
    legend: Array.from(document.querySelectorAll('#legend [data-legend]')).map((e) => e.getAttribute('data-legend')),
  }));
  assert.deepEqual(shown.legend, ['sector', 'share']);
  for (let id = 1; id <= DRONES; id++) {
    assert.match(shown.table[id] ?? '', /^S\d+$/, `drone ${id}'s sector in the table`);
    assert.equal(shown.labels[id], `${shown.table[id]} · node ${id}`, `the outline of drone ${id} is labelled with the sector it reports`);
  }
  const view = (await page.evaluate(async () => (await fetch('/api/state', { headers: { Authorization: `Bearer ${localStorage.getItem('murmur-token') ?? ''}` } })).json())) as {
    geojson: { features: { geometry: { type: string; coordinates: [number, number][][] }; properties: Record<string, unknown> }[] };
  };
  const outlines = view.geojson.features.filter((x) => x.properties.layer === 'sector' && x.properties.kind === 'own');
  assert.equal(outlines.length, DRONES);
  const cellsOf = new Map<number, Set<number>>();
  for (const o of outlines) {
    const rings = o.geometry.coordinates.map((ring) => ring.map(([lon, lat]) => toLocal(f, lat, lon)));
    const cells = new Set<number>();
    const pts = rings.flat();
    const [x0, x1, y0, y1] = [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x)), Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
    for (let x = x0 + f.cellSize / 2; x < x1; x += f.cellSize)
      for (let y = y0 + f.cellSize / 2; y < y1; y += f.cellSize) if (pointInPolygon({ x, y }, rings)) cells.add(cellIndex(f, { x, y }));
    cellsOf.set(Number(o.properties.member), cells);
  }
  return cellsOf;
}

/**
 * Each drone searched inside the outline the page showed for it: of the cells it reported searched before the
 * operator's new area (no drone was lost meanwhile), at least 90% in its outline or next to it (a lane reaches
 * on to the end cell's edge), with twenty cells or more reported by all but two drones together.
 */
function searchedInsideOutlines(f: AreaFrame, cellsOf: ReadonlyMap<number, ReadonlySet<number>>, facts: Iterable<Fact>, beforeT: number): void {
  const searched = new Map<number, Set<number>>();
  for (const x of facts) if (x.kind === 'coverage' && x.t < beforeT) for (const c of x.cells) (searched.get(x.origin) ?? searched.set(x.origin, new Set()).get(x.origin)!).add(c);
  const seen: string[] = [];
  for (let id = 1; id <= DRONES; id++) {
    const own = cellsOf.get(id)!;
    const near = (c: number) => [-1, 0, 1].some((dc) => [-f.cols, 0, f.cols].some((dr) => own.has(c + dc + dr)));
    const mine = [...(searched.get(id) ?? [])];
    const inside = mine.filter(near).length;
    seen.push(`${id}: ${inside}/${mine.length}`);
    assert.ok(inside >= 0.9 * mine.length, `drone ${id}: ${inside} of the ${mine.length} cells it searched before t = ${beforeT} s in or next to its outline (${own.size} cells)`);
  }
  // (coverage goes out every 20 s: a drone just onto its lanes may have reported little yet)
  const total = [...searched.values()].reduce((n, c) => n + c.size, 0);
  assert.ok(total >= 20 && [...searched.values()].filter((c) => c.size > 0).length >= DRONES - 2, `too little searched before t = ${beforeT} s to compare (${seen.join(', ')})`);
}

export async function demoMissionLoop(): Promise<void> {
  const town = loadScenario('maps/scenarios/earthquake-town.json');
  const profile = tempDir('chromium-demo');
  const samples: Sample[] = [];
  let record: RunRecord | undefined;
  /** Mission seconds at which each drone's agent first knew more zones than it started with. */
  const zoneKnownAt = new Map<number, number>();
  let zonesAtStart: number | undefined;
  /** Cells some drone knows searched (its own or heard), and each drone's activity, as of the last step. */
  const searched = new Set<number>();
  const activity = new Map<number, string>();
  let frame: AreaFrame | undefined;
  let ready: (url: string) => void;
  const url = new Promise<string>((r) => (ready = r));
  const run = runWithStation({
    // long enough that the run is still going when the last order is answered (the search ends it earlier)
    scenario: { ...town, durationS: 1400, faults: [] },
    drones: DRONES,
    seed: 1,
    speedup: 20,
    port: 0,
    onReady: (u) => ready(u),
    inspect: (r) => (record = r),
    onStep: (world) => {
      frame = world.frame;
      const t = (world.clock.now() - world.startMs) / 1000;
      simT = t;
      zonesAtStart ??= world.drones[0]?.agent.airspace.zones().length;
      for (const d of world.drones) if (!zoneKnownAt.has(d.id) && d.agent.airspace.zones().length > (zonesAtStart ?? 0)) zoneKnownAt.set(d.id, t);
      for (const d of world.drones) activity.set(d.id, d.agent.activity);
      if (Math.round(t * 10) % 50 === 0) for (const d of world.drones) for (const c of d.agent.covered) searched.add(c);
      if (Math.round(t * 10) % 10 !== 0) return; // once a second of mission time
      for (const d of world.drones) {
        const ll = d.vehicle.telemetry.state.position;
        if (ll && (ll.relAlt ?? 0) > 1) samples.push({ t, id: d.id, p: toLocal(world.frame, ll.lat, ll.lon) });
      }
    },
  });
  const browser = await launchBrowser(profile, true);
  let station: RunningGroundStation | undefined;
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(await url);
    await page.waitForFunction((n) => document.querySelectorAll('#members tr[data-member] td:nth-child(2)').length >= n + 1 &&
      Array.from(document.querySelectorAll("#members tr[data-member] td:nth-child(2)")).filter((td) => td.textContent!.startsWith('searching')).length === n, DRONES, { timeout: 60_000 });
    // the outline check compares what each drone reported searched before the new area: let the lanes give a few
    // coverage reports (every 20 s) first, however fast this machine runs the paced demo (an idle one got to the
    // new area at t = 204 s with 2 cells reported)
    for (const until = Date.now() + 60_000; simT < 300 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 200));
    assert.ok(simT >= 300, `mission time ${Math.round(simT)} s after a minute`);
    const f = frame!;
    const outlined = await sectorOutlines(page, f);
    const ll = (p: LocalPoint): [number, number] => {
      const g = toLatLon(f, p);
      return [g.lon, g.lat];
    };
    const area = town.area.map((p) => localPolygon(f, p));
    const xs = area.flatMap((p) => p[0]!.map((q) => q.x));
    const ys = area.flatMap((p) => p[0]!.map((q) => q.y));
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // the whole town in view, so that every corner clicked is on the map, clear of the legend at bottom right
    await page.evaluate((b) => window.__murmur.fit!(b), [ll({ x: x0 - 100, y: y0 - 800 }), ll({ x: x1 + 800, y: y1 + 100 })] as [[number, number], [number, number]]);
    await page.waitForTimeout(300);

    // A new search area: the town's bounding box. It becomes mission v1, which every drone adopts and answers.
    await draw(page, '#tool-search', [ll({ x: x0, y: y0 }), ll({ x: x1, y: y0 }), ll({ x: x1, y: y1 }), ll({ x: x0, y: y1 })]);
    await everyDroneAnswered(page, 'mission v1');

    // A 300 m square zone over the ground least searched now (as an operator watching the coverage would place
    // it), away from the launch points: every drone answers it.
    const launches = town.launch.map((p) => toLocal(f, p.lat, p.lon));
    const searchable = new Set(searchableCells(f, area));
    let best: { x: number; y: number; open: number } | undefined;
    for (let x = x0 + 150; x <= x1 - 150; x += 50)
      for (let y = y0 + 150; y <= y1 - 150; y += 50) {
        if (launches.some((l) => Math.hypot(l.x - x, l.y - y) < 400)) continue;
        const cells = searchableCells(f, [[[{ x: x - 150, y: y - 150 }, { x: x + 150, y: y - 150 }, { x: x + 150, y: y + 150 }, { x: x - 150, y: y + 150 }]]]).filter((c) => searchable.has(c));
        const open = cells.filter((c) => !searched.has(c)).length;
        if (cells.length >= 20 && (!best || open > best.open)) best = { x, y, open };
      }
    const { x: cx, y: cy } = best!;
    await draw(page, '#tool-nofly', [ll({ x: cx - 150, y: cy - 150 }), ll({ x: cx + 150, y: cy - 150 }), ll({ x: cx + 150, y: cy + 150 }), ll({ x: cx - 150, y: cy + 150 })]);
    const zoneId = await everyDroneAnswered(page, 'no-fly zone');

    // Recall one searching drone (the page asks first), see it answer and head home, then resume it: it
    // answers again and searches again.
    const recalled = [...activity].filter(([, a]) => a === 'searching').map(([id]) => id).at(-1)!;
    assert.ok(recalled, 'a drone is searching');
    const asked: string[] = [];
    page.on('dialog', (d) => void asked.push(d.message()));
    await page.click(`tr[data-member="${recalled}"] button[data-do="recall"]`);
    await everyDroneAnswered(page, `recall node ${recalled}`, 1);
    assert.ok(asked.includes(`Recall node ${recalled} (return to launch)?`), `asked: ${asked.join(' | ')}`);
    await page.waitForFunction((id) => /^(returning|idle)/.test(document.querySelector(`#members tr[data-member="${id}"] td:nth-child(2)`)?.textContent ?? ''), recalled, { timeout: 30_000 });
    assert.match(activity.get(recalled)!, /returning|idle/);
    // its remainder is handed over, as the drones themselves divide it: the page outlines the shares
    await page.waitForFunction((id) => document.querySelectorAll('[data-sector-label][data-kind="share"]').length > 0 &&
      / \(handed over\)$/.test(document.querySelector(`[data-sector-label="${id}"][data-kind="own"]`)?.textContent ?? ''), recalled, { timeout: 10_000 });
    await page.screenshot({ path: 'test-artifacts/gcs-demo-handover.png' });
    await page.click(`tr[data-member="${recalled}"] button[data-do="resume"]`);
    await everyDroneAnswered(page, `resume node ${recalled}`, 1);
    await page.waitForFunction((id) => (document.querySelector(`#members tr[data-member="${id}"] td:nth-child(2)`)?.textContent ?? '').startsWith('searching'), recalled, { timeout: 30_000 });
    // resumed, it takes its remainder back: no share outlined any more
    await page.waitForFunction(() => document.querySelectorAll('[data-sector-label][data-kind="share"]').length === 0, undefined, { timeout: 10_000 });

    const { station: running } = await run;
    station = running;
    const state = running.station.map.state();
    searchedInsideOutlines(f, outlined, running.station.map.facts(), state.mission!.t);
    const zone = state.noFly.find((z) => `${z.origin}:${z.seq}` === zoneId)!;
    assert.ok(zone, 'the zone is in the station map');
    // drawn over ground nobody had searched, which the drones' plans had in them
    const inZone = (p: LocalPoint) => pointInPolygon(p, zone.rings);
    const searchedBefore = new Set([...running.station.map.facts()].flatMap((x) => (x.kind === 'coverage' && x.t < zone.t ? x.cells : [])));
    const zoneCells = searchableCells(f, [zone.rings]);
    const unsearched = zoneCells.filter((c) => !searchedBefore.has(c));
    // (lanes run across every sector at once, so by then no 300 m square is untouched: half of it open is ground
    // the drones' plans still held)
    assert.ok(unsearched.length >= 0.5 * zoneCells.length, `${unsearched.length} of the zone's ${zoneCells.length} cells unsearched when it was drawn at t = ${zone.t} s`);
    const after = samples.filter((s) => s.t >= zone.t + ZONE_GRACE_S);
    assert.ok(after.length > DRONES * 200, `only ${after.length} samples after the zone's grace`);
    const inside = after.filter((s) => inZone(s.p));
    assert.deepEqual(inside.slice(0, 5), [], `${inside.length} drone-seconds inside the zone drawn at t = ${zone.t} s, after ${ZONE_GRACE_S} s; by ${[...new Set(inside.map((s) => s.id))].join(',')} at ${inside.slice(0, 3).map((s) => `${s.t.toFixed(0)}:${Math.round(s.p.x)},${Math.round(s.p.y)}`).join(' ')}; zone known by drones at ${[...zoneKnownAt].map(([id, t]) => `${id}@${t.toFixed(0)}`).join(' ')}; acks heard at ${state.acks.filter((a) => a.target.seq === zone.seq && a.target.origin === zone.origin).map((a) => `${a.origin}@${a.t}`).join(" ")}`);

    // The victims exported as CSV stand within 10 m of a victim of the ground truth.
    const download = page.waitForEvent('download');
    await page.click('#export-csv');
    const file = join(profile, 'victims.csv');
    await (await download).saveAs(file);
    const rows = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    assert.equal(rows[0], 'id,state,lat,lon,mgrs,count,condition,confidence,first_seen_utc,last_seen_utc,seen_by');
    const victims = rows.slice(1).map((r) => r.split(','));
    assert.ok(victims.length >= 5, `${victims.length} victims exported`);
    // Every row stands where the drone reported it (to 1 m), and within 10 m of the victim the drone saw. The
    // simulated camera errs by σ = 3 m a axis and sees 0.3 false victims per km²: a false one (no victim) or a
    // sighting its camera put more than 10 m off (0.4% of them) is allowed, and named, but must still be exported
    // where it was reported.
    const truthOf = new Map(record!.detections.filter((d) => d.fact).map((d) => [d.fact!, d.truth]));
    const off: string[] = [];
    for (const v of victims) {
      const p = toLocal(f, Number(v[2]), Number(v[3]));
      const reported = running.station.map.get(v[0]!);
      assert.ok(reported?.kind === 'victim', `${v[0]} is a victim fact`);
      assert.ok(Math.hypot(p.x - reported.pos.x, p.y - reported.pos.y) <= 1, `${v[0]} exported at ${Math.round(p.x)},${Math.round(p.y)}, reported at ${reported.pos.x},${reported.pos.y}`);
      const truth = truthOf.get(v[0]!);
      const g = truth === undefined || truth < 0 ? undefined : town.truth.victims[truth];
      const q = g ? toLocal(f, g.lat, g.lon) : undefined;
      const d = q ? Math.hypot(p.x - q.x, p.y - q.y) : Infinity;
      const sensorOff = q ? Math.hypot(reported.pos.x - q.x, reported.pos.y - q.y) > 10 : true;
      if (d > 10) {
        assert.ok(sensorOff, `${v[0]} exported ${d.toFixed(1)} m from the victim its drone saw`);
        off.push(`${v[0]} ${g ? `${d.toFixed(1)} m (camera error)` : 'false positive'}`);
      }
      assert.match(v[4]!, /^33T [A-Z]{2} \d{5} \d{5}$/);
    }
    assert.ok(off.length <= Math.max(2, victims.length / 4), `victims away from any real one: ${off.join(', ')}`);
    // The drones reported the town's blocked roads and hazards (6 and 3 in its ground truth), each with its age,
    // as is every victim, order, member and timeline entry.
    await page.waitForFunction(() => document.querySelectorAll('#roads li[data-road] [data-age]').length >= 3 && document.querySelectorAll('#hazards li[data-hazard] [data-age]').length >= 1, undefined, { timeout: 10_000 });
    const ages = await page.evaluate(() => ({
      timeline: Array.from(document.querySelectorAll('#timeline li')).filter((li) => !li.querySelector('[data-age]')).length,
      victims: Array.from(document.querySelectorAll('#victims li')).filter((li) => !/seen \d+ (s|min|h) ago/.test(li.textContent ?? '')).length,
    }));
    assert.deepEqual(ages, { timeline: 0, victims: 0 }, 'entries without an age');
    await page.screenshot({ path: 'test-artifacts/gcs-demo-mission.png' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    if (!station) station = (await run).station;
    await station.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
