/**
 * A simulated drone on the in-process mesh, for `murmur gcs --radio loopback --demo`: it sweeps lanes
 * across the area, reports status and coverage, now and then a victim, a blocked road or a hazard, and
 * heads home when recalled or told to land, searches again when resumed, and answers every order. Seeded, so a demo shows the same mission every time.
 */
import { seededRandom } from '../core/random.js';
import { HAZARD_TYPES, VICTIM_CONDITIONS, type Fact, type NodeId } from '../wire/facts.js';
import { cellIndex, missionSeconds, type AreaFrame } from '../wire/frame-of-reference.js';
import type { MeshPort } from './mesh-port.js';
import { OperatorDesk } from '../agent/commands.js';

export function startDemoDrone(mesh: MeshPort, frame: AreaFrame, id: NodeId, seed: number, everyMs = 1000): () => void {
  const rng = seededRandom(seed);
  const size = frame.cellSize * frame.cols;
  const lane = frame.cellSize * 2;
  let seq = 0;
  let x = rng.int(size);
  let y = rng.int(size / 4) * 2;
  let dir = 1;
  let battery = 100;
  let returning = false;
  // the operator's orders are obeyed (land as a recall, here) and answered, as a real agent does (commands.ts)
  // on the loopback demo the station is a node below 100, the drones 100 and up
  const desk = new OperatorDesk({ self: id, frame, isOperator: (o) => o < 100 });
  const off = mesh.onFacts((facts) => {
    for (const f of facts) desk.learn(f, true);
    returning = desk.order !== 'search';
    const t = Math.max(0, missionSeconds(frame, Date.now()));
    const acks: Fact[] = desk.takeAcks().map((a) => ({ kind: 'ack', origin: id, seq: ++seq, t, target: a.target, result: a.result }));
    if (acks.length) mesh.publish(acks);
  });
  const timer = setInterval(() => {
    const t = Math.max(0, missionSeconds(frame, Date.now()));
    const out: Fact[] = [];
    if (returning) {
      x = Math.max(0, x - 60);
      y = Math.max(0, y - 60);
    } else {
      x += dir * 40;
      if (x < 0 || x > size) {
        dir = -dir;
        x = Math.min(size, Math.max(0, x));
        y = (y + lane) % size;
      }
      const cell = cellIndex(frame, { x, y });
      out.push({ kind: 'coverage', origin: id, seq: ++seq, t, cells: [cell] });
      if (rng.chance(0.04)) out.push({ kind: 'victim', origin: id, seq: ++seq, t, pos: { x: Math.round(x), y: Math.round(y + rng.range(-30, 30)) }, count: 1 + rng.int(3), condition: VICTIM_CONDITIONS[rng.int(VICTIM_CONDITIONS.length)]!, confidence: 50 + rng.int(50) });
      if (rng.chance(0.01)) out.push({ kind: 'road', origin: id, seq: ++seq, t, path: [{ x: Math.round(x), y: Math.round(y) }, { x: Math.round(x + 150), y: Math.round(y + 20) }], severity: 'impassable' });
      if (rng.chance(0.01)) out.push({ kind: 'hazard', origin: id, seq: ++seq, t, hazard: HAZARD_TYPES[rng.int(HAZARD_TYPES.length)]!, pos: { x: Math.round(x), y: Math.round(y) }, radius: 50 + rng.int(100) });
    }
    battery = Math.max(0, battery - 0.2);
    out.push({
      kind: 'status', origin: id, seq: ++seq, t, pos: { x: Math.round(x), y: Math.round(y) }, alt: returning ? 30 : 50, battery: Math.round(battery),
      mode: returning ? 6 : 4, armed: true, activity: returning ? 'returning' : 'searching', sector: -1, heading: dir > 0 ? 90 : 270, // sector -1: it sweeps anywhere, flying no plan's sector
    });
    mesh.publish(out);
  }, everyMs);
  return () => {
    clearInterval(timer);
    off();
  };
}
