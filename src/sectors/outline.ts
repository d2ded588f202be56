/**
 * The outline of a set of grid cells (a sector, a share): the closed rings along the edges between a cell of
 * the set and one outside it, with straight runs merged, in local metres. Pure; for drawing.
 */
import type { AreaFrame, LocalPoint } from '../wire/frame-of-reference.js';

/** Closed rings (first point repeated last) around the cells; holes and separate pieces are rings of their own. */
export function cellOutline(frame: AreaFrame, cells: Iterable<number>): LocalPoint[][] {
  const set = new Set(cells);
  const s = frame.cellSize;
  const cols = frame.cols;
  // directed boundary edges between grid corners (col, row), the set on their left: counter-clockwise rings
  const next = new Map<string, [number, number][]>();
  const add = (a: [number, number], b: [number, number]) => {
    const k = `${a[0]},${a[1]}`;
    const l = next.get(k);
    if (l) l.push(b);
    else next.set(k, [b]);
  };
  for (const c of set) {
    const r = Math.floor(c / cols);
    const q = c - r * cols;
    const has = (dq: number, dr: number) => q + dq >= 0 && q + dq < cols && set.has((r + dr) * cols + q + dq);
    if (!has(0, -1)) add([q, r], [q + 1, r]);
    if (!has(1, 0)) add([q + 1, r], [q + 1, r + 1]);
    if (!has(0, 1)) add([q + 1, r + 1], [q, r + 1]);
    if (!has(-1, 0)) add([q, r + 1], [q, r]);
  }
  const rings: LocalPoint[][] = [];
  for (const [start, outs] of next) {
    while (outs.length) {
      const [sq, sr] = start.split(',').map(Number) as [number, number];
      const pts: [number, number][] = [[sq, sr]];
      let at = outs.pop()!;
      while (!(at[0] === sq && at[1] === sr)) {
        pts.push(at);
        const o = next.get(`${at[0]},${at[1]}`);
        if (!o?.length) break; // cannot happen on a closed boundary; stop rather than loop
        at = o.pop()!;
      }
      pts.push([sq, sr]);
      // keep the corners only
      const corners = pts.filter((p, i) => {
        if (i === 0 || i === pts.length - 1) return true;
        const a = pts[i - 1]!;
        const b = pts[i + 1]!;
        return (p[0] - a[0]) * (b[1] - p[1]) !== (p[1] - a[1]) * (b[0] - p[0]);
      });
      rings.push(corners.map(([x, y]) => ({ x: x * s, y: y * s })));
    }
  }
  return rings;
}

/** A point inside the cells to hang a label on: the centre of the cell nearest their mean. */
export function labelPoint(frame: AreaFrame, cells: readonly number[]): LocalPoint | undefined {
  if (cells.length === 0) return undefined;
  const centre = (c: number): LocalPoint => ({ x: ((c % frame.cols) + 0.5) * frame.cellSize, y: (Math.floor(c / frame.cols) + 0.5) * frame.cellSize });
  const ps = cells.map(centre);
  const mx = ps.reduce((a, p) => a + p.x, 0) / ps.length;
  const my = ps.reduce((a, p) => a + p.y, 0) / ps.length;
  let best = ps[0]!;
  for (const p of ps) if (Math.hypot(p.x - mx, p.y - my) < Math.hypot(best.x - mx, best.y - my)) best = p;
  return best;
}
