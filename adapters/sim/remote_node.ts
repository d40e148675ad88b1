/**
 * A simulated remote Bitcoin node on a `SimNetwork` host: it accepts
 * connections and answers the version handshake with the real `Peer` code
 * (announcing full witness service), answers `getaddr` with the addresses
 * it was given, and can dial out to a node under test. Tests kill its
 * connections to see what the node under test does next.
 */
import { newInboundPeer, newOutboundPeer, type Peer } from "../../src/peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import type { HostPort, Listener } from "../../src/platform/conn.ts";
import type { Sha256 } from "../../src/platform/hash.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import type { PeerAddress } from "../../src/wire/messages/addr.ts";
import type { SimNetwork } from "./network.ts";

/** What a remote node is. */
export interface RemoteNodeOptions {
  readonly network: SimNetwork;
  /** Its IP address on the simulated network. */
  readonly host: string;
  /** The port it listens on (0 or absent: does not listen). */
  readonly port?: number;
  /** The network's message start. */
  readonly magic: Uint8Array;
  readonly sha256: Sha256;
  /** Services it announces; default NODE_NETWORK | NODE_WITNESS. */
  readonly services?: bigint;
  /** Its answer to `getaddr` (sent as one `addr` message). */
  readonly addresses?: readonly PeerAddress[];
}

/** Most addresses a remote node remembers hearing. */
const MAX_HEARD = 10_000;

/** One simulated remote node. */
export class RemoteNode {
  readonly host: string;
  /** Its connections, live ones only. */
  readonly peers: Set<Peer> = new Set();
  /** Connections it has accepted in total. */
  accepted = 0;
  /** Addresses heard in addr/addrv2 messages, oldest first (at most `MAX_HEARD`). */
  readonly heard: PeerAddress[] = [];
  readonly #options: RemoteNodeOptions;
  #listener: Listener | null = null;

  private constructor(options: RemoteNodeOptions) {
    this.host = options.host;
    this.#options = options;
  }

  /** A remote node, listening when a port is given. */
  static async start(options: RemoteNodeOptions): Promise<RemoteNode> {
    const node = new RemoteNode(options);
    if (options.port) {
      node.#listener = await options.network.listen(options.host, {
        host: options.host,
        port: options.port,
        onConn: (conn) => {
          node.accepted++;
          node.#run(newInboundPeer(conn, node.#peerOptions()));
        },
      });
    }
    return node;
  }

  /** Where it listens, or null. */
  get addr(): HostPort | null {
    return this.#listener?.addr ?? null;
  }

  /** Connections whose handshake completed. */
  get ready(): number {
    let n = 0;
    for (const p of this.peers) if (p.state === "ready") n++;
    return n;
  }

  /** Dials `target` (a node under test) and runs the handshake; resolves with the peer. */
  async connect(target: HostPort): Promise<Peer> {
    const conn = await this.#options.network.dial(this.host, target);
    const peer = newOutboundPeer(
      { address: parseAddress(conn.remote.host), port: conn.remote.port },
      conn,
      { ...this.#peerOptions(), requiredServices: 0n },
    );
    this.#run(peer);
    return peer;
  }

  /** Drops every connection (the node under test sees them closed). */
  async killAll(reason = "killed by the test"): Promise<void> {
    await Promise.all([...this.peers].map((p) => p.disconnect(reason)));
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    await this.#listener?.close();
    await this.killAll("remote node stopped");
  }

  #peerOptions() {
    return {
      magic: this.#options.magic,
      sha256: this.#options.sha256,
      services: this.#options.services ?? (NODE_NETWORK | NODE_WITNESS),
    };
  }

  #run(peer: Peer): void {
    this.peers.add(peer);
    peer.on("disconnected", () => this.peers.delete(peer));
    peer.on("message", (msg) => {
      if (msg.command === "addr" || msg.command === "addrv2") {
        for (const a of msg.addresses) if (this.heard.length < MAX_HEARD) this.heard.push(a);
      }
      if (msg.command === "getaddr" && this.#options.addresses?.length) {
        peer.send({ command: "addr", addresses: this.#options.addresses });
      }
    });
    peer.start();
  }
}
