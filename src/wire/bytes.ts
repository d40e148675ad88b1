/**
 * Little-endian byte reading and writing over Uint8Array with DataView: the
 * one place that knows the Bitcoin integer and CompactSize encodings.
 * `ByteReader` never copies: `bytes(n)` returns a subarray view.
 */
import { DecodeError } from "./errors.ts";

/** Sequential reader over a byte view. Throws `DecodeError("truncated")` past the end. */
export class ByteReader {
  /** The whole input. */
  readonly buf: Uint8Array;
  /** Next offset to read. */
  pos: number;
  readonly #view: DataView;
  readonly #command: string | undefined;

  /** `command` (if given) is named in every error this reader throws. */
  constructor(buf: Uint8Array, command?: string, pos = 0) {
    this.buf = buf;
    this.pos = pos;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#command = command;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  #need(n: number): number {
    const at = this.pos;
    if (n > this.buf.length - at) {
      throw new DecodeError(
        "truncated",
        `needs ${n} more bytes at offset ${at}, has ${this.buf.length - at}`,
        { command: this.#command },
      );
    }
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.#need(1)];
  }
  u16le(): number {
    return this.#view.getUint16(this.#need(2), true);
  }
  /** Big-endian u16 (ports in addresses are big-endian). */
  u16be(): number {
    return this.#view.getUint16(this.#need(2), false);
  }
  u32le(): number {
    return this.#view.getUint32(this.#need(4), true);
  }
  i32le(): number {
    return this.#view.getInt32(this.#need(4), true);
  }
  u64le(): bigint {
    return this.#view.getBigUint64(this.#need(8), true);
  }
  i64le(): bigint {
    return this.#view.getBigInt64(this.#need(8), true);
  }
  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    const at = this.#need(n);
    return this.buf.subarray(at, at + n);
  }
  /** Skips `n` bytes. */
  skip(n: number): void {
    this.#need(n);
  }
  /**
   * A CompactSize integer, rejecting non-canonical encodings and values above
   * 2^53 (never needed: every count is bounded far lower).
   */
  varint(): number {
    const first = this.u8();
    if (first < 0xfd) return first;
    let value: number;
    let min: number;
    if (first === 0xfd) {
      value = this.u16le();
      min = 0xfd;
    } else if (first === 0xfe) {
      value = this.u32le();
      min = 0x10000;
    } else {
      const big = this.u64le();
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new DecodeError("invalid", `CompactSize ${big} is too large`, {
          command: this.#command,
        });
      }
      value = Number(big);
      min = 0x100000000;
    }
    if (value < min) {
      throw new DecodeError("invalid", `non-canonical CompactSize ${value}`, {
        command: this.#command,
      });
    }
    return value;
  }
  /**
   * A CompactSize count checked against `max` before anything is allocated;
   * `what` names the field in the error (e.g. "inventory entries").
   */
  count(max: number, what: string): number {
    const n = this.varint();
    if (n > max) {
      throw new DecodeError("bound", `${n} ${what} exceeds the limit of ${max}`, {
        command: this.#command,
        bound: max,
      });
    }
    return n;
  }
  /** A length-prefixed byte string of at most `max` bytes (a view). */
  varBytes(max: number, what: string): Uint8Array {
    return this.bytes(this.count(max, what));
  }
  /** Fails with `DecodeError("trailing")` unless every byte was read. */
  end(): void {
    if (this.pos !== this.buf.length) {
      throw new DecodeError("trailing", `${this.buf.length - this.pos} unexpected trailing bytes`, {
        command: this.#command,
      });
    }
  }
}

/** Growable little-endian writer. `finish()` returns a view of what was written. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  /**
   * Reserves `n` bytes and returns their offset. It may replace `#buf` and
   * `#view`, so callers must call it BEFORE reading either (not inside
   * `this.#buf.set(b, this.#room(n))`, which would write to the old buffer).
   */
  #room(n: number): number {
    const at = this.length;
    if (at + n > this.#buf.length) {
      let cap = Math.max(this.#buf.length, 16) * 2;
      while (cap < at + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, at));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    this.length = at + n;
    return at;
  }

  u8(v: number): this {
    const at = this.#room(1);
    this.#buf[at] = v;
    return this;
  }
  u16le(v: number): this {
    const at = this.#room(2);
    this.#view.setUint16(at, v, true);
    return this;
  }
  u16be(v: number): this {
    const at = this.#room(2);
    this.#view.setUint16(at, v, false);
    return this;
  }
  u32le(v: number): this {
    const at = this.#room(4);
    this.#view.setUint32(at, v >>> 0, true);
    return this;
  }
  i32le(v: number): this {
    const at = this.#room(4);
    this.#view.setInt32(at, v, true);
    return this;
  }
  u64le(v: bigint): this {
    const at = this.#room(8);
    this.#view.setBigUint64(at, v, true);
    return this;
  }
  i64le(v: bigint): this {
    const at = this.#room(8);
    this.#view.setBigInt64(at, v, true);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.#room(b.length);
    this.#buf.set(b, at);
    return this;
  }
  /** A CompactSize integer. */
  varint(n: number): this {
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) return this.u8(0xfd).u16le(n);
    if (n <= 0xffffffff) return this.u8(0xfe).u32le(n);
    return this.u8(0xff).u64le(BigInt(n));
  }
  /** A CompactSize length followed by the bytes. */
  varBytes(b: Uint8Array): this {
    return this.varint(b.length).bytes(b);
  }
  /** The written bytes (a view into the internal buffer). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** Bytes of an even-length hex string; throws a `DecodeError` on bad hex. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new DecodeError("invalid", `not a hex string: ${hex.slice(0, 32)}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** A 32-byte hash in display order (reversed hex, as RPC and explorers show it). */
export function hashToHex(hash: Uint8Array): string {
  let s = "";
  for (let i = hash.length - 1; i >= 0; i--) s += HEX[hash[i]];
  return s;
}

/** The wire bytes of a display-order hash string. */
export function hexToHash(hex: string): Uint8Array {
  return fromHex(hex).reverse();
}

/** True when two byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
