/**
 * A clean stop under load: while a raw peer floods the node with `addr`
 * (fresh routable addresses) and `inv` (random transaction hashes),
 * `stop()` finishes without the stop deadline's warnings and writes
 * everything: peers.json with the addresses the flood brought, the headers
 * of the blocks submitted, the bans; the files are complete (inspected on
 * their own) and a restart loads exactly them.
 */
import { platform, runtimeName } from "#platform";
import { afterEach, describe, expect, test } from "bun:test";
import type { Conn } from "../../src/platform/conn.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { type Message } from "../../src/wire/message.ts";
import { encodeMessageFrame } from "../support/message_frame.ts";
import { MSG_TX } from "../../src/wire/messages/inv.ts";
import { isRoutable } from "../../src/wire/routability.ts";
import type { NetAddress } from "../../src/wire/address.ts";
import { handshakeBytes, MAGIC } from "../interop/fixtures/handshake.ts";
import { inspectDir } from "../support/crash_cycle.ts";
import { minedBlocks, NET_WAIT_MS, startNode, stopAll, tempDir } from "./loopback.ts";
import { waitFor } from "../support/wait.ts";
import { authed, TOKEN } from "../support/api_requests.ts";

afterEach(stopAll);

/** Entries per flooding `inv` (fewer than draw a penalty, so the flood goes on). */
const INV_ENTRIES = 1_000;
/** Addresses per flooding `addr` (the protocol maximum). */
const ADDR_ENTRIES = 1_000;
/**
 * The node's only outbound target (nothing listens there): connect-only mode, so it
 * never dials the random addresses the flood brings (feelers run even with no outbound).
 */
const NO_PEER = "127.0.0.1:1";
/** Bound on the flood: messages sent at most (it stops earlier when the node closes). */
const MAX_FLOOD_MESSAGES = 10_000;

/** Floods `conn` with alternating addr and inv frames until it closes or `stop()`. */
function flood(conn: Conn) {
  const r = seededRandom(5);
  const now = Math.floor(Date.now() / 1000);
  let running = true;
  let sent = 0;
  const addr = (): Message => ({
    command: "addr",
    addresses: Array.from({ length: ADDR_ENTRIES }, () => {
      let a: NetAddress;
      do a = { network: "ipv4", bytes: r.bytes(4) }; while (!isRoutable(a));
      return { time: now - r.int(3600), services: 1033n, addr: a, port: 18444 };
    }),
  });
  const inv = (): Message => ({
    command: "inv",
    items: Array.from({ length: INV_ENTRIES }, () => ({ type: MSG_TX, hash: r.bytes(32) })),
  });
  const done = (async () => {
    // Drain what the node sends so its writes never block.
    void (async () => {
      const reader = conn.readable.getReader();
      try {
        while (!(await reader.read()).done);
      } catch { /* closed */ }
    })();
    try {
      await conn.write(handshakeBytes("dialer", runtimeName, platform.sha256));
      for (; running && sent < MAX_FLOOD_MESSAGES; sent++) {
        const msg = sent % 2 === 0 ? addr() : inv();
        await conn.write(encodeMessageFrame(MAGIC, msg, platform.sha256));
      }
    } catch { /* the node closed the connection: the flood ends */ }
  })();
  return {
    sent: () => sent,
    stop: async () => {
      running = false;
      await done;
      conn.close();
    },
  };
}

describe("stop under load", () => {
  test("a flooded node stops within its deadline and saves complete files", async () => {
    const datadir = tempDir();
    const t = await startNode({ datadir, apiToken: TOKEN, connect: [NO_PEER] });
    for (const hex of minedBlocks(3, 77)) {
      expect((await t.node.app.request("/blocks", authed("POST", { hex }))).status).toBe(200);
    }
    const ban = { address: "203.0.113.77", durationSeconds: 86_400, reason: "under load" };
    expect((await t.node.app.request("/bans", authed("POST", ban))).status).toBe(200);

    const [host, port] = t.node.status().listening[0].split(":");
    const conn = await platform.dial({ host, port: Number(port) }, { timeoutMs: 5_000 });
    const flooder = flood(conn);
    await waitFor(() => t.node.status().addrman.total > 0, "flooded addresses", NET_WAIT_MS);
    await waitFor(() => flooder.sent() >= 6, "a few flood messages", NET_WAIT_MS);

    await t.node.stop();
    await flooder.stop();
    expect(t.node.status().state).toBe("stopped");
    const warnings = t.messages("warn").concat(t.messages("error"));
    expect(warnings.filter((m) => /deadline|cannot save|saving .* failed/.test(m))).toEqual([]);
    expect(t.messages()).toContain("stopped");

    const saved = inspectDir(datadir, platform.sha256);
    expect(saved.addresses).toBeGreaterThan(0);
    expect(saved).toMatchObject({ bans: 1, height: 3, tempFiles: 0 });

    const again = await startNode({ datadir, apiToken: TOKEN, connect: [NO_PEER] });
    const loaded = again.records.find((r) => r.message === "storage loaded")!;
    expect(loaded.fields).toMatchObject({ addresses: saved.addresses, bans: 1, height: 3 });
    expect(again.messages("warn").filter((m) => m.includes("set aside"))).toEqual([]);
  }, 40_000);
});
