/**
 * Feelers, with a connection manager built directly over an address book
 * the test prepares: a pending tried-table collision is settled by a feeler
 * that tests the incumbent (which answers, so it keeps its slot), and a
 * feeler to a new-table address moves it to the tried table and hangs up
 * after the handshake.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import { ConnManager } from "../../src/connmgr/conn_manager.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import { TaskGroup } from "../../src/node/task_group.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import type { NetAddress } from "../../src/wire/address.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import {
  addressesOf,
  MAIN,
  NODE_HOST,
  remoteNodes,
  simNetwork,
  SOURCE,
} from "../support/sim_node.ts";
import type { SimNetwork } from "../../adapters/sim/network.ts";
import { waitFor } from "../support/wait.ts";
import { afterEachCleanup } from "../support/cleanup.ts";

const FIVE_HOURS_MS = 5 * 3600 * 1000;
const cleanup = afterEachCleanup();

/** A clock whose `now` can be moved back; timers are the system's. */
function shiftedClock(): Clock & { offsetMs: number } {
  const c = {
    offsetMs: 0,
    now: () => Date.now() + c.offsetMs,
    setTimer: systemClock.setTimer,
    sleep: systemClock.sleep,
  };
  return c;
}

/** A connection manager to run only feelers (`startFeelers`; no outbound target). */
function feelerManager(
  net: SimNetwork,
  book: AddrManager,
  records: LogRecord[],
  tasks = new TaskGroup(() => {}),
): ConnManager {
  const abort = new AbortController();
  const cm = new ConnManager({
    platform: net.platform(NODE_HOST),
    params: MAIN,
    addrman: book,
    isBanned: () => false,
    tasks,
    signal: abort.signal,
    logger: createLogger({ sink: (r) => records.push(r), level: "debug" }),
    random: seededRandom(3),
    peerOptions: () => ({ magic: MAIN.magic, sha256: platform.sha256 }),
    config: { targetOutbound: 0, feelerIntervalMs: 5, dnsSeed: false, fixedSeeds: [] },
  });
  cleanup.push(async () => {
    abort.abort();
    await cm.stop();
    await tasks.close(2_000, systemClock);
  });
  return cm;
}

/** Two addresses of `book` whose tried slots collide. */
function collidingPair(book: AddrManager): [NetAddress, NetAddress] {
  const hosts = Array.from({ length: 2_000 }, (_, i) => `${20 + (i % 70)}.${i % 250}.${i >> 8}.9`);
  book.add(addressesOf(hosts), parseAddress(SOURCE));
  const bySlot = new Map<number, NetAddress>();
  for (const h of hosts) {
    const addr = parseAddress(h);
    const e = book.tables.find(addr, MAIN.defaultPort);
    if (e === undefined) continue;
    const slot = book.tables.triedSlotOf(e);
    const other = bySlot.get(slot);
    if (other !== undefined) return [other, addr];
    bySlot.set(slot, addr);
  }
  throw new Error("no colliding pair among 2,000 addresses");
}

describe("feelers", () => {
  test("a feeler tests the incumbent of a tried collision, which keeps its slot", async () => {
    const net = simNetwork();
    const clock = shiftedClock();
    const book = new AddrManager({ sha256: platform.sha256, clock, random: seededRandom(11) });
    const [incumbent, newcomer] = collidingPair(book);
    // The incumbent worked 5 hours ago; the newcomer works now and wants its slot.
    clock.offsetMs = -FIVE_HOURS_MS;
    book.good(incumbent, MAIN.defaultPort, false);
    clock.offsetMs = 0;
    expect(book.good(newcomer, MAIN.defaultPort)).toBe(false);
    expect(book.stats().pendingCollisions).toBe(1);
    book.resolveCollisions(); // nothing settles without a test
    expect(book.stats().pendingCollisions).toBe(1);

    const host = incumbent.bytes.join(".");
    const [remote] = await remoteNodes(net, [host]);
    const records: LogRecord[] = [];
    const cm = feelerManager(net, book, records);
    cm.startFeelers();
    await waitFor(() => book.stats().pendingCollisions === 0, "the collision settled");
    expect(remote.accepted).toBeGreaterThanOrEqual(1);
    expect(book.find(incumbent, MAIN.defaultPort)?.tried).toBe(true);
    expect(book.find(newcomer, MAIN.defaultPort)?.tried).toBe(false);
    await waitFor(() => remote.peers.size === 0, "the feeler hung up");
    expect(records.some((r) => r.message === "feeler done" && r.fields.answered === true)).toBe(
      true,
    );
  });

  test("a feeler moves a new-table address that answers to the tried table", async () => {
    const net = simNetwork();
    const book = new AddrManager({
      sha256: platform.sha256,
      clock: systemClock,
      random: seededRandom(12),
    });
    const host = "23.5.0.1";
    book.add(addressesOf([host]), parseAddress(SOURCE));
    const [remote] = await remoteNodes(net, [host]);
    const cm = feelerManager(net, book, []);
    cm.startFeelers();
    await waitFor(() => book.find(parseAddress(host), MAIN.defaultPort)?.tried === true, "tried");
    await waitFor(
      () => remote.peers.size === 0 && cm.count({ kinds: ["feeler"] }) === 0,
      "hung up",
    );
  });

  test("with an outbound target of 0 the node makes no feeler (no automatic connection)", async () => {
    const net = simNetwork();
    const book = new AddrManager({
      sha256: platform.sha256,
      clock: systemClock,
      random: seededRandom(13),
    });
    const host = "23.5.0.2";
    book.add(addressesOf([host]), parseAddress(SOURCE));
    const [remote] = await remoteNodes(net, [host]);
    const tasks = new TaskGroup(() => {});
    const cm = feelerManager(net, book, [], tasks);
    expect(cm.startOutbound()).toBe(true);
    // Only the outbound loop runs: no feeler loop was started, so none can ever dial.
    expect(tasks.running).toEqual(["outbound slots"]);
    cm.startFeelers(); // the same manager does dial once feelers are asked for
    expect(tasks.running).toEqual(["outbound slots", "feelers"]);
    await waitFor(() => remote.accepted >= 1, "a feeler dialled");
  });
});
