/** ByteWriter growth: every write method lands in the grown buffer (regression test). */
import { describe, expect, test } from "bun:test";
import { ByteWriter, toHex } from "../../src/wire/bytes.ts";

describe("ByteWriter growth", () => {
  test("writes that cross the initial capacity are kept, for every method", () => {
    const w = new ByteWriter(1)
      .u8(0x01)
      .u16le(0x0302)
      .u16be(0x0405)
      .u32le(0x09080706)
      .i32le(-1)
      .u64le(0x1112131415161718n)
      .i64le(-2n)
      .bytes(new Uint8Array(20).fill(0xaa))
      .varint(0x10000);
    expect(toHex(w.finish())).toBe(
      "01" + "0203" + "0405" + "06070809" + "ffffffff" + "1817161514131211" +
        "feffffffffffffff" + "aa".repeat(20) + "fe00000100",
    );
  });

  test("a zero initial capacity grows", () => {
    expect(new ByteWriter(0).u8(7).bytes(new Uint8Array(100)).finish().length).toBe(101);
  });
});
