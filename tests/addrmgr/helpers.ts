/** Shared helpers for the address-manager tests: vectors, a manual clock, address shorthands. */
import type { NetAddress } from "../../src/wire/address.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { fromHex } from "../../src/wire/bytes.ts";
import { vectorJson } from "../support/vectors.ts";

/** addrman-vectors.json, parsed. */
// deno-lint-ignore no-explicit-any
export const vectors: any = vectorJson("addrman-vectors.json");

/** Core's deterministic AddrMan key, uint256{1}. */
export const DETERMINISTIC_KEY: Uint8Array = fromHex(vectors.deterministic_key_hex);

/** Core's CAddress default time (TIME_INIT): ancient, so such entries are terrible. */
export const TIME_INIT = 100_000_000;

/** A fixed "now" for table tests, Unix seconds. */
export const NOW = 1_700_000_000;

/** A host address from text (IPv4, IPv6, .onion, .b32.i2p). */
export function ip(text: string): NetAddress {
  return parseAddress(text);
}

/** One gossip input: `host` text, port, time (default NOW), services (default 0). */
export function input(host: string, port: number, time = NOW, services = 0n) {
  return { addr: ip(host), port, time, services };
}

/** A clock the test moves by hand; timers fire when `advance` passes them. */
export class ManualClock {
  #now: number;
  #timers: { at: number; fn: () => void; live: boolean }[] = [];

  constructor(nowMs: number) {
    this.#now = nowMs;
  }

  now = (): number => this.#now;

  setTimer = (ms: number, fn: () => void): () => void => {
    const t = { at: this.#now + ms, fn, live: true };
    this.#timers.push(t);
    return () => {
      t.live = false;
    };
  };

  sleep = (ms: number): Promise<void> => new Promise((r) => this.setTimer(ms, r));

  /** Pending (not cancelled, not fired) timers. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#now = due.at;
      due.live = false;
      due.fn();
    }
    this.#now = end;
  }
}
