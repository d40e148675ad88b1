/**
 * The slice of Bun's global API this adapter uses, typed here so the files
 * type-check without `bun-types` (which is not installed), and the one place
 * that reaches for the `Bun` global.
 */

/** A TCP socket as Bun hands it to the handlers; `data` holds our per-socket state. */
export interface BunSocket<State> {
  data: State;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Writes what the kernel takes now; returns the byte count (may be partial, -1 if closed). */
  write(bytes: Uint8Array): number;
  /** Sends FIN and closes. */
  end(): void;
  pause(): void;
  resume(): void;
  setNoDelay(noDelay: boolean): boolean;
}

/** Socket event handlers (shared by every socket of a listener or connect call). */
export interface BunSocketHandlers<State> {
  open?(socket: BunSocket<State>): void;
  data(socket: BunSocket<State>, chunk: Uint8Array): void;
  drain?(socket: BunSocket<State>): void;
  end?(socket: BunSocket<State>): void;
  close?(socket: BunSocket<State>, error?: Error): void;
  error?(socket: BunSocket<State>, error: Error): void;
  connectError?(socket: BunSocket<State>, error: Error): void;
}

/** A listening TCP socket. */
export interface BunListener {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting; with `true` also closes the accepted sockets. */
  stop(closeActiveConnections?: boolean): void;
}

/** A running `Bun.serve` server. */
export interface BunServer {
  readonly hostname: string;
  readonly port: number;
  /** Requests being handled now (a streaming response counts until it ends). */
  readonly pendingRequests: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** The `Bun` global, as far as we use it. */
export interface BunGlobal {
  connect<State>(options: {
    hostname: string;
    port: number;
    socket: BunSocketHandlers<State>;
  }): Promise<BunSocket<State>>;
  listen<State>(options: {
    hostname: string;
    port: number;
    socket: BunSocketHandlers<State>;
  }): BunListener;
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): BunServer;
  SHA256: { hash(data: Uint8Array, into: Uint8Array): Uint8Array };
}

/** Bun's global object (only defined when running under Bun). */
export const Bun: BunGlobal = (globalThis as unknown as { Bun: BunGlobal }).Bun;
