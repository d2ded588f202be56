// The MapLibre style of a vector basemap. A basemap made by `murmur basemap build` (tilemaker with Murmur's
// schema: water, landcover, roads by class, railways, buildings) gets a light street-map look that keeps the
// swarm's layers readable on top; any other vector archive gets its lines and polygons in neutral greys.
// No labels: they need glyph fonts, and the station serves nothing it does not have on disk.

const ROAD = {
  major: { color: '#f7d9a0', casing: '#c9a86a', width: [[10, 1.2], [14, 7], [18, 28]] },
  medium: { color: '#ffffff', casing: '#b9b2a6', width: [[10, 0.6], [14, 5], [18, 22]] },
  minor: { color: '#ffffff', casing: '#c4beb4', width: [[12, 0.4], [14, 3.5], [18, 16]] },
  track: { color: '#d9c7a5', casing: null, width: [[12, 0.4], [14, 1.5], [18, 4]] },
  path: { color: '#c7b299', casing: null, width: [[13, 0.3], [14, 1], [18, 3]] },
};

const zoomed = (stops, scale = 1) => ['interpolate', ['exponential', 1.6], ['zoom'], ...stops.flatMap(([z, w]) => [z, w * scale])];

export function isMurmurBasemap(meta) {
  return meta && meta.name === 'murmur-basemap';
}

/** Layers for `source` (a vector source) given the archive's metadata. */
export function basemapLayers(meta, source) {
  if (!isMurmurBasemap(meta)) {
    const layers = [];
    for (const vl of meta?.vector_layers ?? []) {
      layers.push({ id: `bm-${vl.id}-fill`, type: 'fill', source, 'source-layer': vl.id, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#d8d4cc', 'fill-opacity': 0.6 } });
      layers.push({ id: `bm-${vl.id}-line`, type: 'line', source, 'source-layer': vl.id, filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#a9b1b9', 'line-width': 1.2 } });
    }
    return layers;
  }
  const cls = (c) => ['==', ['get', 'class'], c];
  const layers = [
    { id: 'bm-land-wood', type: 'fill', source, 'source-layer': 'landcover', filter: cls('wood'), paint: { 'fill-color': '#cfe3c1' } },
    { id: 'bm-land-grass', type: 'fill', source, 'source-layer': 'landcover', filter: cls('grass'), paint: { 'fill-color': '#dcebcf' } },
    { id: 'bm-land-farm', type: 'fill', source, 'source-layer': 'landcover', filter: cls('farm'), paint: { 'fill-color': '#eef0d8' } },
    { id: 'bm-land-built', type: 'fill', source, 'source-layer': 'landcover', filter: cls('built'), paint: { 'fill-color': '#e6e1dc' } },
    { id: 'bm-water', type: 'fill', source, 'source-layer': 'water', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#a9cce3' } },
    { id: 'bm-waterway', type: 'line', source, 'source-layer': 'water', filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#a9cce3', 'line-width': zoomed([[10, 0.5], [14, 2], [18, 8]]) } },
    { id: 'bm-buildings', type: 'fill', source, 'source-layer': 'buildings', paint: { 'fill-color': '#d9d0c9', 'fill-outline-color': '#bfb3a8' } },
    { id: 'bm-railways', type: 'line', source, 'source-layer': 'railways', paint: { 'line-color': '#9a9a9a', 'line-width': zoomed([[11, 0.6], [14, 1.5], [18, 3]]), 'line-dasharray': [3, 2] } },
  ];
  // Casings first, then fills, from the smallest roads to the largest, so a junction shows the bigger road.
  const order = ['path', 'track', 'minor', 'medium', 'major'];
  for (const c of order) {
    const r = ROAD[c];
    if (r.casing) layers.push({ id: `bm-road-${c}-casing`, type: 'line', source, 'source-layer': 'roads', filter: cls(c), layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': r.casing, 'line-width': zoomed(r.width, 1.3) } });
  }
  for (const c of order) {
    const r = ROAD[c];
    layers.push({ id: `bm-road-${c}`, type: 'line', source, 'source-layer': 'roads', filter: cls(c), layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': r.color, 'line-width': zoomed(r.width) } });
  }
  return layers;
}

/** The ids of the layers that draw streets (for the page's probe). */
export const STREET_LAYERS = Object.keys(ROAD).map((c) => `bm-road-${c}`);
