import { loadScenario } from './src/mission/index.js';
import { runSimulation } from './src/sim/swarm/run.js';
import { seenGround } from './src/sim/swarm/seen-area.js';
import { pointInPolygon } from './src/sectors/index.js';
const sc = loadScenario(process.argv[2]!);
let rec: any;
await runSimulation({ scenario: sc, drones: 10, seed: 1, redivide: true, inspect: (r) => (rec = r) });
const g = seenGround(rec.area, [...rec.nofly, ...rec.operatorZones.map((z: any) => z.polygon)], rec.sweeps, rec.sweepWidthM / 2, rec.sweepAtS);
const idx: number[] = [];
g.points.forEach((p, i) => { if (rec.priority.some((poly: any) => pointInPolygon(p, poly))) idx.push(i); });
const unseen = idx.filter((i) => g.firstSeenS[i] === Infinity);
console.log('priority pts', idx.length, 'unseen', unseen.length, (100 * unseen.length / idx.length).toFixed(2) + '%');
const ts = idx.map((i) => g.firstSeenS[i]!).sort((a, b) => a - b);
for (const q of [0.9, 0.95, 0.97, 0.98]) console.log(q, ts[Math.ceil(q * ts.length) - 1]);
// where the unseen are: distance to nearest nofly edge / area edge
const pts = unseen.map((i) => g.points[i]!);
console.log(JSON.stringify(pts.slice(0, 10).map((p) => [Math.round(p.x), Math.round(p.y)])));
