/**
 * A full disk: a node whose data directory (and block store) refuses every
 * write (a store wrapper failing with ENOSPC, tests/support/failing_store.ts)
 * logs each failed save, keeps running — its API answers, peers still connect and
 * complete the handshake — stops cleanly, and leaves the files of its last
 * successful saves byte for byte as they were; a later start loads them.
 */
import { platform } from "#platform";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "bun:test";
import { createNode } from "../../mod.ts";
import type { LogRecord } from "../../src/log/logger.ts";
import { type FailingStore, failingStore } from "../support/failing_store.ts";
import { minedBlocks, NET_WAIT_MS, startNode, stopAll, tempDir } from "./loopback.ts";
import { waitFor } from "../support/wait.ts";
import { authed, TOKEN } from "../support/api_requests.ts";

afterEach(stopAll);

/** Every file under `dir` but the locks, by relative path, with its bytes. */
function snapshot(
  dir: string,
  files = new Map<string, string>(),
  prefix = "",
): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) snapshot(path, files, `${prefix}${entry.name}/`);
    else if (entry.name !== ".lock") {
      files.set(prefix + entry.name, readFileSync(path).toString("hex"));
    }
  }
  return files;
}

/** A regtest node on `datadir` whose stores are wrapped by `failingStore`. */
function nodeOnFailingStore(datadir: string) {
  const records: LogRecord[] = [];
  const stores: FailingStore[] = [];
  const node = createNode({
    network: "regtest",
    datadir,
    listen: ["127.0.0.1:0"],
    api: "none",
    apiToken: TOKEN,
    dnsseed: false,
    targetoutbound: 0,
    logLevel: "debug",
  }, {
    platform: {
      ...platform,
      openStore: async (dir) => {
        const store = failingStore(await platform.openStore(dir));
        stores.push(store);
        return store;
      },
    },
    logSink: (r) => records.push(r),
  });
  return { node, records, stores };
}

describe("a full disk", () => {
  test(
    "saves fail with a logged error, the node keeps running, old files stay intact",
    async () => {
      const datadir = tempDir();
      const blocks = minedBlocks(4, 31);

      // A first run saves headers, a ban and peers.json normally.
      const first = await startNode({ datadir, apiToken: TOKEN, targetoutbound: 0 });
      for (const hex of blocks.slice(0, 3)) {
        expect((await first.node.app.request("/blocks", authed("POST", { hex }))).status).toBe(200);
      }
      const ban = { address: "203.0.113.9", durationSeconds: 86_400, reason: "before" };
      expect((await first.node.app.request("/bans", authed("POST", ban))).status).toBe(200);
      await first.node.stop();
      const before = snapshot(datadir);
      expect([...before.keys()]).toEqual(
        expect.arrayContaining(["bans.json", "headers-000000.bin", "peers.json"]),
      );
      expect([...before.keys()].filter((k) => k.startsWith("blocks/block-")).length).toBe(3);

      // The second run's disk fills once it has started.
      const full = nodeOnFailingStore(datadir);
      await full.node.start();
      expect(full.stores.length).toBe(2); // the data directory and blocks/
      for (const store of full.stores) store.full = true;
      const ban2 = { address: "203.0.113.10", durationSeconds: 86_400, reason: "disk full" };
      await full.node.app.request("/bans", authed("POST", ban2));
      const hex = blocks[3];
      expect((await full.node.app.request("/blocks", authed("POST", { hex }))).status).toBe(200);
      expect(full.records.map((r) => r.message)).toContain("cannot save the ban list");
      await waitFor(
        () => full.records.some((r) => r.message === "cannot store a block"),
        "the block write refused",
      );

      // Still running: the status answers and a peer connects and completes the handshake.
      expect(full.node.status().state).toBe("running");
      expect(full.node.status().chain.height).toBe(4);
      const peer = await startNode({ connect: [full.node.status().listening[0]] });
      const ready = () => full.node.peers().filter((p) => p.handshake === "ready").length;
      await waitFor(() => ready() === 1, "a peer", NET_WAIT_MS);
      expect((await full.node.app.request("/status")).status).toBe(200);
      await peer.node.stop();

      // The stop's saves fail too, each logged; the stop completes.
      await full.node.stop();
      expect(full.node.status().state).toBe("stopped");
      const failures = full.records.filter((r) => r.level === "warn" || r.level === "error")
        .map((r) => r.message);
      expect(failures).toEqual(expect.arrayContaining([
        "cannot save the ban list",
        "saving headers failed at stop",
        "cannot save peers.json",
      ]));
      const refused = new Set(full.stores.flatMap((s) => s.refused));
      for (const key of ["bans.json", "headers-000000.bin", "peers.json"]) {
        expect(refused.has(key)).toBe(true);
      }
      expect([...refused].some((key) => key.startsWith("block-"))).toBe(true);
      expect(snapshot(datadir)).toEqual(before);

      // A later start loads the last complete saves.
      const third = await startNode({ datadir, apiToken: TOKEN, targetoutbound: 0 });
      expect(third.node.status().chain.height).toBe(3);
      const loaded = third.records.find((r) => r.message === "storage loaded")!;
      expect(loaded.fields).toMatchObject({ bans: 1, height: 3 });
      expect(third.messages("warn").filter((m) => m.includes("set aside"))).toEqual([]);
    },
    30_000,
  );
});
