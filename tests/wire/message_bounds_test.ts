/** Every message bound: accepted at the limit, a "bound" DecodeError naming it at limit + 1. */
import { describe, expect, test } from "bun:test";
import { MAX_BLOCK_TXS } from "../../src/wire/block.ts";
import { ByteWriter } from "../../src/wire/bytes.ts";
import { DecodeError } from "../../src/wire/errors.ts";
import { decodeMessage, encodeMessage, type Message } from "../../src/wire/message.ts";
import { MAX_ADDR_ENTRIES } from "../../src/wire/messages/addr.ts";
import { MAX_HEADERS, MAX_LOCATOR_HASHES } from "../../src/wire/messages/headers.ts";
import { MAX_INV_ENTRIES, MSG_TX } from "../../src/wire/messages/inv.ts";
import { MAX_REJECT_COMMAND, MAX_REJECT_REASON } from "../../src/wire/messages/reject.ts";
import { MAX_USER_AGENT } from "../../src/wire/messages/version.ts";
import { fromHex } from "../../src/wire/bytes.ts";
import { WIRE } from "./wire_vectors.ts";

/** Expects decoding to fail with kind "bound", the limit, and the command named. */
function expectBound(command: string, payload: Uint8Array, limit: number): void {
  try {
    decodeMessage(command, payload);
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    const err = e as DecodeError;
    expect(err.kind).toBe("bound");
    expect(err.bound).toBe(limit);
    expect(err.command).toBe(command);
    expect(err.message).toContain(command);
    expect(err.message).toContain(String(limit));
    return;
  }
  throw new Error(`${command}: expected a bound error at ${limit}`);
}

/** `count` repetitions of `entry` after a CompactSize count, then `tail`. */
function repeated(
  count: number,
  entry: Uint8Array,
  head: Uint8Array = new Uint8Array(0),
  tail: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const w = new ByteWriter(16 + count * entry.length).bytes(head).varint(count);
  for (let i = 0; i < count; i++) w.bytes(entry);
  return w.bytes(tail).finish();
}

const ADDR_V1_ENTRY = fromHex(
  "29ab5f49" + "0100000000000000" + "00000000000000000000ffff7f000001" + "208d",
);
const ADDR_V2_ENTRY = fromHex("29ab5f49" + "01" + "01" + "04" + "7f000001" + "208d");
const INV_ENTRY = new Uint8Array(36).fill(1);
const HEADER_ENTRY = fromHex(WIRE.vectors.find((v) => v.name === "headers_block1")!.payload_hex)
  .subarray(1);
const HASH = new Uint8Array(32).fill(3);
/** A header and nonce: what precedes the short ids of a `cmpctblock`. */
const CMPCT_HEAD = new Uint8Array(88).fill(5);
/** An index gap of 0 (the next index). */
const NEXT_INDEX = Uint8Array.of(0);
/** A one-input one-output transaction. */
const SMALL_TX = fromHex(
  "01000000" + "01" + "11".repeat(32) + "00000000" + "00" + "ffffffff" +
    "01" + "0000000000000000" + "00" + "00000000",
);

describe("count bounds", () => {
  const cases: [string, number, Uint8Array, Uint8Array?, Uint8Array?][] = [
    ["addr", MAX_ADDR_ENTRIES, ADDR_V1_ENTRY],
    ["addrv2", MAX_ADDR_ENTRIES, ADDR_V2_ENTRY],
    ["inv", MAX_INV_ENTRIES, INV_ENTRY],
    ["getdata", MAX_INV_ENTRIES, INV_ENTRY],
    ["notfound", MAX_INV_ENTRIES, INV_ENTRY],
    ["headers", MAX_HEADERS, HEADER_ENTRY],
    ["getheaders", MAX_LOCATOR_HASHES, HASH, fromHex("7f110100"), HASH],
    ["getblocks", MAX_LOCATOR_HASHES, HASH, fromHex("7f110100"), HASH],
    ["cmpctblock", MAX_BLOCK_TXS, new Uint8Array(6).fill(7), CMPCT_HEAD, Uint8Array.of(0)],
    ["getblocktxn", MAX_BLOCK_TXS, NEXT_INDEX, HASH],
    ["blocktxn", MAX_BLOCK_TXS, SMALL_TX, HASH],
  ];
  for (const [command, limit, entry, head, tail] of cases) {
    test(`${command}: ${limit} entries decode, ${limit + 1} is a bound error`, () => {
      const msg = decodeMessage(command, repeated(limit, entry, head, tail));
      expect(msg.command).toBe(command);
      expect(encodeMessage(msg)).toEqual(repeated(limit, entry, head, tail));
      expectBound(command, repeated(limit + 1, entry, head, tail), limit);
    });
  }

  test("the limits are Core's", () => {
    expect([MAX_ADDR_ENTRIES, MAX_INV_ENTRIES, MAX_HEADERS, MAX_LOCATOR_HASHES]).toEqual([
      1_000,
      50_000,
      2_000,
      101,
    ]);
  });

  test("encoders refuse to build a message past a bound", () => {
    const addr = decodeMessage("addr", repeated(1, ADDR_V1_ENTRY));
    const inv = decodeMessage("inv", repeated(1, INV_ENTRY));
    const headers = decodeMessage("headers", repeated(1, HEADER_ENTRY));
    if (addr.command !== "addr" || inv.command !== "inv" || headers.command !== "headers") {
      throw new Error("wrong command");
    }
    const over: Message[] = [
      { command: "addr", addresses: new Array(MAX_ADDR_ENTRIES + 1).fill(addr.addresses[0]) },
      { command: "inv", items: new Array(MAX_INV_ENTRIES + 1).fill(inv.items[0]) },
      { command: "headers", headers: new Array(MAX_HEADERS + 1).fill(headers.headers[0]) },
      {
        command: "getheaders",
        version: 1,
        locator: new Array(MAX_LOCATOR_HASHES + 1).fill(HASH),
        hashStop: HASH,
      },
      { command: "inv", items: [{ type: MSG_TX, hash: new Uint8Array(31) }] },
    ];
    for (const msg of over) expect(() => encodeMessage(msg)).toThrow(RangeError);
  });
});

describe("length bounds", () => {
  /** A version payload with a user agent of `n` bytes. */
  function versionWithAgent(n: number): Uint8Array {
    const v = fromHex(WIRE.vectors.find((x) => x.name === "version_btcd_70001_bip37")!.payload_hex);
    const agentAt = 4 + 8 + 8 + 26 + 26 + 8;
    const w = new ByteWriter().bytes(v.subarray(0, agentAt)).varint(n);
    w.bytes(new Uint8Array(n).fill(0x61));
    return w.bytes(v.subarray(agentAt + 1 + v[agentAt])).finish();
  }

  test(`version: a ${MAX_USER_AGENT}-byte user agent decodes, ${MAX_USER_AGENT + 1} is a bound error`, () => {
    const msg = decodeMessage("version", versionWithAgent(MAX_USER_AGENT));
    expect(msg.command === "version" && msg.userAgent).toBe("a".repeat(MAX_USER_AGENT));
    expect(encodeMessage(msg)).toEqual(versionWithAgent(MAX_USER_AGENT));
    expectBound("version", versionWithAgent(MAX_USER_AGENT + 1), MAX_USER_AGENT);
    if (msg.command !== "version") throw new Error("wrong command");
    expect(() => encodeMessage({ ...msg, userAgent: "a".repeat(MAX_USER_AGENT + 1) })).toThrow(
      RangeError,
    );
  });

  test("addrv2: a 512-byte address of an unknown network is skipped, 513 is a bound error", () => {
    const entry = (n: number) =>
      new ByteWriter().bytes(fromHex("29ab5f49" + "01" + "fa")).varint(n)
        .bytes(new Uint8Array(n)).bytes(fromHex("208d")).finish();
    const one = (n: number) => repeated(1, entry(n));
    const ok = decodeMessage("addrv2", one(512));
    expect(ok.command === "addrv2" && ok.addresses.length).toBe(0);
    expectBound("addrv2", one(513), 512);
  });

  test(`reject: command up to ${MAX_REJECT_COMMAND} bytes, reason up to ${MAX_REJECT_REASON}`, () => {
    const reject = (command: number, reason: number) =>
      new ByteWriter().varint(command).bytes(new Uint8Array(command).fill(0x74)).u8(0x10)
        .varint(reason).bytes(new Uint8Array(reason).fill(0x72)).finish();
    const ok = decodeMessage("reject", reject(MAX_REJECT_COMMAND, MAX_REJECT_REASON));
    expect(encodeMessage(ok)).toEqual(reject(MAX_REJECT_COMMAND, MAX_REJECT_REASON));
    expectBound("reject", reject(MAX_REJECT_COMMAND + 1, 0), MAX_REJECT_COMMAND);
    expectBound("reject", reject(1, MAX_REJECT_REASON + 1), MAX_REJECT_REASON);
  });
});
