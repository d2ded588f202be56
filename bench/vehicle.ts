/**
 * Vehicle adapter benchmark: mission upload of 200 waypoints at 0 % and 20 % loss (virtual time over an
 * in-memory link with 5 ms one-way latency, so the figure is exact and the floor is round trips × RTT),
 * command→ACK latency over real TCP loopback (beside the measured loopback round trip), and CPU per connected
 * vehicle (adapter + simulated vehicle at 1×, beside the same vehicles with nobody connected).
 */
import net from 'node:net';
import type { Benchmark } from '../src/cli/commands/bench.js';
import { VirtualClock, systemClock, sleep } from '../src/core/clock.js';
import { inProcessVehicle, drive, advance } from '../src/sim/vehicle/virtual.js';
import { SimVehicleServer } from '../src/sim/vehicle/server.js';
import { Vehicle } from '../src/vehicle/vehicle.js';
import { CMD } from '../src/vehicle/mavlink/messages.js';
import { offsetLatLon } from '../src/vehicle/geo.js';
import { runFieldCheck } from '../src/vehicle/field-check.js';

const HOME = { lat: -35.363261, lon: 149.16523, alt: 584 };
const LATENCY_MS = 5;

async function uploadOnce(n: number, loss: number, seed: number) {
  const clock = new VirtualClock(0);
  const sim = inProcessVehicle({ clock, sysid: 1, home: HOME, latencyMs: LATENCY_MS, loss, seed });
  const v = new Vehicle({ connection: sim.connect, clock }).start();
  await drive(clock, v.telemetry.waitFor((s) => s.link === 'connected' && s.systemStatus === 'STANDBY', 60_000));
  await advance(clock, 2000);
  const items = Array.from({ length: n }, (_, i) => ({ command: CMD.NAV_WAYPOINT, ...offsetLatLon(HOME, 10 * (i % 20), 10 * Math.floor(i / 20)), alt: 20 }));
  const r = await drive(clock, v.mission.upload(items));
  v.close();
  sim.copter.stop();
  if (!r.ok) throw new Error(`upload failed: ${r.result}`);
  return { ms: r.ms, retransmissions: r.retransmissions, attempts: r.attempts };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function loopbackRttMs(samples: number): Promise<number[]> {
  const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    await new Promise<void>((r) => {
      sock.once('data', () => r());
      sock.write(Buffer.alloc(40));
    });
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  sock.destroy();
  server.close();
  return out;
}

export const benchmark: Benchmark = {
  summary: 'mission upload (200 WP, 0/20 % loss), command→ACK latency, CPU per connected vehicle',
  async run(opts) {
    const n = opts.quick ? 50 : 200;
    const runs = opts.quick ? 2 : 5;
    const rttMs = 2 * LATENCY_MS;
    const floorMs = (n + 2) * rttMs;
    const up0 = await uploadOnce(n, 0, opts.seed);
    const lossy: { ms: number; retransmissions: number }[] = [];
    for (let i = 0; i < runs; i++) lossy.push(await uploadOnce(n, 0.2, opts.seed + i));
    const lossyMs = lossy.map((x) => x.ms);
    opts.log(`mission upload, ${n} waypoints (+home), in-memory link ${LATENCY_MS} ms each way (virtual time)`);
    opts.log(`  theoretical minimum ((n+2) round trips × ${rttMs} ms)  ${floorMs} ms`);
    opts.log(`  0 % loss                                            ${up0.ms} ms (${(up0.ms / floorMs).toFixed(2)}× the minimum)`);
    // With loss p each way a round trip succeeds with (1-p)²: the floor for stop-and-wait with perfect loss detection.
    const lossyFloorMs = Math.round(floorMs / (0.8 * 0.8));
    opts.log(`  20 % loss: minimum for stop-and-wait (÷ 0.8²)        ${lossyFloorMs} ms`);
    opts.log(`  20 % loss each way, median of ${runs}                   ${percentile(lossyMs, 50)} ms (max ${Math.max(...lossyMs)} ms, ${Math.round(lossy.reduce((s, x) => s + x.retransmissions, 0) / runs)} retransmissions)`);

    // command → ACK over real TCP loopback, simulated vehicle at 1×
    const server = await SimVehicleServer.start({ clock: systemClock, sysid: 1, home: HOME, port: 0, bootNow: true });
    const v = new Vehicle({ connection: `tcp:127.0.0.1:${server.port}`, clock: systemClock }).start();
    await v.telemetry.waitFor((s) => s.link === 'connected', 5000);
    await sleep(systemClock, 300);
    const lat: number[] = [];
    const count = opts.quick ? 50 : 200;
    for (let i = 0; i < count; i++) {
      const t = process.hrtime.bigint();
      const r = await v.commandLong(CMD.SET_MESSAGE_INTERVAL, [33, 200_000], { ignoreOverride: true });
      if (!r.ok) throw new Error(`command failed: ${r.result}`);
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    v.close();
    await server.close();
    const rtt = await loopbackRttMs(count);
    const ack = { p50: percentile(lat, 50), p95: percentile(lat, 95) };
    const loop = { p50: percentile(rtt, 50), p95: percentile(rtt, 95) };
    opts.log(`command → COMMAND_ACK over TCP loopback (${count} commands)`);
    opts.log(`  theoretical minimum (1 round trip, measured echo)  p50 ${loop.p50.toFixed(3)} ms  p95 ${loop.p95.toFixed(3)} ms`);
    opts.log(`  adapter + simulated vehicle                        p50 ${ack.p50.toFixed(3)} ms  p95 ${ack.p95.toFixed(3)} ms`);

    // CPU per connected vehicle
    const N = opts.quick ? 3 : 10;
    const windowMs = opts.quick ? 1500 : 4000;
    const servers: SimVehicleServer[] = [];
    for (let i = 0; i < N; i++) servers.push(await SimVehicleServer.start({ clock: systemClock, sysid: i + 1, home: HOME, port: 0, bootNow: true }));
    await sleep(systemClock, 300);
    let c0 = process.cpuUsage();
    await sleep(systemClock, windowMs);
    let c1 = process.cpuUsage(c0);
    const idleMs = (c1.user + c1.system) / 1000;
    const vehicles = servers.map((s) => new Vehicle({ connection: `tcp:127.0.0.1:${s.port}`, clock: systemClock }).start());
    await Promise.all(vehicles.map((x) => x.telemetry.waitFor((s) => s.position !== undefined, 10_000)));
    c0 = process.cpuUsage();
    await sleep(systemClock, windowMs);
    c1 = process.cpuUsage(c0);
    const connectedMs = (c1.user + c1.system) / 1000;
    for (const x of vehicles) x.close();
    await Promise.all(servers.map((s) => s.close()));
    const perVehiclePct = (connectedMs / windowMs / N) * 100;
    const idlePct = (idleMs / windowMs / N) * 100;
    opts.log(`CPU per vehicle (${N} vehicles, ${windowMs} ms window, GLOBAL_POSITION_INT 5 Hz + 5 streams at 1 Hz)`);
    opts.log(`  baseline: simulated vehicles, nobody connected      ${idlePct.toFixed(2)} % of a core`);
    opts.log(`  connected: adapter + simulated vehicle              ${perVehiclePct.toFixed(2)} % of a core`);
    // Virtual time: a fleet flying the field check together on one clock (the swarm simulator's use).
    const fleetN = opts.quick ? 5 : 20;
    const vclock = new VirtualClock(0);
    const fleet = Array.from({ length: fleetN }, (_, i) => {
      const sim = inProcessVehicle({ clock: vclock, sysid: i + 1, home: { ...offsetLatLon(HOME, 0, 15 * i), alt: HOME.alt }, latencyMs: 3, seed: i });
      return { sim, v: new Vehicle({ connection: sim.connect, clock: vclock }).start() };
    });
    const w0 = process.hrtime.bigint();
    const reports = await drive(vclock, Promise.all(fleet.map(({ v }) => runFieldCheck(v, { takeoffAltM: 15, goto: { north: 100, east: 50 }, rtl: true }))));
    const wallMs = Number(process.hrtime.bigint() - w0) / 1e6;
    for (const { v, sim } of fleet) {
      v.close();
      sim.copter.stop();
    }
    if (!reports.every((r) => r.ok)) throw new Error('a virtual-time field check failed');
    const vehicleSeconds = (vclock.now() / 1000) * fleetN;
    const virtualX = vehicleSeconds / (wallMs / 1000);
    opts.log(`virtual time: ${fleetN} vehicles fly the field check together (${(vclock.now() / 1000).toFixed(0)} s of vehicle time each)`);
    opts.log(`  baseline: real time                                  1 vehicle-second per second`);
    opts.log(`  in-process, virtual clock                            ${Math.round(virtualX)} vehicle-seconds per second (${wallMs.toFixed(0)} ms wall)`);
    return {
      virtualVehicleSecondsPerSecond: virtualX,
      virtualFleet: fleetN,
      waypoints: n,
      linkOneWayMs: LATENCY_MS,
      uploadTheoreticalMinMs: floorMs,
      upload0LossMs: up0.ms,
      upload20LossTheoreticalMinMs: lossyFloorMs,
      upload20LossMedianMs: percentile(lossyMs, 50),
      upload20LossMaxMs: Math.max(...lossyMs),
      ackLatencyP50Ms: ack.p50,
      ackLatencyP95Ms: ack.p95,
      loopbackRttP50Ms: loop.p50,
      loopbackRttP95Ms: loop.p95,
      cpuPerVehiclePct: perVehiclePct,
      cpuPerIdleSimVehiclePct: idlePct,
      vehicles: N,
    };
  },
};
