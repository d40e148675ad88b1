/**
 * The logger core code receives. Levels and categories (peer, addrmgr,
 * connmgr, sync, api, node); sinks are chosen by entrypoints only. Written
 * here rather than taken from a library: it is ~100 lines, has no runtime
 * dependency, and lets tests capture records as values.
 */

/** Severity, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The levels in order, for validation and comparison. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** One log line as data. */
export interface LogRecord {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly level: LogLevel;
  /** The room that logged it: "peer", "addrmgr", "connmgr", "sync", "api", "node"… */
  readonly category: string;
  readonly message: string;
  /** Structured context (peer string form, counts, reasons). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Where records go. */
export type LogSink = (record: LogRecord) => void;

/** What core code logs through. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger for a sub-room, sharing sink and level. */
  child(category: string): Logger;
  /** True when records of `level` are kept (skip building costly fields otherwise). */
  enabled(level: LogLevel): boolean;
}

/** Options for `createLogger`. */
export interface LoggerOptions {
  readonly sink: LogSink;
  /** Records below this level are dropped. Default "info". */
  readonly level?: LogLevel;
  readonly category?: string;
  /** Time source; default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A logger writing to `sink`.
 * @example
 * const records: LogRecord[] = [];
 * const log = createLogger({ sink: (r) => records.push(r), level: "debug" }).child("peer");
 * log.info("handshake complete", { peer: "203.0.113.7:8333 (outbound)" });
 */
export function createLogger(options: LoggerOptions): Logger {
  const min = LOG_LEVELS.indexOf(options.level ?? "info");
  const now = options.now ?? Date.now;
  const make = (category: string): Logger => {
    const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
      if (LOG_LEVELS.indexOf(level) < min) return;
      options.sink({ time: now(), level, category, message, fields: fields ?? {} });
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      child: (sub) => make(category ? `${category}.${sub}` : sub),
      enabled: (level) => LOG_LEVELS.indexOf(level) >= min,
    };
  };
  return make(options.category ?? "");
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ sink: () => {}, level: "error" });

/** A sink that keeps records in an array (for tests and the event stream). */
export function memorySink(limit = 10_000): { sink: LogSink; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    sink: (r) => {
      records.push(r);
      if (records.length > limit) records.shift();
    },
  };
}

/** `2026-11-25T12:00:00.000Z INFO  peer: message key=value` for people. */
export function formatText(r: LogRecord): string {
  const fields = Object.entries(r.fields).map(([k, v]) => ` ${k}=${formatValue(v)}`).join("");
  const cat = r.category ? `${r.category}: ` : "";
  return `${new Date(r.time).toISOString()} ${
    r.level.toUpperCase().padEnd(5)
  } ${cat}${r.message}${fields}`;
}

/** One JSON object per line for machines. */
export function formatJson(r: LogRecord): string {
  return JSON.stringify(
    {
      time: new Date(r.time).toISOString(),
      level: r.level,
      category: r.category,
      msg: r.message,
      ...r.fields,
    },
    (_k, v) => (typeof v === "bigint" ? v.toString() : v),
  );
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return /\s/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v) ?? String(v);
}
