/** `murmur agent --config agent.json`: one drone's agent (flight controller + radio + gossip + sectors). */
import type { CommandModule } from '../registry.js';
import { parseFlags, UsageError } from '../args.js';
import { AgentConfigError, loadAgentConfig } from '../../agent/config.js';
import { ScenarioError } from '../../mission/index.js';

const usage = `Usage: murmur agent --config agent.json

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
Relative paths are relative to agent.json.`;

export const command: CommandModule = {
  usage,
  async run(args) {
    const { values } = parseFlags(args, { config: { type: 'string' } }, usage);
    if (!values.config) throw new UsageError(`--config is required\n\n${usage}`);
    let drone;
    try {
      const cfg = loadAgentConfig(values.config);
      const { startDrone } = await import('../../agent/drone.js');
      drone = await startDrone(cfg);
    } catch (err) {
      if (err instanceof AgentConfigError || err instanceof ScenarioError) throw new UsageError(err.message);
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
