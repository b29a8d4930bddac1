// The one logger: leveled, structured enough to grep, written to stderr, or — for the
// cluster's long-running processes (supervisor, daemon, node agents), whose environment
// names KANZEN_LOG_FILE — to that file, rotated by size: at KANZEN_LOG_MAX_BYTES (10 MiB)
// it becomes <file>.1, the older ones shift up, and only KANZEN_LOG_KEEP (4) are kept, so
// a cluster that runs for weeks never fills the disk. Components get a child logger with
// their name so every line says who wrote it.
import fs from 'node:fs';
import { envInt } from './env.js';

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

export const defaultLogMaxBytes = 10 * 1024 * 1024;
export const defaultLogKeep = 4;

/**
 * An append-only log file that rotates by size: a line that would take the file past
 * maxBytes first moves it to <path>.1 (<path>.1 to .2 …, the one past `keep` deleted).
 * Writes are synchronous so the last lines before a crash are on disk.
 */
export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly maxBytes = defaultLogMaxBytes,
    private readonly keep = defaultLogKeep,
  ) {
    this.fd = fs.openSync(path, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  write(text: string): void {
    const buf = Buffer.from(text);
    if (this.size > 0 && this.size + buf.length > this.maxBytes) this.rotate();
    fs.writeSync(this.fd, buf);
    this.size += buf.length;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    fs.rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (fs.existsSync(`${this.path}.${i}`)) fs.renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    fs.renameSync(this.path, `${this.path}.1`);
    this.fd = fs.openSync(this.path, 'a', 0o600);
    this.size = 0;
  }
}

let processLogFile: RotatingFile | undefined;

/** Where this process's log lines go by default: the rotating KANZEN_LOG_FILE, else stderr. */
function defaultWrite(): (line: string) => void {
  const file = process.env.KANZEN_LOG_FILE;
  if (!file) return (line) => process.stderr.write(line + '\n');
  try {
    processLogFile ??= new RotatingFile(file, envInt('KANZEN_LOG_MAX_BYTES', 1), envInt('KANZEN_LOG_KEEP', 1));
  } catch {
    return (line) => process.stderr.write(line + '\n');
  }
  const f = processLogFile;
  return (line) => {
    try {
      f.write(line + '\n');
    } catch {
      process.stderr.write(line + '\n');
    }
  };
}

export function createLogger(component: string, opts: LoggerOptions = {}): Logger {
  const envLevel = process.env.KANZEN_LOG_LEVEL as LogLevel | undefined;
  const level = opts.level ?? (envLevel && envLevel in order ? envLevel : 'info');
  const write = opts.write ?? defaultWrite();
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
