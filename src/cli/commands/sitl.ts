/**
 * `murmur sitl`: starts N vehicles (ArduPilot SITL from ARDUPILOT_SITL, or Murmur's simulated ArduCopter with
 * --simulated), prints each connection string, and stops them cleanly on Ctrl-C / SIGTERM.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { CommandModule } from '../registry.js';
import { parseFlags, numberFlag, UsageError } from '../args.js';
import { homesFor, BUILT_IN_HOME, HOME_SPACING_M } from '../../../sitl/homes.js';
import { launchSimulated, launchSitl, paramFilesFlag, requireArdupilotDefaults, ParamFileError, type Launched } from '../../../sitl/launch.js';
import { signingKeyFromPassphrase } from '../../vehicle/mavlink/codec.js';

const usage = `Usage: murmur sitl --count N [--area maps/<area>.geojson] [--base-port P] [--speedup K] [--simulated] [--params FILE]

Starts N ArduCopter vehicles, instance i on TCP port P + 10·i (default P = 5760) with system id i + 1, homes
${HOME_SPACING_M} m apart along the edge of the area's first polygon. Parameters are layered, later files winning:
ArduPilot's default SITL copter.parm, then Murmur's sitl/murmur.parm, then the files given with --params.
Without --area the homes start at a built-in point (${BUILT_IN_HOME.lat}, ${BUILT_IN_HOME.lon}, ${BUILT_IN_HOME.alt} m,
ArduPilot's CMAC test field) and go east; the demo area will be the default once it ships in maps/.

  --count N        number of vehicles (default 1)
  --area FILE      GeoJSON with the area polygon (homes along its edge)
  --base-port P    first TCP port (default 5760)
  --speedup K      vehicle time runs K times faster than wall time (default 1)
  --simulated      run Murmur's simulated ArduCopter instead of SITL (same ports, sysids and homes)
  --params A[,B]   the user's parameter files, laid over copter.parm and sitl/murmur.parm
  --ardupilot-defaults FILE  ArduPilot's copter.parm (default: $ARDUPILOT_DEFAULTS, else copter.parm beside
                   the binary, else Tools/autotest/default_params/copter.parm of the ArduPilot tree it was built in)
  --signing-passphrase S  (--simulated) vehicles sign with and require MAVLink 2 signing, key SHA-256(S)

Real SITL: set ARDUPILOT_SITL to an arducopter SITL binary. To build one:
  git clone --recurse-submodules https://github.com/ArduPilot/ardupilot && cd ardupilot
  ./waf configure --board sitl && ./waf copter      # binary: build/sitl/bin/arducopter
  export ARDUPILOT_SITL=$PWD/build/sitl/bin/arducopter   # copter.parm is found in the same tree
Each instance runs in its own working directory (eeprom, logs). Its first port waits for a client before it boots.`;

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values } = parseFlags(
      args,
      {
        count: { type: 'string' },
        area: { type: 'string' },
        'base-port': { type: 'string' },
        speedup: { type: 'string' },
        simulated: { type: 'boolean' },
        params: { type: 'string' },
        'ardupilot-defaults': { type: 'string' },
        'signing-passphrase': { type: 'string' },
      },
      usage,
    );
    const count = numberFlag(values.count, 'count', 1);
    const basePort = numberFlag(values['base-port'], 'base-port', 5760);
    const speedup = numberFlag(values.speedup, 'speedup', 1);
    if (!Number.isInteger(count) || count < 1 || count > 250) throw new UsageError('--count must be an integer 1..250');
    if (speedup <= 0) throw new UsageError('--speedup must be positive');
    const paramFiles = wrapParamError(() => paramFilesFlag(values.params));
    const explicitDefaults = values['ardupilot-defaults'];
    if (explicitDefaults && !existsSync(explicitDefaults)) throw new UsageError(`ArduPilot defaults file not found: ${explicitDefaults}`);
    if (values.area && !existsSync(values.area)) throw new UsageError(`area file not found: ${values.area}`);
    const homes = homesFor(count, values.area);
    const passphrase = values['signing-passphrase'];
    if (passphrase && !values.simulated) throw new UsageError('--signing-passphrase applies to --simulated vehicles (set up SITL signing with SETUP_SIGNING)');
    const plan = { count, basePort, speedup, homes, paramFiles, ...(explicitDefaults ? { ardupilotDefaults: explicitDefaults } : {}), ...(passphrase ? { signingKey: signingKeyFromPassphrase(passphrase) } : {}) };

    let launched: Launched;
    if (values.simulated) {
      launched = await launchSimulated(plan);
      console.log(`simulated ArduCopter ×${count} at ${speedup}× (boots when a client connects)`);
    } else {
      const bin = process.env.ARDUPILOT_SITL;
      if (!bin) {
        console.error(
          "murmur sitl: ARDUPILOT_SITL is not set (point it at an ArduCopter SITL binary; `murmur sitl --help` says how to build one), or run \`murmur sitl --simulated\` for Murmur's simulated ArduCopter on the same ports",
        );
        return 2;
      }
      if (!existsSync(bin)) {
        console.error(`murmur sitl: ARDUPILOT_SITL=${bin} does not exist`);
        return 2;
      }
      const defaults = wrapParamError(() => requireArdupilotDefaults(bin, explicitDefaults));
      launched = wrapParamError(() => launchSitl(bin, { ...plan, ardupilotDefaults: defaults }, join(tmpdir(), `murmur-sitl-${process.pid}`)));
      console.log(`ArduPilot SITL ×${count} at ${speedup}× from ${bin}`);
      console.log(`parameters: ${[defaults, 'sitl/murmur.parm', ...paramFiles].join(' < ')}`);
    }
    for (const i of launched.instances)
      console.log(`vehicle ${i.instance}: sysid ${i.sysid}  ${i.connection}  home ${i.home.lat.toFixed(7)},${i.home.lon.toFixed(7)},${i.home.alt}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    console.log('stopping …');
    await launched.stop();
    console.log('stopped');
    return 0;
  },
};

/** A missing or unusable parameter file is the user's to fix: a one-line usage error, not a stack trace. */
function wrapParamError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParamFileError) throw new UsageError(e.message);
    throw e;
  }
}
