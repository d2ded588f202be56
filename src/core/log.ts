/**
 * Structured logs: one JSON object per line (time, level, component, message, fields), so an integrator can
 * grep a flight's log or feed it to any log tool. Components get child loggers; the sink is injectable so
 * the simulator can keep many agents' logs apart or silence them.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string, fields?: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  /** Time source in ms (the simulator passes its virtual clock). */
  now?: () => number;
  component?: string;
  fields?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = LOG_LEVELS.indexOf(opts.level ?? 'info');
  const sink = opts.sink ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? Date.now;
  const base = opts.fields ?? {};
  const component = opts.component;
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const rec: Record<string, unknown> = { t: new Date(now()).toISOString(), level };
    if (component) rec.component = component;
    rec.msg = msg;
    Object.assign(rec, base, fields);
    sink(JSON.stringify(rec, (_k, v) => (v instanceof Error ? v.message : typeof v === 'bigint' ? v.toString() : v)));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (c, f) =>
      createLogger({
        ...opts,
        sink,
        now,
        component: component ? `${component}.${c}` : c,
        fields: { ...base, ...f },
      }),
  };
}

/** A logger that drops everything (benchmarks, quiet simulations). */
export const silentLogger: Logger = createLogger({ sink: () => {}, level: 'error' });
