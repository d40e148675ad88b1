/**
 * A SOCKS5 client (RFC 1928): no authentication, CONNECT only, over a `Conn`
 * already open to the proxy. Names (Tor `.onion`, I2P `.b32.i2p`, DNS names)
 * go to the proxy as a domain name, so the proxy resolves them and nothing
 * leaks to our resolver; IPv4 and IPv6 literals go as addresses. Every read
 * is bounded (the longest reply is 262 bytes) and the whole exchange is
 * abortable; on any failure the connection to the proxy is closed.
 */
import { parseIpv4, parseIpv6 } from "../wire/ip_text.ts";
import type { Conn, HostPort } from "../platform/conn.ts";
import { abortReason } from "../util/abort_tree.ts";

/** The protocol version byte. */
const VERSION = 5;
/** Method "no authentication required". */
const METHOD_NONE = 0x00;
/** Method reply "no acceptable methods". */
const METHOD_REFUSED = 0xff;
const CMD_CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;
/** Longest domain name the request can carry (one length byte). */
export const MAX_DOMAIN_BYTES = 255;

/** Reply codes (RFC 1928 section 6, and Tor's extended codes for onion services). */
const REPLY_TEXT: Readonly<Record<number, string>> = {
  0x01: "general SOCKS server failure",
  0x02: "connection not allowed by ruleset",
  0x03: "network unreachable",
  0x04: "host unreachable",
  0x05: "connection refused",
  0x06: "TTL expired",
  0x07: "command not supported",
  0x08: "address type not supported",
  0xf0: "onion service descriptor can not be found",
  0xf1: "onion service descriptor is invalid",
  0xf2: "onion service introduction failed",
  0xf3: "onion service rendezvous failed",
  0xf4: "onion service missing client authorization",
  0xf5: "onion service wrong client authorization",
  0xf6: "onion service invalid address",
  0xf7: "onion service introduction timed out",
};

/** What went wrong in a SOCKS5 exchange. */
export type Socks5ErrorKind = "auth" | "reply" | "protocol" | "closed";

/** A SOCKS5 failure; `code` is the proxy's reply code for kind "reply". */
export class Socks5Error extends Error {
  readonly kind: Socks5ErrorKind;
  readonly code: number | undefined;

  /** A failure of `kind` with a message saying what happened. */
  constructor(kind: Socks5ErrorKind, message: string, code?: number) {
    super(message);
    this.name = "Socks5Error";
    this.kind = kind;
    this.code = code;
  }
}

const encoder = new TextEncoder();

/** The CONNECT request for `target`. Throws `Socks5Error("protocol")` for an over-long name. */
export function connectRequest(target: HostPort): Uint8Array {
  const host = target.host.startsWith("[") && target.host.endsWith("]")
    ? target.host.slice(1, -1)
    : target.host;
  let addr: Uint8Array;
  const v4 = parseIpv4(host);
  const v6 = v4 === null ? parseIpv6(host) : null;
  if (v4 !== null) addr = Uint8Array.of(ATYP_IPV4, ...v4);
  else if (v6 !== null) addr = Uint8Array.of(ATYP_IPV6, ...v6.bytes);
  else {
    const name = encoder.encode(host);
    if (name.length === 0 || name.length > MAX_DOMAIN_BYTES) {
      throw new Socks5Error(
        "protocol",
        `cannot ask a SOCKS5 proxy for ${JSON.stringify(host)}: a name must be 1-255 bytes`,
      );
    }
    addr = Uint8Array.of(ATYP_DOMAIN, name.length, ...name);
  }
  return Uint8Array.of(VERSION, CMD_CONNECT, 0, ...addr, target.port >> 8, target.port & 0xff);
}

/** Reads exact byte counts from a stream, keeping what arrives beyond them. */
class ExactReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #signal: AbortSignal;
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal) {
    this.#reader = reader;
    this.#signal = signal;
  }

  /** Bytes received beyond what was read (the tunnel's first bytes). */
  get rest(): Uint8Array {
    return this.#buffer;
  }

  /** The next `n` bytes; rejects on abort or when the proxy closes first. */
  async read(n: number, what: string): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      const { done, value } = await this.#next();
      if (done) {
        throw new Socks5Error("closed", `the SOCKS5 proxy closed the connection during ${what}`);
      }
      const joined = new Uint8Array(this.#buffer.length + value.length);
      joined.set(this.#buffer);
      joined.set(value, this.#buffer.length);
      this.#buffer = joined;
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  #next(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const signal = this.#signal;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#reader.read().then(
        (r) => {
          signal.removeEventListener("abort", onAbort);
          resolve(r);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }
}

/**
 * Asks the proxy at the other end of `conn` to connect to `target` and
 * resolves with a `Conn` to the target through the tunnel (its `remote` is
 * `target`). Rejects with `Socks5Error` when the proxy refuses or speaks
 * something else, or with the signal's reason on abort; `conn` is closed
 * in every failure.
 */
export async function socks5Connect(
  conn: Conn,
  target: HostPort,
  signal: AbortSignal,
): Promise<Conn> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const onAbort = () => conn.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const request = connectRequest(target);
    reader = conn.readable.getReader();
    const input = new ExactReader(reader, signal);
    await conn.write(Uint8Array.of(VERSION, 1, METHOD_NONE));
    const [ver, method] = await input.read(2, "the method reply");
    if (ver !== VERSION) {
      throw new Socks5Error("protocol", `the proxy answered version ${ver}, not SOCKS5`);
    }
    if (method !== METHOD_NONE) {
      throw new Socks5Error(
        "auth",
        method === METHOD_REFUSED
          ? "the SOCKS5 proxy requires authentication, which is not supported"
          : `the SOCKS5 proxy chose method ${method}, expected 0 (no authentication)`,
      );
    }
    await conn.write(request);
    const [rver, rep, , atyp] = await input.read(4, "the connect reply");
    if (rver !== VERSION) {
      throw new Socks5Error("protocol", `the proxy replied with version ${rver}, not SOCKS5`);
    }
    if (rep !== 0) {
      const text = REPLY_TEXT[rep] ?? `unknown reply code ${rep}`;
      throw new Socks5Error("reply", `the SOCKS5 proxy could not connect: ${text}`, rep);
    }
    // The bound address, which we do not use: 4 or 16 bytes, or a length-prefixed name.
    let skip: number;
    if (atyp === ATYP_IPV4) skip = 4;
    else if (atyp === ATYP_IPV6) skip = 16;
    else if (atyp === ATYP_DOMAIN) skip = (await input.read(1, "the bound name length"))[0];
    else throw new Socks5Error("protocol", `the proxy replied with address type ${atyp}`);
    await input.read(skip + 2, "the bound address");
    signal.removeEventListener("abort", onAbort);
    return tunnel(conn, target, reader, input.rest.slice());
  } catch (error) {
    signal.removeEventListener("abort", onAbort);
    reader?.cancel().catch(() => {});
    conn.close();
    throw signal.aborted ? abortReason(signal) : error;
  }
}

/** The tunnel as a `Conn`: bytes left over from the handshake first, then the stream. */
function tunnel(
  conn: Conn,
  target: HostPort,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
): Conn {
  let pending: Uint8Array | null = first.length > 0 ? first : null;
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending !== null) {
        controller.enqueue(pending);
        pending = null;
        return;
      }
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      conn.close();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return {
    remote: { host: target.host, port: target.port },
    local: conn.local,
    readable,
    write: (bytes) => conn.write(bytes),
    close: () => conn.close(),
    closed: conn.closed,
  };
}
