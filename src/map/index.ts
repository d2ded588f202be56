/** The situational map: what a drone agent and the ground station import. */
export { MapDocument, actorFor, genesis, type MapSchema } from './document.js';
export { DiskStore, type OpenedMap } from './disk-store.js';
export { deriveState, commandFor, type MapState, type VictimView, type RoadView, type HazardView, type MemberView, type VictimState, type RoadState, type HazardState } from './state.js';
export { victimsNear, blockedRoads, openRoads, isBlockedNear, coverageOf, inNoFly, insideRings, type PolygonCoverage } from './queries.js';
export { toGeoJSON, type FeatureCollection, type Feature } from './geojson.js';
// CoT export (./cot.js) is imported by the ground station itself: its TAK library costs ~60 MB of memory that a
// drone agent has no use for.
export type { Annotation } from './annotation.js';
