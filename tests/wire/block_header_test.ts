/** Block headers: fields, encoding, hashing, and bad lengths. */
import { describe, expect, test } from "bun:test";
import {
  BLOCK_HEADER_SIZE,
  blockHeaderHash,
  decodeBlockHeader,
  encodeBlockHeader,
  readBlockHeader,
  writeBlockHeader,
} from "../../src/wire/block_header.ts";
import { ByteReader, ByteWriter, fromHex, hashToHex, toHex } from "../../src/wire/bytes.ts";
import { DecodeError } from "../../src/wire/errors.ts";
import { mainnetHeaderHex, nodeSha256 as sha256 } from "../support/vectors.ts";

const lines = mainnetHeaderHex();

const BLOCK_1 = lines[1];

describe("block header", () => {
  test("block 1's fields and hash", () => {
    const header = decodeBlockHeader(fromHex(BLOCK_1));
    expect(header.version).toBe(1);
    expect(hashToHex(header.prevBlock)).toBe(
      "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    );
    expect(hashToHex(header.merkleRoot)).toBe(
      "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098",
    );
    expect(header.time).toBe(1231469665);
    expect(header.bits).toBe(0x1d00ffff);
    expect(header.nonce).toBe(2573394689);
    expect(hashToHex(blockHeaderHash(sha256, fromHex(BLOCK_1)))).toBe(
      "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048",
    );
  });

  test("all 256 headers re-encode byte for byte, through both encoders", () => {
    for (const line of lines) {
      const header = decodeBlockHeader(fromHex(line));
      expect(toHex(encodeBlockHeader(header))).toBe(line);
      const w = new ByteWriter(8);
      writeBlockHeader(w, header);
      expect(toHex(w.finish())).toBe(line);
    }
  });

  test("readBlockHeader reads 80 bytes and leaves the rest", () => {
    const bytes = fromHex(BLOCK_1 + "00");
    const r = new ByteReader(bytes);
    readBlockHeader(r);
    expect(r.pos).toBe(BLOCK_HEADER_SIZE);
  });

  test("the hash fields are copies, not views of the input", () => {
    const bytes = fromHex(BLOCK_1);
    const header = decodeBlockHeader(bytes);
    bytes.fill(0);
    expect(hashToHex(header.prevBlock)).toBe(
      "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    );
  });

  test("the version is signed and survives a round trip", () => {
    const header = decodeBlockHeader(fromHex("ffffffff" + BLOCK_1.slice(8)));
    expect(header.version).toBe(-1);
    expect(toHex(encodeBlockHeader(header)).slice(0, 8)).toBe("ffffffff");
  });

  test("79 or 81 bytes are DecodeErrors", () => {
    expect(() => decodeBlockHeader(fromHex(BLOCK_1.slice(2)))).toThrow(DecodeError);
    expect(() => decodeBlockHeader(fromHex(BLOCK_1 + "00"))).toThrow(DecodeError);
    expect(() => blockHeaderHash(sha256, fromHex(BLOCK_1.slice(2)))).toThrow(DecodeError);
  });
});
