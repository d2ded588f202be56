/** MAVLink framing: malformed byte streams are skipped without losing later messages; signing; PARAM_ERROR. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { calculateCrcExtra } from 'node-mavlink';
import { MavlinkDecoder, MavlinkEncoder, signingKeyFromPassphrase } from '../../src/vehicle/mavlink/codec.js';
import { common, minimal, ParamError } from '../../src/vehicle/mavlink/messages.js';
import { systemClock } from '../../src/core/clock.js';
import { Vehicle } from '../../src/vehicle/vehicle.js';

function heartbeat(): minimal.Heartbeat {
  const h = new minimal.Heartbeat();
  h.type = 2;
  h.autopilot = 3;
  h.baseMode = 81 as minimal.MavModeFlag;
  h.customMode = 4;
  h.systemStatus = 3;
  h.mavlinkVersion = 3;
  return h;
}
function text(s: string): common.StatusText {
  const t = new common.StatusText();
  t.severity = 6;
  t.text = s;
  t.id = 0;
  t.chunkSeq = 0;
  return t;
}

const enc = new MavlinkEncoder({ sysid: 1, compid: 1 });
const good1: Buffer = enc.encode(heartbeat());
const good2 = enc.encode(text('after the noise'));
const badCrc = Buffer.from(enc.encode(text('corrupted')));
badCrc[12] = (badCrc[12] ?? 0) ^ 0x55;
const truncated = enc.encode(text('cut short')).subarray(0, 14);
const consoleText = Buffer.from('Init Gyro***\r\nAP_Logger: \xfd\x20 garbage with a fake STX\r\n', 'latin1');

test('garbage, bad CRC and truncated frames are skipped and counted; later messages arrive', () => {
  const d = new MavlinkDecoder();
  const stream = Buffer.concat([consoleText, good1, badCrc, truncated, Buffer.from([0xfe, 0x09]), good2, good1]);
  const got = d.push(stream);
  assert.deepEqual(got.map((m) => m.header.msgid), [0, 253, 0]);
  assert.equal((got[1]!.data as common.StatusText).text, 'after the noise');
  assert.ok(d.rejects.counts.bad_crc >= 1);
  assert.ok(d.rejects.counts.malformed >= 1);
});

test('any split of the byte stream decodes the same messages (property)', () => {
  const stream = Buffer.concat([consoleText, good1, badCrc, good2, truncated, good1, good2]);
  const reference = new MavlinkDecoder().push(stream).map((m) => m.header.msgid);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 20 }), (cuts) => {
      const d = new MavlinkDecoder();
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const out: number[] = [];
      let last = 0;
      for (const p of [...points, stream.length]) {
        out.push(...d.push(stream.subarray(last, p)).map((m) => m.header.msgid));
        last = p;
      }
      assert.deepEqual(out, reference);
    }),
  );
});

test('random bytes never throw and never grow the buffer', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      const d = new MavlinkDecoder();
      d.push(bytes);
      const after = d.push(good1);
      assert.ok(after.length <= 1 + 1);
    }),
  );
});

test('signed packets verify; wrong key, tampering and replays are rejected', () => {
  const key = signingKeyFromPassphrase('murmur test key');
  const s = new MavlinkEncoder({ sysid: 1, compid: 1, signing: { key, linkId: 0, now: () => Date.now() } });
  const p1 = s.encode(heartbeat());
  const p2 = s.encode(text('signed'));
  const d = new MavlinkDecoder({ signingKey: key, requireSigned: true });
  assert.equal(d.push(Buffer.concat([p1, p2])).length, 2);
  assert.equal(d.push(p1).length, 0, 'replayed packet dropped');
  assert.equal(d.rejects.counts.replay, 1);
  const other = new MavlinkDecoder({ signingKey: signingKeyFromPassphrase('wrong'), requireSigned: true });
  assert.equal(other.push(s.encode(heartbeat())).length, 0);
  assert.equal(other.rejects.counts.bad_tag, 1);
  assert.equal(d.push(good1).length, 0, 'unsigned dropped when signing is required');
});

test('PARAM_ERROR (345) has the CRC_EXTRA of its definition and round-trips', () => {
  assert.equal(
    calculateCrcExtra('PARAM_ERROR', [
      { source: { name: 'param_index', type: 'int16_t' }, itemType: 'int16_t', fieldSize: 2 },
      { source: { name: 'target_system', type: 'uint8_t' }, itemType: 'uint8_t', fieldSize: 1 },
      { source: { name: 'target_component', type: 'uint8_t' }, itemType: 'uint8_t', fieldSize: 1 },
      { source: { name: 'param_id', type: 'char[16]' }, itemType: 'char', fieldSize: 1, arrayLength: 16 },
      { source: { name: 'error', type: 'uint8_t' }, itemType: 'uint8_t', fieldSize: 1 },
    ] as never),
    ParamError.MAGIC_NUMBER,
  );
  const e = new ParamError();
  e.targetSystem = 255;
  e.paramId = 'WPNAV_SPEED';
  e.paramIndex = -1;
  e.error = 1;
  const [m] = new MavlinkDecoder().push(enc.encode(e));
  assert.equal((m!.data as ParamError).paramId, 'WPNAV_SPEED');
  assert.equal((m!.data as ParamError).error, 1);
});

test('over TCP: the adapter connects through consoleText text and corrupt frames and gets later messages', async () => {
  const server = net.createServer((sock) => {
    sock.write(consoleText);
    sock.write(badCrc);
    sock.write(truncated);
    const timer = setInterval(() => {
      sock.write(Buffer.concat([Buffer.from('noise\xfd', 'latin1'), enc.encode(heartbeat()), enc.encode(text('still here'))]));
    }, 100);
    sock.on('close', () => clearInterval(timer));
    sock.on('error', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const v = new Vehicle({ connection: `tcp:127.0.0.1:${port}`, clock: systemClock, commandAttempts: 1, commandTimeoutMs: 50 }).start();
  try {
    const texts: string[] = [];
    v.telemetry.onStatusText((e) => texts.push(e.text));
    assert.ok(await v.telemetry.waitFor((s) => s.link === 'connected' && s.mode === 'GUIDED', 5000));
    assert.ok(await v.telemetry.waitFor(() => texts.includes('still here'), 5000));
    const r = v.connection.rejects.counts;
    assert.ok(r.bad_crc + r.malformed >= 2, JSON.stringify(v.connection.rejects.summary()));
  } finally {
    v.close();
    server.close();
  }
});
