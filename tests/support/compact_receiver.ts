/**
 * The receiving side of BIP152, for tests that play a Core peer with a
 * mempool: a block rebuilt from a `cmpctblock` (prefilled transactions at
 * their indexes, the others matched by short id against the transactions
 * the receiver has), the indexes still missing (to ask with `getblocktxn`),
 * then the block filled in from the `blocktxn` answer. btc-edge itself
 * never does this (it has no mempool), so this lives with the tests.
 */
import type { Sha256 } from "../../src/platform/hash.ts";
import { encodeBlock } from "../../src/wire/block.ts";
import { encodeBlockHeader } from "../../src/wire/block_header.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { type CmpctBlockMessage, cmpctBlockTxCount } from "../../src/wire/messages/cmpctblock.ts";
import { SHORT_ID_SIZE, shortIdKey, shortIds } from "../../src/wire/short_ids.ts";
import { computeWtxid } from "../../src/wire/tx.ts";

/** A block being rebuilt from its compact form. */
export class PartialBlock {
  readonly #msg: CmpctBlockMessage;
  /** Transaction per index; null where it is still missing. */
  readonly #txs: (Uint8Array | null)[];

  /** Places the prefilled transactions, then those of `mempool` whose short id matches. */
  constructor(sha256: Sha256, msg: CmpctBlockMessage, mempool: readonly Uint8Array[]) {
    this.#msg = msg;
    const count = cmpctBlockTxCount(msg);
    this.#txs = new Array(count).fill(null);
    for (const p of msg.prefilled) this.#txs[p.index] = p.tx;
    const key = shortIdKey(sha256, encodeBlockHeader(msg.header), msg.nonce);
    const bySlot = new Map<string, number>();
    for (let slot = 0, i = 0; slot < count; slot++) {
      if (this.#txs[slot] !== null) continue;
      const id = msg.shortIds.subarray(i * SHORT_ID_SIZE, (i + 1) * SHORT_ID_SIZE);
      bySlot.set(toHex(id), slot);
      i++;
    }
    for (const tx of mempool) {
      const slot = bySlot.get(toHex(shortIds(key, computeWtxid(sha256, tx))));
      if (slot !== undefined) this.#txs[slot] = tx;
    }
  }

  /** The indexes still missing, increasing (what `getblocktxn` asks for). */
  missing(): number[] {
    const out: number[] = [];
    this.#txs.forEach((tx, i) => tx === null && out.push(i));
    return out;
  }

  /** The serialized block, the missing transactions taken from `txs` in order. */
  fill(txs: readonly Uint8Array[] = []): Uint8Array {
    const missing = this.missing();
    if (txs.length !== missing.length) {
      throw new Error(`${txs.length} transactions for ${missing.length} missing`);
    }
    const all = this.#txs.slice();
    missing.forEach((index, i) => (all[index] = txs[i]));
    return encodeBlock(this.#msg.header, all as Uint8Array[]);
  }
}
