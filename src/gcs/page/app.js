// The ground station page: a live map (MapLibre GL when WebGL is available, an SVG rendering
// otherwise), the lists and panels beside it, and the operator's actions. State arrives by
// server-sent events after every merge; actions go back as POST /api/action.
import { COLORS, sectorColor, sectorName } from './app-colors.js';
import { FallbackMap } from './fallback.js';
import { age, copyText, legend, orderItems, victimItem } from './mission-panels.js';
import { basemapLayers, isMurmurBasemap, STREET_LAYERS } from './basemap-style.js';
import { api, events } from './auth.js';

const $ = (id) => document.getElementById(id);
const perf = (window.__murmur = { renderer: null, featuresShown: 0, renders: 0, lastView: null, lastRenderAt: 0 });

function hasWebGL() {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl2') || c.getContext('webgl'));
  } catch {
    return false;
  }
}

async function post(action) {
  const r = await api('/api/action', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(action) });
  const body = await r.json();
  if (!r.ok) flash(`refused: ${body.error}`);
  else flash(`sent ${body.facts.map((f) => `${f.kind} ${f.origin}:${f.seq}`).join(', ') || action.action}`);
  return body;
}

function flash(text) {
  const s = $('status');
  s.textContent = text;
  s.style.display = 'block';
  clearTimeout(flash.t);
  flash.t = setTimeout(() => (s.style.display = 'none'), 3000);
}

// ---------- MapLibre renderer ----------
async function makeMapLibre(container, config, extra) {
  const maplibregl = await import('/vendor/maplibre/maplibre-gl.mjs');
  const sources = {};
  const layers = [{ id: 'bg', type: 'background', paint: { 'background-color': '#e9eef2' } }];
  const bm = config.basemap;
  if (bm.kind === 'pmtiles' && window.pmtiles) {
    const protocol = new window.pmtiles.Protocol();
    maplibregl.addProtocol('pmtiles', protocol.tile);
    const archive = new window.pmtiles.PMTiles(location.origin + bm.url);
    protocol.add(archive);
    const header = await archive.getHeader();
    if (header.tileType === 1) {
      const meta = await archive.getMetadata().catch(() => ({}));
      sources.basemap = { type: 'vector', url: `pmtiles://${location.origin}${bm.url}` };
      layers.push(...basemapLayers(meta, 'basemap'));
      if (isMurmurBasemap(meta)) layers[0].paint['background-color'] = '#f2efe9';
    } else {
      sources.basemap = { type: 'raster', url: `pmtiles://${location.origin}${bm.url}`, tileSize: 256 };
      layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
    }
  } else if (bm.kind === 'tiles') {
    sources.basemap = { type: 'raster', tiles: [location.origin + bm.url], tileSize: 256 };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  for (const l of extra) {
    sources[`area-${l.name}`] = { type: 'geojson', data: l.geojson };
    if (l.name.includes('building')) layers.push({ id: `area-${l.name}`, type: 'fill', source: `area-${l.name}`, paint: { 'fill-color': '#d6d0c8' } });
    else layers.push({ id: `area-${l.name}`, type: 'line', source: `area-${l.name}`, paint: { 'line-color': l.name.includes('boundary') ? '#7a5c99' : '#b0b8c0', 'line-width': l.name.includes('boundary') ? 1.5 : 2 } });
  }
  sources.murmur = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  sources.draft = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  const L = (id, type, layer, paint, extraFilter) => ({ id, type, source: 'murmur', filter: extraFilter ? ['all', ['==', ['get', 'layer'], layer], extraFilter] : ['==', ['get', 'layer'], layer], paint });
  const victimColor = ['match', ['get', 'state'], 'reported', COLORS.victim.reported, 'confirmed', COLORS.victim.confirmed, 'rescued', COLORS.victim.rescued, '#9e9e9e'];
  const sectorPaint = { 'line-color': ['match', ['%', ['get', 'sector'], COLORS.sectors.length], ...COLORS.sectors.flatMap((c, i) => [i, c]), '#6d4c41'], 'line-width': 2, 'line-opacity': ['case', ['get', 'orphaned'], 0.45, 0.9] };
  layers.push(
    L('coverage', 'fill', 'coverage', { 'fill-color': COLORS.coverage, 'fill-opacity': 0.3 }),
    L('sectors', 'line', 'sector', sectorPaint, ['==', ['get', 'kind'], 'own']),
    L('sector-shares', 'line', 'sector', { ...sectorPaint, 'line-width': 3, 'line-dasharray': [2, 1.5] }, ['==', ['get', 'kind'], 'share']),
    L('search', 'line', 'search', { 'line-color': COLORS.search, 'line-width': 2, 'line-dasharray': [3, 2] }),
    L('nofly', 'fill', 'nofly', { 'fill-color': COLORS.nofly, 'fill-opacity': 0.25, 'fill-outline-color': COLORS.nofly }),
    L('roads', 'line', 'road', { 'line-color': ['case', ['==', ['get', 'state'], 'blocked'], COLORS.roadBlocked, COLORS.roadCleared], 'line-width': 4 }),
    L('tracks', 'line', 'track', { 'line-color': COLORS.track, 'line-width': 1.5, 'line-opacity': 0.7 }),
    L('hazards', 'circle', 'hazard', { 'circle-radius': 6, 'circle-color': COLORS.hazard, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 }),
    L('victims', 'circle', 'victim', { 'circle-radius': 7, 'circle-color': victimColor, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 }),
    L('members', 'circle', 'member', { 'circle-radius': 6, 'circle-color': ['case', ['<', ['get', 'battery'], 25], COLORS.droneLow, COLORS.drone], 'circle-stroke-color': '#000', 'circle-stroke-width': 1 }),
    { id: 'draft', type: 'line', source: 'draft', paint: { 'line-color': '#000', 'line-width': 2, 'line-dasharray': [1, 1] } },
  );
  const map = new maplibregl.Map({ container, style: { version: 8, sources, layers }, center: config.centre, zoom: 13, attributionControl: false });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.ScaleControl({ maxWidth: 120, unit: 'metric' }), 'bottom-left');
  // drone labels as HTML markers: the page has no font glyphs offline for map text
  const labels = new Map();
  const label = (f, nowT) => {
    const id = f.properties.member;
    let m = labels.get(id);
    if (!m) {
      const el = document.createElement('div');
      el.className = 'drone-label';
      el.setAttribute('data-drone-label', id);
      m = new maplibregl.Marker({ element: el, anchor: 'left', offset: [8, 0] }).setLngLat(f.geometry.coordinates).addTo(map);
      labels.set(id, m);
    }
    m.setLngLat(f.geometry.coordinates);
    m.getElement().textContent = `${id} · ${age(nowT - (f.properties.t ?? nowT))}`;
  };
  // sector labels likewise, at a cell inside each outline; a share's label says whose remainder it is
  const sectorLabels = new Map();
  const sectorLabel = (f) => {
    const p = f.properties;
    let m = sectorLabels.get(f.id);
    if (!m) {
      const el = document.createElement('div');
      el.className = 'sector-label';
      el.setAttribute('data-sector-label', p.member);
      el.setAttribute('data-kind', p.kind);
      m = new maplibregl.Marker({ element: el, anchor: 'center' }).setLngLat([p.labelLon, p.labelLat]).addTo(map);
      sectorLabels.set(f.id, m);
    }
    m.setLngLat([p.labelLon, p.labelLat]);
    const el = m.getElement();
    el.style.borderColor = sectorColor(p.sector);
    el.textContent = sectorLabelText(p);
  };
  await new Promise((r) => map.once('load', r));
  let fitted = false;
  const clickHandlers = [];
  const featureHandlers = [];
  let drawing = false;
  map.on('click', (e) => {
    if (!drawing) {
      const hit = map.queryRenderedFeatures(e.point, { layers: ['victims', 'roads', 'hazards'] })[0];
      if (hit) return featureHandlers.forEach((h) => h(hit.properties.id));
    }
    clickHandlers.forEach((h) => h([e.lngLat.lng, e.lngLat.lat]));
  });
  return {
    onClick: (h) => clickHandlers.push(h),
    onFeatureClick: (h) => featureHandlers.push(h),
    setDrawing: (on) => (drawing = on),
    setDraft: (pts) => map.getSource('draft').setData({ type: 'FeatureCollection', features: pts.length > 1 ? [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: pts } }] : [] }),
    render(fc, nowT) {
      map.getSource('murmur').setData(fc);
      for (const f of fc.features) if (f.properties.layer === 'member') label(f, nowT);
      const shown = new Set();
      for (const f of fc.features) if (f.properties.layer === 'sector') (sectorLabel(f), shown.add(f.id));
      for (const [id, m] of sectorLabels) if (!shown.has(id)) (m.remove(), sectorLabels.delete(id));
      if (!fitted && fc.features.length) {
        fitted = true;
        let b = null;
        const visit = (c) => (typeof c[0] === 'number' ? (b = b ? [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])] : [c[0], c[1], c[0], c[1]]) : c.forEach(visit));
        fc.features.forEach((f) => visit(f.geometry.coordinates));
        if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, duration: 0, maxZoom: 16 });
      }
      return fc.features.length;
    },
    // A repaint ends in an 'idle' event once every source is loaded and drawn (also when already idle).
    whenDrawn: () => new Promise((r) => {
      map.once('idle', r);
      map.triggerRepaint();
    }),
    project: (ll) => {
      const p = map.project(ll);
      return [p.x, p.y];
    },
    fit: (b) => map.fitBounds(b, { padding: 40, duration: 0 }),
    streetNames: () => {
      const ids = STREET_LAYERS.filter((id) => map.getLayer(id));
      return ids.length ? [...new Set(map.queryRenderedFeatures({ layers: ids }).map((f) => f.properties.name).filter(Boolean))].sort() : [];
    },
    markerIds: (layer) => map.queryRenderedFeatures({ layers: [layer === 'victim' ? 'victims' : layer === 'member' ? 'members' : layer === 'road' ? 'roads' : layer === 'sector' ? 'sectors' : 'hazards'] }).map((f) => f.properties.id ?? f.properties.member),
  };
}

/** A sector outline's label: "S3 · node 4" (its own), "node 4 takes over" (a share of a lost member's sector). */
function sectorLabelText(p) {
  return p.kind === 'share' ? `node ${p.member} takes over` : `${sectorName(p.sector)} · node ${p.member}${p.orphaned ? ' (handed over)' : ''}`;
}

/** The drones table's sector: the one the drone reports flying, and any share it took over. */
function sectorCell(m, sectors) {
  const row = sectors?.rows.find((r) => r.member === m.id);
  const own = m.sector >= 0 ? sectorName(m.sector) : '—';
  return row?.shareCells && m.sector >= 0 ? `${own} <small title="cells of a lost drone's sector taken over">+${row.shareCells}</small>` : own;
}

// ---------- panels ----------
function li(html, attrs = {}) {
  const e = document.createElement('li');
  e.innerHTML = html;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const ago = (ms) => (ms === undefined ? '—' : `${Math.max(0, Math.round((Date.now() - ms) / 1000))} s`);

/** Mission seconds of the last view (a fact shown on its own gets its age from it). */
let viewNowT = 0;

function renderPanels(v) {
  viewNowT = v.nowT;
  $('node').textContent = `node ${v.node}`;
  $('counts').textContent = `${v.factCount} facts · ${v.victims.filter((x) => x.state === 'reported' || x.state === 'confirmed').length} victims open · ${v.coveredCells} cells searched`;
  const victims = v.victims.slice().sort((a, b) => (a.state === b.state ? b.t - a.t : ['reported', 'confirmed', 'rescued', 'false_alarm', 'withdrawn'].indexOf(a.state) - ['reported', 'confirmed', 'rescued', 'false_alarm', 'withdrawn'].indexOf(b.state)));
  $('victims').replaceChildren(...victims.slice(0, 300).map((x) => victimItem(x, v.nowT)));
  $('orders').replaceChildren(...orderItems(v.orders, v.nowT));
  $('mission').textContent = v.mission ? `mission v${v.mission.version}` : '';
  $('roads').replaceChildren(...v.roads.map((r) => li(`<span class="state s-${r.state}">${r.state}</span> ${esc(r.id)} ${r.severity}${r.state === 'blocked' ? '<button data-do="clear">clear</button>' : ''} <small data-age>${age(v.nowT - r.t)} ago, node ${r.origin}</small>`, { 'data-road': r.id })));
  $('hazards').replaceChildren(...v.hazards.map((h) => li(`<span class="state s-${h.state}">${h.state}</span> ${esc(h.id)} ${h.hazard} r=${h.radius} m${h.state === 'active' ? '<button data-do="resolve">resolved</button>' : ''} <small data-age>${age(v.nowT - h.t)} ago, node ${h.origin}</small>`, { 'data-hazard': h.id })));
  // a member's row is updated in place: its buttons stay put under the operator's pointer while facts stream in
  const body = $('members').tBodies[0];
  const old = new Map([...body.rows].map((tr) => [tr.getAttribute('data-member'), tr]));
  const rows = v.members.map((m) => {
    const cells = `<td>${m.id}</td><td>${m.activity}${m.health && m.health !== 'alive' ? ` (${m.health})` : ''}</td><td data-sector="${m.sector}">${sectorCell(m, v.sectors)}</td><td class="${m.battery < 25 ? 'low' : ''}">${m.battery}%</td><td>${m.alt} m</td><td>${ago(m.lastHeardMs)} <small>(status ${age(v.nowT - m.t)})</small></td>`;
    const actions = m.activity === 'ground_station' ? '' : '<button data-do="recall">RTL</button><button data-do="land">land</button><button data-do="resume">resume</button>';
    let tr = old.get(String(m.id));
    if (!tr || tr.dataset.actions !== actions) {
      tr = document.createElement('tr');
      tr.setAttribute('data-member', m.id);
      tr.dataset.actions = actions;
      tr.innerHTML = `${cells}<td>${actions}</td>`;
      tr.dataset.cells = cells;
    } else if (tr.dataset.cells !== cells) {
      const fresh = document.createElement('tbody');
      fresh.innerHTML = `<tr>${cells}</tr>`;
      for (let i = 0; i < 6; i++) tr.cells[i].replaceWith(fresh.rows[0].cells[0]);
      tr.dataset.cells = cells;
    }
    return tr;
  });
  if (rows.length !== body.rows.length || rows.some((tr, i) => body.rows[i] !== tr)) body.replaceChildren(...rows);
  $('links').tBodies[0].replaceChildren(
    ...v.mesh.links.map((l) => {
      const tr = document.createElement('tr');
      tr.setAttribute('data-link', l.name);
      const up = l.up === undefined ? '' : l.up ? '<span class="ok-dot">up</span>' : `<span class="low">down${l.error ? `: ${esc(l.error)}` : ''}</span>`;
      tr.innerHTML = `<td>${esc(l.name)} ${up}</td><td>${l.framesSent}</td><td>${l.framesReceived}${l.lastHeardMs ? ` <small>(${ago(l.lastHeardMs)} ago)</small>` : ''}</td><td>${l.dutyCycleUsed === undefined ? '—' : `${(l.dutyCycleUsed * 100).toFixed(1)}%`}</td>`;
      return tr;
    }),
  );
  $('notes').replaceChildren(...v.notes.map((n) => li(`<b>node ${n.author}</b>: ${esc(n.text)} <small>(${n.lat.toFixed(5)}, ${n.lon.toFixed(5)})</small>`, { 'data-note': n.id })));
  const rej = Object.entries(v.rejects);
  $('rejects').textContent = rej.length ? `map rejects: ${rej.map(([k, n]) => `${k} ${n}`).join(', ')}` : '';
  $('timeline').replaceChildren(...v.timeline.slice(0, 150).map((t) => li(`<b>${esc(t.id)}</b> ${esc(t.kind)} t=${t.t}s <small data-age>(${age(v.nowT - t.t)} ago)</small> — ${esc(t.summary)}`, { 'data-fact': t.id })));
}

async function showFact(id) {
  const r = await api(`/api/fact?id=${encodeURIComponent(id)}`);
  const body = await r.json();
  $('fact').textContent = r.ok
    ? `${JSON.stringify(body.fact)}\nmade ${age(viewNowT - body.fact.t)} ago (mission t = ${body.fact.t} s)\nheld by: ${body.holders ? (body.holders.length ? body.holders.join(', ') : 'none reported') : 'not reported by this mesh'}`
    : body.error;
}

// ---------- main ----------
async function main() {
  const answer = await api('/api/config');
  const config = await answer.json();
  if (!answer.ok) throw new Error(config.error);
  // A viewer sees the map without the controls that would only be refused.
  document.body.dataset.role = config.role;
  const extra = await Promise.all(config.layers.map(async (l) => ({ name: l.name, geojson: await (await fetch(l.url)).json() })));
  let map;
  const forced = new URLSearchParams(location.search).get('renderer');
  if (forced !== 'fallback' && hasWebGL()) {
    try {
      map = await makeMapLibre($('map'), config, extra);
      perf.renderer = 'maplibre';
    } catch (err) {
      console.warn('MapLibre failed, using the simplified map', err);
    }
  }
  if (!map) {
    $('map').replaceChildren();
    map = new FallbackMap($('map'), config.centre, extra);
    perf.renderer = 'fallback';
  }
  document.body.dataset.renderer = perf.renderer;

  // Drawing tools: click points on the map, then Finish.
  let tool = null;
  let draft = [];
  const setTool = (t) => {
    tool = t;
    draft = [];
    map.setDraft([]);
    map.setDrawing(!!t);
    document.querySelectorAll('[data-tool]').forEach((b) => b.classList.toggle('active', b.dataset.tool === t));
    $('tool-finish').hidden = !t || t === 'note';
    $('tool-cancel').hidden = !t;
    if (t) flash(t === 'note' ? 'click where the note goes' : 'click points on the map, then Finish');
  };
  document.querySelectorAll('[data-tool]').forEach((b) => b.addEventListener('click', () => setTool(tool === b.dataset.tool ? null : b.dataset.tool)));
  $('tool-cancel').addEventListener('click', () => setTool(null));
  $('tool-finish').addEventListener('click', async () => {
    if (tool === 'road_block') await post({ action: 'road_block', path: draft });
    else if (tool) await post({ action: tool, ring: draft });
    setTool(null);
  });
  map.onClick(async (p) => {
    if (!tool) return;
    if (tool === 'note') {
      const text = prompt('Note');
      if (text) await post({ action: 'note', pos: p, text });
      return setTool(null);
    }
    draft.push(p);
    map.setDraft(tool === 'road_block' ? draft : [...draft, draft[0]]);
  });
  map.onFeatureClick((id) => showFact(id));
  $('recall-all').addEventListener('click', () => confirm('Recall every drone (RTL)?') && post({ action: 'recall', target: 0 }));
  $('resume-all').addEventListener('click', () => post({ action: 'resume', target: 0 }));
  $('map').appendChild(legend());
  // exports go through the authorised fetch (a plain link would carry no token), then download as a file
  document.querySelectorAll('[data-export]').forEach((b) =>
    b.addEventListener('click', async () => {
      const r = await api(b.dataset.export);
      if (!r.ok) return flash(`export refused: ${r.status}`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await r.blob());
      a.download = b.dataset.file;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    }),
  );

  document.querySelector('aside').addEventListener('click', (e) => {
    const copy = e.target.closest('button[data-copy]');
    if (copy) return copyText(copy.dataset.copy).then((ok) => flash(ok ? `copied ${copy.dataset.copy}` : 'copy refused by the browser'));
    const b = e.target.closest('button[data-do]');
    const row = e.target.closest('[data-victim],[data-road],[data-hazard],[data-member],[data-fact]');
    if (!row) return;
    if (!b) return showFact(row.dataset.victim ?? row.dataset.road ?? row.dataset.hazard ?? row.dataset.fact ?? '');
    const d = b.dataset.do;
    if (row.dataset.victim) post({ action: 'victim', target: row.dataset.victim, outcome: d });
    else if (row.dataset.road) post({ action: 'road_clear', target: row.dataset.road });
    else if (row.dataset.hazard) post({ action: 'hazard_resolve', target: row.dataset.hazard });
    else if (row.dataset.member) {
      const target = Number(row.dataset.member);
      // sending a drone home or down is confirmed first: a misclick costs the search its sector
      if (d === 'recall' && !confirm(`Recall node ${target} (return to launch)?`)) return;
      if (d === 'land' && !confirm(`Land node ${target} where it is now?`)) return;
      post({ action: d, target });
    }
  });

  const apply = (v) => {
    perf.lastView = { factCount: v.factCount, features: v.geojson.features.length };
    perf.featuresShown = map.render(v.geojson, v.nowT);
    perf.renders++;
    perf.lastRenderAt = performance.now();
    renderPanels(v);
  };
  const es = events();
  es.addEventListener('state', (e) => apply(JSON.parse(e.data)));
  es.onopen = () => {
    $('conn').textContent = 'live';
    $('conn').className = 'ok';
  };
  es.onerror = () => {
    $('conn').textContent = 'reconnecting…';
    $('conn').className = 'bad';
  };
  perf.whenDrawn = () => (map.whenDrawn ? map.whenDrawn() : Promise.resolve());
  perf.markerIds = (layer) => map.markerIds(layer);
  // screen position (in the map's box) of [lon, lat]: tests click the map where they mean to
  perf.project = (ll) => map.project(ll);
  perf.fit = (bounds) => map.fit?.(bounds);
  perf.streetNames = () => (map.streetNames ? map.streetNames() : []);
}

main().catch((err) => {
  console.error(err);
  flash(`page error: ${err.message}`);
});
