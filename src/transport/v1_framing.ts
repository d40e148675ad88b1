/**
 * The v1 (plaintext) message format, BIP324's "v1": the 24-byte header
 * (magic, command, payload length, checksum) and a streaming decoder that
 * turns arbitrary socket chunks into whole frames while holding at most one
 * header plus one payload in memory. `v1_transport.ts` puts it behind the
 * peer's `Transport` interface; tests and fixtures that play the remote side
 * use these functions directly.
 */
import type { Sha256 } from "../platform/hash.ts";
import { bytesEqual, toHex } from "../wire/bytes.ts";
import { DecodeError } from "../wire/errors.ts";
import { sha256d } from "../wire/hash.ts";
import { ChunkGather } from "./chunk_gather.ts";
import { MAX_PAYLOAD } from "./transport.ts";

/** Bytes in a message header: magic 4 + command 12 + length 4 + checksum 4. */
export const HEADER_SIZE = 24;
/** Bytes of the NUL-padded ASCII command field. */
export const COMMAND_SIZE = 12;

const MAGIC_SIZE = 4;
/** Offset just past the length field: the point where the header can be judged. */
const LENGTH_END = MAGIC_SIZE + COMMAND_SIZE + 4;
/**
 * Payloads from this size up have their verified checksum remembered. Below
 * it, hashing again costs under ~40 µs: not worth a map entry per message.
 */
export const CHECKSUM_MEMO_MIN_PAYLOAD = 64 * 1024;

/**
 * The checksums of received payloads (`receivedChecksum`: those
 * `FrameDecoder` verified, and those its caller checked), keyed by the
 * payload object (weakly: an entry lives as long as its payload). A node forwards
 * the blocks it receives, so `encodeHeader` over such a payload (the very
 * object, not equal bytes) reuses the checksum instead of hashing up to 4 MB
 * again. Sound because payloads are not modified after decoding (see
 * `FrameDecoder`); were one modified anyway, the stale checksum would make the
 * receiver drop the frame, never accept altered bytes.
 */
const verifiedChecksums = new WeakMap<Uint8Array, Uint8Array>();

/** One decoded frame. `payload` may be a view into the chunk it arrived in. */
export interface Frame {
  /** The command name, e.g. "version". */
  readonly command: string;
  /** The payload: checksum-verified, unless `claimed` is set. */
  readonly payload: Uint8Array;
  /**
   * The checksum the header claims, when the decoder was told to leave it
   * unchecked (see `FrameDecoder`): the caller compares it with
   * `receivedChecksum`. Null when it was verified.
   */
  readonly claimed: Uint8Array | null;
}

/** The first 4 bytes of SHA-256d of `payload`. */
export function frameChecksum(sha256: Sha256, payload: Uint8Array): Uint8Array {
  return sha256d(sha256, payload).subarray(0, 4);
}

/**
 * The checksum of a received `payload`, remembered when it is large, for
 * sending the payload on (see `encodeHeader`).
 */
export function receivedChecksum(sha256: Sha256, payload: Uint8Array): Uint8Array {
  const sum = frameChecksum(sha256, payload);
  if (payload.length >= CHECKSUM_MEMO_MIN_PAYLOAD) verifiedChecksums.set(payload, sum);
  return sum;
}

/** The error for a payload whose checksum `sum` is not the `claimed` one. */
export function checksumError(command: string, sum: Uint8Array, claimed: Uint8Array): DecodeError {
  return new DecodeError(
    "checksum",
    `payload checksum is ${toHex(sum)}, header says ${toHex(claimed)}`,
    { command },
  );
}

/**
 * The 24-byte header for `payload`. Throws a `RangeError` for a bad magic,
 * an invalid command name or an oversized payload (our own mistake, not the peer's).
 * A payload a `FrameDecoder` returned (and verified) is not hashed again.
 */
export function encodeHeader(
  magic: Uint8Array,
  command: string,
  payload: Uint8Array,
  sha256: Sha256,
): Uint8Array {
  if (magic.length !== MAGIC_SIZE) {
    throw new RangeError(`magic must be 4 bytes, got ${magic.length}`);
  }
  if (!isValidCommandName(command)) {
    throw new RangeError(
      `command ${JSON.stringify(command)} is not 1-12 printable ASCII characters`,
    );
  }
  if (payload.length > MAX_PAYLOAD) {
    throw new RangeError(`${command} payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  }
  const header = new Uint8Array(HEADER_SIZE);
  header.set(magic, 0);
  for (let i = 0; i < command.length; i++) header[MAGIC_SIZE + i] = command.charCodeAt(i);
  new DataView(header.buffer).setUint32(MAGIC_SIZE + COMMAND_SIZE, payload.length, true);
  const known = payload.length >= CHECKSUM_MEMO_MIN_PAYLOAD
    ? verifiedChecksums.get(payload)
    : undefined;
  header.set(known ?? frameChecksum(sha256, payload), LENGTH_END);
  return header;
}

/** A whole message (header then payload) in one new buffer. Throws like `encodeHeader`. */
export function encodeFrame(
  magic: Uint8Array,
  command: string,
  payload: Uint8Array,
  sha256: Sha256,
): Uint8Array {
  const frame = new Uint8Array(HEADER_SIZE + payload.length);
  frame.set(encodeHeader(magic, command, payload, sha256), 0);
  frame.set(payload, HEADER_SIZE);
  return frame;
}

/** True for 1 to 12 printable ASCII characters (0x20-0x7e), the names a header can carry. */
export function isValidCommandName(command: string): boolean {
  if (command.length === 0 || command.length > COMMAND_SIZE) return false;
  for (let i = 0; i < command.length; i++) {
    const c = command.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Streaming frame decoder for one connection. Feed each chunk with `push`,
 * then call `next` until it returns `null` (more bytes needed):
 *
 * ```ts
 * decoder.push(chunk);
 * for (let f = decoder.next(); f !== null; f = decoder.next()) handle(f);
 * ```
 *
 * A wrong magic is rejected as soon as its bytes arrive, and a bad command or
 * an oversized length as soon as the length field arrives, before any payload
 * is buffered. Those errors (kinds "magic", "invalid", "bound") leave the
 * stream unsynchronised, so every later `next` throws the same error. A bad
 * checksum (kind "checksum") consumes just that frame: decoding may go on.
 *
 * A payload that lies whole inside one chunk is returned as a view of that
 * chunk (no copy), so a pushed chunk must not be modified afterwards; one
 * split across chunks is gathered as it arrives (`chunk_gather.ts`). Either
 * way a returned payload must not be modified: the checksum of a large one is
 * remembered for sending it on (see `encodeHeader`).
 *
 * `unchecked`: commands whose checksum is left to the caller for payloads
 * of `CHECKSUM_MEMO_MIN_PAYLOAD` bytes or more (the frame's `claimed`), so
 * a block can be checked by its own commitments first and hashed for its
 * checksum once handled (`v1_transport.ts`).
 */
export class FrameDecoder {
  readonly #magic: Uint8Array;
  readonly #sha256: Sha256;
  readonly #header = new Uint8Array(HEADER_SIZE);
  readonly #headerView = new DataView(this.#header.buffer);
  #headerLength = 0;
  #command = "";
  #payloadLength = 0;
  readonly #unchecked: ReadonlySet<string>;
  readonly #payload = new ChunkGather();
  #chunk: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #failure: DecodeError | null = null;

  /**
   * `magic`: the network's 4 message-start bytes in wire order;
   * `unchecked`: commands whose large payloads' checksums the caller checks.
   */
  constructor(magic: Uint8Array, sha256: Sha256, unchecked: ReadonlySet<string> = new Set()) {
    if (magic.length !== MAGIC_SIZE) {
      throw new RangeError(`magic must be 4 bytes, got ${magic.length}`);
    }
    this.#magic = magic.slice();
    this.#sha256 = sha256;
    this.#unchecked = unchecked;
  }

  /**
   * Hands the decoder the next chunk from the socket. The previous chunk must
   * have been drained (`next` returned `null`); otherwise this throws an `Error`.
   */
  push(chunk: Uint8Array): void {
    if (this.#pos < this.#chunk.length && this.#failure === null) {
      throw new Error("FrameDecoder.push: call next() until it returns null first");
    }
    this.#chunk = chunk;
    this.#pos = 0;
  }

  /** Bytes held for an unfinished frame (header and payload so far). */
  get buffered(): number {
    return this.#headerLength + this.#payload.buffered;
  }

  /**
   * The next complete frame, or `null` when the pushed bytes are used up.
   * Throws `DecodeError` (kind "magic", "invalid", "bound" or "checksum").
   */
  next(): Frame | null {
    if (this.#failure !== null) throw this.#failure;
    try {
      return this.#step();
    } catch (e) {
      if (e instanceof DecodeError && e.kind !== "checksum") this.#failure = e;
      throw e;
    }
  }

  #step(): Frame | null {
    if (this.#headerLength < MAGIC_SIZE) {
      const from = this.#headerLength;
      this.#fillHeader(MAGIC_SIZE);
      for (let i = from; i < this.#headerLength; i++) {
        if (this.#header[i] !== this.#magic[i]) {
          throw new DecodeError(
            "magic",
            `frame starts with ${toHex(this.#header.subarray(0, i + 1))}, expected ${
              toHex(this.#magic)
            } (a peer on another network, or a stream out of step)`,
          );
        }
      }
      if (this.#headerLength < MAGIC_SIZE) return null;
    }
    if (this.#headerLength < LENGTH_END) {
      if (!this.#fillHeader(LENGTH_END)) return null;
      this.#command = decodeCommand(this.#header.subarray(MAGIC_SIZE, MAGIC_SIZE + COMMAND_SIZE));
      this.#payloadLength = this.#headerView.getUint32(MAGIC_SIZE + COMMAND_SIZE, true);
      if (this.#payloadLength > MAX_PAYLOAD) {
        throw new DecodeError(
          "bound",
          `payload length ${this.#payloadLength} exceeds the limit of ${MAX_PAYLOAD} bytes (MAX_PAYLOAD)`,
          { command: this.#command, bound: MAX_PAYLOAD },
        );
      }
    }
    if (this.#headerLength < HEADER_SIZE && !this.#fillHeader(HEADER_SIZE)) return null;

    const payload = this.#payload.take(this.#chunk, this.#pos, this.#payloadLength);
    this.#pos += this.#payload.used;
    if (payload === null) return null;
    const command = this.#command;
    this.#headerLength = 0;
    const want = this.#header.subarray(LENGTH_END, HEADER_SIZE);
    if (payload.length >= CHECKSUM_MEMO_MIN_PAYLOAD && this.#unchecked.has(command)) {
      return { command, payload, claimed: want.slice() };
    }
    const sum = receivedChecksum(this.#sha256, payload);
    if (!bytesEqual(sum, want)) throw checksumError(command, sum, want);
    return { command, payload, claimed: null };
  }

  /** Copies chunk bytes into the header up to `target`; true once it is reached. */
  #fillHeader(target: number): boolean {
    const n = Math.min(target - this.#headerLength, this.#chunk.length - this.#pos);
    this.#header.set(this.#chunk.subarray(this.#pos, this.#pos + n), this.#headerLength);
    this.#headerLength += n;
    this.#pos += n;
    return this.#headerLength === target;
  }
}

/**
 * The command name in a 12-byte header field: printable ASCII, then NUL
 * padding only. Throws `DecodeError("invalid")` otherwise.
 */
function decodeCommand(field: Uint8Array): string {
  let end = 0;
  while (end < field.length && field[end] !== 0) end++;
  let name = "";
  for (let i = 0; i < end; i++) {
    const c = field[i];
    if (c < 0x20 || c > 0x7e) {
      throw new DecodeError("invalid", `command field ${toHex(field)} has a non-printable byte`);
    }
    name += String.fromCharCode(c);
  }
  for (let i = end; i < field.length; i++) {
    if (field[i] !== 0) {
      throw new DecodeError(
        "invalid",
        `command field ${toHex(field)} has bytes after its NUL padding`,
      );
    }
  }
  if (end === 0) throw new DecodeError("invalid", "command field is empty");
  return name;
}
