/**
 * Block announcements: what to send a peer about a new tip block. Peers that
 * asked for headers (BIP130 `sendheaders`) get a `headers` message holding
 * the block's header, preceded by the ancestors they are not known to have
 * when those are few; the others get an `inv` of the block hash. Whether to
 * announce at all (never to the sender, never to a peer known to have the
 * block) is the block manager's decision.
 */
import { decodeBlockHeader } from "../wire/block_header.ts";
import type { Message } from "../wire/message.ts";
import { MSG_BLOCK } from "../wire/messages/inv.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { SyncPeer } from "./sync_peer.ts";

/**
 * Most headers in one announcement. When a peer lacks more ancestors than
 * this, only the block's header is sent (it asks for the rest with
 * getheaders). Core net_processing MAX_BLOCKS_TO_ANNOUNCE.
 */
export const MAX_BLOCKS_TO_ANNOUNCE = 8;

/** A raw header's parent hash (bytes 4..36, a view). */
function parentOf(raw: Uint8Array): Uint8Array {
  return raw.subarray(4, 36);
}

/**
 * The raw headers to announce `hash` with to a peer knowing `knows`: the
 * header of `hash`, after those of its ancestors the peer is not known to
 * have, oldest first, when they connect to something it has (genesis or a
 * known block) within `MAX_BLOCKS_TO_ANNOUNCE`; otherwise the header of
 * `hash` alone. Empty when `hash` is not a stored header.
 */
export function headersToAnnounce(
  chain: HeaderChain,
  hash: Uint8Array,
  knows: (hash: Uint8Array) => boolean,
): Uint8Array[] {
  const own = chain.header(hash);
  if (own === undefined) return [];
  const out = [own];
  for (let raw = own;;) {
    const parent = parentOf(raw);
    if (knows(parent) || chain.heightOf(parent) === 0) return out.reverse();
    const header = out.length < MAX_BLOCKS_TO_ANNOUNCE ? chain.header(parent) : undefined;
    if (header === undefined) return [own];
    out.push(header);
    raw = header;
  }
}

/**
 * The message announcing the stored block `hash` to `peer`: `headers` when
 * it sent `sendheaders`, `inv` otherwise.
 */
export function blockAnnouncement(chain: HeaderChain, hash: Uint8Array, peer: SyncPeer): Message {
  if (peer.features.sendHeaders) {
    const raws = headersToAnnounce(chain, hash, (h) => peer.known.has(h));
    if (raws.length > 0) return { command: "headers", headers: raws.map(decodeBlockHeader) };
  }
  return { command: "inv", items: [{ type: MSG_BLOCK, hash }] };
}
