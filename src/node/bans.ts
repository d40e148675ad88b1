/**
 * Banning, as the node does it: the ban goes into the ban list (saved to
 * bans.json), every connection to the address is dropped, and a "ban" event
 * is published. Misbehaving peers and the API ban through here. Saves run
 * in the background and are awaited at stop; a failing one is logged.
 */
import type { NodeEvent } from "../api/source.ts";
import type { ConnectionInfo } from "../connmgr/connection.ts";
import type { Logger } from "../log/logger.ts";
import type { BanList } from "../peer/ban_list.ts";
import type { Clock } from "../platform/clock.ts";
import { errorText } from "../util/error_text.ts";
import { addressEquals, type NetAddress } from "../wire/address.ts";
import { formatAddress } from "../wire/address_format.ts";
import type { EventBus } from "./event_bus.ts";

/** What `NodeBans` needs (null parts: not loaded or started yet). */
export interface NodeBansOptions {
  readonly list: () => BanList | null;
  readonly connections: () => readonly ConnectionInfo[];
  readonly events: EventBus<NodeEvent>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Bans addresses and keeps track of the saves. */
export class NodeBans {
  readonly #o: NodeBansOptions;
  readonly #saves = new Set<Promise<void>>();

  constructor(options: NodeBansOptions) {
    this.#o = options;
  }

  /**
   * Bans `address` for `durationMs` (default: the list's, --bantime),
   * disconnects its peers and publishes the ban; resolves once the ban list
   * is saved (never rejects).
   */
  ban(address: NetAddress, reason: string, durationMs?: number): Promise<void> {
    const bans = this.#o.list();
    if (bans === null) return Promise.resolve();
    const save = bans.ban(address, reason, durationMs).catch((error) =>
      this.#o.logger.warn("cannot save the ban list", { error: errorText(error) })
    );
    this.#saves.add(save);
    void save.finally(() => this.#saves.delete(save));
    const key = formatAddress(address);
    const entry = bans.entries().find((e) => e.address === key);
    if (entry !== undefined) {
      this.#o.events.publish({
        type: "ban",
        time: this.#o.clock.now(),
        data: { address: entry.address, until: entry.until, reason: entry.reason },
      });
    }
    for (const c of this.#o.connections()) {
      if (addressEquals(c.peer.address.address, address)) void c.peer.disconnect("banned");
    }
    return save;
  }

  /** Resolves when every ban save started so far has ended. */
  async saved(): Promise<void> {
    await Promise.all(this.#saves);
  }
}
