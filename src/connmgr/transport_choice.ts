/**
 * Which transport a connection speaks, BIP324 v2 or v1 (`--v2transport`,
 * default on), by Core's rules (net.cpp):
 *
 * - inbound: v2 when on; the v2 responder tells a v1 peer by its first bytes
 *   and serves it as v1, so one port takes both;
 * - outbound: v2 first to the peers the user names (`--connect`,
 *   `--addnode`, the API) and seed nodes, and to an address whose services
 *   in the address book include `NODE_P2P_V2`; v1 to everything else;
 * - a v2 attempt that ends having received nothing at all (a v1 peer drops a
 *   connection that does not start with its magic: Core's
 *   ShouldReconnectV1) is dialled once more at once as v1, and the address
 *   is remembered as v1-only, so later dials go v1 straight away. The memory
 *   is bounded (`MAX_V1_ONLY_REMEMBERED`, oldest first out) and an address
 *   leaves it when a v1 handshake shows it advertising `NODE_P2P_V2` (its
 *   v2 attempt failed for another reason, say a full node closing at once).
 *   Core keeps no such list: its address book's services stand in for it,
 *   which the address book here also gets (`setServices` after a handshake);
 *   the list covers the user's peers, whose services no book entry holds.
 */
import type { ChaCha20Poly1305 } from "../platform/aead.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import type { Secp256k1 } from "../platform/secp256k1.ts";
import type { Peer } from "../peer/peer.ts";
import { hasServices, NODE_P2P_V2 } from "../peer/services.ts";
import type { TransportFactory } from "../transport/transport.ts";
import { V1Transport } from "../transport/v1_transport.ts";
import { v2TransportFactory } from "../transport/v2_transport.ts";
import type { ConnKind } from "./connection.ts";

/** Addresses remembered as v1-only, at most; the oldest is forgotten first. */
export const MAX_V1_ONLY_REMEMBERED = 1024;

/** What the choice needs. */
export interface TransportChoiceOptions {
  /** `--v2transport`. */
  readonly v2: boolean;
  /** The network's magic. */
  readonly magic: Uint8Array;
  readonly sha256: Sha256;
  /** Keys and garbage of v2 handshakes. */
  readonly random: Random;
  /** The platform's native AEAD and curve, where it has them. */
  readonly aead?: ChaCha20Poly1305;
  readonly curve?: Secp256k1;
}

/** The transport of each connection of one connection manager. */
export class TransportChoice {
  readonly #v2: boolean;
  readonly #v1Factory: TransportFactory;
  readonly #initiator: TransportFactory;
  readonly #responder: TransportFactory;
  /** `host:port`s found to speak v1 only, oldest first. */
  readonly #v1Only = new Set<string>();

  constructor(options: TransportChoiceOptions) {
    const { magic, sha256, random, aead, curve } = options;
    this.#v2 = options.v2;
    this.#v1Factory = (owner, signal) => new V1Transport(magic, sha256, owner, signal);
    this.#initiator = v2TransportFactory({ magic, sha256, random, aead, curve, initiator: true });
    this.#responder = v2TransportFactory({ magic, sha256, random, aead, curve, initiator: false });
  }

  /** The transport of an inbound connection: v2 (which serves v1 peers too) when on. */
  inbound(): TransportFactory {
    return this.#v2 ? this.#responder : this.#v1Factory;
  }

  /**
   * Whether to try v2 first when dialling `hostPort` for a connection of
   * `kind`, whose services in the address book are `services` (undefined:
   * not in the book).
   */
  tryV2(hostPort: string, kind: ConnKind, services: bigint | undefined): boolean {
    if (!this.#v2 || this.#v1Only.has(hostPort)) return false;
    if (kind === "manual" || kind === "addr-fetch") return true;
    return services !== undefined && hasServices(services, NODE_P2P_V2);
  }

  /** The transport of an outbound connection, v2 or v1. */
  outbound(v2: boolean): TransportFactory {
    return v2 ? this.#initiator : this.#v1Factory;
  }

  /**
   * A v2 attempt to `hostPort` by `peer` has ended: true when it is to be
   * dialled again as v1 (nothing came back), and the address is then
   * remembered as v1-only.
   */
  retryAsV1(hostPort: string, peer: Peer): boolean {
    if (!peer.transport.reconnectV1) return false;
    this.#v1Only.delete(hostPort);
    this.#v1Only.add(hostPort);
    if (this.#v1Only.size > MAX_V1_ONLY_REMEMBERED) {
      this.#v1Only.delete(this.#v1Only.values().next().value!);
    }
    return true;
  }

  /** A v1 handshake with `hostPort` showed `services`: one advertising v2 is not v1-only. */
  handshake(hostPort: string, services: bigint): void {
    if (hasServices(services, NODE_P2P_V2)) this.#v1Only.delete(hostPort);
  }

  /** True while `hostPort` is remembered as v1-only. */
  isV1Only(hostPort: string): boolean {
    return this.#v1Only.has(hostPort);
  }
}
