// A booting autopilot: ArduCopter reports GLOBAL_POSITION_INT at lat 0, lon 0 until its EKF has an origin
// (../shared/ardupilot-behaviour); telemetry must not take that, or a report before any 3D fix, as a place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { common, MSG } from '../../src/vehicle/mavlink/messages.js';
import type { MavMessage } from '../../src/vehicle/mavlink/codec.js';
import { applyMessage, initialState } from '../../src/vehicle/telemetry.js';

function msg(msgid: number, data: unknown): MavMessage {
  return { header: { sysid: 1, compid: 1, msgid, seq: 0, version: 2, signed: false }, data: data as MavMessage['data'] };
}

function position(lat: number, lon: number, relAltM: number): MavMessage {
  const p = new common.GlobalPositionInt();
  p.lat = Math.round(lat * 1e7);
  p.lon = Math.round(lon * 1e7);
  p.alt = Math.round((584 + relAltM) * 1000);
  p.relativeAlt = Math.round(relAltM * 1000);
  p.hdg = 65535;
  return msg(MSG.GLOBAL_POSITION_INT, p);
}

function gps(fixType: number): MavMessage {
  const g = new common.GpsRawInt();
  g.fixType = fixType;
  g.satellitesVisible = fixType >= 3 ? 10 : 0;
  return msg(MSG.GPS_RAW_INT, g);
}

test('no position before the EKF has an origin (lat 0, lon 0) or before a 3D fix; a real fix is taken', () => {
  const s = initialState();
  // read through a function: assert.equal(x, undefined) would narrow the state's type for the rest of the test
  const pos = () => s.position;
  applyMessage(s, position(0, 0, 0), 1000);
  assert.equal(pos(), undefined, 'lat 0, lon 0 is no position');
  applyMessage(s, gps(1), 1100);
  applyMessage(s, position(-35.3632621, 149.1652374, 0), 1200);
  assert.equal(pos(), undefined, 'no 3D fix yet');
  applyMessage(s, gps(3), 1300);
  applyMessage(s, position(-35.3632621, 149.1652374, 0.2), 1400);
  assert.equal(pos()?.lat, -35.3632621);
  assert.equal(pos()?.at, 1400);
  // a fix lost in flight: the EKF's dead reckoning stays the best estimate
  applyMessage(s, gps(1), 1500);
  applyMessage(s, position(-35.3630000, 149.1652374, 15), 1600);
  assert.equal(pos()?.relAlt, 15);
  // but a zero position never replaces a real one
  applyMessage(s, position(0, 0, 0), 1700);
  assert.equal(pos()?.lat, -35.363);
});
