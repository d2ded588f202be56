/**
 * One look at a flight controller before anything relies on it: open the connection once (no retry loop, so a
 * refused port or a missing device is said at once), then listen for heartbeats. It tells apart what a user must
 * fix differently: nothing listening, no such device, no permission, a link that stays silent, and a vehicle
 * that answers with another system id than the one asked for.
 */
import type { minimal } from 'node-mavlink';
import { connectorFor, type ByteLink } from '../vehicle/transport.js';
import { MavlinkDecoder, MavlinkEncoder } from '../vehicle/mavlink/codec.js';
import { MAV_AUTOPILOT, MAV_TYPE, MSG, modeName } from '../vehicle/mavlink/messages.js';
import { companionHeartbeat } from '../vehicle/connection.js';

export type FcProbeKind = 'ok' | 'refused' | 'no_device' | 'permission' | 'unreachable' | 'silent' | 'wrong_sysid';

export interface FcProbeResult {
  readonly kind: FcProbeKind;
  /** One line: what was found, and for a failure what to do. */
  readonly line: string;
  readonly sysid?: number;
  /** Autopilot system ids heard (wrong_sysid). */
  readonly heard?: readonly number[];
  readonly ms: number;
}

export interface FcProbeOptions {
  readonly sysid?: number;
  readonly waitMs: number;
  readonly signingKey?: Uint8Array;
}

function openFailure(conn: string, err: NodeJS.ErrnoException): { kind: FcProbeKind; line: string } {
  const code = err.code ?? '';
  const serial = conn.startsWith('serial:');
  const device = serial ? conn.slice('serial:'.length).replace(/:\d+$/, '') : '';
  if (code === 'ECONNREFUSED') return { kind: 'refused', line: `${conn}: connection refused: nothing listens there (is the flight controller, SITL or MAVProxy running on that port?)` };
  if (code === 'EACCES' || /permission denied/i.test(err.message))
    return { kind: 'permission', line: `${conn}: permission denied on ${device || conn}: add the user to the dialout group (sudo usermod -aG dialout $USER, then log in again)` };
  if (code === 'ENOENT' || /no such file/i.test(err.message))
    return { kind: 'no_device', line: `${conn}: no such device ${device}: check the cable and the port name (ls /dev/serial/by-id/)` };
  if (code === 'EADDRINUSE') return { kind: 'unreachable', line: `${conn}: the address is in use: another program (MAVProxy?) holds it` };
  return { kind: 'unreachable', line: `${conn}: cannot connect: ${err.message}` };
}

export async function probeFlightController(conn: string, o: FcProbeOptions): Promise<FcProbeResult> {
  const t0 = Date.now();
  let link: ByteLink;
  try {
    link = await connectorFor(conn)();
  } catch (err) {
    return { ...openFailure(conn, err as NodeJS.ErrnoException), ms: Date.now() - t0 };
  }
  const decoder = new MavlinkDecoder(o.signingKey ? { signingKey: o.signingKey, requireSigned: false } : {});
  const encoder = new MavlinkEncoder({ sysid: o.sysid ?? 1, compid: 191 });
  const heard = new Set<number>();
  let bytes = 0;
  const result = await new Promise<FcProbeResult>((resolve) => {
    const done = (r: Omit<FcProbeResult, 'ms'>) => {
      clearInterval(beat);
      clearTimeout(timer);
      link.onData = undefined;
      link.onClose = undefined;
      resolve({ ...r, ms: Date.now() - t0 });
    };
    // Our own heartbeat: a udp:/udpout: peer only starts sending once it has heard from us.
    const sendBeat = () => link.write(encoder.encode(companionHeartbeat()));
    const beat = setInterval(sendBeat, 1000);
    sendBeat();
    link.onClose = () => done({ kind: 'unreachable', line: `${conn}: the connection closed before a heartbeat came` });
    link.onData = (chunk) => {
      bytes += chunk.length;
      for (const m of decoder.push(chunk)) {
        if (m.header.msgid !== MSG.HEARTBEAT) continue;
        const hb = m.data as minimal.Heartbeat;
        if (hb.autopilot === MAV_AUTOPILOT.INVALID || hb.type === MAV_TYPE.GCS || hb.type === MAV_TYPE.ONBOARD_CONTROLLER) continue;
        heard.add(m.header.sysid);
        if (o.sysid === undefined || o.sysid === m.header.sysid) {
          const armed = (hb.baseMode & 128) !== 0;
          return done({
            kind: 'ok',
            sysid: m.header.sysid,
            line: `${conn}: heartbeat from system ${m.header.sysid} (mode ${modeName(hb.customMode)}, ${armed ? 'ARMED' : 'disarmed'}) after ${Date.now() - t0} ms`,
          });
        }
      }
    };
    const timer = setTimeout(() => {
      const s = (o.waitMs / 1000).toFixed(0);
      if (heard.size > 0)
        done({ kind: 'wrong_sysid', heard: [...heard].sort((a, b) => a - b), line: `${conn}: wrong system id: heard system ${[...heard].sort((a, b) => a - b).join(', ')} but --sysid is ${o.sysid} (set SYSID_THISMAV or change --sysid)` });
      else if (bytes > 0)
        done({ kind: 'silent', line: `${conn}: connected and ${bytes} bytes came in ${s} s, but no MAVLink heartbeat (wrong baud rate, or the port speaks another protocol?)` });
      else done({ kind: 'silent', line: `${conn}: connected but silent: no heartbeat in ${s} s (is MAVLink enabled on that port, SERIALn_PROTOCOL = 2?)` });
    }, o.waitMs);
  });
  link.close();
  return result;
}
