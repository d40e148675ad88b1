/** BIP141 witness commitment: finding it in the coinbase and checking it. */
import { describe, expect, test } from "bun:test";
import {
  blockTx,
  blockTxids,
  blockWtxids,
  decodeBlock,
  encodeBlock,
} from "../../src/wire/block.ts";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { decodeTx, encodeTx, type TxOut } from "../../src/wire/tx.ts";
import { checkWitnessCommitment, findWitnessCommitment } from "../../src/wire/witness.ts";
import { nodeSha256 as sha256, vectorBytes } from "../support/vectors.ts";

function out(scriptHex: string): TxOut {
  return { value: 0n, script: fromHex(scriptHex) };
}

const HEADER = "6a24aa21a9ed";

describe("findWitnessCommitment", () => {
  test("no matching output gives null", () => {
    expect(findWitnessCommitment([out("76a914" + "00".repeat(20) + "88ac"), out("6a")])).toBe(null);
  });

  test("the 32 bytes after the header are the commitment; extra bytes are allowed", () => {
    const found = findWitnessCommitment([out(HEADER + "11".repeat(32) + "ff")]);
    expect(toHex(found!)).toBe("11".repeat(32));
  });

  test("a script shorter than 38 bytes does not count", () => {
    expect(findWitnessCommitment([out(HEADER + "11".repeat(31))])).toBe(null);
  });

  test("when several outputs match, the last wins", () => {
    const outputs = [out(HEADER + "11".repeat(32)), out("51"), out(HEADER + "22".repeat(32))];
    expect(toHex(findWitnessCommitment(outputs)!)).toBe("22".repeat(32));
  });
});

describe("checkWitnessCommitment", () => {
  test("segwit blocks 540107 and 574200 carry a valid commitment", () => {
    for (const file of ["block-540107.raw", "block-574200.raw"]) {
      const block = decodeBlock(vectorBytes(file));
      const check = checkWitnessCommitment(sha256, block, blockTxids(sha256, block));
      expect(check.status).toBe("valid");
      expect(toHex(check.computed!)).toBe(toHex(check.committed!));
      // The wtxids it hashed are handed back (a compact block needs them).
      expect(toHex(check.wtxids!)).toBe(toHex(blockWtxids(sha256, block)));
      // Without precomputed txids the result is the same.
      expect(checkWitnessCommitment(sha256, block).status).toBe("valid");
    }
  });

  test("a legacy block has none", () => {
    const check = checkWitnessCommitment(sha256, decodeBlock(vectorBytes("block-413567.raw")));
    expect(check).toEqual({ status: "none", committed: null, computed: null, wtxids: null });
  });

  test("only the last commitment output counts", () => {
    const block = decodeBlock(vectorBytes("block-574200.raw"));
    const coinbase = decodeTx(blockTx(block, 0));
    const rest = Array.from({ length: block.txCount - 1 }, (_, i) => blockTx(block, i + 1));
    const real = coinbase.outputs;
    const wrong = out(HEADER + "00".repeat(32));
    const withOutputs = (outputs: TxOut[]) => {
      const changed = encodeTx({ ...coinbase, outputs });
      return checkWitnessCommitment(
        sha256,
        decodeBlock(encodeBlock(block.header, [changed, ...rest])),
      );
    };
    expect(withOutputs([wrong, ...real]).status).toBe("valid");
    expect(withOutputs([...real, wrong]).status).toBe("bad-witness-merkle-match");
  });
});
