/** Transactions: legacy and segwit vectors, the 1 MB transaction, and malformed encodings. */
import { describe, expect, test } from "bun:test";
import { ByteReader, fromHex, hashToHex, toHex } from "../../src/wire/bytes.ts";
import {
  computeTxid,
  computeWtxid,
  decodeTx,
  encodeTx,
  scanTx,
  strippedTxSize,
  stripWitness,
  txHasWitness,
} from "../../src/wire/tx.ts";
import { expectDecodeError } from "../support/assertions.ts";
import { nodeSha256 as sha256, vectorBytes, vectorJson } from "../support/vectors.ts";

interface TxVector {
  name: string;
  command: string;
  payload_hex: string;
  fields: {
    segwit: boolean;
    inputs: number;
    outputs: number;
    txid: string;
    wtxid: string;
    size: number;
  };
}

const txVectors: TxVector[] = vectorJson<{ vectors: TxVector[] }>("wire-vectors.json")
  .vectors.filter((v) => v.command === "tx");

const SEGWIT_HEX = txVectors.find((v) => v.fields.segwit)!.payload_hex;

describe("transaction vectors", () => {
  test("the wire vectors hold one legacy and one segwit transaction", () => {
    expect(txVectors.map((v) => v.fields.segwit).sort()).toEqual([false, true]);
  });

  for (const v of txVectors) {
    test(`${v.name}: fields, txid, wtxid and re-encoding`, () => {
      const raw = fromHex(v.payload_hex);
      expect(raw.length).toBe(v.fields.size);
      const tx = decodeTx(raw);
      expect(tx.inputs.length).toBe(v.fields.inputs);
      expect(tx.outputs.length).toBe(v.fields.outputs);
      expect(txHasWitness(tx)).toBe(v.fields.segwit);
      expect(hashToHex(computeTxid(sha256, raw))).toBe(v.fields.txid);
      expect(hashToHex(computeWtxid(sha256, raw))).toBe(v.fields.wtxid);
      expect(toHex(encodeTx(tx))).toBe(v.payload_hex);
      expect(hashToHex(computeWtxid(sha256, encodeTx(tx, false)))).toBe(v.fields.txid);
    });
  }

  test("the segwit vector's parts: outpoint, amounts, witness stack", () => {
    const tx = decodeTx(fromHex(SEGWIT_HEX));
    expect(tx.version).toBe(1);
    expect(hashToHex(tx.inputs[0].prevTxid)).toBe(
      "cdf91f4867945223a8fe68593158c9d9a23d261874597630f0665713d55233a5",
    );
    expect(tx.inputs[0].prevIndex).toBe(19);
    expect(tx.inputs[0].sequence).toBe(0xffffffff);
    expect(tx.outputs[0].value).toBe(395019n);
    expect(toHex(tx.outputs[0].script)).toBe("00149ddac6f39d51e0398e532a22c41ba189406a8523");
    expect(tx.inputs[0].witness.map((w) => w.length)).toEqual([70, 33]);
    expect(tx.lockTime).toBe(0);
  });

  test("scanTx finds the witness section, and stripping gives the legacy encoding", () => {
    const raw = fromHex(SEGWIT_HEX);
    const r = new ByteReader(raw);
    const witness = scanTx(r);
    expect(r.pos).toBe(raw.length);
    expect(toHex(raw.subarray(witness, witness + 3))).toBe("024630"); // 2 items, first is 70 bytes
    const out = new Uint8Array(strippedTxSize(0, witness, raw.length));
    expect(stripWitness(raw, 0, witness, raw.length, out)).toBe(out.length);
    expect(toHex(out)).toBe(toHex(encodeTx(decodeTx(raw), false)));
    const legacy = fromHex(txVectors.find((v) => !v.fields.segwit)!.payload_hex);
    expect(scanTx(new ByteReader(legacy))).toBe(0);
  });

  test("the 1 MB transaction bb41a757…: 5569 inputs, 1 output, its txid", () => {
    const raw = vectorBytes("tx-bb41a757.raw");
    const tx = decodeTx(raw);
    expect(tx.inputs.length).toBe(5569);
    expect(tx.outputs.length).toBe(1);
    expect(hashToHex(computeTxid(sha256, raw))).toBe(
      "bb41a757f405890fb0f5856228e23b715702d714d59bf2b1feb70d8b2b4e3e08",
    );
    expect(encodeTx(tx).length).toBe(raw.length);
    expect(toHex(encodeTx(tx)) === toHex(raw)).toBe(true);
  });
});

describe("malformed transactions", () => {
  test("every truncation of the segwit vector is a DecodeError", () => {
    const raw = fromHex(SEGWIT_HEX);
    for (let cut = 0; cut < raw.length; cut++) {
      expectDecodeError(() => decodeTx(raw.subarray(0, cut)));
      expectDecodeError(() => computeTxid(sha256, raw.subarray(0, cut)));
    }
  });

  test("a trailing byte is a DecodeError of kind trailing", () => {
    const raw = fromHex(SEGWIT_HEX + "00");
    expectDecodeError(() => decodeTx(raw), "trailing");
    expectDecodeError(() => computeTxid(sha256, raw), "trailing");
  });

  test("the segwit flag with only empty witness stacks is invalid (superfluous witness)", () => {
    const tx = decodeTx(fromHex(SEGWIT_HEX));
    const legacy = encodeTx(tx, false);
    // version | 00 01 | inputs | outputs | one empty stack | lockTime
    const body = toHex(legacy.subarray(4, legacy.length - 4));
    const raw = fromHex(toHex(legacy.subarray(0, 4)) + "0001" + body + "00" + "00000000");
    expectDecodeError(() => decodeTx(raw), "invalid");
    expectDecodeError(() => computeTxid(sha256, raw), "invalid");
  });

  test("unknown flag bits are invalid", () => {
    for (const flags of ["02", "03", "ff"]) {
      const raw = fromHex(SEGWIT_HEX.slice(0, 10) + flags + SEGWIT_HEX.slice(12));
      expectDecodeError(() => decodeTx(raw), "invalid");
      expectDecodeError(() => scanTx(new ByteReader(raw)), "invalid");
    }
  });

  test("marker with flags 0 reads as no inputs and no outputs, as Core does", () => {
    const tx = decodeTx(fromHex("01000000" + "0000" + "00000000"));
    expect(tx.inputs.length).toBe(0);
    expect(tx.outputs.length).toBe(0);
  });

  test("counts that cannot fit in the remaining bytes are bound errors", () => {
    // 253 inputs declared with 100 bytes left.
    expectDecodeError(() => decodeTx(fromHex("01000000" + "fdfd00" + "00".repeat(100))), "bound");
    // One input, then 10,000 outputs declared.
    const input = "11".repeat(36) + "00" + "ffffffff";
    expectDecodeError(
      () => decodeTx(fromHex("01000000" + "01" + input + "fd1027" + "00".repeat(50))),
      "bound",
    );
  });

  test("a non-canonical CompactSize is invalid", () => {
    const input = "11".repeat(36) + "00" + "ffffffff";
    expectDecodeError(
      () => decodeTx(fromHex("01000000" + "fd0100" + input + "00" + "00000000")),
      "invalid",
    );
  });

  test("a script length past the end is truncated", () => {
    const input = "11".repeat(36) + "fd0001" + "ffffffff";
    expectDecodeError(
      () => decodeTx(fromHex("01000000" + "01" + input + "00" + "00000000")),
      "truncated",
    );
  });
});
