/**
 * The automatic outbound slots: where an outbound slot is filled. A loop
 * keeps `targetOutbound` full-relay peers and then `blockRelayOnly`
 * block-relay-only peers (Core's order in ThreadOpenConnections), all in
 * distinct network groups, with at most `maxDialsInFlight` automatic dials
 * at once; past the targets it opens one extra connection at a time when
 * the stale-tip check asks for it (`stale_tip.ts`: an extra full-relay peer
 * on a stale tip, an extra block-relay-only peer every few minutes), as
 * Core's outbound semaphore allows one. It wakes when a peer is lost or
 * addresses arrive, after the failed-dial pause when a dial fails (one timer
 * for a burst of failures), and every `recheckMs` regardless. Saved anchors
 * are dialled into the block-relay-only slots first, and the longest-lived
 * block-relay-only peers are the anchors saved at a clean stop
 * (`anchors.ts`). Each address comes from the candidate loop
 * (`candidate.ts`) over the address manager's selection; the dial itself and
 * the connection it becomes are the connection manager's.
 *
 * Also here: Core's "are we online" test, which decides whether a failed
 * dial counts against an address (see `ONLINE_MIN_GROUPS`).
 */
import type { AddrManager, KnownAddress } from "../addrmgr/addr_manager.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { HostPort } from "../platform/conn.ts";
import { Wakeup } from "../util/wakeup.ts";
import type { NetAddress, Network } from "../wire/address.ts";
import { formatAddress } from "../wire/address_format.ts";
import { type AddressPort, formatHostPort } from "../wire/host_port.ts";
import { chooseAnchors } from "./anchors.ts";
import { type CandidatePick, pickCandidate, RECENT_TRY_MIN_TRIES } from "./candidate.ts";
import { AUTOMATIC_KINDS, type ConnKind } from "./connection.ts";
import type { ConnectionTable, ConnFilter, Reservation } from "./connection_table.ts";
import { outboundGroup } from "./group.ts";

/**
 * We appear online, and failed dials count against addresses, when our
 * ready full-relay outbound peers span this many network groups (a Tor, I2P
 * or CJDNS peer counts as one of its own), or the target when it is lower
 * (Core: 2).
 */
export const ONLINE_MIN_GROUPS = 2;

/** The kind of the automatic full-relay slots, as a filter's kind list. */
export const FULL_RELAY: readonly ConnKind[] = ["outbound-full-relay"];
/** The kind of the automatic block-relay-only slots, as a filter's kind list. */
export const BLOCK_RELAY: readonly ConnKind[] = ["block-relay-only"];
/** Block-relay-only outbound connections kept (Core MAX_BLOCK_RELAY_ONLY_CONNECTIONS). */
export const MAX_BLOCK_RELAY_ONLY_CONNECTIONS = 2;

/** When the stale-tip check wants a connection beyond the targets (`StaleTipCheck` is one). */
export interface ExtraConnections {
  /** One extra full-relay peer is allowed now. */
  readonly tryExtraFullRelay: boolean;
  /** An extra block-relay-only peer is due now; taking it schedules the next. */
  takeExtraBlockRelay(): boolean;
}

/** What `OutboundSlots` needs. */
export interface OutboundSlotsOptions {
  readonly table: ConnectionTable;
  readonly addrman: Pick<AddrManager, "select" | "size">;
  /** The `ConnConfig` fields of the same names. */
  readonly config: {
    readonly targetOutbound: number;
    readonly blockRelayOnly: number;
    readonly maxDialsInFlight: number;
    readonly recheckMs: number;
    readonly failedDialPauseMs: number;
  };
  readonly clock: Clock;
  /** Aborted when the manager stops: the loop ends, nothing more is dialled. */
  readonly signal: AbortSignal;
  readonly defaultPort: number;
  readonly isBanned: (addr: NetAddress) => boolean;
  /** True when addresses of `network` can be dialled. */
  readonly reachable: (network: Network) => boolean;
  /** The services wanted of a peer announcing `services` (see `candidate.ts`). */
  readonly desirableServices: (services: bigint) => bigint;
  readonly logger: Logger;
  /** Starts the reserved dial `r` to `target` (false: not started, `r` released). */
  readonly dial: (target: HostPort, r: Reservation, anchor: boolean) => boolean;
  /** Connections beyond the targets (none without). */
  readonly extras?: ExtraConnections;
}

/** The automatic outbound slots and the loop that fills them. */
export class OutboundSlots {
  readonly #o: OutboundSlotsOptions;
  readonly #wakeup = new Wakeup();
  /** A failed-dial wake-up is scheduled. */
  #wakeTimerSet = false;

  constructor(options: OutboundSlotsOptions) {
    this.#o = options;
  }

  /** Fills the slots until the signal aborts. Never rejects. */
  async run(): Promise<void> {
    const { signal, config, clock } = this.#o;
    while (!signal.aborted) {
      this.#fill();
      await this.#wakeup.wait(config.recheckMs, clock, signal);
    }
  }

  /** Block-relay-only connections to keep (none when no automatic connection is made). */
  get #blockRelayTarget(): number {
    const { config } = this.#o;
    return config.targetOutbound === 0 ? 0 : config.blockRelayOnly;
  }

  /** Dials saved anchors into the block-relay-only slots now; returns how many dials started. */
  connectAnchors(anchors: readonly AddressPort[]): number {
    const { table } = this.#o;
    let started = 0;
    const used = table.usedGroups();
    for (const a of anchors) {
      if (started >= this.#blockRelayTarget) break;
      const hostPort = formatHostPort(a.address, a.port);
      const group = outboundGroup(a.address);
      if (this.#o.isBanned(a.address) || !this.#o.reachable(a.address.network)) continue;
      if (table.busy(hostPort) || (group !== null && used.has(group))) continue;
      if (group !== null) used.add(group);
      const target = { host: formatAddress(a.address), port: a.port };
      if (this.#o.dial(target, table.reserve("block-relay-only", hostPort, group), true)) {
        started++;
      }
    }
    return started;
  }

  /** The peers worth remembering as anchors: the longest-lived ready block-relay-only ones. */
  anchors(): AddressPort[] {
    return chooseAnchors(
      this.#o.table.list({ kinds: BLOCK_RELAY, ready: true })
        .filter((c) => c.peer.state === "ready")
        .map((c) => ({ address: c.peer.address, readySince: c.readyAt! })),
    );
  }

  /** Looks for candidates now (a slot was freed, or addresses arrived). */
  wake(): void {
    this.#wakeup.notify();
  }

  /**
   * Looks again after the failed-dial pause. Failures in the meantime share
   * the one timer, so a burst of refusals paces the loop instead of
   * multiplying its wake-ups.
   */
  wakeAfterFailure(): void {
    if (this.#wakeTimerSet) return;
    this.#wakeTimerSet = true;
    this.#o.clock.setTimer(
      this.#o.config.failedDialPauseMs,
      () => {
        this.#wakeTimerSet = false;
        this.#wakeup.notify();
      },
      this.#o.signal,
    );
  }

  /** Core's "are we online" test (see `ONLINE_MIN_GROUPS`). */
  online(): boolean {
    const ready: ConnFilter = { kinds: FULL_RELAY, ready: true };
    let spread = this.#o.table.usedGroups(ready).size;
    for (const c of this.#o.table.list(ready)) if (c.group === null) spread++;
    return spread >= Math.min(ONLINE_MIN_GROUPS, this.#o.config.targetOutbound);
  }

  /** The candidate loop over `draw`, with our groups, bans and busy addresses. */
  pick(draw: () => KnownAddress | undefined, feeler: boolean): CandidatePick | undefined {
    const { table } = this.#o;
    return pickCandidate({
      select: draw,
      now: Math.floor(this.#o.clock.now() / 1000),
      defaultPort: this.#o.defaultPort,
      usedGroups: table.usedGroups(),
      isBanned: this.#o.isBanned,
      isBusy: (hostPort) => table.busy(hostPort),
      reachable: this.#o.reachable,
      desirableServices: this.#o.desirableServices,
      feeler,
    });
  }

  /** True when every slot holds a connection (dials in flight do not count). */
  full(): boolean {
    const { table, config } = this.#o;
    return table.count({ kinds: FULL_RELAY }) >= config.targetOutbound &&
      table.count({ kinds: BLOCK_RELAY }) >= this.#blockRelayTarget;
  }

  /**
   * The kind of the next automatic connection, or null: full-relay slots
   * first, then block-relay-only ones, then (one at a time) an extra peer
   * the stale-tip check asks for.
   */
  #nextKind(): ConnKind | null {
    const { table, config, extras } = this.#o;
    const full = table.count({ kinds: FULL_RELAY, dials: true });
    const blockRelay = table.count({ kinds: BLOCK_RELAY, dials: true });
    const blockTarget = this.#blockRelayTarget;
    if (full < config.targetOutbound) return "outbound-full-relay";
    if (blockRelay < blockTarget) return "block-relay-only";
    if (extras === undefined || config.targetOutbound === 0) return null;
    if (full + blockRelay > config.targetOutbound + blockTarget) return null;
    if (extras.tryExtraFullRelay) return "outbound-full-relay";
    if (extras.takeExtraBlockRelay()) return "block-relay-only";
    return null;
  }

  /** Opens dials until the slots (or the dial budget) are full or no candidate is left. */
  #fill(): void {
    const { table, addrman, config, logger } = this.#o;
    const target = config.targetOutbound + this.#blockRelayTarget;
    const outbound = () => table.count({ kinds: [...FULL_RELAY, ...BLOCK_RELAY], dials: true });
    const dialing = () => table.count({ kinds: AUTOMATIC_KINDS, dials: "only" });
    while (!this.#o.signal.aborted && dialing() < config.maxDialsInFlight) {
      const kind = this.#nextKind();
      if (kind === null) return;
      const n = outbound();
      const pick = this.pick(() => addrman.select({ outbound: n, outboundTarget: target }), false);
      if (pick === undefined) {
        logger.debug("no address to dial for an outbound slot", {
          kind,
          outbound: n,
          known: addrman.size,
        });
        return;
      }
      if (pick.tries >= RECENT_TRY_MIN_TRIES) {
        logger.debug("outbound candidate taken after many draws", {
          peer: pick.hostPort,
          tries: pick.tries,
        });
      }
      const address = { host: formatAddress(pick.address.addr), port: pick.address.port };
      this.#o.dial(address, table.reserve(kind, pick.hostPort, pick.group), false);
    }
  }
}
