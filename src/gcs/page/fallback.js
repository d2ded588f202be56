// A plain SVG rendering of the same layers, used when the browser has no WebGL (old laptops, GPU
// disabled): the operator still sees and can act on the map. Equirectangular about the area centre,
// which is what the area frame itself uses, so distances read right over a few kilometres.
import { COLORS, sectorColor, sectorName } from './app-colors.js';

const NS = 'http://www.w3.org/2000/svg';

export class FallbackMap {
  constructor(container, centre, extraLayers) {
    this.container = container;
    this.centre = centre;
    this.extra = extraLayers; // [{name, geojson}]
    this.svg = document.createElementNS(NS, 'svg');
    this.svg.setAttribute('data-renderer', 'fallback');
    container.appendChild(this.svg);
    const note = document.createElement('div');
    note.className = 'renderer-note';
    note.textContent = 'simplified map (no WebGL)';
    container.appendChild(note);
    this.clickHandlers = [];
    this.featureClickHandlers = [];
    this.bounds = null;
    this.draft = [];
    this.svg.addEventListener('click', (e) => {
      const target = e.target.closest('[data-id]');
      if (target && !this.drawing) {
        for (const h of this.featureClickHandlers) h(target.getAttribute('data-id'));
        return;
      }
      const r = this.svg.getBoundingClientRect();
      const p = this.unproject(e.clientX - r.left, e.clientY - r.top);
      for (const h of this.clickHandlers) h(p);
    });
    new ResizeObserver(() => this.last && this.render(this.last)).observe(container);
  }

  onClick(h) { this.clickHandlers.push(h); }
  markerIds(layer) { return [...this.svg.querySelectorAll(`[data-layer="${layer}"]`)].map((e) => e.getAttribute('data-id') ?? e.getAttribute('data-member')); }
  onFeatureClick(h) { this.featureClickHandlers.push(h); }
  setDrawing(on) { this.drawing = on; }
  setDraft(points) { this.draft = points; if (this.last) this.render(this.last); }

  fit(fc) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    const visit = (c) => {
      if (typeof c[0] === 'number') {
        minX = Math.min(minX, c[0]); maxX = Math.max(maxX, c[0]); minY = Math.min(minY, c[1]); maxY = Math.max(maxY, c[1]);
      } else c.forEach(visit);
    };
    for (const f of fc.features) visit(f.geometry.coordinates);
    for (const l of this.extra) for (const f of l.geojson.features ?? []) if (f.geometry) visit(f.geometry.coordinates);
    if (!isFinite(minX)) { const [x, y] = this.centre; minX = x - 0.02; maxX = x + 0.02; minY = y - 0.02; maxY = y + 0.02; }
    const padX = Math.max((maxX - minX) * 0.08, 0.002), padY = Math.max((maxY - minY) * 0.08, 0.002);
    this.bounds = [minX - padX, minY - padY, maxX + padX, maxY + padY];
  }

  scale() {
    const w = this.container.clientWidth || 800, h = this.container.clientHeight || 600;
    const [x0, y0, x1, y1] = this.bounds;
    const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    const s = Math.min(w / ((x1 - x0) * k), h / (y1 - y0));
    return { w, h, k, s, x0, y0, x1, y1 };
  }

  project([lon, lat]) {
    const { w, h, k, s, x0, y0, x1, y1 } = this.scale();
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    return [w / 2 + (lon - cx) * k * s, h / 2 - (lat - cy) * s];
  }

  unproject(px, py) {
    const { w, h, k, s, x0, y0, x1, y1 } = this.scale();
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    return [cx + (px - w / 2) / (k * s), cy - (py - h / 2) / s];
  }

  path(coords, close) {
    return coords.map((c, i) => (i ? 'L' : 'M') + this.project(c).map((v) => v.toFixed(1)).join(',')).join('') + (close ? 'Z' : '');
  }

  el(name, attrs) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  render(fc) {
    this.last = fc;
    if (!this.bounds) this.fit(fc);
    const frag = document.createDocumentFragment();
    for (const l of this.extra) {
      for (const f of l.geojson.features ?? []) {
        if (!f.geometry) continue;
        const g = f.geometry;
        const style = l.name.includes('building') ? { fill: '#d6d0c8', stroke: 'none' } : l.name.includes('boundary') ? { fill: 'none', stroke: '#7a5c99', 'stroke-dasharray': '6 4' } : { fill: 'none', stroke: '#b0b8c0', 'stroke-width': 2 };
        const lines = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : g.type === 'Polygon' ? g.coordinates : g.type === 'MultiPolygon' ? g.coordinates.flat() : [];
        for (const line of lines) frag.appendChild(this.el('path', { d: this.path(line, g.type.includes('Polygon')), 'data-area-layer': l.name, ...style }));
      }
    }
    const order = ['coverage', 'sector', 'search', 'priority', 'nofly', 'road', 'track', 'hazard', 'victim', 'member'];
    const sorted = [...fc.features].sort((a, b) => order.indexOf(a.properties.layer) - order.indexOf(b.properties.layer));
    let drawn = 0;
    for (const f of sorted) {
      const p = f.properties, g = f.geometry;
      let e;
      if (g.type === 'MultiLineString') {
        // a sector outline, with its label at a cell inside it
        e = this.el('g', {});
        const stroke = sectorColor(p.sector);
        for (const line of g.coordinates) e.appendChild(this.el('path', { d: this.path(line), fill: 'none', stroke, 'stroke-width': p.kind === 'share' ? 3 : 2, 'stroke-opacity': p.orphaned ? 0.45 : 0.9, ...(p.kind === 'share' ? { 'stroke-dasharray': '6 4' } : {}) }));
        const [x, y] = this.project([p.labelLon, p.labelLat]);
        const text = this.el('text', { x, y, 'font-size': 11, 'text-anchor': 'middle', fill: stroke, 'data-sector-label': p.member, 'data-kind': p.kind });
        text.textContent = p.kind === 'share' ? `node ${p.member} takes over` : `${sectorName(p.sector)} · node ${p.member}`;
        e.appendChild(text);
      } else if (g.type === 'Polygon') {
        const style = p.layer === 'coverage' ? { fill: COLORS.coverage, 'fill-opacity': 0.35, stroke: 'none' }
          : p.layer === 'nofly' ? { fill: COLORS.nofly, 'fill-opacity': 0.25, stroke: COLORS.nofly, 'stroke-width': 2 }
          : { fill: 'none', stroke: COLORS.search, 'stroke-width': 2, 'stroke-dasharray': '8 4' };
        e = this.el('path', { d: this.path(g.coordinates[0], true), ...style });
      } else if (g.type === 'LineString') {
        e = p.layer === 'road'
          ? this.el('path', { d: this.path(g.coordinates), fill: 'none', stroke: p.state === 'blocked' ? COLORS.roadBlocked : COLORS.roadCleared, 'stroke-width': 4 })
          : this.el('path', { d: this.path(g.coordinates), fill: 'none', stroke: COLORS.track, 'stroke-width': 1.5, 'stroke-opacity': 0.7 });
      } else {
        const [x, y] = this.project(g.coordinates);
        const fill = p.layer === 'victim' ? COLORS.victim[p.state] : p.layer === 'hazard' ? COLORS.hazard : p.battery < 25 ? COLORS.droneLow : COLORS.drone;
        e = p.layer === 'member'
          ? this.el('rect', { x: x - 6, y: y - 6, width: 12, height: 12, fill, stroke: '#fff', 'stroke-width': 1.5 })
          : this.el('circle', { cx: x, cy: y, r: p.layer === 'victim' ? 7 : 6, fill, stroke: '#fff', 'stroke-width': 1.5 });
      }
      if (p.id) e.setAttribute('data-id', p.id);
      if (p.member !== undefined) e.setAttribute('data-member', p.member);
      e.setAttribute('data-layer', p.layer);
      if (p.state) e.setAttribute('data-state', p.state);
      const title = this.el('title', {});
      title.textContent = `${p.layer} ${p.id ?? p.member ?? ''} ${p.state ?? ''}`;
      e.appendChild(title);
      frag.appendChild(e);
      drawn++;
    }
    if (this.draft.length) {
      frag.appendChild(this.el('path', { d: this.path(this.draft), fill: 'none', stroke: '#000', 'stroke-width': 2, 'stroke-dasharray': '3 3' }));
    }
    this.svg.replaceChildren(frag);
    return drawn;
  }
}
