// The one logger: leveled, structured enough to grep, written to stderr (the daemon
// redirects stderr to <home>/logs/<component>.log). Components get a child logger with
// their name so every line says who wrote it.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
}

export function createLogger(component: string, opts: LoggerOptions = {}): Logger {
  const envLevel = process.env.KANZEN_LOG_LEVEL as LogLevel | undefined;
  const level = opts.level ?? (envLevel && envLevel in order ? envLevel : 'info');
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const log = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    let line = `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${component}] ${msg}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
        line += ` ${k}=${s}`;
      }
    }
    write(line);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (name) => createLogger(`${component}/${name}`, { level, write }),
  };
}

/** A logger that drops everything, for unit tests. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
