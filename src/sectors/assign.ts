/**
 * Which member takes which stretch: the assignment of n members to n stretches with the least total cost (the
 * Hungarian method with potentials, O(n³): 10⁶ steps for 100 drones). Pure and deterministic: the same matrix
 * gives the same assignment on every node.
 */

/** For a square cost matrix (rows: members, columns: stretches), the column of each row, least total cost. */
export function leastCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  // 1-based arrays as the method is usually written: column 0 is the free row being placed
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const rowOf = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Infinity);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = rowOf[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOf[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    // the augmenting path back to the start
    do {
      const j1 = way[j0]!;
      rowOf[j0] = rowOf[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOf = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (rowOf[j]! > 0) colOf[rowOf[j]! - 1] = j - 1;
  return colOf;
}
