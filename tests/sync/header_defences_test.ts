/**
 * The header-chain defences of issue 14, end to end through the block
 * manager and real peers: the three cheap attacks (each of which worked
 * before: low-work headers stored, a sync peer that replays known headers
 * holding the sync, sixteen unrequested side blocks flushing what we serve),
 * header presync on regtest with a raised minimum chain work (a chain below
 * it leaves nothing stored, one above it syncs through presync and
 * redownload, one whose redownload differs is caught by the commitments),
 * a new block fetched from a non-sync peer while syncing, and the mainnet
 * headers of the vectors synced through presync.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { work } from "../../src/sync/compact_target.ts";
import { HEADERS_RESPONSE_TIMEOUT_MS } from "../../src/sync/header_sync.ts";
import { decodeBlock, encodeBlock } from "../../src/wire/block.ts";
import { blockHeaderHash, decodeBlockHeader } from "../../src/wire/block_header.ts";
import { bytesEqual, hashToHex, hexToHash } from "../../src/wire/bytes.ts";
import { buildCmpctBlock } from "../../src/wire/compact_block.ts";
import type { Message } from "../../src/wire/message.ts";
import { MSG_WITNESS_BLOCK } from "../../src/wire/messages/inv.ts";
import { NETWORKS, withMinimumChainWork } from "../../src/wire/params.ts";
import { computeTxid } from "../../src/wire/tx.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { coinbaseTx, RegtestMiner } from "../support/regtest_blocks.ts";
import type { ScriptedPeer } from "../support/scripted_peer.ts";
import { recordEvents } from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";
import { mainnetHeaders, mineHeader, mineRun, REGTEST_GENESIS_TIME } from "./helpers.ts";
import {
  link,
  newNode,
  nextOf,
  roundTrip,
  scriptedLink,
  shutdown,
  type TestNode,
} from "./sync_net.ts";

const sha256 = platform.sha256;
const hashOf = (raw: Uint8Array) => blockHeaderHash(sha256, raw);
const regtest = NETWORKS.regtest;
const EASY = regtest.powLimitBits;
const W = work(EASY);
const GENESIS = hexToHash(regtest.genesisHash);
const asHeaders = (raws: readonly Uint8Array[]) => raws.map((r) => decodeBlockHeader(r));

const nodes: TestNode[] = [];
function node(...args: Parameters<typeof newNode>): TestNode {
  const n = newNode(...args);
  nodes.push(n);
  return n;
}
afterEach(async () => {
  await shutdown(nodes.splice(0));
});

/** A one-coinbase regtest block on `prev` at `height`, dated `time`. */
function blockOn(prev: Uint8Array, height: number, time: number, tag = 0): Uint8Array {
  const coinbase = coinbaseTx(height, tag);
  const header = mineHeader({ prev, time, bits: EASY, merkleRoot: computeTxid(sha256, coinbase) });
  return encodeBlock(decodeBlockHeader(header), [coinbase]);
}

/** Stores `raws` in `n`'s chain directly (as loaded from disk), failing on any refusal. */
function store(n: TestNode, raws: readonly Uint8Array[]): void {
  for (let i = 0; i < raws.length; i += 2000) {
    expect(n.chain.acceptHeaders(raws.slice(i, i + 2000)).error).toBeNull();
  }
}

/** The messages `remote` got up to now. */
async function drained(remote: ScriptedPeer): Promise<Message[]> {
  return await roundTrip(remote);
}

/** The blocks (display hex) asked for by the witness `getdata`s among `messages`. */
function asked(messages: readonly Message[]): string[] {
  return messages.flatMap((m) =>
    m.command === "getdata"
      ? m.items.filter((i) => i.type === MSG_WITNESS_BLOCK).map((i) => hashToHex(i.hash))
      : []
  );
}

describe("attack 1: a low-work fork from genesis", () => {
  test("a 2,999-header fork from genesis below our tip's work is not stored, at no cost to us", async () => {
    const b = node("B", regtest);
    const ours = mineRun(GENESIS, 3_200, REGTEST_GENESIS_TIME + 1, EASY, 1);
    store(b, ours);
    const fork = mineRun(GENESIS, 2_999, REGTEST_GENESIS_TIME + 1, EASY, 1, 7);
    const { peer, remote } = await scriptedLink(b, { direction: "outbound", startHeight: 9_000 });
    await nextOf(remote, ["getheaders"]);
    await remote.send({ command: "headers", headers: asHeaders(fork.slice(0, 2000)) });
    // Asked for more: presync goes on from the last header (before: the follow-up request).
    const more = await nextOf(remote, ["getheaders"]);
    expect(b.chain.count).toBe(3_201);
    expect(more.command === "getheaders" && hashToHex(more.locator[0])).toBe(
      hashToHex(hashOf(fork[1999])),
    );
    expect(b.manager.status().headerSync.presync).toMatchObject({
      peer: peer.toString(),
      phase: "presync",
      height: 2000,
    });
    await remote.send({ command: "headers", headers: asHeaders(fork.slice(2000)) });
    await roundTrip(remote);

    expect(b.chain.count).toBe(3_201);
    expect(b.chain.tipHeight).toBe(3_200);
    expect(b.chain.has(hashOf(fork[0]))).toBe(false);
    expect(peer.stats().banScore).toBe(0);
    expect(b.manager.status().counters.headersBelowThreshold).toBe(2_999);
    expect(b.manager.status().headerSync.presync).toBeNull();
  });
});

describe("attack 2: a sync peer that cannot be dislodged", () => {
  /** B holds 2,100 headers ending 15 minutes ago; the next block extends them. */
  function stalledSetup(clock: ManualClock) {
    const b = node("B", regtest, { clock });
    const now = Math.floor(clock.now() / 1000);
    const ours = mineRun(GENESIS, 2_100, now - 3_000, EASY, 1);
    store(b, ours);
    const next = blockOn(hashOf(ours[2_099]), 2_101, now - 800);
    return { b, ours, next, replay: asHeaders(ours.slice(100)) };
  }

  test(
    "an inbound peer replaying 2,000 known headers every 90 s: an outbound peer takes over and the new block is fetched",
    async () => {
      const clock = new ManualClock(Date.now());
      const { b, next, replay } = stalledSetup(clock);
      const attacker = await scriptedLink(b, { direction: "inbound", startHeight: 100_000 });
      await nextOf(attacker.remote, ["getheaders"]);
      expect(b.manager.status().headerSync.syncPeer).toBe(attacker.peer.toString());
      const honest = await scriptedLink(b, { direction: "outbound", startHeight: 2_101 });
      await honest.remote.send({ command: "headers", headers: asHeaders([next.subarray(0, 80)]) });
      const honestSaw: Message[] = [];
      // Two simulated hours of replays.
      for (let t = 0; t < 2 * 3600_000; t += 90_000) {
        clock.advance(90_000);
        await attacker.remote.send({ command: "headers", headers: replay });
        await roundTrip(attacker.remote);
        // The honest peer is asked for the blocks of the window too: read as it goes.
        honestSaw.push(...await drained(honest.remote));
      }
      expect(asked(honestSaw)).toContain(hashToHex(hashOf(next)));
      await honest.remote.send({ command: "block", raw: next });
      await waitFor(() => b.accepted.length === 1, "the honest peer's block accepted");
      expect(b.chain.tipHeight).toBe(2_101);
      const sync = b.manager.status().headerSync;
      expect(sync.syncPeer).not.toBe(attacker.peer.toString());
    },
    30_000,
  );

  test(
    "an outbound sync peer replaying known headers is set aside after 2 minutes without new work; a non-sync peer's new block is fetched at once",
    async () => {
      const clock = new ManualClock(Date.now());
      const { b, next, replay } = stalledSetup(clock);
      const attacker = await scriptedLink(b, { direction: "outbound", startHeight: 100_000 });
      await nextOf(attacker.remote, ["getheaders"]);
      const honest = await scriptedLink(b, { direction: "outbound", startHeight: 2_101 });
      expect(b.manager.status().headerSync.syncPeer).toBe(attacker.peer.toString());
      // The honest peer announces a new block: it extends our tip, which is recent.
      await honest.remote.send({ command: "headers", headers: asHeaders([next.subarray(0, 80)]) });
      // (With it come the blocks of the heights below it that we lack: the download window.)
      expect(asked([await nextOf(honest.remote, ["getdata"])])).toContain(hashToHex(hashOf(next)));
      expect(b.manager.status().headerSync.state).toBe("syncing");
      await honest.remote.send({ command: "block", raw: next });
      await waitFor(() => b.accepted.length === 1, "the block accepted while syncing");
      expect(b.relayed.map((r) => r.height)).toEqual([2_101]);

      // Replays answer every request, but bring no work: the stall timer runs out.
      for (let t = 0; t < HEADERS_RESPONSE_TIMEOUT_MS; t += 30_000) {
        await attacker.remote.send({ command: "headers", headers: replay });
        await roundTrip(attacker.remote);
        clock.advance(30_000);
      }
      expect(b.manager.status().headerSync.syncPeer).toBe(honest.peer.toString());
      expect(b.log.some((r) => r.message === "header sync peer stalled; switching")).toBe(true);
      expect(attacker.peer.stats().banScore).toBe(0);
    },
    30_000,
  );

  test(
    "a non-sync peer's new block announced as cmpctblock is fetched at once while syncing, as one announced in headers",
    async () => {
      const clock = new ManualClock(Date.now());
      const { b, next } = stalledSetup(clock);
      const attacker = await scriptedLink(b, { direction: "outbound", startHeight: 100_000 });
      await nextOf(attacker.remote, ["getheaders"]);
      const honest = await scriptedLink(b, { direction: "outbound", startHeight: 2_101 });
      expect(b.manager.status().headerSync.syncPeer).toBe(attacker.peer.toString());
      await honest.remote.send(buildCmpctBlock(sha256, decodeBlock(next), 5n));
      expect(asked([await nextOf(honest.remote, ["getdata"])])).toContain(hashToHex(hashOf(next)));
      expect(b.manager.status().headerSync.state).toBe("syncing");
    },
    30_000,
  );
});

describe("attack 3: sixteen cheap blocks", () => {
  test("unrequested one-block forks off genesis are neither kept nor relayed; our tip is still served", async () => {
    const a = node("A", regtest);
    const miner = new RegtestMiner(sha256);
    const ours = [miner.next(), miner.next(), miner.next()];
    for (const block of ours) expect(a.manager.injectBlock(block).status).toBe("accepted");
    const attacker = await scriptedLink(a);
    const watcher = await scriptedLink(a);
    for (let i = 0; i < 16; i++) {
      await attacker.remote.send({
        command: "block",
        raw: new RegtestMiner(sha256, 100 + i).next(),
      });
    }
    await roundTrip(attacker.remote);
    expect(a.accepted.length).toBe(3);
    expect(a.manager.status().counters.blocksIgnored).toBe(16);
    const tip = hashOf(ours[2]);
    await watcher.remote.send({
      command: "getdata",
      items: [{ type: MSG_WITNESS_BLOCK, hash: tip }],
    });
    const answer = await nextOf(watcher.remote, ["block", "notfound"]);
    expect(answer.command === "block" && bytesEqual(answer.raw, ours[2])).toBe(true);
    // Nothing of theirs was announced to anyone.
    expect((await roundTrip(watcher.remote)).filter((m) => m.command === "inv")).toEqual([]);
    expect(attacker.peer.stats().banScore).toBe(0);
  });
});

describe("header presync with a raised minimum chain work (regtest)", () => {
  /** A regtest manager holding `n` headers, serving them (its own minimum chain work is 0). */
  function source(n: number, salt = 0): { a: TestNode; raws: Uint8Array[] } {
    const a = node("A", regtest);
    const raws = mineRun(GENESIS, n, REGTEST_GENESIS_TIME + 1, EASY, 1, salt);
    store(a, raws);
    return { a, raws };
  }

  test("a peer whose chain stays below it leaves no stored header", async () => {
    const { a } = source(3_000);
    const b = node("B", withMinimumChainWork(regtest, 5_000n * W));
    await link(b, a);
    await waitFor(() => b.manager.status().headerSync.state === "waiting", "B gives the peer up");
    expect(b.chain.count).toBe(1);
    expect(b.manager.status().counters.headersBelowThreshold).toBe(3_000);
    expect(b.log.some((r) => r.message === "header presync started")).toBe(true);
  });

  test("a peer whose chain reaches it syncs through presync and redownload", async () => {
    const { a, raws } = source(12_000);
    const b = node("B", withMinimumChainWork(regtest, 10_000n * W));
    const seen: Array<string | null> = [];
    const presyncs = setInterval(
      () => seen.push(b.manager.status().headerSync.presync?.phase ?? null),
      1,
    );
    try {
      await link(b, a);
      await waitFor(() => b.chain.tipHeight === 12_000, "B's headers at 12,000", 20_000);
    } finally {
      clearInterval(presyncs);
    }
    expect(hashToHex(b.chain.tip().hash)).toBe(hashToHex(hashOf(raws[11_999])));
    expect(b.chain.count).toBe(12_001);
    const status = b.manager.status();
    expect(status.headerSync.state).toBe("synced");
    expect(status.headerSync.presync).toBeNull();
    // Up to the threshold (header 9,999 gives 10,000 W with genesis) it was only presynced.
    expect(status.counters.headersBelowThreshold).toBe(10_000);
    expect(status.counters.headersAccepted).toBe(12_000);
    expect(b.log.some((r) => r.message === "header presync started")).toBe(true);
  }, 30_000);

  test(
    "a peer that shows one chain in presync and another in redownload is caught and banned",
    async () => {
      const n = 12_000;
      const shown = mineRun(GENESIS, n, REGTEST_GENESIS_TIME + 1, EASY, 1, 1);
      const swapped = mineRun(GENESIS, n, REGTEST_GENESIS_TIME + 1, EASY, 1, 2);
      const b = node("B", withMinimumChainWork(regtest, 10_000n * W));
      const { peer, remote } = await scriptedLink(b, { direction: "outbound", startHeight: n });
      const events = recordEvents(peer);
      const index = new Map(shown.map((raw, i) => [hashToHex(hashOf(raw)), i]));
      swapped.forEach((raw, i) => index.set(hashToHex(hashOf(raw)), i));
      let redownloading = false;
      for (let round = 0; round < 20 && peer.state === "ready"; round++) {
        const request = await nextOf(remote, ["getheaders"]).catch(() => null);
        if (request === null || request.command !== "getheaders") break;
        const from = request.locator[0];
        if (bytesEqual(from, GENESIS)) redownloading = round > 0;
        const chain = redownloading ? swapped : shown;
        const start = bytesEqual(from, GENESIS) ? 0 : index.get(hashToHex(from))! + 1;
        await remote.send({
          command: "headers",
          headers: asHeaders(chain.slice(start, start + 2000)),
        });
      }
      await waitFor(() => events.disconnected.length === 1, "the peer banned");
      expect(redownloading).toBe(true);
      expect(events.misbehaving[0]).toMatchObject({ banned: true });
      expect(events.misbehaving[0].reason).toMatch(/differ from the presynced chain/);
      expect(b.chain.count).toBe(1);
    },
    30_000,
  );
});

describe("serving below the minimum chain work", () => {
  test("getheaders is answered with no headers until our chain has the minimum work (Core)", async () => {
    const b = node("B", withMinimumChainWork(regtest, 100n * W));
    const raws = mineRun(GENESIS, 150, REGTEST_GENESIS_TIME + 1, EASY, 1);
    store(b, raws.slice(0, 50));
    const { remote } = await scriptedLink(b);
    const ask = () =>
      remote.send({
        command: "getheaders",
        version: 70016,
        locator: [GENESIS],
        hashStop: new Uint8Array(32),
      });
    await ask();
    const below = await nextOf(remote, ["headers"]);
    expect(below.command === "headers" && below.headers.length).toBe(0);
    // Header 99 brings the chain (with genesis) to 100 W: the minimum.
    store(b, raws.slice(50));
    await ask();
    const above = await nextOf(remote, ["headers"]);
    expect(above.command === "headers" && above.headers.length).toBe(150);
  });
});

describe("mainnet vectors", () => {
  test("headers 0–255 sync through presync when the minimum chain work is that of block 200", async () => {
    const mainnet = withMinimumChainWork(NETWORKS.main, 201n * work(0x1d00ffff));
    const served = withMinimumChainWork(NETWORKS.main, 0n);
    const a = node("A", served, { limits: { headersPerMessage: 100 } });
    const headers = mainnetHeaders();
    store(a, headers.slice(1));
    const b = node("B", mainnet, { limits: { headersPerMessage: 100 } });
    await link(b, a);
    await waitFor(() => b.chain.tipHeight === 255, "B's headers at 255", 10_000);
    expect(hashToHex(b.chain.tip().hash)).toBe(hashToHex(hashOf(headers[255])));
    expect(b.manager.status().counters.headersBelowThreshold).toBe(200);
  });
});

describe("a peer lacking every block of the download window", () => {
  test("is asked for each block once: its notfound answers are remembered for the whole window", async () => {
    const raws = mineRun(GENESIS, 300, REGTEST_GENESIS_TIME + 1, EASY, 1, 7);
    const b = node("B", regtest);
    const { remote } = await scriptedLink(b, { direction: "outbound", startHeight: 300 });
    await nextOf(remote, ["getheaders"]);
    await remote.send({ command: "headers", headers: asHeaders(raws) });
    const asked: string[] = [];
    // Each round answers every getdata with notfound; a memory shorter than the
    // window of 288 would ask again and again (bounded here at 60 rounds).
    for (let round = 0; round < 60; round++) {
      const items = (await roundTrip(remote)).flatMap((m) =>
        m.command === "getdata" ? m.items : []
      );
      if (items.length === 0 && asked.length > 0) break;
      asked.push(...items.map((i) => hashToHex(i.hash)));
      if (items.length > 0) await remote.send({ command: "notfound", items });
    }
    expect(asked.length).toBe(288);
    expect(new Set(asked).size).toBe(288);
  });
});
