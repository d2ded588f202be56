/**
 * `murmur agent --config agent.json`: one drone's agent (flight controller + radio + gossip + sectors);
 * `murmur agent check` and `murmur agent install-service` prepare a companion computer for it.
 */
import type { CommandModule } from '../registry.js';
import { parseFlags, UsageError } from '../args.js';
import { AgentConfigError, loadAgentConfig } from '../../agent/config.js';
import { ScenarioError } from '../../mission/index.js';
import { LinkSpecError } from '../../links/open.js';

const usage = `Usage: murmur agent --config agent.json
       murmur agent check --config agent.json [--wait S]
       murmur agent install-service --config agent.json [--user NAME] [--unit-dir DIR] [--dry-run]

Runs one drone's agent: connects to its ArduPilot flight controller and its mesh radio, gossips with the
swarm, takes off, searches its sector of the mission area, reports sightings and coverage, takes over lost
members' remainders, goes home on low battery or when recalled, and yields when a pilot or ArduPilot's own
failsafe takes over. Logs are JSON lines on stderr.

agent.json:
  {
    "mission": "mission.json",           area, frame, search and radio settings (format: maps/README.md;
                                         set frame.epoch to the mission's start)
    "provisioning": "node-3.json",       from murmur keys export
    "fc": "serial:/dev/ttyAMA0:921600",  or tcp:HOST:PORT, udp:ADDR:PORT, udpout:HOST:PORT
    "radio": "modem:/dev/ttyUSB0",       or meshtastic:/dev/ttyACM0, udp://GROUP:PORT
    "roster": [2, 3, 4, 5],              the drones of this search
    "dataDir": "/var/lib/murmur",        persisted sequence numbers and packet counters
    "detector": "/run/murmur/det.sock",  optional: JSON-lines detections
    "logLevel": "info"                   optional
  }
Relative paths are relative to agent.json.

check            validates agent.json and the files it names, loads the native modules (serialport, cbor-extract),
                 opens the flight controller (waits up to --wait S seconds, default 10, for its heartbeat) and
                 the radio: one line each; exit 1 if any fails
install-service  writes murmur-agent.service (default into /etc/systemd/system; --dry-run prints it): restarted
                 always, runs as --user (default: the user who ran sudo) with the dialout group and only the
                 config's serial devices; logs go to the journal as JSON lines (journalctl -u murmur-agent -o cat)`;

export const command: CommandModule = {
  usage,
  async run(args) {
    if (args[0] === 'check' || args[0] === 'install-service') {
      const { runKitCommand } = await import('./agent-kit.js');
      return runKitCommand(args[0], args.slice(1), usage);
    }
    const { values } = parseFlags(args, { config: { type: 'string' } }, usage);
    if (!values.config) throw new UsageError(`--config is required\n\n${usage}`);
    let drone;
    try {
      const cfg = loadAgentConfig(values.config);
      const { startDrone } = await import('../../agent/drone.js');
      drone = await startDrone(cfg);
    } catch (err) {
      if (err instanceof AgentConfigError || err instanceof ScenarioError) throw new UsageError(err.message);
      if (err instanceof LinkSpecError) throw new UsageError(`${values.config}: ${err.message}`);
      throw err;
    }
    const stop = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await Promise.race([drone.done.then(() => new Promise<void>(() => undefined)), stop]);
    await drone.stop();
    return 0;
  },
};
