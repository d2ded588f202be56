import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';
import { shareOut, type ShareCandidate } from '../../src/sectors/index.js';

const frame: AreaFrame = { originLat: 0, originLon: 0, epoch: 0, cellSize: 50, cols: 60 };
// a lost member's remainder: 3 lanes × 10 cells, x = 1000..1150, y = 500..1000
const orphan: number[] = [];
for (let row = 10; row < 20; row++) for (let col = 20; col < 23; col++) orphan.push(row * frame.cols + col);
const perM = 1 / 75;

test('a lost member’s remainder goes to the drones near it; far ones keep flying their own', () => {
  const candidates: ShareCandidate[] = [
    { id: 1, from: { x: 100, y: 0 }, busy: 100 },
    { id: 2, from: { x: 950, y: 0 }, busy: 100 },
    { id: 3, from: { x: 1200, y: 1000 }, busy: 100 },
    { id: 4, from: { x: 2900, y: 1000 }, busy: 100 },
  ];
  const shares = shareOut({ frame, axis: 'north-south', cells: orphan, candidates, effortPerM: perM });
  const all = [...shares.values()].flat();
  assert.equal(all.length, orphan.length);
  assert.equal(new Set(all).size, orphan.length, 'no cell twice');
  assert.equal(shares.has(4), false, 'the drone 2 km away takes nothing');
  assert.ok((shares.get(2)?.length ?? 0) > (shares.get(1)?.length ?? 0), 'the neighbour takes more than a drone 900 m away');
  // those who take part finish together: busy + flight + share within a cell or two of each other
  const finish = [...shares].map(([id, cells]) => {
    const c = candidates.find((x) => x.id === id)!;
    let near = Infinity;
    for (const cell of orphan) {
      const r = Math.floor(cell / frame.cols);
      near = Math.min(near, Math.hypot((cell - r * frame.cols + 0.5) * 50 - c.from.x, (r + 0.5) * 50 - c.from.y));
    }
    return c.busy + near * perM + cells.length;
  });
  assert.ok(Math.max(...finish) - Math.min(...finish) <= 2, `finish levels ${finish.map((f) => f.toFixed(1)).join(', ')}`);
});

test('every agent computes the same shares, whatever order it lists the candidates in', () => {
  const candidates: ShareCandidate[] = [5, 3, 9, 1].map((id, i) => ({ id, from: { x: 700 + i * 300, y: 500 }, busy: 80 + i }));
  const a = shareOut({ frame, axis: 'north-south', cells: orphan, candidates, effortPerM: perM });
  const b = shareOut({ frame, axis: 'north-south', cells: [...orphan].reverse(), candidates: [...candidates].reverse(), effortPerM: perM });
  assert.deepEqual([...a].sort((x, y) => x[0] - y[0]), [...b].sort((x, y) => x[0] - y[0]));
});

test('a drone that will be busy much longer leaves the remainder to the others', () => {
  const candidates: ShareCandidate[] = [
    { id: 1, from: { x: 1000, y: 500 }, busy: 400 },
    { id: 2, from: { x: 1200, y: 1000 }, busy: 50 },
  ];
  const shares = shareOut({ frame, axis: 'north-south', cells: orphan, candidates, effortPerM: perM });
  assert.equal(shares.get(2)?.length, orphan.length);
  assert.equal(shares.has(1), false);
});
