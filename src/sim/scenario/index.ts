export type * from './types.js';
export { loadScenario, parseScenario, scenarioFrame, localPolygon, ScenarioError } from './load.js';
