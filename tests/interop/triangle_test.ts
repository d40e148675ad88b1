/**
 * Cross-runtime triangle: three real nodes (`main.ts`), one under each of
 * Deno, Bun and Node, each connected to the other two (Bun dials Deno, Node
 * dials both). A block mined in the test and injected at one node reaches
 * the other two, each receiving exactly one `block` message for it although
 * both of its peers know the block. Done once from each node.
 *
 * Runs once per `npm test`: under Node only (skipped, saying so, under Bun
 * and Deno); the children run under all three runtimes either way.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onlyOncePerRun, type RuntimeName, RUNTIMES } from "../runtime_command.ts";
import { nodeSha256 } from "../support/vectors.ts";
import { RegtestMiner } from "../support/regtest_blocks.ts";
import {
  killNode,
  messages,
  type NodeProcess,
  peersOf,
  startNode,
  stopNode,
  submitBlock,
  waitFor,
  waitForTip,
} from "./fixtures/node_process.ts";

const skipReason = onlyOncePerRun;
if (skipReason !== null) console.log(`triangle_test: skipped, ${skipReason}`);

/**
 * Longest one injection's checks may take (each wait inside is bounded by
 * NODE_WAIT_MS). The first test's budget also covers beforeAll (starting the
 * three nodes) under the node:test shim, which runs hooks inside it.
 */
const ROUND_MS = 120_000;

const nodes = new Map<RuntimeName, NodeProcess>();
const miner = new RegtestMiner(nodeSha256, 200);
let workDir = "";

/** `block` messages the node has received, over all its peers. */
async function blocksReceived(node: NodeProcess): Promise<number> {
  return (await peersOf(node)).reduce((sum, p) => sum + messages(p.received, "block"), 0);
}

/**
 * Resolves once every `getdata` sent in the triangle has been received and
 * every `block` sent has arrived. A node sends a block only in answer to a
 * getdata, at once, so after this no block can still be on its way.
 */
async function quiet(): Promise<void> {
  await waitFor("every getdata read and every block delivered", async () => {
    const totals = { getdata: [0, 0], block: [0, 0] };
    for (const n of nodes.values()) {
      for (const p of await peersOf(n)) {
        for (const command of ["getdata", "block"] as const) {
          totals[command][0] += messages(p.sent, command);
          totals[command][1] += messages(p.received, command);
        }
      }
    }
    const balanced = totals.getdata[0] === totals.getdata[1] &&
      totals.block[0] === totals.block[1];
    return balanced ? true : undefined;
  });
}

describe("triangle: deno, bun and node each connected to the other two", () => {
  beforeAll(async () => {
    if (skipReason !== null) return;
    workDir = mkdtempSync(join(tmpdir(), "btc-edge-triangle-"));
    const dir = (name: string) => mkdtempSync(join(workDir, `${name}-`));
    const deno = await startNode({ runtime: "deno", datadir: dir("deno") });
    nodes.set("deno", deno);
    const bun = await startNode({ runtime: "bun", datadir: dir("bun"), connect: [deno.p2pPort] });
    nodes.set("bun", bun);
    const node = await startNode({
      runtime: "node",
      datadir: dir("node"),
      connect: [deno.p2pPort, bun.p2pPort],
    });
    nodes.set("node", node);
    for (const n of nodes.values()) {
      await waitFor(`${n.runtime} node to have two ready peers`, async () => {
        const ready = (await peersOf(n)).filter((p) => p.handshake === "ready");
        return ready.length === 2 ? true : undefined;
      }, n);
    }
  });

  afterAll(async () => {
    await Promise.allSettled([...nodes.values()].map(stopNode));
    for (const n of nodes.values()) killNode(n);
    if (workDir !== "") rmSync(workDir, { recursive: true, force: true });
  });

  for (const origin of RUNTIMES) {
    test.skipIf(skipReason !== null)(
      `a block injected at ${origin} reaches the other two exactly once each`,
      async () => {
        const before = new Map<RuntimeName, number>();
        for (const [runtime, n] of nodes) before.set(runtime, await blocksReceived(n));
        const hash = await submitBlock(nodes.get(origin)!, miner.next());
        await Promise.all([...nodes.values()].map((n) => waitForTip(n, hash)));
        // Let any duplicate delivery that is still on its way arrive and be counted.
        await quiet();
        for (const [runtime, n] of nodes) {
          const expected = runtime === origin ? 0 : 1;
          expect({ runtime, blocks: (await blocksReceived(n)) - before.get(runtime)! })
            .toEqual({ runtime, blocks: expected });
        }
      },
      ROUND_MS,
    );
  }
});
