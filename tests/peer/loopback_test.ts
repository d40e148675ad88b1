/**
 * Peers over real loopback TCP sockets of the current runtime (`#platform`):
 * the handshake in both directions against a scripted remote, two of our
 * own peers talking, self-connection, and a remote that stops reading.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import type { Conn } from "../../src/platform/conn.ts";
import { newInboundPeer, newOutboundPeer } from "../../src/peer/peer.ts";
import { NODE_NETWORK_LIMITED, NODE_WITNESS } from "../../src/peer/services.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import {
  completeHandshake,
  peerOptions,
  recordEvents,
  startPeer,
} from "../support/scripted_peer.ts";
import { settle, waitFor } from "../support/wait.ts";
import { afterEachCleanup } from "../support/cleanup.ts";

const LOOPBACK = "127.0.0.1";
const cleanup = afterEachCleanup();

/** A loopback listener handing accepted connections to `onConn`; returns its port. */
async function listen(onConn: (conn: Conn) => void): Promise<number> {
  const listener = await platform.listen({ host: LOOPBACK, port: 0, onConn });
  cleanup.push(() => listener.close());
  return listener.addr.port;
}

/** A dialed connection and the accepted one at the other end. */
async function tcpPair(): Promise<{ dialed: Conn; accepted: Conn }> {
  let accept!: (c: Conn) => void;
  const accepted = new Promise<Conn>((r) => (accept = r));
  const port = await listen(accept);
  const dialed = await platform.dial({ host: LOOPBACK, port });
  const pair = { dialed, accepted: await accepted };
  cleanup.push(() => {
    pair.dialed.close();
    pair.accepted.close();
  });
  return pair;
}

describe(`peers over loopback TCP (${platform.name})`, () => {
  test("outbound handshake with a scripted remote", async () => {
    const { dialed, accepted } = await tcpPair();
    const t = startPeer("outbound", dialed, accepted, peerOptions());
    const { ours, after } = await completeHandshake(t);
    expect(ours.version).toBe(70016);
    expect(ours.relay).toBe(false);
    expect(after).toEqual(["wtxidrelay", "sendaddrv2", "verack"]);
    expect(t.peer.toString()).toBe(`127.0.0.1:${dialed.remote.port} (outbound)`);
    await t.peer.disconnect("test over");
    expect(await t.remote.untilEnd()).toContain("ping");
  });

  test("inbound handshake with a scripted remote", async () => {
    const { dialed, accepted } = await tcpPair();
    const t = startPeer("inbound", accepted, dialed, peerOptions());
    const { ours, after } = await completeHandshake(t);
    expect(ours.userAgent).toMatch(/^\/btc-edge:/);
    expect(after).toEqual(["wtxidrelay", "sendaddrv2", "verack"]);
    expect(t.peer.toString()).toBe(`127.0.0.1:${dialed.local.port} (inbound)`);
    t.remote.conn.close();
    await t.peer.closed;
    expect(t.events.disconnected).toEqual(["connection closed"]);
  });

  test("two of our peers handshake with each other; self-connection is refused", async () => {
    const options = { services: NODE_NETWORK_LIMITED | NODE_WITNESS };
    for (const shared of [false, true]) {
      const nonces = new Set<bigint>();
      const { dialed, accepted } = await tcpPair();
      const address = { address: parseAddress(LOOPBACK), port: dialed.remote.port };
      const out = newOutboundPeer(
        address,
        dialed,
        peerOptions({ ...options, localNonces: shared ? nonces : new Set() }),
      );
      const inbound = newInboundPeer(accepted, peerOptions({ ...options, localNonces: nonces }));
      const events = [recordEvents(out), recordEvents(inbound)];
      out.start();
      inbound.start();
      if (shared) {
        await Promise.all([out.closed, inbound.closed]);
        expect(events[1].disconnected[0]).toContain("ourselves");
      } else {
        await waitFor(() => events.every((e) => e.ready === 1), "both ready");
        await out.disconnect("test over");
        await inbound.closed;
      }
    }
  });

  test("a remote that stops reading is dropped at the send bound", async () => {
    const { dialed, accepted } = await tcpPair();
    const limit = 1024 * 1024;
    const t = startPeer("outbound", dialed, accepted, peerOptions({ sendQueueLimitBytes: limit }));
    await completeHandshake(t);
    // The remote reads nothing from here on; we send 1 MB messages.
    const raw = new Uint8Array(1_000_000);
    let sent = 0;
    for (let i = 0; i < 500 && t.peer.state !== "closed"; i++) {
      if (t.peer.send({ command: "unknown", name: "junk", raw })) sent++;
      expect(t.peer.queuedBytes).toBeLessThanOrEqual(limit);
      await settle(2);
    }
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("send queue over 1048576 bytes");
    expect(sent).toBeLessThan(500);
  }, 30_000);
});
