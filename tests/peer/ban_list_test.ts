/**
 * The ban list: 24 h bans kept in bans.json through the storage port, so
 * they survive a restart; expiry; corrupt files set aside.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { memoryStore } from "../../adapters/storage/memory.ts";
import { BAN_LIST_KEY, BanList, DEFAULT_BAN_DURATION_MS } from "../../src/peer/ban_list.ts";
import { createLogger, memorySink } from "../../src/log/logger.ts";
import { getJson } from "../../src/platform/storage.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { tempDirs } from "../support/temp_dir.ts";

const tempDir = tempDirs();

const A = parseAddress("203.0.113.7");
const B = parseAddress("2001:db8::1");
const HOUR = 3_600_000;

describe("ban list", () => {
  test("bans last 24 hours by default", async () => {
    expect(DEFAULT_BAN_DURATION_MS).toBe(24 * HOUR);
    const clock = new ManualClock();
    const bans = await BanList.load({ store: memoryStore(), clock });
    await bans.ban(A, "misbehaving");
    expect(bans.isBanned(A)).toBe(true);
    expect(bans.isBanned(B)).toBe(false);
    clock.advance(24 * HOUR - 1);
    expect(bans.isBanned(A)).toBe(true);
    clock.advance(1);
    expect(bans.isBanned(A)).toBe(false);
    expect(bans.entries()).toEqual([]);
  });

  test("bans survive a restart of the ban list (file store)", async () => {
    const dir = tempDir("btc-edge-bans-");
    const clock = new ManualClock();
    // Each "restart" closes the store (releasing the data-directory lock) and opens it anew.
    const restart = async () => {
      await store.close?.();
      store = await platform.openStore(dir);
      return store;
    };
    let store = await platform.openStore(dir);
    const first = await BanList.load({ store, clock });
    await first.ban(A, "malformed messages");
    await first.ban(B, "bad headers", 2 * HOUR);

    clock.advance(HOUR);
    const second = await BanList.load({ store: await restart(), clock });
    expect(second.isBanned(A)).toBe(true);
    expect(second.isBanned(B)).toBe(true);
    expect(second.entries().map((e) => [e.address, e.reason])).toEqual([
      ["2001:db8::1", "bad headers"],
      ["203.0.113.7", "malformed messages"],
    ]);

    // Expired bans are dropped on load.
    clock.advance(2 * HOUR);
    const third = await BanList.load({ store: await restart(), clock });
    expect(third.isBanned(B)).toBe(false);
    expect(third.isBanned(A)).toBe(true);
    await store.close?.();
  });

  test("unban is saved too", async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const bans = await BanList.load({ store, clock });
    await bans.ban(A, "x");
    expect(await bans.unban(A)).toBe(true);
    expect(await bans.unban(A)).toBe(false);
    const again = await BanList.load({ store, clock });
    expect(again.isBanned(A)).toBe(false);
  });

  test("a ban is extended, never shortened", async () => {
    const clock = new ManualClock(0);
    const bans = await BanList.load({ store: memoryStore(), clock });
    // Shortening: a 1 h ban on top of a 10 h one leaves the 10 h end.
    await bans.ban(A, "long", 10 * HOUR);
    await bans.ban(A, "short", HOUR);
    expect(bans.entries().map((e) => e.until)).toEqual([10 * HOUR]);
    clock.advance(5 * HOUR);
    expect(bans.isBanned(A)).toBe(true);
    // Extending: a 10 h ban on top of a 1 h one ends 10 h from then.
    await bans.ban(B, "short", HOUR);
    await bans.ban(B, "long", 10 * HOUR);
    expect(bans.entries().map((e) => [e.address, e.until])).toEqual([
      ["203.0.113.7", 10 * HOUR],
      ["2001:db8::1", 15 * HOUR],
    ]);
    clock.advance(5 * HOUR);
    expect([bans.isBanned(A), bans.isBanned(B)]).toEqual([false, true]);
    clock.advance(5 * HOUR);
    expect(bans.isBanned(B)).toBe(false);
  });

  test("the file is versioned JSON with canonical addresses", async () => {
    const store = memoryStore();
    const clock = new ManualClock(1_000);
    const bans = await BanList.load({ store, clock });
    await bans.ban(B, "reason");
    expect(await getJson(store, BAN_LIST_KEY)).toEqual({
      version: 1,
      bans: [{
        address: "2001:db8::1",
        bannedAt: 1_000,
        until: 1_000 + 24 * HOUR,
        reason: "reason",
      }],
    });
  });

  test("concurrent bans are all saved", async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const bans = await BanList.load({ store, clock });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => bans.ban(parseAddress(`198.51.100.${i}`), "x")),
    );
    const again = await BanList.load({ store, clock });
    expect(again.entries()).toHaveLength(20);
  });

  test("the list is bounded: past the bound the ban closest to expiry goes", async () => {
    const clock = new ManualClock();
    const bans = await BanList.load({ store: memoryStore(), clock, maxEntries: 3 });
    await bans.ban(parseAddress("198.51.100.1"), "x", 5 * HOUR);
    await bans.ban(parseAddress("198.51.100.2"), "x", 1 * HOUR);
    await bans.ban(parseAddress("198.51.100.3"), "x", 9 * HOUR);
    await bans.ban(parseAddress("198.51.100.4"), "x", 7 * HOUR);
    expect(bans.entries().map((e) => e.address)).toEqual([
      "198.51.100.1",
      "198.51.100.4",
      "198.51.100.3",
    ]);
  });

  for (
    const [what, bytes] of [
      ["not JSON", "{ this is not json"],
      ["the wrong shape", JSON.stringify({ version: 1, bans: "none" })],
      ["a bad address", JSON.stringify({ version: 1, bans: [entry("not-an-ip")] })],
      ["a non-canonical address", JSON.stringify({ version: 1, bans: [entry("2001:DB8::1")] })],
      ["an unknown version", JSON.stringify({ version: 2, bans: [] })],
    ]
  ) {
    test(`a file with ${what} is set aside and the list starts empty`, async () => {
      const store = memoryStore();
      await store.set(BAN_LIST_KEY, new TextEncoder().encode(bytes));
      const { sink, records } = memorySink();
      const clock = new ManualClock(5_000);
      const bans = await BanList.load({ store, clock, logger: createLogger({ sink }) });
      expect(bans.entries()).toEqual([]);
      expect(await store.list()).toEqual([`${BAN_LIST_KEY}.corrupt-5000`]);
      expect(records.map((r) => r.level)).toEqual(["warn"]);
      // The list works afterwards and writes a fresh file.
      await bans.ban(A, "x");
      expect(await store.list()).toEqual([BAN_LIST_KEY, `${BAN_LIST_KEY}.corrupt-5000`]);
    });
  }
});

function entry(address: string) {
  return { address, bannedAt: 0, until: Number.MAX_SAFE_INTEGER, reason: "x" };
}
