/**
 * The block manager over real `Peer`s on memory pipes: header sync and block
 * download between managers, relay along a line of three, announcements by
 * headers or inv, orphans, getdata/notfound, blocks-only behaviour, bounds
 * under junk announcements, misbehaviour, a stalled sync peer, and resuming
 * from stored headers.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { memoryStore } from "../../adapters/storage/memory.ts";
import { DEFAULT_KNOWN_INVENTORY_LIMIT } from "../../src/peer/known_inventory.ts";
import type { KvStore } from "../../src/platform/storage.ts";
import { HEADERS_RESPONSE_TIMEOUT_MS } from "../../src/sync/header_sync.ts";
import { MAX_BLOCKS_TO_ANNOUNCE } from "../../src/sync/block_announce.ts";
import { BLOCK_DOWNLOAD_TIMEOUT_MS } from "../../src/sync/block_download.ts";
import { decodeBlock } from "../../src/wire/block.ts";
import {
  blockHeaderHash,
  decodeBlockHeader,
  encodeBlockHeader,
} from "../../src/wire/block_header.ts";
import { bytesEqual, hashToHex, hexToHash } from "../../src/wire/bytes.ts";
import type { Message } from "../../src/wire/message.ts";
import {
  MSG_BLOCK,
  MSG_TX,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_TX,
  MSG_WTX,
} from "../../src/wire/messages/inv.ts";
import { NETWORKS, withMinimumChainWork } from "../../src/wire/params.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { invOf, recordEvents } from "../support/scripted_peer.ts";
import { pingRoundTrip } from "../support/ping_round_trip.ts";
import { mainnetBlocks, mainnetHeaders } from "./helpers.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";
import {
  link,
  newNode,
  nextOf,
  recordMessages,
  roundTrip,
  scriptedLink,
  shutdown,
  type TestNode,
} from "./sync_net.ts";
import { waitFor } from "../support/wait.ts";

const sha256 = platform.sha256;
const hashOf = (bytes: Uint8Array) => blockHeaderHash(sha256, bytes);
const regtest = NETWORKS.regtest;
/** Mainnet with no minimum chain work: the 256 vector headers are far below mainnet's. */
const mainnet = withMinimumChainWork(NETWORKS.main, 0n);

const nodes: TestNode[] = [];
/** A node torn down after the test. */
function node(...args: Parameters<typeof newNode>): TestNode {
  const n = newNode(...args);
  nodes.push(n);
  return n;
}
afterEach(async () => {
  await shutdown(nodes.splice(0));
});

/** True when `msg` announces `hash` (an inv entry or a header in a headers message). */
function announces(msg: Message, hash: Uint8Array): boolean {
  if (msg.command === "inv") return msg.items.some((i) => bytesEqual(i.hash, hash));
  if (msg.command === "headers") {
    return msg.headers.some((h) => bytesEqual(hashOf(encodeBlockHeader(h)), hash));
  }
  return false;
}

/** Blocks and announcements of `hash` among `messages`. */
function countFor(messages: readonly Message[], hash: Uint8Array) {
  return {
    blocks: messages.filter((m) => m.command === "block" && bytesEqual(hashOf(m.raw), hash))
      .length,
    announcements: messages.filter((m) => announces(m, hash)).length,
  };
}

/** A mainnet manager holding blocks 1–255 (injected), serving them all. */
function mainnetSource(headersPerMessage: number): TestNode {
  const a = node("A", mainnet, {
    limits: { recentBlocks: 300, recentBytes: 64 * 1024 * 1024, headersPerMessage },
  });
  const blocks = mainnetBlocks();
  for (let h = 1; h < blocks.length; h++) {
    expect(a.manager.injectBlock(blocks[h]).status).toBe("accepted");
  }
  expect(a.chain.tipHeight).toBe(255);
  return a;
}

describe("header sync and block download between managers", () => {
  test("mainnet headers 0–255 sync over getheaders/headers, then blocks 255–1 download", async () => {
    const a = mainnetSource(100);
    const b = node("B", mainnet, { limits: { keepBlocks: 300, headersPerMessage: 100 } });
    const { out, in: inbound } = await link(b, a);
    await waitFor(() => b.accepted.length === 255, "255 blocks accepted by B", 10_000);

    const headers = mainnetHeaders();
    expect(b.chain.tipHeight).toBe(255);
    expect(hashToHex(b.chain.tip().hash)).toBe(hashToHex(hashOf(headers[255])));
    // The newest first: what peers ask an edge node for.
    expect(b.accepted.map((e) => e.height)).toEqual(headers.slice(1).map((_, i) => 255 - i));
    expect(b.accepted.every((e) => e.from === out.toString())).toBe(true);
    const status = b.manager.status();
    expect(status.headerSync.state).toBe("synced");
    expect(status.blocksInFlight).toBe(0);
    // 100 + 100 + 55 headers: three requests, the short answer ends the sync.
    expect(out.stats().sent.perCommand.getheaders.messages).toBe(3);
    expect(out.stats().received.perCommand.block.messages).toBe(255);
    expect(out.stats().sent.perCommand.sendheaders.messages).toBe(1);
    // Nothing goes back to the only peer: it sent every block.
    expect(inbound.stats().received.perCommand.block).toBeUndefined();
    expect(b.relayed).toEqual([]);
    expect(a.manager.status().counters.blocksServed).toBe(255);
  });

  test("restart resumes from stored headers", async () => {
    const store: KvStore = memoryStore();
    const a = mainnetSource(2000);
    const b = node("B", mainnet, { start: false });
    expect(await b.manager.load(store)).toMatchObject({ loaded: 0 });
    b.manager.start();
    await link(b, a);
    await waitFor(() => b.chain.tipHeight === 255, "B's headers at 255");
    await b.manager.stop();

    const again = node("B2", mainnet, { start: false });
    expect(await again.manager.load(store)).toMatchObject({ loaded: 255, problem: null });
    again.manager.start();
    expect(again.chain.tipHeight).toBe(255);
    const { remote } = await scriptedLink(again, { direction: "outbound", startHeight: 300 });
    const request = await nextOf(remote, ["getheaders"]);
    if (request.command !== "getheaders") throw new Error("unreachable");
    expect(hashToHex(request.locator[0])).toBe(hashToHex(hashOf(mainnetHeaders()[255])));
  });

  test("once synced, each peer is asked for headers once, from our tip's parent, and so shows our tip at once (Core's fSyncStarted near the tip)", async () => {
    const b = node("B", regtest);
    const miner = new RegtestMiner(sha256);
    const blocks = [miner.next(), miner.next(), miner.next()];
    for (const block of blocks) expect(b.manager.injectBlock(block).status).toBe("accepted");
    const first = await scriptedLink(b, { direction: "outbound", startHeight: 3 });
    await nextOf(first.remote, ["getheaders"]);
    await first.remote.send({ command: "headers", headers: [] });
    await waitFor(() => b.manager.status().headerSync.state === "synced", "synced");
    // A peer at our height, claiming nothing more: asked all the same, from block 2.
    const second = await scriptedLink(b, { direction: "outbound", startHeight: 3 });
    const request = await nextOf(second.remote, ["getheaders"]);
    if (request.command !== "getheaders") throw new Error("not a getheaders");
    expect(hashToHex(request.locator[0])).toBe(hashToHex(hashOf(blocks[1])));
    await second.remote.send({
      command: "headers",
      headers: [decodeBlockHeader(blocks[2].subarray(0, 80))],
    });
    await roundTrip(second.remote);
    const shown = b.manager.progress.peerChain(second.peer.id)?.bestWork;
    expect(shown).toBe(b.chain.tipWork);
    // The sync peer, asked before, is not asked again.
    expect(first.peer.stats().sent.perCommand.getheaders.messages).toBe(1);
  });

  test("a new tip announced in headers is asked of its announcer alone, down to our first held block, before the window's scan (Core HeadersDirectFetchBlocks)", async () => {
    const b = node("B", regtest);
    const miner = new RegtestMiner(sha256);
    const now = Math.floor(Date.now() / 1000);
    const blocks: Uint8Array[] = [];
    let prev = b.chain.hashAt(0)!;
    for (let h = 1; h <= 5; h++) {
      blocks.push(miner.build(prev, h, [], now - 600 * (6 - h)));
      prev = hashOf(blocks[h - 1]);
    }
    // Blocks 1, 2 and 4 held; block 3 known by its header only: a hole in the window.
    for (const i of [0, 1]) expect(b.manager.injectBlock(blocks[i]).status).toBe("accepted");
    b.chain.acceptHeader(blocks[2].subarray(0, 80));
    expect(b.manager.injectBlock(blocks[3]).status).toBe("accepted");
    // A peer at our height: asked for headers, and for no block until it shows more.
    const { remote } = await scriptedLink(b, { direction: "outbound", startHeight: 4 });
    await nextOf(remote, ["getheaders"]);
    await remote.send({ command: "headers", headers: [] });
    await waitFor(() => b.manager.status().headerSync.state === "synced", "synced");
    // Synced: block 5 is announced.
    await remote.send({
      command: "headers",
      headers: [decodeBlockHeader(blocks[4].subarray(0, 80))],
    });
    const first = await nextOf(remote, ["getdata"]);
    const second = await nextOf(remote, ["getdata"]);
    const hexes = (m: Message) =>
      m.command === "getdata" ? m.items.map((i) => hashToHex(i.hash)) : [];
    // The new block alone first (the walk stops at block 4, held), then the hole.
    expect(hexes(first)).toEqual([hashToHex(hashOf(blocks[4]))]);
    expect(hexes(second)).toEqual([hashToHex(hashOf(blocks[2]))]);
  });

  test("a stalled sync peer is replaced by another after the timeout", async () => {
    const clock = new ManualClock(Date.now());
    const a = node("A", regtest);
    const miner = new RegtestMiner(sha256);
    for (let i = 0; i < 5; i++) a.manager.injectBlock(miner.next());
    const b = node("B", regtest, { clock });
    const { remote } = await scriptedLink(b, { direction: "outbound", startHeight: 1000 });
    await nextOf(remote, ["getheaders"]);
    expect(b.manager.status().headerSync.state).toBe("syncing");
    const { out } = await link(b, a);
    await pingRoundTrip(out); // whatever A said on connecting has reached B

    expect(b.manager.status().headerSync.syncPeer).not.toBe(out.toString());
    expect(b.chain.tipHeight).toBe(0);
    // One sync peer at a time: A is not asked while the first one is.
    expect(out.stats().sent.perCommand.getheaders).toBeUndefined();

    clock.advance(HEADERS_RESPONSE_TIMEOUT_MS);
    await waitFor(() => b.manager.status().headerSync.state === "synced", "synced from A");
    expect(b.chain.tipHeight).toBe(5);
    expect(b.log.some((r) => r.message === "header sync peer stalled; switching")).toBe(true);
    await waitFor(() => b.accepted.length === 5, "blocks of the last heights downloaded");
  });
  test("notfound and a timeout move a download to another peer", async () => {
    const clock = new ManualClock(Date.now());
    const a = node("A", regtest, { clock });
    const s1 = await scriptedLink(a, { direction: "outbound" });
    const s2 = await scriptedLink(a);
    const block = new RegtestMiner(sha256).next();
    const hash = hashOf(block);
    await nextOf(s1.remote, ["getheaders"]);
    await s1.remote.send({
      command: "headers",
      headers: [decodeBlockHeader(block.subarray(0, 80))],
    });
    const first = await nextOf(s1.remote, ["getdata"]);
    expect(first).toEqual({ command: "getdata", items: [{ type: MSG_WITNESS_BLOCK, hash }] });

    await s2.remote.send({ command: "inv", items: [{ type: MSG_BLOCK, hash }] });
    expect((await roundTrip(s2.remote)).filter((m) => m.command === "getdata")).toEqual([]);
    await s1.remote.send({ command: "notfound", items: [{ type: MSG_WITNESS_BLOCK, hash }] });
    expect(await nextOf(s2.remote, ["getdata"])).toEqual(first);

    clock.advance(BLOCK_DOWNLOAD_TIMEOUT_MS);
    expect(a.manager.status()).toMatchObject({
      blocksInFlight: 0,
      counters: { downloadTimeouts: 1 },
    });
    // Neither is asked again; a late delivery is still welcome.
    expect((await roundTrip(s1.remote)).filter((m) => m.command === "getdata")).toEqual([]);
    await s2.remote.send({ command: "block", raw: block });
    await waitFor(() => a.accepted.length === 1, "the late block accepted");
  });
});

describe("relay", () => {
  test("a block mined at A reaches C through B; each peer gets one announcement and one block", async () => {
    const [a, b, c] = [node("A", regtest), node("B", regtest), node("C", regtest)];
    const ab = await link(b, a);
    const bc = await link(c, b);
    await waitFor(
      () => ab.in.features.sendHeaders && bc.in.features.sendHeaders,
      "sendheaders from B and C",
    );
    const received = new Map([ab.out, ab.in, bc.out, bc.in].map((p) => [p, recordMessages(p)]));
    const block = new RegtestMiner(sha256).next(fillerTxs(3, 300, 1));
    const hash = hashOf(block);

    expect(a.manager.injectBlock(block).status).toBe("accepted");
    await waitFor(() => c.accepted.length === 1, "C accepts the block");
    // Whatever is still on its way on either link arrives before these pongs.
    for (const p of [ab.out, ab.in, bc.out, bc.in]) await pingRoundTrip(p);

    // B hears from A, C from B; nothing flows back.
    expect(countFor(received.get(ab.out)!, hash)).toEqual({ blocks: 1, announcements: 1 });
    expect(countFor(received.get(bc.out)!, hash)).toEqual({ blocks: 1, announcements: 1 });
    expect(countFor(received.get(ab.in)!, hash)).toEqual({ blocks: 0, announcements: 0 });
    expect(countFor(received.get(bc.in)!, hash)).toEqual({ blocks: 0, announcements: 0 });
    // They asked for headers, so announcements were headers messages.
    expect(received.get(ab.out)!.find((m) => announces(m, hash))?.command).toBe("headers");
    expect(received.get(bc.out)!.find((m) => announces(m, hash))?.command).toBe("headers");

    // Announced in the same call that accepted it: the latency is whatever the clock moved.
    const latencyMs = expect.any(Number);
    expect(a.relayed).toEqual([
      { hash: hashToHex(hash), height: 1, to: [ab.in.toString()], latencyMs },
    ]);
    expect(b.relayed).toEqual([
      { hash: hashToHex(hash), height: 1, to: [bc.in.toString()], latencyMs },
    ]);
    expect(c.relayed).toEqual([]);
    expect(b.manager.recentBlocks()).toMatchObject([{
      hash: hashToHex(hash),
      height: 1,
      from: ab.out.toString(),
      relayedTo: [bc.in.toString()],
      cached: true,
    }]);
    expect(c.chain.tipHeight).toBe(1);
  });

  test("peers that sent sendheaders get headers, the others inv", async () => {
    const a = node("A", regtest);
    const s1 = await scriptedLink(a);
    const s2 = await scriptedLink(a);
    await s1.remote.send({ command: "sendheaders" });
    await roundTrip(s1.remote);
    expect(s1.peer.features.sendHeaders).toBe(true);
    const block = new RegtestMiner(sha256).next();
    a.manager.injectBlock(block);

    const viaHeaders = await nextOf(s1.remote, ["headers", "inv"]);
    const viaInv = await nextOf(s2.remote, ["headers", "inv"]);
    expect(viaHeaders.command).toBe("headers");
    if (viaHeaders.command === "headers") {
      expect(viaHeaders.headers.map((h) => hashToHex(hashOf(encodeBlockHeader(h))))).toEqual([
        hashToHex(hashOf(block)),
      ]);
    }
    expect(viaInv).toEqual({ command: "inv", items: [{ type: MSG_BLOCK, hash: hashOf(block) }] });
    expect(a.relayed[0].to).toEqual([s1.peer.toString(), s2.peer.toString()]);
  });

  test("a peer that announced the block itself is not sent it back", async () => {
    const a = node("A", regtest);
    const s1 = await scriptedLink(a);
    const block = new RegtestMiner(sha256).next();
    await s1.remote.send({ command: "inv", items: [{ type: MSG_BLOCK, hash: hashOf(block) }] });
    await roundTrip(s1.remote);
    a.manager.injectBlock(block);
    const after = await roundTrip(s1.remote);
    expect(after.filter((m) => announces(m, hashOf(block)))).toEqual([]);
    expect(a.relayed).toEqual([]);
  });
});

describe("orphans", () => {
  test("orphan then parent: both accepted in order; a peer we have no record of is warned about", async () => {
    const a = node("A", regtest);
    const { peer, remote } = await scriptedLink(a, { attach: false });
    const miner = new RegtestMiner(sha256);
    const [b1, b2] = [miner.next(), miner.next()];

    await remote.send({ command: "block", raw: b2 });
    await waitFor(() => a.manager.status().orphans.count === 1, "the orphan held");
    const warning = a.log.find((r) => r.level === "warn");
    expect(warning?.message).toBe("orphan block from a peer we have no record of");
    expect(warning?.fields.peer).toBe(peer.toString());
    expect(a.accepted).toEqual([]);

    await remote.send({ command: "block", raw: b1 });
    await waitFor(() => a.accepted.length === 2, "both accepted");
    expect(a.accepted.map((e) => [e.height, e.hash])).toEqual([
      [1, hashToHex(hashOf(b1))],
      [2, hashToHex(hashOf(b2))],
    ]);
    expect(a.manager.status().orphans.count).toBe(0);
    expect(a.chain.tipHeight).toBe(2);
  });

  test("an orphan's missing parent is asked of the peer that sent it", async () => {
    const a = node("A", regtest);
    const { remote } = await scriptedLink(a);
    const miner = new RegtestMiner(sha256);
    const [b1, b2] = [miner.next(), miner.next()];
    await remote.send({ command: "block", raw: b2 });
    const request = await nextOf(remote, ["getdata"]);
    expect(request).toEqual({
      command: "getdata",
      items: [{ type: MSG_WITNESS_BLOCK, hash: hashOf(b1) }],
    });
    await remote.send({ command: "block", raw: b1 });
    await waitFor(() => a.accepted.length === 2, "both accepted");
    expect(a.accepted.map((e) => e.height)).toEqual([1, 2]);
    expect(a.log.filter((r) => r.level === "warn")).toEqual([]);
  });
});

describe("serving and blocks-only", () => {
  test("getdata: held blocks are sent (stripped for MSG_BLOCK), anything else gets notfound", async () => {
    const a = node("A", regtest);
    const block = new RegtestMiner(sha256).next(fillerTxs(2, 250, 2));
    a.manager.injectBlock(block);
    const { remote } = await scriptedLink(a);
    const hash = hashOf(block);
    const junk = new Uint8Array(32).fill(7);
    await remote.send({
      command: "getdata",
      items: [
        { type: MSG_WITNESS_BLOCK, hash },
        { type: MSG_WITNESS_BLOCK, hash: junk },
        { type: MSG_WITNESS_TX, hash: junk },
      ],
    });
    const sent = await nextOf(remote, ["block"]);
    expect(sent.command === "block" && bytesEqual(sent.raw, block)).toBe(true);
    expect(await nextOf(remote, ["notfound"])).toEqual({
      command: "notfound",
      items: [{ type: MSG_WITNESS_BLOCK, hash: junk }, { type: MSG_WITNESS_TX, hash: junk }],
    });

    await remote.send({ command: "getdata", items: [{ type: MSG_BLOCK, hash }] });
    const stripped = await nextOf(remote, ["block"]);
    if (stripped.command !== "block") throw new Error("unreachable");
    const decoded = decodeBlock(stripped.raw);
    expect(decoded.segwitTxCount).toBe(0);
    expect(stripped.raw.length).toBe(decodeBlock(block).strippedSize);
    expect(bytesEqual(hashOf(stripped.raw), hash)).toBe(true);
    expect(a.manager.status().counters).toMatchObject({ blocksServed: 2, notFoundSent: 2 });
  });

  test("transaction inventory and tx messages are ignored and counted, never requested", async () => {
    const a = node("A", regtest);
    const { remote } = await scriptedLink(a);
    const h = (n: number) => new Uint8Array(32).fill(n);
    await remote.send({
      command: "inv",
      items: [{ type: MSG_TX, hash: h(1) }, { type: MSG_WTX, hash: h(2) }, {
        type: MSG_WITNESS_TX,
        hash: h(3),
      }],
    });
    await remote.send({ command: "tx", raw: new Uint8Array(60) });
    const seen = await roundTrip(remote);
    expect(seen.filter((m) => m.command === "getdata")).toEqual([]);
    expect(a.manager.status().counters).toMatchObject({ txInvIgnored: 3, txIgnored: 1 });
  });

  test("getheaders and getblocks are answered from the header chain", async () => {
    const a = node("A", regtest);
    const miner = new RegtestMiner(sha256);
    const blocks = [miner.next(), miner.next(), miner.next()];
    for (const b of blocks) a.manager.injectBlock(b);
    const { remote } = await scriptedLink(a);
    const genesis = hexToHash(regtest.genesisHash);
    await remote.send({
      command: "getheaders",
      version: 70016,
      locator: [genesis],
      hashStop: new Uint8Array(32),
    });
    const headers = await nextOf(remote, ["headers"]);
    if (headers.command !== "headers") throw new Error("unreachable");
    expect(headers.headers.map((hd) => hashToHex(hashOf(encodeBlockHeader(hd))))).toEqual(
      blocks.map((b) => hashToHex(hashOf(b))),
    );
    await remote.send({
      command: "getblocks",
      version: 70016,
      locator: [hashOf(blocks[0]), genesis],
      hashStop: new Uint8Array(32),
    });
    expect(await nextOf(remote, ["inv"])).toEqual({
      command: "inv",
      items: blocks.slice(1).map((b) => ({ type: MSG_BLOCK, hash: hashOf(b) })),
    });
  });
});

describe("bounds and misbehaviour", () => {
  test("a peer announcing unknown junk hashes does not grow memory beyond the bounds", async () => {
    // The manager's clock stands still: the once-a-second re-ask (reask_headers_test.ts) never
    // comes due however long the 40 messages take to arrive on a busy machine.
    const a = node("A", regtest, { clock: new ManualClock(Date.now()) });
    const { peer, remote } = await scriptedLink(a);
    const before = await roundTrip(remote);
    // 40 messages of 500 (each below the size that costs points): 20,000 hashes.
    for (let round = 0; round < 40; round++) await remote.send(invOf(500, round + 1));
    const after = await roundTrip(remote);
    const getheaders = [...before, ...after].filter((m) => m.command === "getheaders").length;
    // One request outstanding at a time, whatever the number of junk hashes.
    expect(getheaders).toBe(1);
    expect(after.filter((m) => m.command === "getdata")).toEqual([]);
    expect(peer.known.size).toBeLessThanOrEqual(DEFAULT_KNOWN_INVENTORY_LIMIT);
    const status = a.manager.status();
    expect(status.blocksInFlight).toBe(0);
    expect(status.orphans.count).toBe(0);
    expect(status.blockRecords).toBe(0);
    expect(a.chain.count).toBe(1);
  });

  test("headers with bad proof of work get the peer banned", async () => {
    const a = node("A", regtest);
    const { peer, remote } = await scriptedLink(a);
    const events = recordEvents(peer);
    const header = decodeBlockHeader(new RegtestMiner(sha256).next().subarray(0, 80));
    header.bits = 0x1d00ffff; // mainnet difficulty: the hash cannot meet it
    await remote.send({ command: "headers", headers: [header] });
    await waitFor(() => events.disconnected.length === 1, "disconnect");
    expect(events.misbehaving).toMatchObject([{ banned: true }]);
    expect(events.misbehaving[0].reason).toMatch(/invalid header/);
    expect(a.chain.count).toBe(1);
  });

  test("non-connecting headers are answered with getheaders, one outstanding at a time, never punished", async () => {
    const clock = new ManualClock(Date.now());
    const a = node("A", regtest, { clock });
    const { peer, remote } = await scriptedLink(a);
    await roundTrip(remote); // the sync request, outstanding from here on
    const miner = new RegtestMiner(sha256);
    miner.next(); // never sent: what follows does not connect
    const floating = Array.from(
      { length: MAX_BLOCKS_TO_ANNOUNCE + 1 },
      () => decodeBlockHeader(miner.next().subarray(0, 80)),
    );
    const getheaders = (seen: Message[]) => seen.filter((m) => m.command === "getheaders").length;
    // While our request is outstanding, nothing more is asked however many arrive.
    for (let i = 0; i < 20; i++) {
      await remote.send({ command: "headers", headers: i % 2 ? floating : floating.slice(-1) });
    }
    expect(getheaders(await roundTrip(remote))).toBe(0);
    // Once it has expired, the next one draws a fresh getheaders (Core HandleUnconnectingHeaders).
    clock.advance(HEADERS_RESPONSE_TIMEOUT_MS);
    await remote.send({ command: "headers", headers: floating });
    expect(getheaders(await roundTrip(remote))).toBe(1);
    expect(peer.stats().banScore).toBe(0);
    expect(peer.state).toBe("ready");
    expect(a.chain.count).toBe(1);
  });

  test("a mutated block is rejected and its sender banned; the real block is still accepted", async () => {
    const a = node("A", regtest);
    const { peer, remote } = await scriptedLink(a);
    const events = recordEvents(peer);
    const block = new RegtestMiner(sha256).next(fillerTxs(2, 250, 3));
    const mutated = block.slice();
    mutated[decodeBlock(block).txOffsets[2] + 10] ^= 1; // the last transaction's prevout
    await remote.send({ command: "block", raw: mutated });
    await waitFor(() => events.disconnected.length === 1, "disconnect");
    expect(events.misbehaving[0].reason).toMatch(/bad-txnmrklroot/);
    expect(a.accepted).toEqual([]);
    expect(a.manager.injectBlock(block).status).toBe("accepted");
  });
});
