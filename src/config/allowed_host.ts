/**
 * An entry of `--api-allowed-hosts` (and the `Host` header it is compared
 * with): a host name or IP literal (IPv6 in brackets), optionally `:PORT`,
 * or `*`. Parsed here so the option schema and the API's allowlist
 * (`src/api/host_allowlist.ts`) read entries the same way.
 */
import { splitHostPort } from "../wire/host_port.ts";

/** The wildcard entry: every `Host` is allowed. */
export const ANY_HOST = "*";

/** A parsed allowlist entry (or `Host` value). */
export interface HostEntry {
  readonly name: string;
  /** `null`: any port. */
  readonly port: number | null;
}

/**
 * Splits `text` (`name`, `name:port`, `[v6]`, `[v6]:port`) into a lower-case
 * name (IPv6 kept in brackets) and its port, or `undefined` when it is not one.
 */
export function parseHostEntry(text: string): HostEntry | undefined {
  if (text.length === 0 || /[\s/?#@]/.test(text)) return undefined;
  const hasPort = /^\[[^\]]*\]:|^[^:\[\]]*:/.test(text);
  const { host, port, validPort } = splitHostPort(text);
  if (hasPort && !validPort) return undefined;
  if (host.length === 0 || /[\[\]]/.test(host)) return undefined;
  const bracketed = text.startsWith("[");
  if (host.includes(":") !== bracketed) return undefined;
  const name = (bracketed ? `[${host}]` : host).toLowerCase().replace(/\.$/, "");
  return { name, port: hasPort ? port : null };
}

/** True when `text` is a valid allowlist entry (for option validation). */
export function isHostEntry(text: string): boolean {
  return text === ANY_HOST || parseHostEntry(text) !== undefined;
}
