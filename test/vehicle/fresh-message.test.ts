import { test } from 'node:test';
import assert from 'node:assert/strict';
import { common, minimal } from 'node-mavlink';
import { freshMessage } from '../../src/vehicle/mavlink/fresh.js';
import { MavlinkDecoder, MavlinkEncoder } from '../../src/vehicle/mavlink/codec.js';

test('a message made without its constructor is what the constructor makes, and shares no array', () => {
  for (const C of [common.SysStatus, minimal.Heartbeat, common.BatteryStatus, common.StatusText]) {
    const a = freshMessage(C as new () => InstanceType<typeof C>);
    const b = new C();
    assert.equal(Object.getPrototypeOf(a), C.prototype);
    assert.deepEqual(Object.keys(a), Object.keys(b));
    assert.deepEqual({ ...a }, { ...b });
  }
  const x = freshMessage(common.BatteryStatus);
  x.voltages.push(4200);
  assert.deepEqual(freshMessage(common.BatteryStatus).voltages, new common.BatteryStatus().voltages);
});

test('decoded messages are instances of their classes with the sent values', () => {
  const m = freshMessage(common.SysStatus);
  m.voltageBattery = 12600;
  m.batteryRemaining = 87;
  const bytes = new MavlinkEncoder({ sysid: 3, compid: 1 }).encode(m);
  const [got] = new MavlinkDecoder().push(bytes);
  assert.ok(got!.data instanceof common.SysStatus);
  assert.equal(got!.data.constructor, common.SysStatus);
  assert.equal((got!.data as common.SysStatus).voltageBattery, 12600);
  assert.equal((got!.data as common.SysStatus).batteryRemaining, 87);
});
