/**
 * What the page exposes for tests and the benchmark to observe (window.__murmur, set by page/app.js):
 * which renderer drew the map, how many features it drew, the ids of drawn markers, and a promise
 * for the renderer having finished drawing.
 */
export interface PageProbe {
  renderer: 'maplibre' | 'fallback' | null;
  featuresShown: number;
  renders: number;
  markerIds(layer: 'victim' | 'road' | 'hazard' | 'member' | 'sector'): string[];
  /** Names of the basemap's streets drawn in view (MapLibre with a `murmur basemap build` basemap). */
  streetNames(): string[];
  whenDrawn(): Promise<void>;
  /** Where [lon, lat] is drawn, pixels from the map box's top left corner. */
  project?(lonLat: [number, number]): [number, number];
  /** Shows [[west, south], [east, north]] (MapLibre renderer). */
  fit?(bounds: [[number, number], [number, number]]): void;
}

declare global {
  interface Window {
    __murmur: PageProbe;
  }
}
