/** Message framing: header encoding, and the streaming decoder under every chunking. */
import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import type { Sha256 } from "../../src/platform/hash.ts";
import {
  CHECKSUM_MEMO_MIN_PAYLOAD,
  encodeFrame,
  encodeHeader,
  type Frame,
  FrameDecoder,
  HEADER_SIZE,
  isValidCommandName,
} from "../../src/transport/v1_framing.ts";
import { MAX_PAYLOAD } from "../../src/transport/transport.ts";
import { decodeErrorOf } from "../support/assertions.ts";
import { concat } from "../support/bytes.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { MAINNET_MAGIC, WIRE } from "../wire/wire_vectors.ts";

/** Pushes each chunk and drains it; returns every frame. */
function decodeAll(decoder: FrameDecoder, chunks: Uint8Array[]): Frame[] {
  const out: Frame[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let f = decoder.next(); f !== null; f = decoder.next()) out.push(f);
  }
  return out;
}

/** A header with an arbitrary command field and length (checksum of nothing). */
function rawHeader(commandField: number[], length: number): Uint8Array {
  const h = new Uint8Array(HEADER_SIZE);
  h.set(MAINNET_MAGIC);
  h.set(commandField, 4);
  new DataView(h.buffer).setUint32(16, length, true);
  h.set(fromHex("5df6e0e2"), 20);
  return h;
}

const messages = WIRE.vectors.map((v) => fromHex(v.message_hex));
const stream = concat(messages);

describe("encodeFrame", () => {
  for (const v of WIRE.vectors) {
    test(`${v.name}: header and payload equal the vector's message bytes`, () => {
      const frame = encodeFrame(MAINNET_MAGIC, v.command, fromHex(v.payload_hex), sha256);
      expect(toHex(frame)).toBe(v.message_hex);
      expect(toHex(frame.subarray(20, 24))).toBe(v.checksum);
    });
  }

  test("refuses a bad command name, a bad magic and an oversized payload", () => {
    const p = new Uint8Array(0);
    expect(() => encodeHeader(MAINNET_MAGIC, "", p, sha256)).toThrow(RangeError);
    expect(() => encodeHeader(MAINNET_MAGIC, "thirteen_char", p, sha256)).toThrow(RangeError);
    expect(() => encodeHeader(MAINNET_MAGIC, "ver\u0000ack", p, sha256)).toThrow(RangeError);
    expect(() => encodeHeader(MAINNET_MAGIC, "caf\u00e9", p, sha256)).toThrow(RangeError);
    expect(() => encodeHeader(new Uint8Array(3), "ping", p, sha256)).toThrow(RangeError);
    expect(() => encodeHeader(MAINNET_MAGIC, "block", new Uint8Array(MAX_PAYLOAD + 1), sha256))
      .toThrow(RangeError);
    expect(isValidCommandName("twelve_chars")).toBe(true);
  });
});

describe("FrameDecoder", () => {
  test("every vector message decodes to its command and payload", () => {
    for (const v of WIRE.vectors) {
      const frames = decodeAll(new FrameDecoder(MAINNET_MAGIC, sha256), [fromHex(v.message_hex)]);
      expect(frames.length).toBe(1);
      expect(frames[0].command).toBe(v.command);
      expect(toHex(frames[0].payload)).toBe(v.payload_hex);
    }
  });

  test("one byte at a time yields every message, in order", () => {
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    const chunks = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
    const frames = decodeAll(decoder, chunks);
    expect(frames.map((f) => f.command)).toEqual(WIRE.vectors.map((v) => v.command));
    expect(frames.map((f) => toHex(f.payload))).toEqual(WIRE.vectors.map((v) => v.payload_hex));
    expect(decoder.buffered).toBe(0);
  });

  test("all messages in one chunk come out as views of that chunk (no copy)", () => {
    const frames = decodeAll(new FrameDecoder(MAINNET_MAGIC, sha256), [stream]);
    expect(frames.length).toBe(WIRE.vectors.length);
    for (const f of frames) expect(f.payload.buffer).toBe(stream.buffer);
    expect(frames.map((f) => toHex(f.payload))).toEqual(WIRE.vectors.map((v) => v.payload_hex));
  });

  test("irregular chunk sizes (fixed pseudo-random splits) yield the same frames", () => {
    let seed = 12345;
    for (let round = 0; round < 20; round++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length;) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const size = 1 + (seed % 97);
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      const frames = decodeAll(new FrameDecoder(MAINNET_MAGIC, sha256), chunks);
      expect(frames.map((f) => toHex(f.payload))).toEqual(WIRE.vectors.map((v) => v.payload_hex));
    }
  });

  test("a payload split across chunks is gathered; buffered counts header and payload", () => {
    const block = messages[WIRE.vectors.findIndex((v) => v.command === "block")];
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    decoder.push(block.subarray(0, 30));
    expect(decoder.next()).toBe(null);
    expect(decoder.buffered).toBe(30);
    decoder.push(block.subarray(30, 100));
    expect(decoder.next()).toBe(null);
    expect(decoder.buffered).toBe(100);
    decoder.push(block.subarray(100));
    const frame = decoder.next();
    expect(frame?.command).toBe("block");
    expect(toHex(frame!.payload)).toBe(toHex(block.subarray(HEADER_SIZE)));
    expect(decoder.next()).toBe(null);
    expect(decoder.buffered).toBe(0);
  });

  test("a payload arriving whole after a header-only chunk is still a view", () => {
    const ping = messages[WIRE.vectors.findIndex((v) => v.name === "ping_btcd")];
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    decoder.push(ping.subarray(0, HEADER_SIZE));
    expect(decoder.next()).toBe(null);
    expect(decoder.buffered).toBe(HEADER_SIZE);
    const rest = ping.slice(HEADER_SIZE);
    decoder.push(rest);
    expect(decoder.next()?.payload.buffer).toBe(rest.buffer);
  });

  test("a wrong magic is rejected as soon as its 4th byte arrives", () => {
    const testnetLike = fromHex("f9beb4d8" + WIRE.vectors[0].message_hex.slice(8));
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    for (let i = 0; i < 3; i++) {
      decoder.push(testnetLike.subarray(i, i + 1));
      expect(decoder.next()).toBe(null);
    }
    decoder.push(testnetLike.subarray(3, 4));
    const err = decodeErrorOf(() => decoder.next());
    expect(err.kind).toBe("magic");
    expect(decoder.buffered).toBe(4);
    // The stream cannot resynchronise: the decoder stays failed.
    expect(decodeErrorOf(() => decoder.next())).toBe(err);
  });

  test("a wrong magic in a large chunk buffers nothing past the magic", () => {
    const bad = fromHex("0b110907" + WIRE.vectors[0].message_hex.slice(8));
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    decoder.push(bad);
    expect(decodeErrorOf(() => decoder.next()).kind).toBe("magic");
    expect(decoder.buffered).toBeLessThanOrEqual(4);
    const first = new FrameDecoder(MAINNET_MAGIC, sha256);
    first.push(bad.subarray(0, 1)); // the first byte is already wrong
    expect(decodeErrorOf(() => first.next()).kind).toBe("magic");
  });

  test("a length over MAX_PAYLOAD is refused from the header alone", () => {
    const header = rawHeader([...new TextEncoder().encode("block")], MAX_PAYLOAD + 1);
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    decoder.push(header.subarray(0, 20)); // magic, command, length: no checksum, no payload
    const err = decodeErrorOf(() => decoder.next());
    expect(err.kind).toBe("bound");
    expect(err.bound).toBe(MAX_PAYLOAD);
    expect(err.command).toBe("block");
    expect(decoder.buffered).toBe(20);
  });

  test("a payload of exactly MAX_PAYLOAD is accepted", () => {
    const payload = new Uint8Array(MAX_PAYLOAD).fill(7);
    const frame = encodeFrame(MAINNET_MAGIC, "block", payload, sha256);
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    const half = MAX_PAYLOAD / 2;
    const frames = decodeAll(decoder, [frame.subarray(0, half), frame.subarray(half)]);
    expect(frames.length).toBe(1);
    expect(frames[0].payload.length).toBe(MAX_PAYLOAD);
    expect(frames[0].payload[MAX_PAYLOAD - 1]).toBe(7);
  });

  test("the vector's bad checksum is rejected; the next frame still decodes", () => {
    const bad = WIRE.invalid.find((v) => v.name === "version_bad_checksum")!;
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    decoder.push(concat([fromHex(bad.message_hex!), messages[4]]));
    const err = decodeErrorOf(() => decoder.next());
    expect(err.kind).toBe("checksum");
    expect(err.command).toBe("version");
    expect(decoder.next()?.command).toBe(WIRE.vectors[4].command);
    expect(decoder.next()).toBe(null);
  });

  test("command fields: non-printable, bytes after NUL padding and empty are invalid", () => {
    const cases = [
      [0x70, 0x69, 0x6e, 0x0a], // "pin\n"
      [0x70, 0x69, 0x00, 0x67], // "pi\0g"
      [], // all NUL
      [0x70, 0x69, 0x6e, 0x67, 0, 0, 0, 0, 0, 0, 0, 1],
    ];
    for (const field of cases) {
      const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
      decoder.push(rawHeader(field, 0));
      expect(decodeErrorOf(() => decoder.next()).kind).toBe("invalid");
    }
    const ok = new FrameDecoder(MAINNET_MAGIC, sha256);
    ok.push(rawHeader([...new TextEncoder().encode("twelve_chars")], 0));
    expect(ok.next()?.command).toBe("twelve_chars");
  });

  test("an unknown command is just a frame", () => {
    const frame = encodeFrame(MAINNET_MAGIC, "sendtxrcncl", new Uint8Array([1, 2]), sha256);
    const frames = decodeAll(new FrameDecoder(MAINNET_MAGIC, sha256), [frame]);
    expect(frames[0].command).toBe("sendtxrcncl");
    expect([...frames[0].payload]).toEqual([1, 2]);
  });

  test("a large payload in chunks of every size, views and short pieces mixed, comes out whole", () => {
    const payload = new Uint8Array(300_000).map((_, i) => (i * 2654435761) >>> 24);
    const frame = encodeFrame(MAINNET_MAGIC, "block", payload, sha256);
    // Chunk sizes cycle from one byte to 40 KiB; every chunk a buffer of its own or views of one.
    const sizes = [1, 7, 16 * 1024, 3, 40 * 1024, 100, 20 * 1024 - 1, 9_000];
    for (const own of [true, false]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0, k = 0; at < frame.length; k++) {
        const piece = frame.subarray(at, at + sizes[k % sizes.length]);
        chunks.push(own ? piece.slice() : piece);
        at += piece.length;
      }
      const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
      const [decoded] = decodeAll(decoder, chunks);
      expect(toHex(decoded.payload)).toBe(toHex(payload));
      expect(decoded.claimed).toBe(null);
      expect(decoder.buffered).toBe(0);
    }
  });

  test("unchecked commands: a large payload comes with its claimed checksum, unverified", () => {
    const large = new Uint8Array(CHECKSUM_MEMO_MIN_PAYLOAD).fill(9);
    const good = encodeFrame(MAINNET_MAGIC, "block", large, sha256);
    const bad = good.slice();
    bad[HEADER_SIZE - 1] ^= 1;
    const small = encodeFrame(MAINNET_MAGIC, "block", large.subarray(1), sha256);
    small[HEADER_SIZE - 1] ^= 1;
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256, new Set(["block"]));
    decoder.push(concat([bad, small, good]));
    const first = decoder.next()!;
    expect(toHex(first.claimed!)).toBe(toHex(bad.subarray(HEADER_SIZE - 4, HEADER_SIZE)));
    expect(decodeErrorOf(() => decoder.next()).kind).toBe("checksum");
    expect(toHex(decoder.next()!.claimed!)).toBe(
      toHex(good.subarray(HEADER_SIZE - 4, HEADER_SIZE)),
    );
  });

  test("pushing before the previous chunk is drained is a usage error", () => {
    const decoder = new FrameDecoder(MAINNET_MAGIC, sha256);
    decoder.push(stream);
    expect(decoder.next()).not.toBe(null);
    expect(() => decoder.push(stream)).toThrow(Error);
  });
});

describe("forwarding a received payload", () => {
  /** `sha256` that counts its calls. */
  function counting(): { hasher: Sha256; calls: () => number } {
    let calls = 0;
    return {
      hasher: (d) => {
        calls++;
        return sha256(d);
      },
      calls: () => calls,
    };
  }

  /** A frame of `length` pseudo-random payload bytes, and the payload a decoder returns for it. */
  function received(length: number, chunks: number): { frame: Uint8Array; payload: Uint8Array } {
    const payload = new Uint8Array(length).map((_, i) => (i * 2654435761) >>> 24);
    const frame = encodeFrame(MAINNET_MAGIC, "block", payload, sha256);
    const step = Math.ceil(frame.length / chunks);
    const parts = [];
    for (let at = 0; at < frame.length; at += step) parts.push(frame.subarray(at, at + step));
    const [decoded] = decodeAll(new FrameDecoder(MAINNET_MAGIC, sha256), parts);
    return { frame, payload: decoded.payload };
  }

  for (const chunks of [1, 7]) {
    test(`a large decoded payload (${chunks} chunk(s)) is re-framed without hashing it again`, () => {
      const { frame, payload } = received(CHECKSUM_MEMO_MIN_PAYLOAD, chunks);
      const { hasher, calls } = counting();
      const header = encodeHeader(MAINNET_MAGIC, "block", payload, hasher);
      expect(calls()).toBe(0);
      expect(toHex(header)).toBe(toHex(frame.subarray(0, HEADER_SIZE)));
    });
  }

  test("equal bytes in another array, and small payloads, are hashed", () => {
    const { frame, payload } = received(CHECKSUM_MEMO_MIN_PAYLOAD, 1);
    const { hasher, calls } = counting();
    const header = encodeHeader(MAINNET_MAGIC, "block", payload.slice(), hasher);
    expect(calls()).toBe(2);
    expect(toHex(header)).toBe(toHex(frame.subarray(0, HEADER_SIZE)));

    const small = received(CHECKSUM_MEMO_MIN_PAYLOAD - 1, 1);
    const before = calls();
    const smallHeader = encodeHeader(MAINNET_MAGIC, "block", small.payload, hasher);
    expect(calls()).toBe(before + 2);
    expect(toHex(smallHeader)).toBe(toHex(small.frame.subarray(0, HEADER_SIZE)));
  });
});
