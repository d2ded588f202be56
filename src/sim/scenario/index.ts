/** The scenario format lives in src/mission (a drone loads it too); re-exported here for the simulator. */
export * from '../../mission/index.js';
