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
};
