/** Delivery and latency vs N for Murmur and flooding, as a small self-contained SVG (no plotting library). */
interface PlotRow {
  readonly protocol: string;
  readonly n: number;
  readonly delivery_ratio: number;
  readonly latency_p95_s: number;
  readonly latency_p50_s: number;
}

const COLORS: Record<string, string> = { murmur: '#1f77b4', 'flooding-fair': '#2ca02c', 'flooding-fair-hop7': '#9467bd', 'flooding-stress': '#d62728' };

export function gossipPlotSvg(rows: readonly PlotRow[]): string {
  const W = 760;
  const H = 320;
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  const panel = (x0: number, title: string, yMax: number, yLabel: (v: number) => string, value: (r: PlotRow) => number) => {
    const pw = 300;
    const ph = 200;
    const top = 50;
    const px = (n: number) => x0 + 40 + (ns.indexOf(n) / Math.max(1, ns.length - 1)) * (pw - 60);
    const py = (v: number) => top + ph - (Math.min(v, yMax) / yMax) * ph;
    const parts: string[] = [`<text x="${x0 + pw / 2}" y="30" text-anchor="middle" font-size="15" font-weight="bold">${title}</text>`];
    parts.push(`<line x1="${x0 + 20}" y1="${top + ph}" x2="${x0 + pw}" y2="${top + ph}" stroke="#444"/>`);
    parts.push(`<line x1="${x0 + 20}" y1="${top}" x2="${x0 + 20}" y2="${top + ph}" stroke="#444"/>`);
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4;
      parts.push(`<text x="${x0 + 15}" y="${py(v) + 4}" text-anchor="end" font-size="11">${yLabel(v)}</text>`);
      parts.push(`<line x1="${x0 + 20}" y1="${py(v)}" x2="${x0 + pw}" y2="${py(v)}" stroke="#ddd"/>`);
    }
    for (const n of ns) parts.push(`<text x="${px(n)}" y="${top + ph + 18}" text-anchor="middle" font-size="11">N=${n}</text>`);
    for (const proto of Object.keys(COLORS)) {
      const pts = rows.filter((r) => r.protocol === proto && Number.isFinite(value(r))).sort((a, b) => a.n - b.n);
      if (!pts.length) continue;
      parts.push(`<polyline fill="none" stroke="${COLORS[proto]}" stroke-width="2.5" points="${pts.map((r) => `${px(r.n)},${py(value(r))}`).join(' ')}"/>`);
      for (const r of pts) parts.push(`<circle cx="${px(r.n)}" cy="${py(value(r))}" r="4" fill="${COLORS[proto]}"/>`);
    }
    return parts.join('\n');
  };
  const maxLat = Math.max(60, ...rows.map((r) => (Number.isFinite(r.latency_p95_s) ? r.latency_p95_s : 0)));
  const body = [
    panel(20, 'Delivery of victims and roads', 1, (v) => `${Math.round(v * 100)}%`, (r) => r.delivery_ratio),
    panel(400, 'Latency p95 (s), delivered facts', Math.ceil(maxLat / 60) * 60, (v) => String(Math.round(v)), (r) => r.latency_p95_s),
    `<rect x="250" y="${H - 40}" width="14" height="4" fill="${COLORS.murmur}"/><text x="270" y="${H - 34}" font-size="12">Murmur</text>`,
    `<rect x="360" y="${H - 40}" width="14" height="4" fill="${COLORS.flooding}"/><text x="380" y="${H - 34}" font-size="12">managed flooding (Meshtastic-style)</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="${W}" height="${H}" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}
