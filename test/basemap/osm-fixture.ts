/**
 * A small OpenStreetMap file of an invented place, as OSM XML: a grid of named streets (one primary road, the
 * rest residential), a building in each block, a lake and a park. Node ids and coordinates are fixed.
 */
export interface OsmFixture {
  readonly xml: string;
  readonly bounds: [number, number, number, number];
  readonly streetNames: readonly string[];
}

export function gridTown(originLat: number, originLon: number, blocks = 4, blockDeg = 0.002): OsmFixture {
  const nodes: string[] = [];
  const ways: string[] = [];
  let nid = 1;
  let wid = 1;
  const node = (lat: number, lon: number) => {
    nodes.push(`  <node id="${nid}" version="1" lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}"/>`);
    return nid++;
  };
  const way = (refs: number[], tags: Record<string, string>) => {
    const t = Object.entries(tags).map(([k, v]) => `    <tag k="${k}" v="${v}"/>`);
    ways.push([`  <way id="${wid++}" version="1">`, ...refs.map((r) => `    <nd ref="${r}"/>`), ...t, '  </way>'].join('\n'));
  };
  // Street nodes at each crossing, shared by the two streets that cross there.
  const grid: number[][] = [];
  for (let i = 0; i <= blocks; i++) {
    grid.push([]);
    for (let j = 0; j <= blocks; j++) grid[i]!.push(node(originLat + i * blockDeg, originLon + j * blockDeg));
  }
  const streetNames: string[] = [];
  for (let i = 0; i <= blocks; i++) {
    const name = `Rue ${i + 1}`;
    streetNames.push(name);
    way(grid[i]!, { highway: i === 0 ? 'primary' : 'residential', name });
  }
  for (let j = 0; j <= blocks; j++) {
    const name = `Avenue ${String.fromCharCode(65 + j)}`;
    streetNames.push(name);
    way(grid.map((row) => row[j]!), { highway: 'residential', name });
  }
  const box = (lat0: number, lon0: number, dLat: number, dLon: number, tags: Record<string, string>) => {
    const a = node(lat0, lon0), b = node(lat0, lon0 + dLon), c = node(lat0 + dLat, lon0 + dLon), d = node(lat0 + dLat, lon0);
    way([a, b, c, d, a], tags);
  };
  for (let i = 0; i < blocks; i++)
    for (let j = 0; j < blocks; j++) {
      const lat = originLat + i * blockDeg, lon = originLon + j * blockDeg;
      if (i === 1 && j === 1) box(lat + blockDeg * 0.1, lon + blockDeg * 0.1, blockDeg * 0.8, blockDeg * 0.8, { natural: 'water', name: 'Lac' });
      else if (i === 2 && j === 2) box(lat + blockDeg * 0.1, lon + blockDeg * 0.1, blockDeg * 0.8, blockDeg * 0.8, { leisure: 'park' });
      else box(lat + blockDeg * 0.3, lon + blockDeg * 0.3, blockDeg * 0.4, blockDeg * 0.4, { building: 'yes' });
    }
  const pad = blockDeg / 2;
  const bounds: [number, number, number, number] = [originLon - pad, originLat - pad, originLon + blocks * blockDeg + pad, originLat + blocks * blockDeg + pad];
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<osm version="0.6" generator="murmur test">',
    `  <bounds minlat="${bounds[1]}" minlon="${bounds[0]}" maxlat="${bounds[3]}" maxlon="${bounds[2]}"/>`,
    ...nodes,
    ...ways,
    '</osm>',
    '',
  ].join('\n');
  return { xml, bounds, streetNames };
}
