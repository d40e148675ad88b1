/**
 * Resolving options from their sources, later wins: defaults < config file
 * (JSON, `--config`) < environment (`BTC_EDGE_*`) < flags. Invalid input
 * becomes a `ConfigError` naming the option, the value and what is expected.
 */
import { envOf, flagOf, keyOfFlag, type Options, optionsSchema, REPEATABLE } from "./options.ts";

/** A bad option: the message names the option, the value and what was expected. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Where each raw value came from, for error messages. */
type Origin = "flag" | "env" | "file" | "option";

/** Parses `--name=value`, `--name value` and bare boolean `--name` flags. */
export function parseFlags(
  args: readonly string[],
): { values: Record<string, unknown>; help: boolean } {
  const values: Record<string, unknown> = {};
  const known = new Set(Object.keys(optionsSchema.shape));
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      throw new ConfigError(
        `unexpected argument ${JSON.stringify(arg)}: options are --name=value (see --help)`,
      );
    }
    const key = keyOfFlag(m[1]);
    if (!known.has(key)) throw new ConfigError(`unknown option --${m[1]} (see --help)`);
    let value = m[2];
    if (value === undefined) {
      const next = args[i + 1];
      const isBool = key === "dnsseed";
      value = !isBool && next !== undefined && !next.startsWith("--") ? (i++, next) : "true";
    }
    if (REPEATABLE.has(key)) ((values[key] ??= []) as string[]).push(value);
    else values[key] = value;
  }
  return { values, help };
}

/** Options from `BTC_EDGE_*` variables (repeatable ones comma-separated). */
export function parseEnv(env: (name: string) => string | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(optionsSchema.shape)) {
    const raw = env(envOf(key));
    if (raw === undefined) continue;
    values[key] = REPEATABLE.has(key) ? raw.split(",").map((s) => s.trim()).filter(Boolean) : raw;
  }
  return values;
}

/** Parses a config file's text: a JSON object whose keys are option names. */
export function parseConfigFile(text: string, path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object of options`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Validates merged sources (each later one wins) into complete options.
 * @throws ConfigError naming the first invalid option, its value and what is expected.
 */
export function resolveOptions(
  sources: ReadonlyArray<readonly [Origin, Record<string, unknown>]>,
): Options {
  const merged: Record<string, unknown> = {};
  const origin: Record<string, Origin> = {};
  for (const [from, values] of sources) {
    for (const [k, v] of Object.entries(values)) {
      merged[k] = v;
      origin[k] = from;
    }
  }
  const result = optionsSchema.safeParse(merged);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => `unknown option ${describe(k, origin[k] ?? "option")}`).join(
        "; ",
      );
    }
    const key = String(issue.path[0] ?? "");
    const value = merged[key];
    const shown = Array.isArray(value) && typeof issue.path[1] === "number"
      ? value[issue.path[1]]
      : value;
    return `invalid ${describe(key, origin[key] ?? "option")}=${
      JSON.stringify(shown)
    }: ${issue.message}`;
  });
  throw new ConfigError(lines.join("\n"));
}

function describe(key: string, from: Origin): string {
  switch (from) {
    case "flag":
      return `--${flagOf(key)}`;
    case "env":
      return envOf(key);
    case "file":
      return `config key ${JSON.stringify(key)}`;
    default:
      return `option ${JSON.stringify(key)}`;
  }
}
