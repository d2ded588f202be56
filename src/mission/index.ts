/** The mission a drone flies and the world it is measured against (format documented in maps/README.md). */
export type * from './types.js';
export type * from './detection.js';
export { loadScenario, parseScenario, scenarioFrame, localPolygon, ScenarioError, DEFAULT_SIDE_OVERLAP_PCT } from './load.js';
