/**
 * The ban list: addresses refused for a while (24 h by default) after their
 * peer reached the misbehaviour threshold. Kept in `bans.json` through the
 * storage port so bans survive a restart; every change is saved. A file that
 * is not valid JSON or not the expected shape is set aside as
 * `bans.json.corrupt-<ms>` (kept for inspection) and the list starts empty.
 *
 * Bans are per host (the canonical address text), not per port, as in Core.
 */
import { errorText } from "../util/error_text.ts";
import type { Clock } from "../platform/clock.ts";
import { getJson, type KvStore, setJson } from "../platform/storage.ts";
import type { NetAddress } from "../wire/address.ts";
import { formatAddress, parseAddress } from "../wire/address_format.ts";
import { type Logger, silentLogger } from "../log/logger.ts";

/** Storage key of the ban list. */
export const BAN_LIST_KEY = "bans.json";
/** Default ban length. Core DEFAULT_MISBEHAVING_BANTIME (24 h). */
export const DEFAULT_BAN_DURATION_MS = 24 * 60 * 60 * 1000;
/**
 * Most bans kept; past it the ban closest to expiry is dropped. Bounds memory
 * and file size against an attacker with many addresses.
 */
export const MAX_BAN_ENTRIES = 10_000;
/** Version of the `bans.json` layout. */
const FILE_VERSION = 1;

/** One ban. Times are milliseconds since the epoch. */
export interface BanEntry {
  /** Canonical address text (`formatAddress`), without port. */
  readonly address: string;
  readonly bannedAt: number;
  /** The ban ends at this time. */
  readonly until: number;
  /** Why (the misbehaviour that reached the threshold). */
  readonly reason: string;
}

/** Options for `BanList.load`. */
export interface BanListOptions {
  readonly store: KvStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Default ban length; `DEFAULT_BAN_DURATION_MS` when omitted. */
  readonly durationMs?: number;
  /** Most bans kept; `MAX_BAN_ENTRIES` when omitted. */
  readonly maxEntries?: number;
}

/** Banned addresses with expiry, persisted through a `KvStore`. */
export class BanList {
  readonly #store: KvStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #durationMs: number;
  readonly #maxEntries: number;
  readonly #bans = new Map<string, BanEntry>();
  #saving: Promise<void> = Promise.resolve();

  private constructor(options: BanListOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    this.#durationMs = options.durationMs ?? DEFAULT_BAN_DURATION_MS;
    this.#maxEntries = options.maxEntries ?? MAX_BAN_ENTRIES;
  }

  /**
   * Reads `bans.json` (absent means empty), dropping expired bans. A corrupt
   * file is renamed aside with a warning, and the list starts empty.
   */
  static async load(options: BanListOptions): Promise<BanList> {
    const list = new BanList(options);
    let data: unknown;
    let problem: string | null;
    try {
      data = await getJson(list.#store, BAN_LIST_KEY);
      problem = data === undefined ? null : validate(data);
    } catch (e) {
      problem = `not valid JSON (${errorText(e)})`;
    }
    if (problem !== null) {
      const aside = `${BAN_LIST_KEY}.corrupt-${list.#clock.now()}`;
      await list.#store.rename(BAN_LIST_KEY, aside);
      list.#logger.warn("ban list is corrupt; set aside, starting with no bans", {
        problem,
        movedTo: aside,
      });
      return list;
    }
    const now = list.#clock.now();
    for (const { address, bannedAt, until, reason } of (data as BanFile | undefined)?.bans ?? []) {
      if (until > now) list.#bans.set(address, { address, bannedAt, until, reason });
    }
    list.#evictPastBound();
    return list;
  }

  /** True when `address` is banned now. */
  isBanned(address: NetAddress): boolean {
    const key = formatAddress(address);
    const entry = this.#bans.get(key);
    if (entry === undefined) return false;
    if (entry.until > this.#clock.now()) return true;
    this.#bans.delete(key);
    return false;
  }

  /**
   * Bans `address` for `durationMs` (default: the list's duration) and saves.
   * An existing ban is extended, never shortened.
   */
  ban(address: NetAddress, reason: string, durationMs: number = this.#durationMs): Promise<void> {
    const key = formatAddress(address);
    const now = this.#clock.now();
    const until = Math.max(now + durationMs, this.#bans.get(key)?.until ?? 0);
    this.#bans.delete(key);
    this.#bans.set(key, { address: key, bannedAt: now, until, reason });
    this.#evictPastBound();
    return this.#save();
  }

  /** Lifts a ban; true when there was one. Saves. */
  async unban(address: NetAddress): Promise<boolean> {
    const had = this.#bans.delete(formatAddress(address));
    if (had) await this.#save();
    return had;
  }

  /** The bans in force now, soonest-ending first. */
  entries(): BanEntry[] {
    const now = this.#clock.now();
    return [...this.#bans.values()].filter((e) => e.until > now).sort((a, b) => a.until - b.until);
  }

  #evictPastBound(): void {
    while (this.#bans.size > this.#maxEntries) {
      let soonest: BanEntry | undefined;
      for (const e of this.#bans.values()) if (!soonest || e.until < soonest.until) soonest = e;
      this.#bans.delete(soonest!.address);
    }
  }

  /** Writes the current bans; saves run one after another, each with the latest state. */
  #save(): Promise<void> {
    const next = this.#saving.catch(() => {}).then(() => {
      const file: BanFile = { version: FILE_VERSION, bans: this.entries() };
      return setJson(this.#store, BAN_LIST_KEY, file);
    });
    this.#saving = next;
    return next;
  }
}

/** The layout of `bans.json`. */
interface BanFile {
  readonly version: number;
  readonly bans: readonly BanEntry[];
}

/** `null` when `data` is a valid `BanFile`, else what is wrong with it. */
function validate(data: unknown): string | null {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return "expected an object with version and bans";
  }
  const file = data as Record<string, unknown>;
  if (file.version !== FILE_VERSION) {
    return `version is ${JSON.stringify(file.version)}, expected ${FILE_VERSION}`;
  }
  if (!Array.isArray(file.bans)) return "bans is not an array";
  for (let i = 0; i < file.bans.length; i++) {
    const problem = validateEntry(file.bans[i]);
    if (problem !== null) return `bans[${i}]: ${problem}`;
  }
  return null;
}

function validateEntry(e: unknown): string | null {
  if (typeof e !== "object" || e === null) return "not an object";
  const entry = e as Record<string, unknown>;
  if (typeof entry.address !== "string") return "address is not a string";
  let canonical: string;
  try {
    canonical = formatAddress(parseAddress(entry.address));
  } catch {
    return `address ${JSON.stringify(entry.address)} is not an address`;
  }
  if (canonical !== entry.address) {
    return `address ${JSON.stringify(entry.address)} is not canonical (${canonical})`;
  }
  for (const field of ["bannedAt", "until"]) {
    if (typeof entry[field] !== "number" || !Number.isFinite(entry[field])) {
      return `${field} is not a finite number`;
    }
  }
  if (typeof entry.reason !== "string") return "reason is not a string";
  return null;
}
