/** A radio link from the spec a user writes in a config file or on the command line. */
import type { Link } from './link.js';

export class LinkSpecError extends Error {}

export const LINK_SPEC_HELP = 'udp://<group-or-broadcast>:<port>, modem:<serial path>, or meshtastic:<serial path>';

/** Builds (does not open) the link: `udp://host:port`, `modem:/dev/ttyUSB0`, `meshtastic:/dev/ttyACM0`. */
export async function linkFromSpec(spec: string): Promise<Link> {
  const udp = /^udp:\/\/([^:/]+):(\d+)$/.exec(spec);
  if (udp) {
    const { UdpLink } = await import('./udp-link.js');
    return new UdpLink({ address: udp[1]!, port: Number(udp[2]) });
  }
  if (spec.startsWith('modem:') && spec.length > 'modem:'.length) {
    const { ModemLink } = await import('./modem-link.js');
    return new ModemLink({ path: spec.slice('modem:'.length) });
  }
  if (spec.startsWith('meshtastic:') && spec.length > 'meshtastic:'.length) {
    const { MeshtasticLink } = await import('./meshtastic-link.js');
    return new MeshtasticLink({ path: spec.slice('meshtastic:'.length) });
  }
  throw new LinkSpecError(`radio "${spec}": expected ${LINK_SPEC_HELP}`);
}
