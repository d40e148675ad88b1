/**
 * The connection port: one bidirectional byte stream (a TCP socket, a SOCKS5
 * tunnel or an in-memory pipe). Adapters implement it; the core only sees this.
 */

/** A host and port; `host` is an IP literal or a name (IPv6 without brackets). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** One open connection. */
export interface Conn {
  /** The far end, as the socket reports it. */
  readonly remote: HostPort;
  /** Our end of the socket. */
  readonly local: HostPort;
  /**
   * Bytes as they arrive. Ends when the far side closes or `close()` is
   * called; errors when the socket fails. Chunks may hold part of a message
   * or many messages.
   */
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Queues `bytes` for sending. Resolves once the runtime has taken them and
   * its own buffer has room again (backpressure), so a peer that does not
   * read keeps the promise pending; rejects with an Error named
   * "ConnClosedError" if the connection is or gets closed. Writes go out in
   * call order. The caller must not reuse `bytes` until it resolves.
   */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Closes both directions at once: unresolved writes reject, `readable`
   * ends and `closed` resolves. Idempotent: later calls do nothing.
   */
  close(): void;
  /** Resolves once the connection is closed, from either side. Never rejects. */
  readonly closed: Promise<void>;
}

/** Options for one outbound dial. */
export interface DialOptions {
  /** Aborting cancels the dial (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Gives up after this many milliseconds (rejects with a DOMException named "TimeoutError"). */
  readonly timeoutMs?: number;
}

/** Opens a TCP connection. */
export type Dial = (target: HostPort, options?: DialOptions) => Promise<Conn>;

/** A listening socket. */
export interface Listener {
  /** The bound address (port resolved when 0 was asked for). */
  readonly addr: HostPort;
  /** Stops accepting; open connections are not touched. Idempotent. */
  close(): Promise<void>;
}

/** Options for `listen`. */
export interface ListenOptions extends HostPort {
  /** Called once per accepted connection. */
  readonly onConn: (conn: Conn) => void;
}

/** Starts listening for TCP connections; rejects (never throws) when the address can't be bound. */
export type Listen = (options: ListenOptions) => Promise<Listener>;
