/**
 * "host:port" text: Core's SplitHostPort rules (a port follows the last
 * colon only when the host is bracketed or has no other colon, so bare IPv6
 * keeps its colons), numeric lookup of the host, and printing with IPv6 and
 * CJDNS hosts in brackets.
 */
import type { NetAddress } from "./address.ts";
import { formatAddress, parseAddress } from "./address_format.ts";
import { DecodeError } from "./errors.ts";

/** The result of splitting "host:port" text. */
export interface SplitHostPort {
  /** The host, brackets removed. When a port was present but unparsable it keeps the ":…". */
  readonly host: string;
  /** The port given, or 0 when none (or when it was unparsable). */
  readonly port: number;
  /** False when a port was given but is not 1-65535 (a parse failure or 0). */
  readonly validPort: boolean;
}

/** Largest TCP port. */
const MAX_PORT = 65535;

/**
 * Splits `text` into host and port as Core's SplitHostPort does: the last
 * colon separates a port when it is the first character, follows `]`, or is
 * the only colon; the port is decimal with an optional leading `+`; a port
 * that does not parse leaves the text whole in `host`. Brackets around the
 * host are removed.
 */
export function splitHostPort(text: string): SplitHostPort {
  let rest = text;
  let port = 0;
  let validPort = true;
  const colon = text.lastIndexOf(":");
  if (colon >= 0) {
    const bracketed = text[0] === "[" && text[colon - 1] === "]";
    const multiColon = colon > 0 && text.lastIndexOf(":", colon - 1) >= 0;
    if (colon === 0 || bracketed || !multiColon) {
      const n = parsePort(text.slice(colon + 1));
      validPort = false;
      if (n !== null) {
        rest = text.slice(0, colon);
        port = n;
        validPort = n !== 0;
      }
    }
  }
  const host = rest.length > 0 && rest[0] === "[" && rest[rest.length - 1] === "]"
    ? rest.slice(1, -1)
    : rest;
  return { host, port, validPort };
}

/** A decimal 0-65535 with an optional leading "+", or `null`. */
function parsePort(text: string): number | null {
  if (!/^\+?[0-9]+$/.test(text)) return null;
  const n = Number(text);
  return n <= MAX_PORT ? n : null;
}

/** A parsed "host:port": the address and the port. */
export interface AddressPort {
  /** The host's address. */
  readonly address: NetAddress;
  /** The port given, or the default. */
  readonly port: number;
}

/**
 * Parses numeric "host[:port]" text (Core LookupNumeric): `splitHostPort`,
 * then `parseAddress` on the host; `defaultPort` when no port is given.
 * Stricter than Core in one respect: a port of 0 or one that does not parse
 * is an error rather than being ignored. Internal-prefix IPv6
 * (fd6b:88c0:8724::/48) is rejected, as Core never resolves to it.
 * Throws `DecodeError("invalid")`.
 */
export function parseHostPort(text: string, defaultPort: number): AddressPort {
  if (text === "") throw new DecodeError("invalid", "empty address: expected host or host:port");
  const split = splitHostPort(text);
  if (!split.validPort) {
    throw new DecodeError(
      "invalid",
      `${JSON.stringify(text)} has an invalid port: expected host:port with a port of 1-65535`,
    );
  }
  const address = parseAddress(split.host);
  if (address.network === "internal") {
    throw new DecodeError(
      "invalid",
      `${JSON.stringify(text)} is in fd6b:88c0:8724::/48, reserved for internal names`,
    );
  }
  // An explicit port 0 was rejected above, so 0 here means "none given".
  return { address, port: split.port === 0 ? defaultPort : split.port };
}

/**
 * "host:port" text for an address and port (Core ToStringAddrPort): IPv6
 * and CJDNS hosts go in brackets, everything else is written bare.
 */
export function formatHostPort(a: NetAddress, port: number): string {
  const host = formatAddress(a);
  return a.network === "ipv6" || a.network === "cjdns" ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The address of a numeric `host` (IP literal, onion, I2P…), or null for a name. */
export function numericAddress(host: string): NetAddress | null {
  try {
    return parseAddress(host);
  } catch {
    return null;
  }
}

/**
 * `host:port` text of an endpoint: a numeric host in canonical form (IPv6
 * and CJDNS in brackets), a name as given.
 */
export function formatEndpoint(endpoint: { readonly host: string; readonly port: number }): string {
  const a = numericAddress(endpoint.host);
  return a === null ? `${endpoint.host}:${endpoint.port}` : formatHostPort(a, endpoint.port);
}
