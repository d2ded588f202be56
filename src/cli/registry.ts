/**
 * The `murmur` subcommands. Each is loaded only when run, so `murmur --help` stays fast and a command's
 * heavy dependencies (Automerge, serial ports, a browser) are not loaded by the others.
 */
export interface CommandModule {
  /** Full usage text printed by `murmur <name> --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'keys', summary: 'create a swarm\'s keys, add and revoke members, export provisioning files', load: async () => (await import('./commands/keys.js')).command },
  { name: 'modem', summary: 'run host-emulated LoRa modems, or query / use a modem on a serial port', load: async () => (await import('./commands/modem.js')).command },
  { name: 'agent', summary: 'run one drone\'s agent: flight controller + mesh radio + gossip + sectors', load: async () => (await import('./commands/agent.js')).command },
  { name: 'demo', summary: 'the demo: six simulated drones search a town, with the ground station\'s live map on :8080', load: async () => (await import('./commands/demo.js')).command },
  { name: 'sim', summary: 'run a search scenario with N simulated drones and report coverage, victims and facts', load: async () => (await import('./commands/sim.js')).command },
  { name: 'scenario', summary: 'generate a random search mission (concave area, holes, no-fly zones, victims, faults)', load: async () => (await import('./commands/scenario.js')).command },
  { name: 'bench', summary: 'run a benchmark (wire, …) and print its figures beside the baseline', load: async () => (await import('./commands/bench.js')).command },
  { name: 'sitl', summary: 'start N ArduCopter vehicles: ArduPilot SITL, or the simulated one (--simulated)', load: async () => (await import('./commands/sitl.js')).command },
  { name: 'fly', summary: 'field check: arm, take off, fly to a point, return and land, with a JSON report', load: async () => (await import('./commands/fly.js')).command },
  { name: 'mission', summary: 'make a mission plan for a real place from GeoJSON or KML (area, holes, no-fly zones, launch points)', load: async () => (await import('./commands/mission.js')).command },
  { name: 'basemap', summary: 'build an offline basemap of the deployment area from OpenStreetMap data (tilemaker)', load: async () => (await import('./commands/basemap.js')).command },
  { name: 'gcs', summary: 'run a ground station: mesh node + offline live web map', load: async () => (await import('./commands/gcs.js')).command },
];
