/**
 * Answering `getheaders` and `getblocks` from the header chain: the headers
 * (or block hashes, as an `inv`) of our best chain after the last locator
 * entry we know, up to the stop hash. Answered always, also while we sync,
 * so two new nodes can sync from each other.
 */
import type { Sha256 } from "../platform/hash.ts";
import { decodeBlockHeader } from "../wire/block_header.ts";
import { sha256d } from "../wire/hash.ts";
import type { LocatorMessage } from "../wire/messages/headers.ts";
import { MSG_BLOCK } from "../wire/messages/inv.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { SyncPeer } from "./sync_peer.ts";

/** Most hashes in the `inv` answering `getblocks`. Core net_processing (500). */
export const MAX_GETBLOCKS_RESULTS = 500;

/** True when `hash` is all zeros (`hashStop`'s "no stop"). */
function isZero(hash: Uint8Array): boolean {
  for (const b of hash) if (b !== 0) return false;
  return true;
}

/** The raw headers after `msg`'s locator, up to its stop hash, at most `max`. */
function headersAfter(chain: HeaderChain, msg: LocatorMessage, max: number): Uint8Array[] {
  return chain.getHeaders(msg.locator, isZero(msg.hashStop) ? null : msg.hashStop, max);
}

/**
 * Sends `peer` the `headers` answering its `getheaders`: at most `max`
 * headers, none while our chain is below the minimum chain work.
 */
export function answerGetHeaders(
  chain: HeaderChain,
  peer: SyncPeer,
  msg: LocatorMessage,
  max: number,
): void {
  const raws = chain.tipWork < chain.params.minimumChainWork ? [] : headersAfter(chain, msg, max);
  peer.send({ command: "headers", headers: raws.map(decodeBlockHeader) });
}

/** Sends `peer` the `inv` answering its `getblocks` (nothing when there is nothing after). */
export function answerGetBlocks(
  chain: HeaderChain,
  sha256: Sha256,
  peer: SyncPeer,
  msg: LocatorMessage,
): void {
  const raws = headersAfter(chain, msg, MAX_GETBLOCKS_RESULTS);
  if (raws.length === 0) return;
  const items = raws.map((raw) => ({ type: MSG_BLOCK, hash: sha256d(sha256, raw) }));
  peer.send({ command: "inv", items });
}
