/**
 * Header and block-locator messages: `getheaders` and `getblocks` (a locator
 * plus a stop hash) and `headers` (block headers, each followed by a zero
 * transaction count).
 */
import { ByteReader, ByteWriter } from "../bytes.ts";
import { DecodeError } from "../errors.ts";
import {
  BLOCK_HEADER_SIZE,
  type BlockHeader,
  readBlockHeader,
  writeBlockHeader,
} from "../block_header.ts";

/** Most locator hashes accepted. Core net_processing MAX_LOCATOR_SZ. */
export const MAX_LOCATOR_HASHES = 101;
/** Most headers in one `headers` message. Core net_processing MAX_HEADERS_RESULTS. */
export const MAX_HEADERS = 2_000;

/** The commands that carry a block locator. */
export type LocatorCommand = "getheaders" | "getblocks";

/** A `getheaders` or `getblocks` request. */
export interface LocatorMessage {
  readonly command: LocatorCommand;
  /** Protocol version field (ignored by Core, still sent). */
  readonly version: number;
  /** Block hashes, newest first, wire order (views into the payload). */
  readonly locator: readonly Uint8Array[];
  /** Last hash wanted, or 32 zero bytes for "as many as allowed". */
  readonly hashStop: Uint8Array;
}

/** Decodes a locator payload; more than `MAX_LOCATOR_HASHES` is a bound error. */
export function decodeLocator(command: LocatorCommand, payload: Uint8Array): LocatorMessage {
  const r = new ByteReader(payload, command);
  const version = r.u32le();
  const n = r.count(MAX_LOCATOR_HASHES, "locator hashes");
  const locator: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) locator[i] = r.bytes(32);
  const hashStop = r.bytes(32);
  r.end();
  return { command, version, locator, hashStop };
}

/** Encodes a locator payload. Throws `RangeError` past the bound or for a non-32-byte hash. */
export function encodeLocator(msg: LocatorMessage): Uint8Array {
  const n = msg.locator.length;
  if (n > MAX_LOCATOR_HASHES) {
    throw new RangeError(
      `${msg.command}: ${n} locator hashes exceed the limit of ${MAX_LOCATOR_HASHES}`,
    );
  }
  const w = new ByteWriter(4 + 9 + (n + 1) * 32).u32le(msg.version).varint(n);
  for (const hash of [...msg.locator, msg.hashStop]) {
    if (hash.length !== 32) throw new RangeError(`${msg.command}: a hash must be 32 bytes`);
    w.bytes(hash);
  }
  return w.finish();
}

/** A `headers` message. */
export interface HeadersMessage {
  readonly command: "headers";
  /** At most `MAX_HEADERS` headers, in chain order. */
  readonly headers: readonly BlockHeader[];
}

/**
 * Decodes a `headers` payload. More than `MAX_HEADERS` is a bound error; a
 * transaction count other than 0 after a header is `DecodeError("invalid")`.
 */
export function decodeHeaders(payload: Uint8Array): HeadersMessage {
  const r = new ByteReader(payload, "headers");
  const n = r.count(MAX_HEADERS, "headers");
  const headers: BlockHeader[] = new Array(n);
  for (let i = 0; i < n; i++) {
    headers[i] = readBlockHeader(r);
    const txCount = r.varint();
    if (txCount !== 0) {
      throw new DecodeError(
        "invalid",
        `header ${i} has a transaction count of ${txCount}; headers carry 0`,
        { command: "headers" },
      );
    }
  }
  r.end();
  return { command: "headers", headers };
}

/** Encodes a `headers` payload. Throws `RangeError` past the bound. */
export function encodeHeaders(msg: HeadersMessage): Uint8Array {
  const n = msg.headers.length;
  if (n > MAX_HEADERS) {
    throw new RangeError(`headers: ${n} headers exceed the limit of ${MAX_HEADERS}`);
  }
  const w = new ByteWriter(3 + n * (BLOCK_HEADER_SIZE + 1)).varint(n);
  for (const header of msg.headers) {
    writeBlockHeader(w, header);
    w.u8(0);
  }
  return w.finish();
}
