// One palette for both renderers.
export const COLORS = {
  victim: { reported: '#d32f2f', confirmed: '#ef6c00', rescued: '#2e7d32', false_alarm: '#9e9e9e', withdrawn: '#9e9e9e' },
  hazard: '#8e24aa',
  roadBlocked: '#b71c1c',
  roadCleared: '#9e9e9e',
  drone: '#1565c0',
  droneLow: '#f9a825',
  track: '#1565c0',
  coverage: '#43a047',
  search: '#0d47a1',
  nofly: '#e53935',
  // one colour per sector (S1, S2, …, cycling): outline and label alike
  sectors: ['#6d4c41', '#00838f', '#5e35b1', '#c0ca33', '#d81b60', '#3949ab', '#f4511e', '#00897b'],
};

/** A sector's colour (index from 0). */
export const sectorColor = (i) => COLORS.sectors[((i % COLORS.sectors.length) + COLORS.sectors.length) % COLORS.sectors.length];

/** How a sector is named on the page: S1, S2, … (the drones report it from 0). */
export const sectorName = (i) => `S${i + 1}`;
