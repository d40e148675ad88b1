/**
 * The honest chain of a simulated world: regtest blocks mined on a schedule
 * by the scenario (the mining function is injected: the scenario's caller
 * builds the blocks), kept in order with their headers, so the scenario can
 * submit each to a node and a simulated attacker can serve the chain, or a
 * stale prefix of it (`headersAfter` and `block` up to a height), the way a
 * peer answers `getheaders` and `getdata`.
 */
import type { Sha256 } from "../src/platform/hash.ts";
import { type BlockHeader, blockHeaderHash, decodeBlockHeader } from "../src/wire/block_header.ts";
import { hashToHex, hexToHash } from "../src/wire/bytes.ts";
import { MAX_HEADERS } from "../src/wire/messages/headers.ts";
import type { NetworkParams } from "../src/wire/params.ts";

/** Builds the block at `height` on `prev` (wire order) stamped `timeSeconds`. */
export type MineBlock = (prev: Uint8Array, height: number, timeSeconds: number) => Uint8Array;

/** A chain of mined blocks on the network's genesis. */
export class SimChain {
  readonly #sha256: Sha256;
  readonly #mine: MineBlock;
  /** Block hashes by height, wire order (genesis at 0). */
  readonly #hashes: Uint8Array[];
  /** Display hex of the same, for lookups. */
  readonly #heights = new Map<string, number>();
  /** Headers by height (genesis excluded: index 0 is height 1). */
  readonly #headers: BlockHeader[] = [];
  /** Blocks by height (index 0 is height 1). */
  readonly #blocks: Uint8Array[] = [];

  constructor(params: NetworkParams, sha256: Sha256, mine: MineBlock) {
    this.#sha256 = sha256;
    this.#mine = mine;
    this.#hashes = [hexToHash(params.genesisHash)];
    this.#heights.set(params.genesisHash, 0);
  }

  /** Height of the last block mined (0: genesis only). */
  get height(): number {
    return this.#hashes.length - 1;
  }

  /** Display hex of the block at `height` (default: the tip), as `/status` shows a tip. */
  hashHex(height: number = this.height): string {
    return hashToHex(this.#hashes[height]);
  }

  /** Height of the block whose display hex is `hex`, or undefined. */
  heightOf(hex: string): number | undefined {
    return this.#heights.get(hex);
  }

  /** Mines the next block, stamped `timeSeconds`; returns its bytes. */
  mineNext(timeSeconds: number): Uint8Array {
    const height = this.height + 1;
    const block = this.#mine(this.#hashes[this.height], height, timeSeconds);
    const hash = blockHeaderHash(this.#sha256, block);
    this.#hashes.push(hash);
    this.#heights.set(hashToHex(hash), height);
    this.#headers.push(decodeBlockHeader(block.subarray(0, 80)));
    this.#blocks.push(block);
    return block;
  }

  /**
   * The headers after the first locator hash on this chain (genesis when
   * none is), at most `MAX_HEADERS`, up to height `upTo`.
   */
  headersAfter(locator: readonly Uint8Array[], upTo: number = this.height): BlockHeader[] {
    let from = 0;
    for (const hash of locator) {
      const h = this.#heights.get(hashToHex(hash));
      if (h !== undefined && h <= upTo) {
        from = h;
        break;
      }
    }
    return this.#headers.slice(from, Math.min(upTo, from + MAX_HEADERS));
  }

  /** The block `hash` (wire order) when it is on this chain at or below `upTo`. */
  block(hash: Uint8Array, upTo: number = this.height): Uint8Array | undefined {
    const h = this.#heights.get(hashToHex(hash));
    return h === undefined || h === 0 || h > upTo ? undefined : this.#blocks[h - 1];
  }
}
