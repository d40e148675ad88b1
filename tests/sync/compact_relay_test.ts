/**
 * Compact block relay (BIP152) on the serving side, as Core with
 * `-blocksonly`: `sendcmpct(0, 2)` after the handshake; high-bandwidth
 * requests and their limit; new tips pushed as `cmpctblock` (once per
 * height, never to the sender, only to peers that have the parent) and
 * rebuilt by a peer with a mempool through `getblocktxn`/`blocktxn`; the
 * depth rules of `getdata(MSG_CMPCT_BLOCK)` and `getblocktxn`; a received
 * `cmpctblock` taken as an announcement; malformed and abusive compact
 * messages.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { silentLogger } from "../../src/log/logger.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { acceptBlock } from "../../src/sync/block_accept.ts";
import {
  CMPCTBLOCKS_VERSION,
  CompactRelay,
  MAX_BLOCKTXN_DEPTH,
  MAX_CMPCTBLOCK_DEPTH,
  MAX_HB_PEERS,
  type NewTipBlock,
} from "../../src/sync/compact_relay.ts";
import { HeaderChain } from "../../src/sync/header_chain.ts";
import { PENALTIES } from "../../src/sync/penalties.ts";
import { MALFORMED_MESSAGE_POINTS } from "../../src/peer/misbehaviour.ts";
import { blockTx, decodeBlock } from "../../src/wire/block.ts";
import { checkBlockBody } from "../../src/wire/block_check.ts";
import { blockHeaderHash, encodeBlockHeader } from "../../src/wire/block_header.ts";
import { bytesEqual, hashToHex } from "../../src/wire/bytes.ts";
import { buildCmpctBlock } from "../../src/wire/compact_block.ts";
import type { Message } from "../../src/wire/message.ts";
import { MSG_CMPCT_BLOCK, MSG_WITNESS_BLOCK } from "../../src/wire/messages/inv.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { encodeMessageFrame } from "../support/message_frame.ts";
import { PartialBlock } from "../support/compact_receiver.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";
import { MAGIC } from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";
import { type FakePeer, fakePeer } from "./fake_peer.ts";
import { newNode, nextOf, roundTrip, scriptedLink, shutdown, type TestNode } from "./sync_net.ts";

const sha256 = platform.sha256;
const regtest = NETWORKS.regtest;
const hashOf = (bytes: Uint8Array) => blockHeaderHash(sha256, bytes);

// ---- the relay alone, over fake peers ----

/** A relay on a fresh regtest chain; `best` sets what each peer showed it has. */
function relayOn() {
  const chain = new HeaderChain({ params: regtest, sha256, now: () => Date.now() });
  const best = new Map<number, number>();
  const relay = new CompactRelay({
    chain,
    sha256,
    random: seededRandom(3),
    logger: silentLogger,
    bestHeight: (peer) => best.get(peer.id) ?? -1,
  });
  const miner = new RegtestMiner(sha256, 5);
  /** Mines and accepts the next block (with `txs` filler transactions): the new tip. */
  const mine = (txs = 0): NewTipBlock => {
    const bytes = miner.next(fillerTxs(txs, 300, miner.height));
    const result = acceptBlock(chain, sha256, bytes);
    if (result.status !== "accepted") throw new Error(`block refused: ${result.status}`);
    return result;
  };
  return { chain, relay, best, mine };
}

/** A fake peer that joined `relay` and asked for high-bandwidth mode. */
function hbPeer(relay: CompactRelay, id: number, overrides: Partial<FakePeer> = {}): FakePeer {
  const peer = fakePeer(id, overrides);
  relay.peerAdded(peer);
  relay.onSendCmpct(peer, { command: "sendcmpct", announce: 1, version: CMPCTBLOCKS_VERSION });
  return peer;
}

const cmpctSent = (peer: FakePeer) => peer.sent.filter((m) => m.command === "cmpctblock");

describe("CompactRelay: negotiation", () => {
  test("sendcmpct(0, 2) goes to every peer at protocol 70014 or later, and only to those", () => {
    const { relay } = relayOn();
    const modern = fakePeer(1);
    const old = fakePeer(2, { negotiatedVersion: 70013 });
    relay.peerAdded(modern);
    relay.peerAdded(old);
    expect(modern.sent).toEqual([{ command: "sendcmpct", announce: 0, version: 2n }]);
    expect(old.sent).toEqual([]);
  });

  test("at most 3 high-bandwidth peers: the newest request goes in, the oldest out", () => {
    const { relay } = relayOn();
    const peers = [1, 2, 3, 4].map((id) => hbPeer(relay, id));
    expect(MAX_HB_PEERS).toBe(3);
    expect(relay.highBandwidthPeers).toEqual(peers.slice(1).map(String));
    // Asking again moves a peer to the back: the next newcomer displaces another.
    relay.onSendCmpct(peers[1], { command: "sendcmpct", announce: 1, version: 2n });
    const fifth = hbPeer(relay, 5);
    expect(relay.highBandwidthPeers).toEqual([peers[3], peers[1], fifth].map(String));
  });

  test("a freed slot goes to the latest waiting request; sendcmpct(0, 2) gives it up", () => {
    const { relay } = relayOn();
    const peers = [1, 2, 3, 4, 5].map((id) => hbPeer(relay, id));
    expect(relay.highBandwidthPeers).toEqual(peers.slice(2).map(String));
    relay.peerRemoved(peers[2].id);
    expect(relay.highBandwidthPeers).toEqual([peers[3], peers[4], peers[1]].map(String));
    relay.onSendCmpct(peers[3], { command: "sendcmpct", announce: 0, version: 2n });
    expect(relay.highBandwidthPeers).toEqual([peers[4], peers[1], peers[0]].map(String));
    // A peer that gave up is not brought back when another slot frees.
    relay.peerRemoved(peers[4].id);
    relay.peerRemoved(peers[1].id);
    expect(relay.highBandwidthPeers).toEqual([peers[0]].map(String));
  });

  test("an inbound request never displaces the last outbound high-bandwidth peer", () => {
    const { relay } = relayOn();
    const outbound = hbPeer(relay, 1, { direction: "outbound" });
    const inbound = [2, 3, 4, 5].map((id) => hbPeer(relay, id, { direction: "inbound" }));
    expect(relay.highBandwidthPeers).toEqual([outbound, inbound[2], inbound[3]].map(String));
  });

  test("version 1 is ignored; an announce byte other than 0 or 1 costs Core's discouragement", () => {
    const { relay } = relayOn();
    const v1 = fakePeer(1);
    relay.peerAdded(v1);
    relay.onSendCmpct(v1, { command: "sendcmpct", announce: 1, version: 1n });
    expect(relay.highBandwidthPeers).toEqual([]);
    const bad = fakePeer(2);
    relay.peerAdded(bad);
    relay.onSendCmpct(bad, { command: "sendcmpct", announce: 2, version: 2n });
    expect(relay.highBandwidthPeers).toEqual([]);
    expect(bad.points).toEqual([{ points: 100, reason: "sendcmpct announce 2" }]);
    expect(PENALTIES["sendcmpct-announce"].points).toBe(100);
    expect(v1.points).toEqual([]);
  });
});

describe("CompactRelay: pushing new tips", () => {
  test("a new tip goes as cmpctblock to high-bandwidth peers only, once, never to its sender", () => {
    const { relay, mine } = relayOn();
    const [a, b, sender] = [1, 2, 3].map((id) => hbPeer(relay, id));
    const low = fakePeer(4);
    relay.peerAdded(low);
    const tip = mine(5);
    const to = relay.pushNewTip(tip, sender);
    expect(to).toEqual([a, b]);
    for (const peer of [a, b]) {
      const [msg] = cmpctSent(peer);
      expect(msg).toBeDefined();
      expect(peer.known.has(tip.hash)).toBe(true);
      // Built with the wtxids acceptance hashed: the same ids as from the block alone.
      const again = buildCmpctBlock(sha256, tip.block, (msg as { nonce: bigint }).nonce);
      expect(msg).toEqual(again);
    }
    expect(cmpctSent(sender)).toEqual([]);
    expect(cmpctSent(low)).toEqual([]);
    // Once per height: the same tip (or another at its height) is not pushed again.
    expect(relay.pushNewTip(tip, undefined)).toEqual([]);
    expect(relay.counters.compactPushed).toBe(2);
  });

  test("a peer not known to have the parent, or below protocol 70015, gets no push", () => {
    const { relay, mine, best } = relayOn();
    const first = mine();
    const knowsParent = hbPeer(relay, 1);
    const showedParent = hbPeer(relay, 2);
    const lacksParent = hbPeer(relay, 3);
    knowsParent.known.add(first.hash);
    best.set(showedParent.id, 1);
    expect(relay.pushNewTip(mine(2), undefined)).toEqual([knowsParent, showedParent]);
    expect(cmpctSent(lacksParent)).toEqual([]);

    const other = relayOn();
    const old = hbPeer(other.relay, 4, { negotiatedVersion: 70014 });
    expect(other.relay.highBandwidthPeers).toEqual([String(old)]);
    // Block 1's parent is genesis, which every peer has: only the version stops it.
    expect(other.relay.pushNewTip(other.mine(), undefined)).toEqual([]);
    const modern = hbPeer(other.relay, 5);
    expect(other.relay.pushNewTip(other.mine(), undefined)).toEqual([]);
    modern.known.add(other.chain.hashAt(2)!);
    expect(other.relay.pushNewTip(other.mine(), undefined)).toEqual([modern]);
  });

  test("a peer whose send queue refuses the push is not marked as having the block", () => {
    const { relay, mine } = relayOn();
    const full = hbPeer(relay, 1);
    full.accepts = false;
    const tip = mine(1);
    expect(relay.pushNewTip(tip, undefined)).toEqual([]);
    expect(full.known.has(tip.hash)).toBe(false);
  });
});

describe("CompactRelay: depth rules", () => {
  /** A chain of 12 blocks of 3 transactions; held blocks by height. */
  function chainOf12() {
    const env = relayOn();
    const held = Array.from({ length: 12 }, () => {
      const tip = env.mine(3);
      return { hash: tip.hash, bytes: tip.block.bytes, height: tip.height };
    });
    return { ...env, held };
  }

  test("getdata(MSG_CMPCT_BLOCK): cmpctblock within depth 5, the full block deeper", () => {
    const { relay, held, chain } = chainOf12();
    expect(MAX_CMPCTBLOCK_DEPTH).toBe(5);
    const at = (depth: number) => held[chain.tipHeight - depth - 1];
    for (const depth of [0, 5]) {
      const msg = relay.answerCmpctBlock(at(depth).hash, at(depth));
      expect(msg.command).toBe("cmpctblock");
      if (msg.command !== "cmpctblock") continue;
      expect(msg.shortIds.length).toBe(3 * 6);
      expect(bytesEqual(msg.prefilled[0].tx, blockTx(decodeBlock(at(depth).bytes), 0))).toBe(true);
    }
    const deep = relay.answerCmpctBlock(at(6).hash, at(6));
    expect(deep).toEqual({ command: "block", raw: at(6).bytes });
    expect(relay.counters.compactServed).toBe(2);
  });

  test("getblocktxn: blocktxn within depth 10, the full block deeper, nothing when not held", () => {
    const { relay, held, chain } = chainOf12();
    expect(MAX_BLOCKTXN_DEPTH).toBe(10);
    const peer = fakePeer(1);
    const at = (depth: number) => held[chain.tipHeight - depth - 1];
    const ask = (depth: number, indexes: number[]) =>
      relay.answerGetBlockTxn(
        peer,
        { command: "getblocktxn", blockHash: at(depth).hash, indexes },
        at(depth),
      );
    const answer = ask(10, [1, 3]);
    expect(answer?.command).toBe("blocktxn");
    if (answer?.command === "blocktxn") {
      const block = decodeBlock(at(10).bytes);
      expect(answer.txs).toEqual([blockTx(block, 1), blockTx(block, 3)]);
      expect(bytesEqual(answer.blockHash, at(10).hash)).toBe(true);
    }
    expect(ask(11, [1])).toEqual({ command: "block", raw: at(11).bytes });
    expect(peer.points).toEqual([]);
  });

  test("an index past the block's last transaction gets no answer and costs 100 points", () => {
    const { relay, held } = chainOf12();
    const peer = fakePeer(1);
    const tip = held[11];
    const msg = { command: "getblocktxn" as const, blockHash: tip.hash, indexes: [1, 4] };
    expect(relay.answerGetBlockTxn(peer, msg, tip)).toBeUndefined();
    expect(peer.points).toEqual([{
      points: PENALTIES["getblocktxn-out-of-bounds"].points,
      reason: "getblocktxn index 4 in a block of 4 transactions",
    }]);
    expect(PENALTIES["getblocktxn-out-of-bounds"].points).toBe(100);
  });
});

// ---- the block manager over real peers, with a scripted remote playing Core ----

const nodes: TestNode[] = [];
afterEach(async () => {
  await shutdown(nodes.splice(0));
});
function node(name: string): TestNode {
  const n = newNode(name, regtest);
  nodes.push(n);
  return n;
}

/** True when `msg` announces `hash` (headers or inv). */
function announces(msg: Message, hash: Uint8Array): boolean {
  if (msg.command === "inv") return msg.items.some((i) => bytesEqual(i.hash, hash));
  if (msg.command === "headers") {
    return msg.headers.some((h) => bytesEqual(hashOf(encodeBlockHeader(h)), hash));
  }
  return false;
}

describe("compact relay through the block manager", () => {
  test("a pushed cmpctblock is rebuilt through getblocktxn/blocktxn with matching hash", async () => {
    const a = node("a");
    const { remote: hb } = await scriptedLink(a);
    const { remote: full } = await scriptedLink(a, { direction: "outbound" });
    for (const remote of [hb, full]) {
      const first = await nextOf(remote, ["sendcmpct"]);
      expect(first).toEqual({ command: "sendcmpct", announce: 0, version: 2n });
    }
    await hb.send({ command: "sendcmpct", announce: 1, version: 2n });
    await full.send({ command: "sendheaders" });
    await roundTrip(hb);
    await roundTrip(full);
    expect(a.manager.status().highBandwidthPeers).toHaveLength(1);

    const miner = new RegtestMiner(sha256, 11);
    const txs = fillerTxs(40, 400, 1);
    const block = miner.next(txs);
    const hash = hashOf(block);
    expect(a.manager.submit(block)?.status).toBe("accepted");

    const skipped: string[] = [];
    const cmpct = await nextOf(hb, ["cmpctblock", "headers", "inv"], skipped);
    expect(cmpct.command).toBe("cmpctblock");
    if (cmpct.command !== "cmpctblock") return;
    // The receiver's mempool holds every other transaction: it asks for the rest.
    const partial = new PartialBlock(sha256, cmpct, txs.filter((_, i) => i % 2 === 0));
    const missing = partial.missing();
    expect(missing).toEqual(txs.map((_, i) => i + 1).filter((i) => i % 2 === 0));
    await hb.send({ command: "getblocktxn", blockHash: hash, indexes: missing });
    const blocktxn = await nextOf(hb, ["blocktxn"]);
    if (blocktxn.command !== "blocktxn") return;
    const rebuilt = partial.fill(blocktxn.txs);
    expect(bytesEqual(hashOf(rebuilt), hash)).toBe(true);
    expect(bytesEqual(rebuilt, block)).toBe(true);
    expect(checkBlockBody(sha256, decodeBlock(rebuilt)).problem).toBe(null);

    // The full-block peer got the usual header announcement; the pushed one nothing more.
    const announcement = await nextOf(full, ["headers", "inv", "cmpctblock"]);
    expect(announcement.command).toBe("headers");
    expect((await roundTrip(hb)).filter((m) => announces(m, hash))).toEqual([]);
    const relayed = a.relayed.find((e) => e.hash === hashToHex(hash));
    expect(relayed?.to).toHaveLength(2);
    expect(a.manager.status().counters).toMatchObject({ compactPushed: 1, blockTxnServed: 1 });
  });
});

describe("compact requests and announcements through the block manager", () => {
  test("getdata(MSG_CMPCT_BLOCK) and getblocktxn follow the depth rules on the held blocks", async () => {
    const a = node("a");
    const { remote } = await scriptedLink(a);
    const miner = new RegtestMiner(sha256, 13);
    const blocks = Array.from({ length: 7 }, (_, i) => miner.next(fillerTxs(2, 300, 20 + i)));
    for (const block of blocks) expect(a.manager.submit(block)?.status).toBe("accepted");
    const [deep, tip] = [hashOf(blocks[0]), hashOf(blocks[6])];
    await remote.send({
      command: "getdata",
      items: [{ type: MSG_CMPCT_BLOCK, hash: tip }, { type: MSG_CMPCT_BLOCK, hash: deep }],
    });
    const compact = await nextOf(remote, ["cmpctblock", "block", "notfound"]);
    expect(compact.command).toBe("cmpctblock");
    if (compact.command === "cmpctblock") {
      expect(bytesEqual(hashOf(encodeBlockHeader(compact.header)), tip)).toBe(true);
    }
    expect(await nextOf(remote, ["cmpctblock", "block", "notfound"])).toEqual({
      command: "block",
      raw: blocks[0],
    });
    await remote.send({ command: "getblocktxn", blockHash: deep, indexes: [2] });
    const txn = await nextOf(remote, ["blocktxn", "block"]);
    expect(txn).toEqual({
      command: "blocktxn",
      blockHash: deep,
      txs: [blockTx(decodeBlock(blocks[0]), 2)],
    });
    const unknown = new Uint8Array(32).fill(5);
    await remote.send({ command: "getblocktxn", blockHash: unknown, indexes: [0] });
    const after = await roundTrip(remote);
    expect(after.map((m) => m.command)).toEqual([]);
  });

  test("a cmpctblock received is an announcement: the block is fetched whole, never compact", async () => {
    const a = node("a");
    const { remote } = await scriptedLink(a, { direction: "outbound" });
    await nextOf(remote, ["getheaders"]);
    const block = new RegtestMiner(sha256, 14).next(fillerTxs(3, 300, 2));
    const hash = hashOf(block);
    await remote.send(buildCmpctBlock(sha256, decodeBlock(block), 77n));
    const request = await nextOf(remote, ["getdata", "getblocktxn"]);
    expect(request).toEqual({ command: "getdata", items: [{ type: MSG_WITNESS_BLOCK, hash }] });
    await remote.send({ command: "block", raw: block });
    await waitFor(() => a.accepted.length === 1, "the announced block accepted");
    expect(a.chain.tipHeight).toBe(1);
  });

  test("malformed compact messages cost the usual points and change nothing", async () => {
    const a = node("a");
    const { peer, remote } = await scriptedLink(a);
    const frame = (name: string, raw: Uint8Array) =>
      encodeMessageFrame(MAGIC, { command: "unknown", name, raw }, sha256);
    const block = new RegtestMiner(sha256, 15).next(fillerTxs(2, 300, 3));
    const payload = encodeMessageFrame(
      MAGIC,
      buildCmpctBlock(sha256, decodeBlock(block), 1n),
      sha256,
    ).subarray(24);
    const overflow = new Uint8Array(32 + 1 + 3 + 1);
    overflow.set([2, 0xfd, 0xff, 0xff, 0], 32); // indexes 65535, then 65536
    await remote.sendRaw(frame("cmpctblock", payload.subarray(0, 100))); // truncated
    await remote.sendRaw(frame("getblocktxn", overflow)); // index past 65535
    await remote.sendRaw(frame("blocktxn", new Uint8Array(32 + 1 + 5).fill(1))); // not a tx
    await remote.sendRaw(frame("sendcmpct", new Uint8Array(8))); // one byte short
    await roundTrip(remote);
    expect(peer.state).toBe("ready");
    expect(peer.stats().banScore).toBe(4 * MALFORMED_MESSAGE_POINTS);
    expect(a.manager.status().highBandwidthPeers).toEqual([]);
    expect(a.chain.tipHeight).toBe(0);
  });

  test("sendcmpct with announce 2, or getblocktxn past the last transaction, ends the peer", async () => {
    const a = node("a");
    const block = new RegtestMiner(sha256, 16).next(fillerTxs(2, 300, 4));
    expect(a.manager.submit(block)?.status).toBe("accepted");
    const first = await scriptedLink(a);
    await first.remote.send({ command: "sendcmpct", announce: 2, version: 2n });
    await waitFor(() => first.peer.state === "closed", "disconnected after sendcmpct(2, 2)");
    const second = await scriptedLink(a);
    await second.remote.send({ command: "getblocktxn", blockHash: hashOf(block), indexes: [3] });
    await waitFor(() => second.peer.state === "closed", "disconnected after getblocktxn");
    expect(a.manager.status().counters.blockTxnServed).toBe(0);
  });
});
