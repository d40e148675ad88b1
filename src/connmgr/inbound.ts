/**
 * Inbound connections: the listeners and admission. Banned addresses are
 * refused, then the per-IP limit (btcd's, default 3) is applied, then the
 * total inbound limit (default 125); at the limit an existing peer is
 * evicted (`eviction.ts` chooses it from the candidates built here: its
 * ping, services, relay flag, misbehaviour, network, and the novel blocks
 * it gave us as the block side saw them) to make room, or the new
 * connection is refused when every peer is protected. An admitted
 * connection is handed back to the connection manager, which runs it like
 * any other.
 */
import type { Logger } from "../log/logger.ts";
import { hasServices } from "../peer/services.ts";
import type { Conn, HostPort, Listen, Listener } from "../platform/conn.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import type { NetAddress } from "../wire/address.ts";
import { formatAddress } from "../wire/address_format.ts";
import { formatHostPort, numericAddress } from "../wire/host_port.ts";
import { isLocal } from "../wire/routability.ts";
import type { PeerChainFacts } from "./chain_view.ts";
import type { Connection, ConnectionTable } from "./connection_table.ts";
import { type EvictionCandidate, selectEviction } from "./eviction.ts";
import { groupKey } from "./group.ts";

/** Default most inbound peers (Core -maxconnections default). */
export const DEFAULT_MAX_INBOUND = 125;
/** Default most inbound peers from one IP address (btcd default). */
export const DEFAULT_MAX_INBOUND_PER_IP = 3;
/** Bytes of the per-node secret that keys the network groups for eviction (unguessable). */
const GROUP_SECRET_BYTES = 32;

/** The limits and what we know of the newcomer and the current inbound peers. */
export interface AdmissionInput {
  readonly banned: boolean;
  /** Inbound peers connected from the newcomer's address. */
  readonly sameAddress: number;
  /** Inbound peers connected. */
  readonly inbound: number;
  readonly maxInbound: number;
  readonly maxPerIp: number;
  /** The current inbound peers for eviction (called only when the slots are full). */
  readonly candidates: () => readonly EvictionCandidate[];
}

/** Accept (after evicting `evict`, if set) or refuse with a reason. */
export type Admission =
  | { readonly accept: true; readonly evict?: number }
  | { readonly accept: false; readonly reason: string };

/** Decides whether a new inbound connection may stay. */
export function admitInbound(input: AdmissionInput): Admission {
  if (input.banned) return { accept: false, reason: "banned" };
  if (input.maxInbound <= 0) return { accept: false, reason: "inbound connections are disabled" };
  if (input.sameAddress >= input.maxPerIp) {
    return {
      accept: false,
      reason:
        `already ${input.sameAddress} connections from this address (limit ${input.maxPerIp})`,
    };
  }
  if (input.inbound < input.maxInbound) return { accept: true };
  const evict = selectEviction(input.candidates());
  if (evict === undefined) {
    return { accept: false, reason: `inbound slots full (${input.maxInbound}), all protected` };
  }
  return { accept: true, evict };
}

/** What an `InboundGate` needs. */
export interface InboundGateOptions {
  readonly listen: Listen;
  /** True once the manager is stopping: no listener is opened, no connection admitted. */
  readonly closing: () => boolean;
  readonly table: ConnectionTable;
  readonly maxInbound: number;
  readonly maxPerIp: number;
  readonly isBanned: (addr: NetAddress) => boolean;
  readonly sha256: Sha256;
  /** Draws the per-node secret of the keyed network groups. */
  readonly random: Random;
  readonly logger: Logger;
  /**
   * The services wanted of a peer announcing `services` (Core
   * `GetDesirableServiceFlags`): eviction protects peers that have them.
   */
  readonly desirableServices: (services: bigint) => bigint;
  /** What the block side knows of peer `id`'s chain (its novel blocks), if anything. */
  readonly peerChain: (id: number) => PeerChainFacts | undefined;
  /** Runs an admitted connection from `remote` (`host:port`). */
  readonly open: (conn: Conn, remote: string) => void;
  /** Disconnects inbound peer `id`, evicted for a newcomer, for `reason`. */
  readonly evict: (id: number, reason: string) => void;
}

/** Where inbound connections come in: listened for, admitted, refused or made room for. */
export class InboundGate {
  readonly #options: InboundGateOptions;
  readonly #listeners: Listener[] = [];
  /** Secret for the keyed network groups of eviction. */
  readonly #groupSecret: Uint8Array;

  constructor(options: InboundGateOptions) {
    this.#options = options;
    this.#groupSecret = options.random.bytes(GROUP_SECRET_BYTES);
  }

  /** Where we listen. */
  get listening(): HostPort[] {
    return this.#listeners.map((l) => l.addr);
  }

  /** Listens on each address; rejects when one cannot be bound (those opened close at `close`). */
  async listen(binds: readonly HostPort[]): Promise<HostPort[]> {
    const { closing } = this.#options;
    for (const bind of binds) {
      if (closing()) break;
      const listener = await this.#options.listen({
        host: bind.host,
        port: bind.port,
        onConn: (conn) => this.accept(conn),
      });
      this.#listeners.push(listener);
      if (closing()) await listener.close();
    }
    return this.listening;
  }

  /** Closes every listener. */
  async close(): Promise<void> {
    await Promise.all(this.#listeners.map((l) => l.close()));
  }

  /** Takes an accepted connection: admitted (maybe evicting another peer) or closed. */
  accept(conn: Conn): void {
    const { table, logger } = this.#options;
    if (this.#options.closing()) return conn.close();
    const address = numericAddress(conn.remote.host);
    if (address === null) return conn.close();
    const remote = formatHostPort(address, conn.remote.port);
    const inbound = table.list({ kinds: ["inbound"] });
    const key = formatAddress(address);
    const decision = admitInbound({
      banned: this.#options.isBanned(address),
      sameAddress: inbound.filter((c) => formatAddress(c.peer.address.address) === key).length,
      inbound: inbound.length,
      maxInbound: this.#options.maxInbound,
      maxPerIp: this.#options.maxPerIp,
      candidates: () => inbound.map((c) => this.#candidate(c)),
    });
    if (!decision.accept) {
      logger.debug("inbound connection refused", { remote, reason: decision.reason });
      return conn.close();
    }
    if (decision.evict !== undefined) {
      this.#options.evict(
        decision.evict,
        `evicted to make room for a new inbound peer (${remote})`,
      );
    }
    this.#options.open(conn, remote);
  }

  /** What eviction knows of the inbound connection `c`. */
  #candidate(c: Connection): EvictionCandidate {
    const { peer } = c;
    const s = peer.stats();
    const address = peer.address.address;
    const remote = peer.remoteVersion;
    const services = remote?.services ?? 0n;
    return {
      id: peer.id,
      connectedAt: s.connectedAt,
      minPingMs: s.minPingMs,
      lastBlockTime: this.#options.peerChain(peer.id)?.lastBlockAt ?? 0,
      relayTxs: remote?.relay ?? false,
      relevantServices: hasServices(services, this.#options.desirableServices(services)),
      keyedGroup: this.#keyedGroup(groupKey(address)),
      preferEvict: s.banScore > 0,
      isLocal: isLocal(address),
      network: address.network,
    };
  }

  /** The group hashed with our secret: a 32-bit number an attacker cannot predict. */
  #keyedGroup(group: string): number {
    const text = new TextEncoder().encode(group);
    const data = new Uint8Array(this.#groupSecret.length + text.length);
    data.set(this.#groupSecret);
    data.set(text, this.#groupSecret.length);
    const h = this.#options.sha256(data);
    return new DataView(h.buffer, h.byteOffset, 4).getUint32(0);
  }
}
