import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toMgrs, toUtm } from '../../src/map/mgrs.js';

// Reference values from an independent implementation (the `mgrs` npm package, 2.2.0), covering both
// hemispheres, odd and even zones, the Norway and Svalbard exceptions, and a point by the equator.
const REFERENCE: [number, number, string][] = [
  [45.18, 5.72, '31TGL1370406545'],
  [40.689247, -74.044502, '18TWL8073504700'], // Statue of Liberty
  [-33.856784, 151.215297, '56HLH3490052290'], // Sydney Opera House
  [51.500729, -0.124625, '30UXC9956509430'], // Westminster
  [60.39, 5.32, '32VKN9723000510'], // Bergen: zone 32 by the Norway exception
  [78.22, 15.65, '33XWG1481383004'], // Longyearbyen: Svalbard zone 33
  [-54.8, -68.3, '19FEV4500027239'],
  [0.0001, 0.0001, '31NAA6603200011'],
  [35.6895, 139.6917, '54SUE8162250298'],
  [-1.2921, 36.8219, '37MBU5763457079'],
  [64.1466, -21.9426, '27WVM5413813689'],
  [19.4326, -99.1332, '14QMG8601748700'],
];

test('MGRS references match an independent implementation to the metre', () => {
  for (const [lat, lon, want] of REFERENCE) {
    const got = toMgrs(lat, lon)!;
    assert.equal(got.replace(/ /g, ''), want, `${lat},${lon}`);
  }
});

test('MGRS is written in groups, truncated at coarser precision; polar points have none', () => {
  assert.equal(toMgrs(45.18, 5.72), '31T GL 13704 06545');
  assert.equal(toMgrs(45.18, 5.72, 3), '31T GL 137 065');
  assert.equal(toMgrs(85, 10), undefined);
  assert.equal(toMgrs(-81, 10), undefined);
  assert.equal(toUtm(45.18, 5.72)!.zone, 31);
});
