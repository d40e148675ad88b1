/**
 * The connection table: every connection the manager holds and every dial
 * it has in flight, each with its kind, the `host:port` it was dialled at
 * and its outbound network group. It answers "how many of which kind"
 * (`count`), "which groups are taken" (`usedGroups`) and "is this address
 * connected or being dialled" (`busy`) for the outbound fill, the feelers,
 * inbound admission and the user's connect requests.
 *
 * A dial is reserved before it starts (so a second dial to the same address
 * or group is not started meanwhile); it becomes a connection, keeping its
 * busy mark until the connection ends, or is released when it fails.
 */
import type { Peer } from "../peer/peer.ts";
import { AUTOMATIC_KINDS, type ConnectionInfo, type ConnKind } from "./connection.ts";

/** What a dial and a connection have in common. */
interface Entry {
  readonly kind: ConnKind;
  /** `host:port` as dialled (for inbound: the remote end). */
  readonly hostPort: string;
  /** The outbound group key (`outboundGroup`), or null (exempt, or inbound). */
  readonly group: string | null;
  readonly persistent: boolean;
}

/** A dial in flight: a reserved place that becomes a connection or is released. */
export type Reservation = Entry;

/** A live connection. */
export interface Connection extends ConnectionInfo, Entry {
  readyAt: number | null;
  /** Why it ended (set when it does). */
  endReason: string;
}

/** Which entries `count` and `usedGroups` take. */
export interface ConnFilter {
  /** Only these kinds (default: every kind). */
  readonly kinds?: readonly ConnKind[];
  /** Only connections whose handshake completed (a dial never is). */
  readonly ready?: boolean;
  /** Only those kept connected (true) or only the others (false). Default: both. */
  readonly persistent?: boolean;
  /** Dials in flight as well (true), or only them ("only"). Default: connections only. */
  readonly dials?: boolean | "only";
}

/** The automatic kinds, connections and dials: whose groups the one-per-group rule counts. */
const AUTOMATIC: ConnFilter = { kinds: AUTOMATIC_KINDS, dials: true };

/** Every connection and dial in flight of one connection manager. */
export class ConnectionTable {
  readonly #conns = new Map<number, Connection>();
  readonly #dials = new Set<Reservation>();
  /** Outbound `host:port`s connected or being dialled, with how many times. */
  readonly #busy = new Map<string, number>();

  /** Reserves a dial to `hostPort` (marking it busy) before it starts. */
  reserve(kind: ConnKind, hostPort: string, group: string | null, persistent = false): Reservation {
    const r: Reservation = { kind, hostPort, group, persistent };
    this.#dials.add(r);
    this.#mark(hostPort, 1);
    return r;
  }

  /** Gives back a dial that failed or was not started (again: nothing). */
  release(r: Reservation): void {
    if (this.#dials.delete(r)) this.#mark(r.hostPort, -1);
  }

  /** The dial `r` connected to `peer`; its busy mark passes to the connection. */
  connected(r: Reservation, peer: Peer, anchor: boolean): Connection {
    this.#dials.delete(r);
    return this.#add({ ...r, peer, anchor, readyAt: null, endReason: "" });
  }

  /** An inbound `peer` from `hostPort` was admitted. */
  accepted(peer: Peer, hostPort: string): Connection {
    const c: Connection = {
      kind: "inbound",
      hostPort,
      group: null,
      persistent: false,
      peer,
      anchor: false,
      readyAt: null,
      endReason: "",
    };
    return this.#add(c);
  }

  /** `c` ended for `reason`: it leaves the table (an outbound one frees its address). */
  closed(c: Connection, reason: string): void {
    c.endReason = reason;
    this.#conns.delete(c.peer.id);
    if (c.kind !== "inbound") this.#mark(c.hostPort, -1);
  }

  /** The connection of peer `id`. */
  get(id: number): Connection | undefined {
    return this.#conns.get(id);
  }

  /** The connections that pass `filter` (its `dials` is ignored), in the order they came. */
  list(filter: ConnFilter = {}): Connection[] {
    return [...this.#connections(filter)];
  }

  /** How many connections (and, as `filter.dials` says, dials) pass `filter`. */
  count(filter: ConnFilter = {}): number {
    let n = 0;
    for (const _ of this.#matching(filter)) n++;
    return n;
  }

  /**
   * The outbound groups taken by the entries that pass `filter` (groupless
   * ones, Tor, I2P and CJDNS, take none). Default: the automatic kinds'
   * connections and dials, the set the one-peer-per-group rule checks.
   */
  usedGroups(filter: ConnFilter = AUTOMATIC): Set<string> {
    const used = new Set<string>();
    for (const e of this.#matching(filter)) if (e.group !== null) used.add(e.group);
    return used;
  }

  /** True while `hostPort` is connected (outbound) or being dialled. */
  busy(hostPort: string): boolean {
    return this.#busy.has(hostPort);
  }

  #add(c: Connection): Connection {
    this.#conns.set(c.peer.id, c);
    return c;
  }

  #mark(hostPort: string, delta: 1 | -1): void {
    const n = (this.#busy.get(hostPort) ?? 0) + delta;
    if (n <= 0) this.#busy.delete(hostPort);
    else this.#busy.set(hostPort, n);
  }

  *#matching(filter: ConnFilter): Iterable<Entry> {
    if (filter.dials !== "only") yield* this.#connections(filter);
    if (filter.dials === undefined || filter.dials === false || filter.ready) return;
    for (const d of this.#dials) if (passes(d, filter)) yield d;
  }

  *#connections(filter: ConnFilter): Iterable<Connection> {
    for (const c of this.#conns.values()) {
      if (passes(c, filter) && (!filter.ready || c.readyAt !== null)) yield c;
    }
  }
}

/** True when `e` is of one of the filter's kinds and matches its `persistent`. */
function passes(e: Entry, filter: ConnFilter): boolean {
  return (filter.kinds === undefined || filter.kinds.includes(e.kind)) &&
    (filter.persistent === undefined || filter.persistent === e.persistent);
}
