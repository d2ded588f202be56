/**
 * The firmware's portable C++ core, built and unit-tested with g++ on this machine, and the framing it
 * shares with the TypeScript side checked against the same vectors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFrame, FrameDecoder } from '../../src/wire/framing.js';
import { crc16 } from '../../src/wire/crc16.js';
import { FIRMWARE_DIR } from '../../src/links/modem-emulator.js';

test('firmware core: `make -C firmware-bridge test` builds with g++ and every host unit test passes', () => {
  const r = spawnSync('make', ['-C', FIRMWARE_DIR, 'test'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /(\d+) checks, 0 failures/);
  assert.ok(Number(/(\d+) checks/.exec(r.stdout)![1]) > 100, 'the suite ran its checks');
  assert.match(r.stdout, /ALL TESTS PASSED/);
});

test('the TypeScript framing produces and accepts exactly the shared vectors', () => {
  const lines = readFileSync(join(FIRMWARE_DIR, 'test/vectors/framing.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  assert.ok(lines.length >= 8);
  for (const line of lines) {
    const [ph, fh] = line.split(/\s+/);
    const payload = ph === '-' ? new Uint8Array(0) : Uint8Array.from(Buffer.from(ph!, 'hex'));
    const frame = Uint8Array.from(Buffer.from(fh!, 'hex'));
    assert.deepEqual(encodeFrame(payload), frame, line.slice(line.indexOf('#')));
    const got: Uint8Array[] = [];
    new FrameDecoder(600).push(frame, (p) => got.push(p));
    assert.deepEqual(got, [payload]);
  }
  assert.equal(crc16(new TextEncoder().encode('123456789')), 0x29b1);
});
