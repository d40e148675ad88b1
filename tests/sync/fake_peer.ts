/** A `SyncPeer` made of plain fields, recording what it is sent, for unit tests. */
import { KnownInventory } from "../../src/peer/known_inventory.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import type { SyncPeer } from "../../src/sync/sync_peer.ts";
import type { Message } from "../../src/wire/message.ts";

/** A fake peer: `sent` holds its messages, `points` its misbehaviour; fields are writable. */
export interface FakePeer extends SyncPeer {
  readonly sent: Message[];
  readonly points: Array<{ points: number; reason: string }>;
  /** Why it was disconnected, or null. */
  disconnected: string | null;
  direction: "inbound" | "outbound";
  features: { sendHeaders: boolean };
  remoteVersion: { services: bigint; startHeight: number } | null;
  queuedBytes: number;
  /** What `send` returns (default true). */
  accepts: boolean;
}

/** A ready, witness-serving fake peer with `id`. */
export function fakePeer(id: number, overrides: Partial<FakePeer> = {}): FakePeer {
  const peer: FakePeer = {
    id,
    direction: "outbound",
    known: new KnownInventory(),
    features: { sendHeaders: false },
    negotiatedVersion: 70016,
    remoteVersion: { services: NODE_NETWORK | NODE_WITNESS, startHeight: 0 },
    queuedBytes: 0,
    accepts: true,
    sent: [],
    points: [],
    disconnected: null,
    send(msg) {
      if (!peer.accepts) return false;
      peer.sent.push(msg);
      return true;
    },
    misbehave(points, reason) {
      peer.points.push({ points, reason });
    },
    disconnect(reason) {
      peer.disconnected ??= reason;
      return Promise.resolve();
    },
    toString: () => `10.0.0.${id}:8333 (${peer.direction})`,
    ...overrides,
  };
  return peer;
}
