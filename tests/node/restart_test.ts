/**
 * Restarting a real node on the same data directory: the headers it
 * accepted are saved at stop and loaded at start, so the chain resumes at
 * the same tip (and the data directory can be opened again: the store was
 * closed), and further blocks extend it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { minedBlocks, startNode, stopAll, tempDir, type TestNode } from "./loopback.ts";
import { authed, TOKEN } from "../support/api_requests.ts";

afterEach(stopAll);

async function submit(t: TestNode, hex: string): Promise<number> {
  const res = await t.node.app.request("/blocks", authed("POST", { hex }));
  return res.status;
}

describe("restart", () => {
  test("a restarted node resumes its header height from the stored headers", async () => {
    const datadir = tempDir();
    const blocks = minedBlocks(4);
    const first = await startNode({ datadir, apiToken: TOKEN });
    for (const hex of blocks.slice(0, 3)) expect(await submit(first, hex)).toBe(200);
    const tip = first.node.status().chain;
    expect(tip.height).toBe(3);
    await first.node.stop();

    const second = await startNode({ datadir, apiToken: TOKEN });
    expect(second.node.status().chain).toEqual(tip);
    const loaded = second.records.find((r) => r.message === "storage loaded")!;
    expect(loaded.fields).toMatchObject({ headers: 3, height: 3 });
    expect(await submit(second, blocks[3])).toBe(200);
    expect(second.node.status().chain.height).toBe(4);
    await second.node.stop();

    const third = await startNode({ datadir, apiToken: TOKEN });
    expect(third.node.status().chain.height).toBe(4);
  });
});
