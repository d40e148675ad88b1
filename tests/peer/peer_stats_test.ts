/**
 * The per-peer snapshot (getpeerinfo-like) and which messages reach the
 * owner as "message" events.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { createLogger, memorySink } from "../../src/log/logger.ts";
import { Emitter } from "../../src/util/emitter.ts";
import { OTHER_COMMAND, TrafficCounter } from "../../src/peer/peer_stats.ts";
import { serviceNames, servicesHex } from "../../src/peer/services.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import { blockHeaderHash, encodeBlockHeader } from "../../src/wire/block_header.ts";
import { hashToHex } from "../../src/wire/bytes.ts";
import { MSG_BLOCK, MSG_TX, MSG_WITNESS_BLOCK } from "../../src/wire/messages/inv.ts";
import { ManualClock } from "../support/manual_clock.ts";
import {
  completeHandshake,
  peerOnPipe,
  peerOptions,
  readyPeer,
  remoteVersion,
} from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";

describe("stats", () => {
  test("service helpers print like Core", () => {
    expect(servicesHex(NODE_NETWORK | NODE_WITNESS)).toBe("0000000000000009");
    expect(serviceNames(NODE_NETWORK | NODE_WITNESS | (1n << 40n))).toEqual([
      "NETWORK",
      "WITNESS",
    ]);
  });

  test("traffic counters sum by command", () => {
    const c = new TrafficCounter();
    c.record("inv", 60);
    c.record("inv", 96);
    c.record(OTHER_COMMAND, 24);
    expect(c.snapshot()).toEqual({
      messages: 3,
      bytes: 180,
      perCommand: { "*other*": { messages: 1, bytes: 24 }, inv: { messages: 2, bytes: 156 } },
    });
  });

  test("a snapshot before and after the handshake", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const t = peerOnPipe("outbound", peerOptions({ clock, id: 42, persistent: true }));
    const before = t.peer.stats();
    expect(before).toMatchObject({
      id: 42,
      address: "127.0.0.1:8333",
      direction: "outbound",
      persistent: true,
      handshake: "version-sent",
      version: 0,
      userAgent: "",
      connectedAt: 1_700_000_000_000,
      lastReceive: null,
      banScore: 0,
      knownInventory: 0,
      pingMs: null,
    });
    await t.remote.acceptHandshake();
    await waitFor(() => t.events.ready === 1, "ready");
    const s = t.peer.stats();
    expect(s).toMatchObject({
      handshake: "ready",
      services: "0000000000000009",
      serviceNames: ["NETWORK", "WITNESS"],
      version: 70016,
      negotiatedVersion: 70016,
      userAgent: "/Satoshi:27.0.0/",
      startHeight: 850_000,
      relay: true,
      lastReceive: 1_700_000_000_000,
      lastSend: 1_700_000_000_000,
    });
    // Received: version (24 + payload) and verack (24 bytes).
    expect(s.received.perCommand.verack).toEqual({ messages: 1, bytes: 24 });
    expect(s.received.perCommand.version.messages).toBe(1);
    expect(s.received.messages).toBe(2);
    // Sent: version, wtxidrelay, sendaddrv2, verack, and the first ping.
    expect(Object.keys(s.sent.perCommand)).toEqual([
      "ping",
      "sendaddrv2",
      "verack",
      "version",
      "wtxidrelay",
    ]);
    expect(s.sent.perCommand.ping).toEqual({ messages: 1, bytes: 32 });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // JSON-safe: no bigint
    await t.peer.disconnect("test over");
    expect(t.peer.stats().handshake).toBe("closed");
  });

  test("the user agent is reduced to printable ASCII in stats and logs", async () => {
    const { sink, records } = memorySink();
    const t = peerOnPipe("inbound", peerOptions({ logger: createLogger({ sink }) }));
    await completeHandshake(t, remoteVersion({ userAgent: "/evil\x1b[31m\n:1.0/\u00e9" }));
    expect(t.peer.stats().userAgent).toBe("/evil[31m:1.0/");
    expect(records[0].fields.userAgent).toBe("/evil[31m:1.0/");
    expect(t.peer.remoteVersion?.userAgent).toBe("/evil\x1b[31m\n:1.0/\u00e9");
    await t.peer.disconnect("test over");
  });

  test("unknown commands count as *other*; the last announced block is tracked", async () => {
    const clock = new ManualClock();
    const t = await readyPeer("inbound", peerOptions({ clock }));
    await t.remote.send({ command: "unknown", name: "sendtxrcncl", raw: new Uint8Array(12) });
    const block = new Uint8Array(32).fill(0xab);
    const tx = new Uint8Array(32).fill(0xcd);
    await t.remote.send({
      command: "inv",
      items: [{ type: MSG_WITNESS_BLOCK, hash: block }, { type: MSG_TX, hash: tx }],
    });
    await waitFor(() => t.events.messages.length === 2, "two messages");
    const s = t.peer.stats();
    expect(s.received.perCommand[OTHER_COMMAND]).toEqual({ messages: 1, bytes: 36 });
    expect(s.received.perCommand.sendtxrcncl).toBeUndefined();
    expect(s.lastBlockAnnounced).toEqual({ hash: hashToHex(block), time: clock.now() });
    expect(s.knownInventory).toBe(1); // the block; blocks-only, the tx is not remembered

    const header = {
      version: 4,
      prevBlock: block,
      merkleRoot: new Uint8Array(32),
      time: 1_700_000_000,
      bits: 0x1d00ffff,
      nonce: 1,
    };
    await t.remote.send({ command: "headers", headers: [header] });
    await waitFor(() => t.events.messages.length === 3, "headers");
    const hash = blockHeaderHash(platform.sha256, encodeBlockHeader(header));
    expect(t.peer.stats().lastBlockAnnounced?.hash).toBe(hashToHex(hash));
    expect(t.peer.known.has(hash)).toBe(true);
    await t.peer.disconnect("test over");
  });

  test("owner messages are delivered; handshake and liveness ones are not", async () => {
    const t = await readyPeer("outbound");
    await t.remote.send({ command: "getaddr" });
    await t.remote.send({ command: "ping", nonce: 5n });
    await t.remote.send({ command: "sendheaders" });
    await t.remote.send({ command: "feefilter", feeRate: 2000n });
    await t.remote.send({ command: "inv", items: [{ type: MSG_BLOCK, hash: new Uint8Array(32) }] });
    await t.remote.send({ command: "unknown", name: "sendtxrcncl", raw: new Uint8Array(0) });
    await waitFor(() => t.events.messages.length === 3, "three messages");
    expect(t.events.messages.map((m) => m.command)).toEqual(["getaddr", "inv", "unknown"]);
    expect(t.peer.features).toEqual({
      sendHeaders: true,
      addrV2: false,
      wtxidRelay: false,
      feeFilter: 2000,
    });
    await t.peer.disconnect("test over");
  });
});

describe("events", () => {
  test("handlers run in order; unsubscribe works; a throwing handler does not stop the rest", () => {
    const errors: unknown[] = [];
    const e = new Emitter<{ tick: [number] }>((_event, error) => errors.push(error));
    const seen: string[] = [];
    e.on("tick", (n) => seen.push(`a${n}`));
    const off = e.on("tick", (n) => seen.push(`b${n}`));
    e.on("tick", () => {
      throw new Error("boom");
    });
    e.on("tick", (n) => seen.push(`d${n}`));
    e.emit("tick", 1);
    off();
    e.emit("tick", 2);
    expect(seen).toEqual(["a1", "b1", "d1", "a2", "d2"]);
    expect(errors).toHaveLength(2);
  });

  test("a throwing owner handler is logged and the peer keeps working", async () => {
    const { sink, records } = memorySink();
    const t = await readyPeer("inbound", peerOptions({ logger: createLogger({ sink }) }));
    t.peer.on("message", () => {
      throw new Error("owner bug");
    });
    await t.remote.send({ command: "getaddr" });
    await t.remote.send({ command: "getaddr" });
    await waitFor(() => t.events.messages.length === 2, "both delivered");
    expect(t.peer.state).toBe("ready");
    const warns = records.filter((r) => r.level === "warn");
    expect(warns).toHaveLength(2);
    expect(warns[0].fields).toMatchObject({ peer: t.peer.toString(), event: "message" });
    await t.peer.disconnect("test over");
  });
});
