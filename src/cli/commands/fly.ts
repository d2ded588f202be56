/**
 * `murmur fly`: the field check an integrator runs first. Connects to the flight controller, waits until it is
 * armable, GUIDED, arms, takes off, flies to a point, returns (or lands) and prints a JSON report last.
 */
import type { CommandModule } from '../registry.js';
import { parseFlags, numberFlag, UsageError } from '../args.js';
import { systemClock } from '../../core/clock.js';
import { Vehicle } from '../../vehicle/vehicle.js';
import { runFieldCheck } from '../../vehicle/field-check.js';
import { describeConnectionStrings, connectorFor, ConnectionStringError } from '../../vehicle/transport.js';
import { signingKeyFromPassphrase } from '../../vehicle/mavlink/codec.js';
import { probeFlightController } from '../../kit/fc-probe.js';

const usage = `Usage: murmur fly --fc <connection> [--takeoff M] [--goto LAT,LON | --goto-offset NORTH_M,EAST_M] [--rtl] [--json]

Flies one short check flight in GUIDED: wait until armable, arm, take off, go to the point, then RTL (--rtl) or
land where it is. Each step is reported with its COMMAND_ACK and timing; the last line with --json is one
object: { ok, steps[], maxPositionErrorM, error?, errorKind? }.

  --fc CONN            ${describeConnectionStrings()}
  --takeoff M          take-off altitude above home in metres (default 10)
  --goto LAT,LON       fly to this point at the take-off altitude
  --goto-offset N,E    fly to this many metres north and east of home
  --rtl                return to launch and land there (else land at the point)
  --sysid N            talk only to this system id (default: the first autopilot heard)
  --signing-passphrase S  sign MAVLink 2 packets with the key SHA-256(S)
  --heartbeat-wait S   seconds to wait for the first heartbeat (default 10)
  --armable-wait S     seconds to wait until the vehicle is armable (default 120)
  --json               machine-readable report on the last line of stdout`;

function pair(value: string, name: string): [number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) throw new UsageError(`--${name} expects two numbers "A,B", got "${value}"`);
  return [parts[0]!, parts[1]!];
}

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values } = parseFlags(
      args,
      {
        fc: { type: 'string' },
        takeoff: { type: 'string' },
        goto: { type: 'string' },
        'goto-offset': { type: 'string' },
        rtl: { type: 'boolean' },
        sysid: { type: 'string' },
        'signing-passphrase': { type: 'string' },
        'heartbeat-wait': { type: 'string' },
        'armable-wait': { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (!values.fc) throw new UsageError(`--fc is required\n\n${usage}`);
    if (values.goto && values['goto-offset']) throw new UsageError('give --goto or --goto-offset, not both');
    try {
      connectorFor(values.fc);
    } catch (e) {
      if (e instanceof ConnectionStringError) throw new UsageError(e.message);
      throw e;
    }
    const json = values.json === true;
    const log = json ? (l: string) => process.stderr.write(l + '\n') : (l: string) => console.log(l);
    const takeoffAltM = numberFlag(values.takeoff, 'takeoff', 10);
    let goto: { lat: number; lon: number } | { north: number; east: number } | undefined;
    if (values.goto) {
      const [lat, lon] = pair(values.goto, 'goto');
      goto = { lat, lon };
    } else if (values['goto-offset']) {
      const [north, east] = pair(values['goto-offset'], 'goto-offset');
      goto = { north, east };
    }
    const sysid = values.sysid !== undefined ? numberFlag(values.sysid, 'sysid', 1) : undefined;
    const signingKey = values['signing-passphrase'] ? signingKeyFromPassphrase(values['signing-passphrase']) : undefined;
    const heartbeatWaitMs = numberFlag(values['heartbeat-wait'], 'heartbeat-wait', 10) * 1000;
    log(`connecting to ${values.fc} …`);
    // One connection first, without the vehicle's retry loop: a refused port is said at once, and a silent
    // link is told apart from a vehicle with another system id.
    const probe = await probeFlightController(values.fc, { waitMs: heartbeatWaitMs, ...(sysid !== undefined ? { sysid } : {}), ...(signingKey ? { signingKey } : {}) });
    if (probe.kind !== 'ok') {
      if (json) console.log(JSON.stringify({ fc: values.fc, ok: false, steps: [], maxPositionErrorM: null, durationMs: probe.ms, error: probe.line, errorKind: probe.kind }));
      console.error(`murmur fly: ${probe.line}`);
      return 1;
    }
    log(probe.line);
    const vehicle = new Vehicle({
      connection: values.fc,
      clock: systemClock,
      ...(sysid !== undefined ? { targetSystem: sysid } : {}),
      ...(signingKey ? { signing: { key: signingKey } } : {}),
    }).start();
    const report = await runFieldCheck(vehicle, {
      takeoffAltM,
      ...(goto ? { goto } : {}),
      rtl: values.rtl === true,
      heartbeatWaitMs,
      armableWaitMs: numberFlag(values['armable-wait'], 'armable-wait', 120) * 1000,
      log,
    });
    vehicle.close();
    if (report.error) log(`error (${report.errorKind}): ${report.error}`);
    log(report.ok ? 'field check passed' : 'field check FAILED');
    const out = { fc: values.fc, ...report, rejects: vehicle.connection.rejects.summary() };
    if (json) console.log(JSON.stringify(out));
    return report.ok ? 0 : 1;
  },
};
