/**
 * HOST:PORT as written in options: an IP literal (IPv6 in brackets) or a host
 * name, then a port 1–65535. Splitting follows Core's SplitHostPort
 * (`src/wire/host_port.ts`); options additionally require the port.
 */
import type { HostPort } from "../platform/conn.ts";
import { splitHostPort } from "../wire/host_port.ts";

/**
 * Splits `text` into host and port, or returns `undefined` when it is not
 * HOST:PORT. Port 0 (an ephemeral port) is accepted only with `allowPortZero`
 * (listen and API addresses).
 */
export function splitOptionHostPort(
  text: string,
  allowPortZero = false,
): HostPort | undefined {
  const { host, port, validPort } = splitHostPort(text);
  const portOk = (validPort && port !== 0) || (allowPortZero && port === 0 && /:\+?0+$/.test(text));
  if (!portOk || host === "" || /[\s\[\]]/.test(host)) return undefined;
  // A bare IPv6 literal without brackets has no port to split off.
  if (host.includes(":") && !text.startsWith("[")) return undefined;
  return { host, port };
}

/** True when `text` is a valid HOST:PORT. */
export function isHostPort(text: string): boolean {
  return splitOptionHostPort(text) !== undefined;
}

/** True when `text` is a valid HOST:PORT where PORT may be 0 (listen on any free port). */
export function isBindHostPort(text: string): boolean {
  return splitOptionHostPort(text, true) !== undefined;
}
