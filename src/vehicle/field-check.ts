/**
 * The field check behind `murmur fly`: connect, wait until armable, GUIDED, arm, take off, fly to a point,
 * return (RTL) or land, and report every step with its ACK and timing and the worst position error. Shared by
 * the CLI and the flight test suite (which runs it against the simulated vehicle and, when available, SITL).
 */
import { offsetLatLon, distanceM, type LatLon } from './geo.js';
import type { Vehicle, CommandResult, VehicleState } from './vehicle.js';

export interface FieldCheckOptions {
  readonly takeoffAltM: number;
  readonly goto?: { readonly lat: number; readonly lon: number } | { readonly north: number; readonly east: number };
  readonly rtl: boolean;
  readonly heartbeatWaitMs?: number;
  readonly armableWaitMs?: number;
  readonly log?: (line: string) => void;
}

export type FailureKind = 'no_heartbeat' | 'not_armable' | 'command_denied' | 'link_lost' | 'override' | 'timeout';

export interface StepReport {
  readonly name: string;
  readonly ok: boolean;
  /** ms since the check started */
  readonly at: number;
  readonly ms: number;
  readonly ack?: { readonly result: string; readonly code?: number; readonly ms: number; readonly attempts: number };
  readonly texts?: readonly string[];
  readonly detail?: string;
  readonly positionErrorM?: number;
}

export interface FieldCheckReport {
  ok: boolean;
  sysid?: number;
  steps: StepReport[];
  maxPositionErrorM: number | null;
  durationMs: number;
  error?: string;
  errorKind?: FailureKind;
  finalState?: { mode: string; armed: boolean; relAlt?: number };
}

type WaitOutcome = 'ok' | 'timeout' | 'link_lost' | 'override';

export async function runFieldCheck(v: Vehicle, o: FieldCheckOptions): Promise<FieldCheckReport> {
  const clock = v.clock;
  const t0 = clock.now();
  const log = o.log ?? (() => undefined);
  const report: FieldCheckReport = { ok: false, steps: [], maxPositionErrorM: null, durationMs: 0 };
  const errors: number[] = [];
  const tel = v.telemetry;

  const waitUntil = (pred: (s: Readonly<VehicleState>) => boolean, timeoutMs: number, allowOverride = false): Promise<WaitOutcome> =>
    new Promise((resolve) => {
      const check = (s: Readonly<VehicleState>): WaitOutcome | undefined => {
        if (s.link === 'fc_lost' || s.link === 'closed') return 'link_lost';
        if (!allowOverride && s.control === 'override') return 'override';
        return pred(s) ? 'ok' : undefined;
      };
      const first = tel.state.link === 'connected' || tel.state.link === 'fc_lost' ? check(tel.state) : pred(tel.state) ? 'ok' : undefined;
      if (first) return resolve(first);
      const off = tel.onState((s) => {
        const r = check(s);
        if (r) {
          off();
          clock.clearTimeout(timer);
          resolve(r);
        }
      });
      const timer = clock.setTimeout(() => {
        off();
        resolve('timeout');
      }, timeoutMs);
    });

  const step = (name: string, started: number, ok: boolean, extra: Partial<StepReport> = {}): StepReport => {
    const s: StepReport = { name, ok, at: started - t0, ms: clock.now() - started, ...extra };
    report.steps.push(s);
    log(`${ok ? 'ok  ' : 'FAIL'} ${name}${s.ack ? ` ack=${s.ack.result} (${s.ack.ms} ms)` : ''} ${s.ms} ms${s.detail ? ` — ${s.detail}` : ''}`);
    return s;
  };
  const ackOf = (r: CommandResult) => ({ result: r.result, ...(r.code !== undefined ? { code: r.code } : {}), ms: r.ms, attempts: r.attempts });
  const fail = (kind: FailureKind, message: string): FieldCheckReport => {
    report.ok = false;
    report.errorKind = kind;
    report.error = message;
    return finish();
  };
  const finish = (): FieldCheckReport => {
    report.durationMs = clock.now() - t0;
    report.maxPositionErrorM = errors.length ? Math.round(Math.max(...errors) * 100) / 100 : null;
    const s = tel.state;
    report.finalState = { mode: s.mode, armed: s.armed, ...(s.position ? { relAlt: Math.round(s.position.relAlt * 10) / 10 } : {}) };
    return report;
  };
  const waitFailure = (w: WaitOutcome, during: string): FieldCheckReport => {
    if (w === 'link_lost') return fail('link_lost', `link to the flight controller lost during ${during}`);
    if (w === 'override') {
      const ov = tel.state.override;
      return fail('override', `control taken over during ${during}: mode ${ov?.from} → ${ov?.to} (${ov?.reason}${ov?.text ? `: ${ov.text}` : ''})`);
    }
    return fail('timeout', `timed out during ${during}`);
  };
  const commandFailure = (r: CommandResult, during: string): FieldCheckReport => {
    if (r.result === 'LINK_LOST' || r.result === 'NOT_CONNECTED') return fail('link_lost', `link to the flight controller lost during ${during}`);
    if (r.result === 'TIMEOUT')
      return fail(
        'timeout',
        `no COMMAND_ACK for ${r.command} after ${r.attempts} attempts${v.connection.peerSigns ? ' (the vehicle signs its packets and may drop unsigned or wrongly signed ones: check the signing key)' : ''}`,
      );
    if (r.result === 'OVERRIDE') return waitFailure('override', during);
    return fail('command_denied', `${r.command} refused by the vehicle: ${r.result}${r.texts.length ? ` (${r.texts.join('; ')})` : ''}`);
  };

  // 1. heartbeat
  let started = clock.now();
  const hb = await waitUntil((s) => s.link === 'connected', o.heartbeatWaitMs ?? 10_000);
  if (hb !== 'ok') {
    step('heartbeat', started, false);
    return fail('no_heartbeat', `no HEARTBEAT from a flight controller within ${Math.round((o.heartbeatWaitMs ?? 10_000) / 1000)} s`);
  }
  report.sysid = tel.state.sysid;
  step('heartbeat', started, true, { detail: `sysid ${tel.state.sysid}, ${tel.state.mode}, ${tel.state.systemStatus}` });

  // 2. booted, position known
  started = clock.now();
  const ready = await waitUntil((s) => s.systemStatus !== 'BOOT' && s.systemStatus !== 'UNINIT' && s.position !== undefined, 30_000, true);
  if (ready !== 'ok') {
    step('telemetry', started, false);
    return waitFailure(ready, 'waiting for telemetry');
  }
  step('telemetry', started, true);

  // 3 + 4. GUIDED and arm, retried until armable (ArduCopter needs ~43 s after boot for a GPS position)
  started = clock.now();
  const armDeadline = started + (o.armableWaitMs ?? 120_000);
  let modeAck: CommandResult | undefined;
  let modeStep: { at: number; ms: number } | undefined;
  let armAck: CommandResult | undefined;
  let armAttempts = 0;
  for (;;) {
    if (!tel.state.armed && tel.state.control === 'override') v.resumeControl(); // e.g. SITL's RC switch at boot
    if (tel.state.mode !== 'GUIDED') {
      const modeStart = clock.now();
      modeAck = await v.action.setMode('GUIDED');
      modeStep = { at: modeStart, ms: clock.now() - modeStart };
      if (!modeAck.ok) {
        step('set GUIDED', started, false, { ack: ackOf(modeAck), texts: modeAck.texts });
        return commandFailure(modeAck, 'set GUIDED');
      }
      await waitUntil((s) => s.mode === 'GUIDED', 3000, true);
    }
    armAck = await v.action.arm();
    armAttempts++;
    if (armAck.ok || armAck.result !== 'FAILED' || clock.now() + 1000 > armDeadline) break;
    await waitUntil(() => false, 1000, true);
  }
  if (modeAck && modeStep) {
    const s: StepReport = { name: 'set GUIDED', ok: true, at: modeStep.at - t0, ms: modeStep.ms, ack: ackOf(modeAck) };
    report.steps.push(s);
    log(`ok   set GUIDED ack=${modeAck.result} (${modeAck.ms} ms)`);
  }
  if (!armAck.ok) {
    const texts = armAck.texts.length ? armAck.texts : tel.state.lastPrearmText ? [tel.state.lastPrearmText] : [];
    step('arm', started, false, { ack: ackOf(armAck), texts, detail: `${armAttempts} attempts` });
    if (armAck.result === 'FAILED')
      return fail('not_armable', `vehicle not armable after ${Math.round((clock.now() - started) / 1000)} s: ${texts.join('; ') || 'no pre-arm text'}`);
    return commandFailure(armAck, 'arm');
  }
  step('arm', started, true, { ack: ackOf(armAck), detail: `${armAttempts} attempts, ${tel.state.mode}` });

  // 5. takeoff
  started = clock.now();
  const home: LatLon = tel.state.home ?? { lat: tel.state.position!.lat, lon: tel.state.position!.lon };
  const toAck = await v.action.takeoff(o.takeoffAltM);
  if (!toAck.ok) {
    step('takeoff', started, false, { ack: ackOf(toAck), texts: toAck.texts });
    return commandFailure(toAck, 'takeoff');
  }
  const climbed = await waitUntil((s) => (s.position?.relAlt ?? 0) >= o.takeoffAltM - 0.5, 30_000 + o.takeoffAltM * 2000);
  if (climbed !== 'ok') {
    step('takeoff', started, false, { ack: ackOf(toAck) });
    return waitFailure(climbed, 'takeoff');
  }
  step('takeoff', started, true, { ack: ackOf(toAck), detail: `${tel.state.position?.relAlt.toFixed(1)} m` });

  // 6. go to
  if (o.goto) {
    started = clock.now();
    const target = 'lat' in o.goto ? o.goto : offsetLatLon(home, o.goto.north, o.goto.east);
    const g = v.action.gotoLocation(target.lat, target.lon, o.takeoffAltM);
    if (!g.ok) {
      step('goto', started, false, { ack: ackOf(g) });
      return commandFailure(g, 'goto');
    }
    const dist0 = tel.state.position ? distanceM(tel.state.position, target) : 0;
    const arrived = await waitUntil((s) => {
      if (!s.position || !s.velocity) return false;
      return distanceM(s.position, target) < 1.5 && Math.hypot(s.velocity.north, s.velocity.east) < 0.3;
    }, 60_000 + dist0 * 500);
    if (arrived !== 'ok') {
      step('goto', started, false, { detail: `${Math.round(dist0)} m leg` });
      return waitFailure(arrived, 'goto');
    }
    // Let it settle, then measure how far from the target it holds.
    const settled = await waitUntil(() => false, 2000);
    if (settled !== 'timeout') {
      step('goto', started, false);
      return waitFailure(settled, 'goto');
    }
    const err = distanceM(tel.state.position!, target);
    errors.push(err);
    step('goto', started, true, { detail: `${Math.round(dist0)} m leg`, positionErrorM: Math.round(err * 100) / 100 });
  }

  // 7. return and land, or land here
  started = clock.now();
  const back = o.rtl ? await v.action.rtl() : await v.action.land();
  const name = o.rtl ? 'rtl' : 'land';
  if (!back.ok) {
    step(name, started, false, { ack: ackOf(back), texts: back.texts });
    return commandFailure(back, name);
  }
  const landed = await waitUntil((s) => !s.armed, 300_000);
  if (landed !== 'ok') {
    step(name, started, false, { ack: ackOf(back) });
    return waitFailure(landed, name);
  }
  const landErr = o.rtl && tel.state.position ? distanceM(tel.state.position, home) : undefined;
  if (landErr !== undefined) errors.push(landErr);
  step(name, started, true, {
    ack: ackOf(back),
    detail: 'landed and disarmed',
    ...(landErr !== undefined ? { positionErrorM: Math.round(landErr * 100) / 100 } : {}),
  });
  report.ok = report.steps.every((s) => s.ok);
  return finish();
}
