/** One look at the mesh radio: build the link from its spec, open it, wait until it is up, close it. */
import { linkFromSpec, LinkSpecError, LINK_SPEC_HELP } from '../links/open.js';
import type { LinkStateChange } from '../links/link.js';

export interface RadioProbeResult {
  readonly ok: boolean;
  readonly line: string;
}

export async function probeRadio(spec: string, waitMs: number): Promise<RadioProbeResult> {
  let link;
  try {
    link = await linkFromSpec(spec);
  } catch (err) {
    if (err instanceof LinkSpecError) return { ok: false, line: `"${spec}" is not a radio: expected ${LINK_SPEC_HELP}` };
    throw err;
  }
  const t0 = Date.now();
  let last: LinkStateChange | undefined;
  const up = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    link.on('state', (s) => {
      last = s;
      // The first failure is the answer: the link would retry for ever, and the user must fix something.
      if (s.to === 'up' || s.to === 'down') {
        clearTimeout(timer);
        resolve(s.to === 'up');
      }
    });
  });
  try {
    await link.open();
  } catch (err) {
    await link.close().catch(() => undefined);
    return { ok: false, line: `${link.name}: cannot open: ${(err as Error).message}` };
  }
  const ok = link.state === 'up' || (await up);
  const ms = Date.now() - t0;
  await link.close().catch(() => undefined);
  if (ok) return { ok: true, line: `${link.name}: up after ${ms} ms, packets up to ${link.mtu} bytes` };
  const why = last?.reason ?? `not up after ${(waitMs / 1000).toFixed(0)} s`;
  const hint = /EACCES|permission/i.test(why) ? ' (add the user to the dialout group)' : /ENOENT|no such/i.test(why) ? ' (check the cable and the port name: ls /dev/serial/by-id/)' : '';
  return { ok: false, line: `${link.name}: ${why}${hint}` };
}
