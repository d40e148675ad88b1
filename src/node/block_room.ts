/**
 * The seam where the block manager plugs in (`src/sync`: header chain,
 * block download, relay). The node drives it at fixed points of its life:
 * `load` with the other stored state, `start` after the address manager,
 * `addPeer`/`removePeer` as peers finish their handshake and leave, every
 * block-related message, and `stop` after the peers are gone. Until the
 * block manager is wired in, `idleBlockRoom` stands in: it loads nothing,
 * ignores the messages and reports the genesis block as the tip.
 */
import type { Peer } from "../peer/peer.ts";
import type { SyncSummary } from "./status.ts";
import type { KvStore } from "../platform/storage.ts";
import type { Message } from "../wire/message.ts";
import type { NetworkParams } from "../wire/params.ts";

/** Where our chain is, for the status and our `version` message. */
export interface ChainTip {
  readonly height: number;
  /** Display-order hex. */
  readonly hash: string;
}

/** What the node needs from the block manager. */
export interface BlockRoom {
  /** Loads stored state (headers) from the data directory; resolves with a summary to log. */
  load(store: KvStore): Promise<Record<string, unknown>>;
  start(): Promise<void> | void;
  /** A peer completed its handshake (outbound full, persistent, manual or inbound). */
  addPeer(peer: Peer): void;
  removePeer(peer: Peer): void;
  /** A block-related message (inv, headers, block, getdata, getheaders, notfound...). */
  onMessage(peer: Peer, msg: Message): void;
  /** Our best chain tip. */
  tip(): ChainTip;
  /** Header sync progress for the status. */
  sync(): SyncSummary;
  /** Stops and saves. */
  stop(): Promise<void>;
}

/**
 * The stand-in until the block manager exists: the genesis tip, the peers'
 * announced heights for the status, nothing else.
 */
export function idleBlockRoom(params: NetworkParams): BlockRoom {
  const tip = { height: 0, hash: params.genesisHash };
  const peers = new Set<Peer>();
  return {
    load: () => Promise.resolve({ headers: "not loaded (no block manager)" }),
    start: () => {},
    addPeer: (peer) => void peers.add(peer),
    removePeer: (peer) => void peers.delete(peer),
    onMessage: () => {},
    tip: () => tip,
    sync: () => {
      let best = -1;
      for (const p of peers) best = Math.max(best, p.remoteVersion?.startHeight ?? -1);
      return {
        height: tip.height,
        bestPeerHeight: best,
        headersPerSecond: 0,
        caughtUp: best >= 0 && tip.height >= best,
      };
    },
    stop: () => Promise.resolve(),
  };
}
