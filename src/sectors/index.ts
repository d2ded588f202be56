export { pointInPolygon, searchableCells, sweptCells, type Polygon, type Ring } from './grid.js';
export { planSectors, laneAxis, type LaneAxis, type PlanInput, type PlanMember, type SectorPlan } from './plan.js';
export { overlapBetweenPlans } from './compare.js';
export { shareOut, type ShareCandidate, type ShareInput } from './share.js';
export { legDistanceToZone, legEntersZone, routeAround } from './route.js';
export { reachTowardZones, reachLaneEnds } from './lane-ends.js';
export { regionRanks, type CellRanks } from './regions.js';
export { effortPerMetre, handOver, launchPointIndex, takeOffPlan, type HandOverInput, type TakeOff, type TakeOffInput } from './takeoff.js';
export { cellOutline, labelPoint } from './outline.js';
