/**
 * Cross-runtime persistence: a real node (`main.ts`) under one runtime fills
 * its data directory — addresses (peers.json) from a seed peer's `addr`,
 * headers of blocks injected in the test, bans set through the API — and
 * stops on SIGTERM; a node under the next runtime then starts on the same
 * directory and must report the identical chain, bans and address book.
 * Done in a ring: deno → bun → node → deno.
 *
 * Runs once per `npm test`: under Node only (skipped, saying so, under Bun
 * and Deno); the children run under all three runtimes either way.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onlyOncePerRun, type RuntimeName, RUNTIMES } from "../runtime_command.ts";
import { nodeSha256 } from "../support/vectors.ts";
import { RegtestMiner } from "../support/regtest_blocks.ts";
import { type AddrSeed, startAddrSeed } from "./fixtures/addr_seed.ts";
import {
  apiGet,
  apiPost,
  killNode,
  type NodeProcess,
  startNode,
  stopNode,
  submitBlock,
  waitFor,
  waitForTip,
} from "./fixtures/node_process.ts";

const skipReason = onlyOncePerRun;
if (skipReason !== null) console.log(`persistence_cross_runtime_test: skipped, ${skipReason}`);

/** Longest one hand-over may take (each wait inside is bounded by NODE_WAIT_MS). */
const HANDOVER_MS = 90_000;
/** Blocks injected before the hand-over, so the stored header chain is more than genesis. */
const BLOCKS = 3;
/** Bans set before the hand-over: one IPv4, one IPv6 (documentation ranges). */
const BANS = [
  { address: "203.0.113.7", durationSeconds: 86_400, reason: "interop persistence v4" },
  { address: "2001:db8::7", durationSeconds: 3_600, reason: "interop persistence v6" },
];

/** What must survive the hand-over, as the API reports it. */
interface Snapshot {
  readonly chain: unknown;
  readonly bans: unknown;
  readonly addresses: unknown;
  readonly addrman: unknown;
}

async function snapshot(node: NodeProcess): Promise<Snapshot> {
  const status = await apiGet<{ addrman: unknown; chain: unknown }>(node, "/status");
  return {
    chain: await apiGet(node, "/chain"),
    bans: await apiGet(node, "/bans"),
    addresses: await apiGet(node, "/addresses"),
    addrman: status.addrman,
  };
}

const running: NodeProcess[] = [];
const seeds: AddrSeed[] = [];
const dirs: string[] = [];

describe("persistence across runtimes: peers.json, bans and headers", () => {
  afterAll(async () => {
    await Promise.allSettled(running.map(stopNode));
    running.forEach(killNode);
    await Promise.allSettled(seeds.map((s) => s.close()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  RUNTIMES.forEach((writer, i) => {
    const reader: RuntimeName = RUNTIMES[(i + 1) % RUNTIMES.length];
    test.skipIf(skipReason !== null)(
      `state written under ${writer} loads under ${reader} identically`,
      async () => {
        const datadir = mkdtempSync(join(tmpdir(), `btc-edge-persist-${writer}-`));
        dirs.push(datadir);
        const seed = await startAddrSeed();
        seeds.push(seed);

        // Under the writer: addresses from the seed, blocks, bans; then SIGTERM.
        const first = await startNode({ runtime: writer, datadir, connect: [seed.port] });
        running.push(first);
        const total = await waitFor(`${writer} node to learn the seed's addresses`, async () => {
          const status = await apiGet<{ addrman: { total: number } }>(first, "/status");
          return seed.answered() > 0 && status.addrman.total > 0 ? status.addrman.total : undefined;
        }, first);
        expect(total).toBeGreaterThan(0);
        const miner = new RegtestMiner(nodeSha256, 300 + i);
        let tip = "";
        for (let b = 0; b < BLOCKS; b++) tip = await submitBlock(first, miner.next());
        await waitForTip(first, tip);
        for (const ban of BANS) expect((await apiPost(first, "/bans", ban)).status).toBe(200);
        const before = await snapshot(first);
        expect((before.chain as { tip: { height: number } }).tip.height).toBe(BLOCKS);
        expect((before.bans as unknown[]).length).toBe(BANS.length);
        expect((before.addresses as { nextCursor?: string }).nextCursor).toBeUndefined();
        await stopNode(first);
        expect(await first.exited).toBe(0);
        await seed.close();

        // Under the reader, on the same directory. Its --connect target (the closed
        // seed's port) refuses, so it dials no one from the book and changes nothing.
        const second = await startNode({ runtime: reader, datadir, connect: [seed.port] });
        running.push(second);
        const loaded = `addresses=${total} bans=${BANS.length} .*height=${BLOCKS}`;
        expect(second.output()).toMatch(new RegExp(`storage loaded .*${loaded}`));
        expect(await snapshot(second)).toEqual(before);
        await stopNode(second);
      },
      HANDOVER_MS,
    );
  });
});
