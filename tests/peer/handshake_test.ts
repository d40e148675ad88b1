/**
 * The version handshake: the pure transition table and version checks, then
 * every path end to end with a scripted remote over an in-memory pipe.
 */
import { describe, expect, test } from "bun:test";
import { memoryPipe } from "../../adapters/memory/pipe.ts";
import {
  checkVersion,
  type HandshakeState,
  handshakeStep,
  initialHandshakeState,
} from "../../src/peer/handshake.ts";
import { NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS } from "../../src/peer/services.ts";
import { PROTOCOL_VERSION, USER_AGENT, VERSION } from "../../src/version.ts";
import { newInboundPeer, newOutboundPeer } from "../../src/peer/peer.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import {
  completeHandshake,
  peerOnPipe,
  peerOptions,
  readyPeer,
  recordEvents,
  remoteVersion,
} from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";

describe("handshake table", () => {
  test("outbound starts having sent version, inbound waits for one", () => {
    expect(initialHandshakeState("outbound")).toBe("version-sent");
    expect(initialHandshakeState("inbound")).toBe("awaiting-version");
  });

  test("version moves both start states to awaiting-verack, verack to ready", () => {
    for (const start of ["version-sent", "awaiting-version"] as HandshakeState[]) {
      expect(handshakeStep(start, "version")).toEqual({
        next: "awaiting-verack",
        action: { kind: "accept-version" },
      });
    }
    expect(handshakeStep("awaiting-verack", "verack")).toEqual({
      next: "ready",
      action: { kind: "complete" },
    });
  });

  test("anything else before version is ignored, including verack and features", () => {
    for (const cmd of ["verack", "ping", "inv", "sendaddrv2", "wtxidrelay", "frobnicate"]) {
      const step = handshakeStep("awaiting-version", cmd);
      expect(step.next).toBe("awaiting-version");
      expect(step.action.kind).toBe("ignore");
    }
  });

  test("wtxidrelay and sendaddrv2 are features only between version and verack", () => {
    expect(handshakeStep("awaiting-verack", "wtxidrelay").action).toEqual({
      kind: "feature",
      feature: "wtxidrelay",
    });
    expect(handshakeStep("awaiting-verack", "sendaddrv2").action).toEqual({
      kind: "feature",
      feature: "sendaddrv2",
    });
    for (const cmd of ["wtxidrelay", "sendaddrv2"]) {
      const { action } = handshakeStep("ready", cmd);
      expect(action.kind).toBe("violation");
      expect(action.kind === "violation" && action.disconnect).toBe(true);
    }
  });

  test("a second version is a violation that does not end the connection", () => {
    for (const state of ["awaiting-verack", "ready"] as HandshakeState[]) {
      const { next, action } = handshakeStep(state, "version");
      expect(next).toBe(state);
      expect(action).toMatchObject({ kind: "violation", violation: "duplicate-version" });
      expect(action.kind === "violation" && action.disconnect).toBe(false);
    }
  });

  test("other messages are ignored before verack and delivered after it", () => {
    expect(handshakeStep("awaiting-verack", "inv").action.kind).toBe("ignore");
    expect(handshakeStep("ready", "inv").action.kind).toBe("deliver");
    expect(handshakeStep("ready", "verack").action.kind).toBe("ignore");
    expect(handshakeStep("closed", "inv").action.kind).toBe("ignore");
  });

  const check = {
    direction: "outbound" as const,
    localNonces: new Set([42n]),
    minProtocolVersion: 70001,
    requiredServices: NODE_WITNESS,
  };

  test("checkVersion accepts a good version and names each problem", () => {
    expect(checkVersion(remoteVersion(), check)).toBeNull();
    expect(checkVersion(remoteVersion({ nonce: 42n }), check)).toContain("ourselves");
    expect(checkVersion(remoteVersion({ version: 70000 }), check)).toContain("below the minimum");
    expect(checkVersion(remoteVersion({ services: NODE_NETWORK }), check)).toContain(
      "lack required",
    );
    expect(checkVersion(remoteVersion({ services: NODE_NETWORK }), {
      ...check,
      direction: "inbound",
    })).toBeNull();
  });
});

describe("handshake over a memory pipe", () => {
  test("outbound sends version first, announcing 70016, blocks-only, user agent and height", async () => {
    const t = peerOnPipe(
      "outbound",
      peerOptions({ services: NODE_NETWORK_LIMITED | NODE_WITNESS, bestHeight: () => 123_456 }),
    );
    const { ours, after } = await completeHandshake(t);
    expect(ours.version).toBe(PROTOCOL_VERSION);
    expect(ours.version).toBe(70016);
    expect(ours.userAgent).toBe(`/btc-edge:${VERSION}/`);
    expect(ours.userAgent).toBe(USER_AGENT);
    expect(ours.startHeight).toBe(123_456);
    expect(ours.relay).toBe(false);
    expect(ours.services).toBe(NODE_NETWORK_LIMITED | NODE_WITNESS);
    expect(ours.addrRecv.port).toBe(8333);
    expect(after).toEqual(["wtxidrelay", "sendaddrv2", "verack"]);
    expect(t.peer.state).toBe("ready");
    expect(t.peer.negotiatedVersion).toBe(70016);
    expect(t.peer.remoteVersion?.userAgent).toBe("/Satoshi:27.0.0/");
    await t.peer.disconnect("test over");
  });

  test("inbound waits for the remote version, then answers version and verack", async () => {
    const t = peerOnPipe("inbound");
    // Nothing is sent before the remote's version: not at start, and not by
    // the time the peer has read (and ignored) a message that came before it.
    await t.remote.send({ command: "ping", nonce: 1n });
    await waitFor(() => t.peer.stats().ignoredMessages === 1, "the early ping ignored");
    expect(t.peer.stats().sent.messages).toBe(0);
    const { ours, after } = await completeHandshake(t);
    expect(ours.version).toBe(70016);
    expect(ours.relay).toBe(false);
    expect(after).toEqual(["wtxidrelay", "sendaddrv2", "verack"]);
    expect(t.peer.state).toBe("ready");
    expect(t.events.ready).toBe(1);
    await t.peer.disconnect("test over");
  });

  test("features negotiated before verack are recorded", async () => {
    const t = peerOnPipe("outbound");
    await t.remote.expect("version");
    await t.remote.send(remoteVersion());
    await t.remote.send({ command: "wtxidrelay" });
    await t.remote.send({ command: "sendaddrv2" });
    await t.remote.send({ command: "verack" });
    await waitFor(() => t.events.ready === 1, "ready");
    expect(t.peer.features.wtxidRelay).toBe(true);
    expect(t.peer.features.addrV2).toBe(true);
    await t.peer.disconnect("test over");
  });

  test("a peer below the minimum protocol version is dropped without an answer", async () => {
    const t = peerOnPipe("inbound");
    await t.remote.send(remoteVersion({ version: 70000 }));
    expect(await t.remote.untilEnd()).toEqual([]);
    await t.peer.closed;
    expect(t.events.disconnected).toHaveLength(1);
    expect(t.events.disconnected[0]).toContain("below the minimum 70001");
    expect(t.events.ready).toBe(0);
  });

  test("the minimum protocol version is configurable", async () => {
    const t = peerOnPipe("outbound", peerOptions({ minProtocolVersion: 70016 }));
    await t.remote.expect("version");
    await t.remote.send(remoteVersion({ version: 70015 }));
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("below the minimum 70016");
  });

  /** Two of our own peers, outbound and inbound, on the two ends of one pipe. */
  function ourPeersOnOnePipe(outNonces: Set<bigint>, inNonces: Set<bigint>) {
    const { client, server } = memoryPipe();
    const address = { address: parseAddress("127.0.0.1"), port: 8333 };
    const out = newOutboundPeer(address, client, peerOptions({ localNonces: outNonces }));
    const inbound = newInboundPeer(
      server,
      peerOptions({ localNonces: inNonces, services: NODE_NETWORK_LIMITED | NODE_WITNESS }),
    );
    const events = { out: recordEvents(out), in: recordEvents(inbound) };
    out.start();
    inbound.start();
    return { out, inbound, events };
  }

  test("connecting to ourselves is detected by our version nonce", async () => {
    const localNonces = new Set<bigint>();
    const { out, inbound, events } = ourPeersOnOnePipe(localNonces, localNonces);
    await Promise.all([out.closed, inbound.closed]);
    expect(events.in.disconnected[0]).toContain("ourselves");
    expect(events.out.ready + events.in.ready).toBe(0);
    expect(localNonces.size).toBe(0);
  });

  test("two nodes (separate nonce sets) complete the handshake with each other", async () => {
    const { out, inbound, events } = ourPeersOnOnePipe(new Set(), new Set());
    await waitFor(() => events.out.ready === 1 && events.in.ready === 1, "both ready");
    expect(out.remoteVersion?.userAgent).toBe(USER_AGENT);
    expect(inbound.features.addrV2).toBe(true);
    await out.disconnect("test over");
    await inbound.closed;
    expect(events.in.disconnected).toEqual(["connection closed"]);
  });

  test("an outbound peer lacking required services is dropped; inbound is not held to it", async () => {
    const required = NODE_NETWORK | NODE_WITNESS;
    const out = peerOnPipe("outbound", peerOptions({ requiredServices: required }));
    await out.remote.expect("version");
    await out.remote.send(remoteVersion({ services: NODE_NETWORK_LIMITED }));
    await out.peer.closed;
    expect(out.events.disconnected[0]).toContain("lack required");

    const inbound = peerOnPipe("inbound", peerOptions({ requiredServices: required }));
    await completeHandshake(inbound, remoteVersion({ services: NODE_NETWORK_LIMITED }));
    expect(inbound.peer.state).toBe("ready");
    await inbound.peer.disconnect("test over");
  });

  test("a duplicate version is misbehaviour; the connection stays", async () => {
    const t = await readyPeer("outbound");
    await t.remote.send(remoteVersion());
    await waitFor(() => t.peer.stats().banScore === 1, "ban score 1");
    // Still alive: a ping is answered.
    await t.remote.send({ command: "ping", nonce: 7n });
    let msg = await t.remote.next();
    while (msg?.command !== "pong") msg = await t.remote.next();
    expect(msg.nonce).toBe(7n);
    expect(t.peer.state).toBe("ready");
    await t.peer.disconnect("test over");
  });

  test("a version repeated before verack is misbehaviour too", async () => {
    const t = peerOnPipe("inbound");
    await t.remote.send(remoteVersion());
    await t.remote.send(remoteVersion());
    await waitFor(() => t.peer.stats().banScore === 1, "ban score 1");
    expect(t.peer.state).toBe("awaiting-verack");
    await t.peer.disconnect("test over");
  });

  for (const late of ["sendaddrv2", "wtxidrelay"] as const) {
    test(`${late} after verack ends the connection`, async () => {
      const t = await readyPeer("inbound");
      await t.remote.send({ command: late });
      await t.peer.closed;
      expect(t.events.disconnected).toEqual([`${late} after verack`]);
      expect(t.peer.stats().banScore).toBeGreaterThan(0);
    });
  }

  test("messages before verack are ignored and counted, not delivered", async () => {
    const t = peerOnPipe("outbound");
    await t.remote.expect("version");
    await t.remote.send({ command: "getaddr" }); // before their version
    await t.remote.send(remoteVersion());
    await t.remote.send({ command: "inv", items: [] }); // before verack
    await t.remote.send({ command: "ping", nonce: 1n });
    await t.remote.send({ command: "verack" });
    await waitFor(() => t.events.ready === 1, "ready");
    expect(t.events.messages).toEqual([]);
    expect(t.peer.stats().ignoredMessages).toBe(3);
    await t.peer.disconnect("test over");
  });

  test("negotiated version is the lower one and features follow it", async () => {
    const t = peerOnPipe("outbound");
    const { after } = await t.remote.acceptHandshake(remoteVersion({ version: 70012 }));
    await waitFor(() => t.events.ready === 1, "ready");
    expect(t.peer.negotiatedVersion).toBe(70012);
    // No BIP339/BIP155 negotiation below 70016.
    expect(after).toEqual(["verack"]);
    await t.remote.send({ command: "sendheaders" });
    await t.remote.send({ command: "feefilter", feeRate: 1000n });
    await waitFor(() => t.peer.stats().ignoredMessages === 1, "feefilter ignored");
    expect(t.peer.features.sendHeaders).toBe(true);
    expect(t.peer.features.feeFilter).toBeNull();
    await t.peer.disconnect("test over");
  });

  test("feefilter is recorded from 70013", async () => {
    // 70012 is covered above (ignored); 70013 is the first version that counts.
    const t = peerOnPipe("outbound");
    await t.remote.acceptHandshake(remoteVersion({ version: 70013 }));
    await waitFor(() => t.events.ready === 1, "ready");
    expect(t.peer.negotiatedVersion).toBe(70013);
    await t.remote.send({ command: "feefilter", feeRate: 1000n });
    await waitFor(() => t.peer.features.feeFilter === 1000, "feefilter");
    expect(t.peer.stats().ignoredMessages).toBe(0);
    await t.peer.disconnect("test over");
  });

  test("the handshake works when bytes arrive a few at a time", async () => {
    const t = peerOnPipe("inbound", peerOptions(), { readChunkBytes: 7 });
    await completeHandshake(t);
    expect(t.peer.state).toBe("ready");
    await t.peer.disconnect("test over");
  });

  test("a malformed version ends the handshake", async () => {
    const t = peerOnPipe("inbound");
    await t.remote.send({ command: "unknown", name: "version", raw: new Uint8Array(10) });
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("malformed version");
  });
});
