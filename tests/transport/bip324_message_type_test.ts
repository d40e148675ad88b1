/** v2 message types: BIP324's short id table (constants.json), long ids, and refused types. */
import { describe, expect, test } from "bun:test";
import { decodeMessageType, encodeMessageType } from "../../src/transport/bip324_message_type.ts";
import { Bip324PacketError } from "../../src/transport/bip324_packet_error.ts";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { BIP324_CONSTANTS } from "./bip324_vectors.ts";

const TABLE = Object.entries(BIP324_CONSTANTS.message_type_ids).map(([id, name]) =>
  [Number(id), name] as const
);

/** The contents of a message: its type bytes, then the payload. */
function contentsOf(command: string, payload: Uint8Array): Uint8Array {
  const type = encodeMessageType(command);
  const out = new Uint8Array(type.length + payload.length);
  out.set(type, 0);
  out.set(payload, type.length);
  return out;
}

/** The error kind `decodeMessageType` gives for `contents` (fails if it decodes). */
function refusal(contents: Uint8Array): string {
  const result = decodeMessageType(contents);
  expect(result).toBeInstanceOf(Bip324PacketError);
  return (result as Bip324PacketError).kind;
}

describe("short message type ids", () => {
  test("BIP324's table (ids 1-28) encodes to one byte and decodes back", () => {
    expect(TABLE.length).toBe(28);
    for (const [id, name] of TABLE) {
      expect(toHex(encodeMessageType(name))).toBe(toHex(Uint8Array.of(id)));
      const payload = Uint8Array.of(id, 1, 2);
      expect(decodeMessageType(contentsOf(name, payload))).toEqual({ command: name, payload });
    }
  });

  test("ids Core leaves unassigned (29-36) and past its table (38-255) are refused", () => {
    for (let id = 29; id < 256; id++) {
      if (id !== 37) expect(refusal(Uint8Array.of(id, 0, 0))).toBe("type");
    }
  });

  test("37 is BIP434's feature, as in Core's table, both ways", () => {
    expect(decodeMessageType(Uint8Array.of(37, 5))).toEqual({
      command: "feature",
      payload: Uint8Array.of(5),
    });
    expect(toHex(encodeMessageType("feature"))).toBe("25");
  });

  test("a short id with no payload decodes to an empty payload", () => {
    expect(decodeMessageType(Uint8Array.of(15))).toEqual({
      command: "mempool",
      payload: new Uint8Array(0),
    });
  });
});

describe("long message types", () => {
  test("types without a short id go long: a 0 byte and the 12-byte NUL-padded name", () => {
    for (
      const name of ["version", "verack", "sendaddrv2", "wtxidrelay", "getaddr", "abcdefghijkl"]
    ) {
      const type = encodeMessageType(name);
      expect(type.length).toBe(13);
      expect(type[0]).toBe(0);
      const payload = Uint8Array.of(9, 8, 7);
      expect(decodeMessageType(contentsOf(name, payload))).toEqual({ command: name, payload });
    }
  });

  test("constants.json's getblocktxn example decodes both ways to the same message", () => {
    const { message_type_encoding: m } = BIP324_CONSTANTS as unknown as {
      message_type_encoding: {
        example_getblocktxn_short: string;
        example_getblocktxn_long: string;
      };
    };
    for (const hex of [m.example_getblocktxn_short, m.example_getblocktxn_long]) {
      expect(decodeMessageType(fromHex(hex))).toEqual({
        command: "getblocktxn",
        payload: new Uint8Array(0),
      });
    }
    expect(toHex(encodeMessageType("getblocktxn"))).toBe(m.example_getblocktxn_short);
  });

  test("empty contents, a cut-short, empty, unpadded or non-printable long type are refused", () => {
    expect(refusal(new Uint8Array(0))).toBe("type");
    expect(refusal(fromHex("0076657273696f6e00000000"))).toBe("type"); // 11 of 12 name bytes
    expect(refusal(new Uint8Array(13))).toBe("type"); // an empty name
    expect(refusal(fromHex("0076657273696f6e0000000100"))).toBe("type"); // a byte after the NUL
    expect(refusal(fromHex("0076651f73696f6e0000000000"))).toBe("type"); // 0x1f
    expect(refusal(fromHex("00766580736900000000000000"))).toBe("type"); // 0x80
  });

  test("a name that is not 1-12 printable ASCII characters cannot be sent", () => {
    for (const bad of ["", "abcdefghijklm", "caf\u00e9", "a\nb"]) {
      expect(() => encodeMessageType(bad)).toThrow(RangeError);
    }
  });
});
