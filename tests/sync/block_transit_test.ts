/**
 * Blocks handed over before their frame checksum is checked (v1, large
 * blocks): a good block with a wrong checksum is accepted and its checksum
 * reported; a block that fails its checks and its checksum was damaged in
 * transit, so its sender pays for the checksum only, and the block is not
 * taken for invalid; the same block with a right checksum is mutated.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { MALFORMED_MESSAGE_POINTS } from "../../src/peer/misbehaviour.ts";
import { PENALTIES } from "../../src/sync/penalties.ts";
import { CHECKSUM_MEMO_MIN_PAYLOAD, HEADER_SIZE } from "../../src/transport/v1_framing.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { encodeMessageFrame } from "../support/message_frame.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";
import { MAGIC } from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";
import { newNode, roundTrip, scriptedLink, shutdown, type TestNode } from "./sync_net.ts";

const sha256 = platform.sha256;
const nodes: TestNode[] = [];
afterEach(async () => {
  await shutdown(nodes.splice(0));
});

/** The `block` frame of `block`; its checksum spoiled when `spoil`. */
function blockFrame(block: Uint8Array, spoil: boolean): Uint8Array {
  const frame = encodeMessageFrame(MAGIC, { command: "block", raw: block }, sha256);
  if (spoil) frame[HEADER_SIZE - 1] ^= 1;
  return frame;
}

describe("a block handed over before its checksum is checked", () => {
  const miner = new RegtestMiner(sha256, 21);
  const good = miner.next(fillerTxs(200, 400, 1));
  const next = miner.next(fillerTxs(200, 400, 2));
  /** `block` with a transaction byte changed: its merkle root no longer matches (mutated). */
  const mutate = (block: Uint8Array) => {
    const copy = block.slice();
    copy[copy.length - 10] ^= 1;
    return copy;
  };
  expect(good.length).toBeGreaterThan(CHECKSUM_MEMO_MIN_PAYLOAD);

  test("a good block with a wrong checksum is accepted; the checksum costs the usual points", async () => {
    const a = newNode("a", NETWORKS.regtest);
    nodes.push(a);
    const { peer, remote } = await scriptedLink(a);
    await remote.sendRaw(blockFrame(good, true));
    await waitFor(() => a.accepted.length === 1, "the block accepted");
    await roundTrip(remote);
    expect(peer.stats().banScore).toBe(MALFORMED_MESSAGE_POINTS);
  });

  test("a failing block whose checksum is wrong is damage in transit, not a mutated block", async () => {
    const a = newNode("a", NETWORKS.regtest);
    nodes.push(a);
    expect(a.manager.submit(good)?.status).toBe("accepted");
    const { peer, remote } = await scriptedLink(a);
    await remote.sendRaw(blockFrame(mutate(next), true));
    await roundTrip(remote);
    expect(peer.state).toBe("ready");
    expect(peer.stats().banScore).toBe(MALFORMED_MESSAGE_POINTS);
    expect(a.manager.status().counters.blocksRejected).toBe(1);
    expect(a.log.some((r) => r.message === "block damaged in transit")).toBe(true);
    // Not held against the block: the same sender's whole copy is taken.
    await remote.sendRaw(blockFrame(next, false));
    await waitFor(() => a.accepted.length === 2, "the whole copy accepted");
    expect(a.chain.tipHeight).toBe(2);
    // With a right checksum, the same damage is a mutated block: its sender is banned.
    const third = miner.next(fillerTxs(200, 400, 3));
    const other = await scriptedLink(a);
    await other.remote.sendRaw(blockFrame(mutate(third), false));
    await waitFor(() => other.peer.state === "closed", "the sender of a mutated block banned");
    expect(PENALTIES["bad-txnmrklroot"].points).toBe(100);
  });
});
