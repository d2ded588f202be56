/**
 * The flight-controller adapter the agent uses, shaped like MAVSDK's plugins:
 *   vehicle.telemetry  state, events, waitFor
 *   vehicle.action     setMode, arm (waits until armable), disarm, takeoff, gotoLocation, setSpeed, rtl, land,
 *                      pause / resume
 *   vehicle.mission    upload, download, clear, start, setCurrent
 * Every action returns a typed result (never throws for a vehicle's answer). A mode change the agent did not
 * ask for (pilot, another GCS, an ArduPilot failsafe) puts the adapter in `override`: it stops commanding
 * until `resumeControl()` is called.
 */
import type { Clock } from '../core/clock.js';
import { sleep } from '../core/clock.js';
import { MavConnection, type ConnectionOptions, type LinkState } from './connection.js';
import type { MavMessage } from './mavlink/codec.js';
import { common, MSG, CMD, COPTER_MODES, MAV_RESULT_NAMES, modeName, type CopterModeName } from './mavlink/messages.js';
import { applyMessage, failsafeOf, initialState, type FailsafeKind, type StatusTextEntry, type VehicleState, type OverrideInfo } from './telemetry.js';
import { MissionClient, type MissionItem, type MissionResult } from './mission.js';
import { connectorFor } from './transport.js';
import { freshMessage } from './mavlink/fresh.js';

export type { MissionItem, MissionResult } from './mission.js';
export type { VehicleState, OverrideInfo, StatusTextEntry, FailsafeKind } from './telemetry.js';

/** Result names: MAV_RESULT names from the vehicle, or what went wrong on our side. */
export type ResultName =
  | 'ACCEPTED'
  | 'TEMPORARILY_REJECTED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'FAILED'
  | 'IN_PROGRESS'
  | 'CANCELLED'
  | 'SENT'
  | 'TIMEOUT'
  | 'LINK_LOST'
  | 'NOT_CONNECTED'
  | 'OVERRIDE'
  | 'WRONG_MODE'
  | string;

export interface CommandResult {
  readonly ok: boolean;
  readonly command: string;
  readonly result: ResultName;
  /** MAV_RESULT number when the vehicle answered. */
  readonly code?: number;
  /** From the first send to the answer (or the give-up), in this clock's ms. */
  readonly ms: number;
  readonly attempts: number;
  /** STATUSTEXTs that came with the answer (e.g. "Arm: Need Position Estimate"). */
  readonly texts: readonly string[];
}

export interface VehicleOptions extends Omit<ConnectionOptions, 'connect'> {
  /** Connection string (serial:/tcp:/udp:/udpout:) or a Connector (e.g. an in-memory link). */
  readonly connection: string | ConnectionOptions['connect'];
  /** COMMAND_ACK wait per attempt (default 1000 ms) and attempts (default 3). */
  readonly commandTimeoutMs?: number;
  readonly commandAttempts?: number;
  /** Telemetry rates requested on every (re)connect, Hz by message id. */
  readonly streams?: Readonly<Record<number, number>>;
}

const DEFAULT_STREAMS: Record<number, number> = {
  [MSG.GLOBAL_POSITION_INT]: 5,
  [MSG.SYS_STATUS]: 1,
  [MSG.BATTERY_STATUS]: 1,
  [MSG.GPS_RAW_INT]: 1,
  [MSG.EXTENDED_SYS_STATE]: 1,
  [MSG.MISSION_CURRENT]: 1,
  [MSG.HOME_POSITION]: 0.2,
};

const CMD_NAMES: Record<number, string> = Object.fromEntries(Object.entries(CMD).map(([k, v]) => [v, k]));

type Listener<T> = (v: T) => void;

class Emitter<T> {
  private readonly fns = new Set<Listener<T>>();
  on(fn: Listener<T>): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(v: T): void {
    for (const fn of this.fns) {
      try {
        fn(v);
      } catch {
        // listeners cannot break the receive loop
      }
    }
  }
}

export class Vehicle {
  readonly clock: Clock;
  readonly connection: MavConnection;
  readonly telemetry: Telemetry;
  readonly action: Action;
  readonly mission: MissionClient;
  /** @internal */ readonly state: VehicleState = initialState();
  /** @internal */ readonly events = {
    state: new Emitter<VehicleState>(),
    statustext: new Emitter<StatusTextEntry>(),
    override: new Emitter<OverrideInfo>(),
    link: new Emitter<LinkState>(),
    itemReached: new Emitter<number>(),
    message: new Emitter<MavMessage>(),
  };
  readonly texts: StatusTextEntry[] = [];
  private readonly opts: VehicleOptions;
  /** Modes we asked for recently (mode number → until when it counts as ours). */
  private readonly expectedModes = new Map<number, number>();
  private engaged = false;
  private recentFailsafeText: { text: string; kind: FailsafeKind; at: number } | undefined;

  constructor(opts: VehicleOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    const connect = typeof opts.connection === 'string' ? connectorFor(opts.connection) : opts.connection;
    this.connection = new MavConnection({ ...opts, connect });
    this.telemetry = new Telemetry(this);
    this.action = new Action(this);
    this.mission = new MissionClient(this);
    this.connection.onMessage((m) => this.onMessage(m));
    this.connection.onLinkState((s) => {
      this.state.link = s;
      if (s === 'connected') void this.requestStreams();
      this.events.link.emit(s);
      this.events.state.emit(this.state);
    });
  }

  /** Starts connecting (and keeps reconnecting until close()). */
  start(): this {
    this.connection.start();
    return this;
  }

  close(): void {
    this.closed = true;
    this.connection.close();
    // every wait still pending ends now (false): a closed vehicle's timers must not keep the process alive
    for (const end of [...this.waits]) end();
  }

  /** True once close() was called. */
  closed = false;
  /** @internal Pending waitFor calls, each ended (false) by close(). */
  readonly waits = new Set<() => void>();

  get targetSystem(): number {
    return this.connection.targetSystem ?? 1;
  }
  get targetComponent(): number {
    return this.connection.targetComponent;
  }

  /** After an override: the agent explicitly takes control again. */
  resumeControl(): void {
    this.state.control = 'agent';
    delete this.state.override;
    this.events.state.emit(this.state);
  }

  /** @internal the agent is about to change the mode itself. */
  expectMode(mode: number, forMs = 3000): void {
    this.engaged = true;
    this.expectedModes.set(mode, this.clock.now() + forMs);
  }
  /** @internal ArduCopter ACCEPTED a mode change we asked for: the mode is that now, whatever the next heartbeat. */
  confirmMode(mode: number): void {
    this.expectedModes.delete(mode);
    this.state.customMode = mode;
    this.state.mode = modeName(mode);
    this.events.state.emit(this.state);
  }
  /** @internal ArduCopter ACCEPTED an arm/disarm: reflect it before the next heartbeat does. */
  confirmArmed(armed: boolean): void {
    this.state.armed = armed;
    this.events.state.emit(this.state);
  }
  /** @internal */
  engage(): void {
    this.engaged = true;
  }

  private async requestStreams(): Promise<void> {
    const streams = this.opts.streams ?? DEFAULT_STREAMS;
    for (const [id, hz] of Object.entries(streams)) {
      // Sequential: each waits for its ACK so a slow serial link is not flooded.
      await this.commandLong(CMD.SET_MESSAGE_INTERVAL, [Number(id), hz > 0 ? Math.round(1e6 / hz) : -1], {
        ignoreOverride: true,
      });
      if (this.state.link !== 'connected') return;
    }
  }

  private onMessage(msg: MavMessage): void {
    const now = this.clock.now();
    this.events.message.emit(msg);
    const ev = applyMessage(this.state, msg, now);
    if (!ev) return;
    if (ev.kind === 'statustext') {
      this.texts.push(ev.entry);
      if (this.texts.length > 100) this.texts.shift();
      const kind = failsafeOf(ev.entry.text);
      if (kind) {
        this.recentFailsafeText = { text: ev.entry.text, kind, at: now };
        // the text can trail the heartbeat that showed the mode change (and its CRITICAL status): it names the failsafe
        const o = this.state.override;
        if (o && (o.reason === 'external' || o.failsafe === 'unknown') && now - o.at < 3000) {
          this.state.override = { ...o, reason: 'failsafe', failsafe: kind, text: ev.entry.text };
          this.events.override.emit(this.state.override);
        }
      }
      this.events.statustext.emit(ev.entry);
    } else if (ev.kind === 'item_reached') {
      this.events.itemReached.emit(ev.seq);
    } else if (ev.kind === 'heartbeat' && ev.modeChanged) {
      this.checkOverride(ev.previousMode, now);
    }
    this.events.state.emit(this.state);
  }

  /** A failsafe text from the last 3 s: ArduCopter sends it as it switches mode. */
  private recentText(now: number): { text: string; kind: FailsafeKind } | undefined {
    const r = this.recentFailsafeText;
    return r && now - r.at < 3000 ? r : undefined;
  }

  private checkOverride(previousMode: string, now: number): void {
    const until = this.expectedModes.get(this.state.customMode);
    if (until !== undefined && until >= now) {
      this.expectedModes.delete(this.state.customMode);
      return;
    }
    // The firmware's own boot sequence is not someone taking over; nor is anything before we commanded.
    if (!this.engaged || this.state.systemStatus === 'BOOT' || this.state.control === 'override') return;
    const failsafe = this.state.systemStatus === 'CRITICAL' || this.recentText(now) !== undefined;
    const info: OverrideInfo = {
      from: previousMode,
      to: this.state.mode,
      at: now,
      reason: failsafe ? 'failsafe' : 'external',
      ...(failsafe ? { failsafe: this.recentText(now)?.kind ?? 'unknown' } : {}),
      ...(failsafe && this.recentText(now) ? { text: this.recentText(now)!.text } : {}),
    };
    this.state.control = 'override';
    this.state.override = info;
    this.events.override.emit(info);
  }

  /** @internal refusal reasons shared by every action. */
  blocked(name: string, ignoreOverride = false): CommandResult | undefined {
    if (this.state.link !== 'connected')
      return { ok: false, command: name, result: this.state.link === 'fc_lost' ? 'LINK_LOST' : 'NOT_CONNECTED', ms: 0, attempts: 0, texts: [] };
    if (!ignoreOverride && this.state.control === 'override')
      return { ok: false, command: name, result: 'OVERRIDE', ms: 0, attempts: 0, texts: [] };
    return undefined;
  }

  /**
   * COMMAND_LONG with COMMAND_ACK, per-attempt timeout and retries (confirmation field counts the retries).
   * Params are the seven MAVLink params; node-mavlink names them _param1.._param7 (a `param7` would be dropped).
   */
  async commandLong(
    command: number,
    params: readonly number[],
    o: { timeoutMs?: number; attempts?: number; ignoreOverride?: boolean } = {},
  ): Promise<CommandResult> {
    const name = CMD_NAMES[command] ?? `CMD_${command}`;
    const refused = this.blocked(name, o.ignoreOverride);
    if (refused) return refused;
    if (!o.ignoreOverride) this.engage();
    const timeoutMs = o.timeoutMs ?? this.opts.commandTimeoutMs ?? 1000;
    const attempts = o.attempts ?? this.opts.commandAttempts ?? 3;
    const start = this.clock.now();
    const texts: string[] = [];
    const offText = this.events.statustext.on((e) => texts.push(e.text));
    try {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const c = freshMessage(common.CommandLong);
        c.targetSystem = this.targetSystem;
        c.targetComponent = this.targetComponent;
        c.command = command;
        c.confirmation = attempt - 1;
        c._param1 = params[0] ?? 0;
        c._param2 = params[1] ?? 0;
        c._param3 = params[2] ?? 0;
        c._param4 = params[3] ?? 0;
        c._param5 = params[4] ?? 0;
        c._param6 = params[5] ?? 0;
        c._param7 = params[6] ?? 0;
        const answer = this.waitMessage(
          (m) => m.header.msgid === MSG.COMMAND_ACK && (m.data as common.CommandAck).command === command,
          timeoutMs,
        );
        this.connection.send(c);
        const got = await answer;
        if (got === 'link_lost') return { ok: false, command: name, result: 'LINK_LOST', ms: this.clock.now() - start, attempts: attempt, texts };
        if (got) {
          const code = (got.data as common.CommandAck).result;
          if (code === 5) continue; // IN_PROGRESS: keep waiting on the next round
          return {
            ok: code === 0,
            command: name,
            result: MAV_RESULT_NAMES[code] ?? String(code),
            code,
            ms: this.clock.now() - start,
            attempts: attempt,
            texts: [...texts],
          };
        }
      }
      return { ok: false, command: name, result: 'TIMEOUT', ms: this.clock.now() - start, attempts, texts };
    } finally {
      offText();
    }
  }

  /** Resolves with the first message matching `pred`, undefined on timeout, 'link_lost' if the link drops. */
  waitMessage(pred: (m: MavMessage) => boolean, timeoutMs: number): Promise<MavMessage | undefined | 'link_lost'> {
    return new Promise((resolve) => {
      const done = (v: MavMessage | undefined | 'link_lost') => {
        offMsg();
        offLink();
        this.clock.clearTimeout(timer);
        resolve(v);
      };
      const offMsg = this.events.message.on((m) => {
        if (pred(m)) done(m);
      });
      const offLink = this.events.link.on((s) => {
        if (s !== 'connected') done('link_lost');
      });
      const timer = this.clock.setTimeout(() => done(undefined), timeoutMs);
    });
  }

  /** PARAM_SET, confirmed by the PARAM_VALUE echo (or refused by PARAM_ERROR for an unknown name). */
  async setParam(name: string, value: number, attempts = 3): Promise<CommandResult> {
    const refused = this.blocked(`PARAM_SET ${name}`, true);
    if (refused) return refused;
    const start = this.clock.now();
    for (let i = 1; i <= attempts; i++) {
      const wait = this.waitMessage((m) => {
        const id = m.header.msgid;
        if (id !== MSG.PARAM_VALUE && id !== MSG.PARAM_ERROR) return false;
        return String((m.data as unknown as { paramId: string }).paramId).replace(/\0.*$/, '') === name;
      }, 1000);
      const p = freshMessage(common.ParamSet);
      p.targetSystem = this.targetSystem;
      p.targetComponent = this.targetComponent;
      p.paramId = name;
      p.paramValue = value;
      p.paramType = 9;
      this.send(p);
      const got = await wait;
      const base = { command: `PARAM_SET ${name}`, ms: this.clock.now() - start, attempts: i, texts: [] };
      if (got === 'link_lost') return { ok: false, result: 'LINK_LOST', ...base };
      if (got) {
        if (got.header.msgid === MSG.PARAM_ERROR) return { ok: false, result: 'PARAM_ERROR', ...base };
        return { ok: true, result: 'ACCEPTED', ...base };
      }
    }
    return { ok: false, command: `PARAM_SET ${name}`, result: 'TIMEOUT', ms: this.clock.now() - start, attempts, texts: [] };
  }

  send(msg: Parameters<MavConnection['send']>[0]): boolean {
    return this.connection.send(msg);
  }
}

export class Telemetry {
  constructor(private readonly v: Vehicle) {}

  /** A live view; copy it if you keep it. */
  get state(): Readonly<VehicleState> {
    return this.v.state;
  }
  get texts(): readonly StatusTextEntry[] {
    return this.v.texts;
  }
  onState(fn: (s: Readonly<VehicleState>) => void): () => void {
    return this.v.events.state.on(fn);
  }
  onStatusText(fn: (e: StatusTextEntry) => void): () => void {
    return this.v.events.statustext.on(fn);
  }
  onOverride(fn: (o: OverrideInfo) => void): () => void {
    return this.v.events.override.on(fn);
  }
  onLink(fn: (s: LinkState) => void): () => void {
    return this.v.events.link.on(fn);
  }
  onItemReached(fn: (seq: number) => void): () => void {
    return this.v.events.itemReached.on(fn);
  }
  /** Resolves true as soon as `pred(state)` holds, false after `timeoutMs` of the vehicle's clock. */
  waitFor(pred: (s: Readonly<VehicleState>) => boolean, timeoutMs: number): Promise<boolean> {
    if (pred(this.v.state)) return Promise.resolve(true);
    if (this.v.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        off();
        this.v.clock.clearTimeout(timer);
        this.v.waits.delete(end);
        resolve(ok);
      };
      const end = () => done(false);
      const off = this.v.events.state.on((s) => {
        if (pred(s)) done(true);
      });
      const timer = this.v.clock.setTimeout(end, timeoutMs);
      this.v.waits.add(end);
    });
  }
  /** Set a message rate (Hz; 0 = off). */
  setRate(msgid: number, hz: number): Promise<CommandResult> {
    return this.v.commandLong(CMD.SET_MESSAGE_INTERVAL, [msgid, hz > 0 ? Math.round(1e6 / hz) : -1], { ignoreOverride: true });
  }
}

export class Action {
  private pausedMode: number | undefined;
  constructor(private readonly v: Vehicle) {}

  async setMode(mode: CopterModeName): Promise<CommandResult> {
    const n = COPTER_MODES[mode];
    const blocked = this.v.blocked(`SET_MODE ${mode}`);
    if (blocked) return blocked;
    this.v.expectMode(n);
    const r = await this.v.commandLong(CMD.DO_SET_MODE, [1, n]);
    if (r.ok) this.v.confirmMode(n);
    return { ...r, command: `SET_MODE ${mode}` };
  }

  /**
   * Arms. With `waitArmableMs`, a refused arm (FAILED + "Arm: <reason>") is retried every `retryMs` until
   * the vehicle is armable or the time is up; the last pre-arm text is in `texts`.
   */
  async arm(o: { waitArmableMs?: number; retryMs?: number } = {}): Promise<CommandResult> {
    const start = this.v.clock.now();
    let attempts = 0;
    let last: CommandResult | undefined;
    for (;;) {
      const r = await this.v.commandLong(CMD.COMPONENT_ARM_DISARM, [1, 0]);
      attempts += r.attempts;
      last = r;
      if (r.ok || r.result !== 'FAILED') break;
      if (this.v.clock.now() - start + (o.retryMs ?? 1000) > (o.waitArmableMs ?? 0)) break;
      await sleep(this.v.clock, o.retryMs ?? 1000);
    }
    if (last.ok) this.v.confirmArmed(true);
    const texts = last.texts.length ? last.texts : this.v.state.lastPrearmText ? [this.v.state.lastPrearmText] : [];
    return { ...last, command: 'ARM', attempts, ms: this.v.clock.now() - start, texts };
  }

  async disarm(): Promise<CommandResult> {
    const r = await this.v.commandLong(CMD.COMPONENT_ARM_DISARM, [0, 0]);
    if (r.ok) this.v.confirmArmed(false);
    return { ...r, command: 'DISARM' };
  }

  /** NAV_TAKEOFF to `altM` above home (param7: the one node-mavlink calls _param7). GUIDED and armed only. */
  async takeoff(altM: number): Promise<CommandResult> {
    return { ...(await this.v.commandLong(CMD.NAV_TAKEOFF, [0, 0, 0, 0, 0, 0, altM])), command: 'TAKEOFF' };
  }

  /**
   * SET_POSITION_TARGET_GLOBAL_INT (frame GLOBAL_RELATIVE_ALT_INT, position only). ArduCopter sends no answer,
   * and ignores it outside GUIDED, so this checks the mode first and reports SENT.
   */
  gotoLocation(lat: number, lon: number, relAltM: number): CommandResult {
    const blocked = this.v.blocked('GOTO');
    if (blocked) return blocked;
    if (this.v.state.mode !== 'GUIDED') return { ok: false, command: 'GOTO', result: 'WRONG_MODE', ms: 0, attempts: 0, texts: [] };
    this.v.engage();
    const m = freshMessage(common.SetPositionTargetGlobalInt);
    m.timeBootMs = 0;
    m.targetSystem = this.v.targetSystem;
    m.targetComponent = this.v.targetComponent;
    m.coordinateFrame = 6;
    m.typeMask = 0x0df8 as common.PositionTargetTypemask;
    m.latInt = Math.round(lat * 1e7);
    m.lonInt = Math.round(lon * 1e7);
    m.alt = relAltM;
    m.vx = m.vy = m.vz = m.afx = m.afy = m.afz = m.yaw = m.yawRate = 0;
    const ok = this.v.send(m);
    return { ok, command: 'GOTO', result: ok ? 'SENT' : 'NOT_CONNECTED', ms: 0, attempts: 1, texts: [] };
  }

  /**
   * Velocity target in m/s (north, east, down) in GUIDED. ArduCopter stops after 3 s without a new one, so
   * resend at least every second while it should keep moving.
   */
  setVelocityNed(north: number, east: number, down: number): CommandResult {
    const blocked = this.v.blocked('VELOCITY');
    if (blocked) return blocked;
    if (this.v.state.mode !== 'GUIDED') return { ok: false, command: 'VELOCITY', result: 'WRONG_MODE', ms: 0, attempts: 0, texts: [] };
    this.v.engage();
    const m = freshMessage(common.SetPositionTargetGlobalInt);
    m.timeBootMs = 0;
    m.targetSystem = this.v.targetSystem;
    m.targetComponent = this.v.targetComponent;
    m.coordinateFrame = 6;
    m.typeMask = 0x0dc7 as common.PositionTargetTypemask; // velocity only
    m.latInt = m.lonInt = 0;
    m.alt = 0;
    m.vx = north;
    m.vy = east;
    m.vz = down;
    m.afx = m.afy = m.afz = m.yaw = m.yawRate = 0;
    const ok = this.v.send(m);
    return { ok, command: 'VELOCITY', result: ok ? 'SENT' : 'NOT_CONNECTED', ms: 0, attempts: 1, texts: [] };
  }

  /** Ground speed for the following targets (DO_CHANGE_SPEED type 1). */
  async setSpeed(ms: number): Promise<CommandResult> {
    return { ...(await this.v.commandLong(CMD.DO_CHANGE_SPEED, [1, ms, -1])), command: 'SET_SPEED' };
  }

  async rtl(): Promise<CommandResult> {
    const blocked = this.v.blocked('RTL');
    if (blocked) return blocked;
    this.v.expectMode(COPTER_MODES.RTL);
    const r = await this.v.commandLong(CMD.NAV_RETURN_TO_LAUNCH, []);
    if (r.ok) this.v.confirmMode(COPTER_MODES.RTL);
    return { ...r, command: 'RTL' };
  }

  async land(): Promise<CommandResult> {
    const blocked = this.v.blocked('LAND');
    if (blocked) return blocked;
    this.v.expectMode(COPTER_MODES.LAND);
    const r = await this.v.commandLong(CMD.NAV_LAND, []);
    if (r.ok) this.v.confirmMode(COPTER_MODES.LAND);
    return { ...r, command: 'LAND' };
  }

  /** Stops where it is (BRAKE, which holds altitude without a pilot); resume() restores the previous mode. */
  async pause(): Promise<CommandResult> {
    const current = this.v.state.customMode;
    const r = await this.setMode('BRAKE');
    if (r.ok) this.pausedMode = current;
    return { ...r, command: 'PAUSE' };
  }

  async resume(): Promise<CommandResult> {
    const mode = this.pausedMode;
    if (mode === undefined) return { ok: false, command: 'RESUME', result: 'NOT_PAUSED', ms: 0, attempts: 0, texts: [] };
    const name = (Object.entries(COPTER_MODES).find(([, v]) => v === mode)?.[0] ?? 'GUIDED') as CopterModeName;
    const r = await this.setMode(name);
    if (r.ok) this.pausedMode = undefined;
    return { ...r, command: 'RESUME' };
  }
}
