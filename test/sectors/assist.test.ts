/** A drone done with its sector takes the far end of a slower member's remainder, sized so both finish together. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assistChunks } from '../../src/sectors/assist.js';
import type { AreaFrame } from '../../src/wire/frame-of-reference.js';

const frame: AreaFrame = { originLat: 0, originLon: 0, epoch: 0, cellSize: 50, cols: 60 };
/** Cells of columns c0..c1 (north-south lanes), rows 0..rows-1. */
const block = (c0: number, c1: number, rows: number) => {
  const out: number[] = [];
  for (let c = c0; c <= c1; c++) for (let r = 0; r < rows; r++) out.push(r * frame.cols + c);
  return out;
};
const col = (cell: number) => cell % frame.cols;
const base = { frame, axis: 'north-south' as const, cruiseSpeedMps: 10, transitSpeedMps: 10 };

test('a helper takes the lanes the owner would fly last, about half of them less its flight there', () => {
  // owner 1 at the west edge of an 8-lane block of 10 cells each (80 cells, 400 s of search)
  const remaining = block(0, 7, 10);
  const out = assistChunks({ ...base, owners: [{ id: 1, pos: { x: 25, y: 25 }, remaining }], helpers: [{ id: 2, pos: { x: 375, y: 0 } }] });
  const chunk = out.get(2);
  assert.ok(chunk, 'the helper has a piece');
  assert.equal(chunk.owner, 1);
  // the owner starts in the west: the helper's lanes are the eastern ones
  assert.ok(chunk.cells.every((c) => col(c) >= 4), `eastern lanes, got columns ${[...new Set(chunk.cells.map(col))].join(',')}`);
  // the owner's last cell is the south end of lane 7 (375, 25): 25 m away, 2.5 s, so (80 − 0.45) / 2 → 39 cells
  assert.equal(chunk.cells.length, 39);
  assert.ok(chunk.cells.every((c) => remaining.includes(c)));
});

test('no piece when the remainder is too small for the flight, and none of its own remainder', () => {
  const small = block(0, 0, 10);
  // 10 cells (100 s) left, helper 1.5 km away (150 s): the owner is done before the helper is there
  assert.equal(assistChunks({ ...base, owners: [{ id: 1, pos: { x: 25, y: 25 }, remaining: small }], helpers: [{ id: 2, pos: { x: 1500, y: 0 } }] }).size, 0);
  // a helper never "helps" itself
  assert.equal(assistChunks({ ...base, owners: [{ id: 2, pos: { x: 25, y: 25 }, remaining: block(0, 7, 10) }], helpers: [{ id: 2, pos: { x: 25, y: 25 } }] }).size, 0);
});

test('two helpers take different pieces, the slowest owner first, the same in any order', () => {
  const owners = [
    { id: 5, pos: { x: 25, y: 25 }, remaining: block(0, 7, 10) },
    { id: 6, pos: { x: 1025, y: 25 }, remaining: block(20, 21, 10) },
  ];
  const helpers = [
    { id: 9, pos: { x: 400, y: 0 } },
    { id: 3, pos: { x: 400, y: 0 } },
  ];
  const a = assistChunks({ ...base, owners, helpers });
  const b = assistChunks({ ...base, owners: [...owners].reverse(), helpers: [...helpers].reverse() });
  assert.deepEqual([...a.entries()].sort(), [...b.entries()].sort(), 'same view, same assignment');
  const p3 = a.get(3)!;
  const p9 = a.get(9)!;
  // helper 3 (lower id) chooses first: the 80-cell remainder, not the 20-cell one
  assert.equal(p3.owner, 5);
  assert.ok(p9, 'the second helper has a piece too');
  const both = [...p3.cells, ...(p9.owner === 5 ? p9.cells : [])];
  assert.equal(new Set(both).size, both.length, 'no cell given twice');
});
