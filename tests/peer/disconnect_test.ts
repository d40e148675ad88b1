/**
 * `disconnect` is idempotent and safe from any async context: one close, one
 * "disconnected" event with the first reason, a `closed` promise for all,
 * and nothing sent or handled afterwards.
 */
import { describe, expect, test } from "bun:test";
import { memoryPipe } from "../../adapters/memory/pipe.ts";
import type { Conn } from "../../src/platform/conn.ts";
import { newOutboundPeer } from "../../src/peer/peer.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import {
  completeHandshake,
  peerOptions,
  readyPeer,
  recordEvents,
  startPeer,
} from "../support/scripted_peer.ts";
import { settle } from "../support/wait.ts";

/** A memory pipe whose client end counts `close()` calls. */
function countingPipe(): { client: Conn; server: Conn; closes: () => number } {
  const { client, server } = memoryPipe();
  let closes = 0;
  const counted: Conn = {
    remote: client.remote,
    local: client.local,
    readable: client.readable,
    write: (b) => client.write(b),
    close: () => {
      closes++;
      client.close();
    },
    closed: client.closed,
  };
  return { client: counted, server, closes: () => closes };
}

describe("disconnect", () => {
  test("100 concurrent calls close once and emit one event with the first reason", async () => {
    const pipe = countingPipe();
    const t = startPeer("outbound", pipe.client, pipe.server, peerOptions());
    await completeHandshake(t);
    const sentBefore = t.peer.stats().sent.messages;

    const calls: Promise<void>[] = [t.peer.disconnect("first")];
    for (let i = 1; i < 100; i++) {
      const reason = `call ${i}`;
      switch (i % 4) {
        case 0:
          calls.push(t.peer.disconnect(reason));
          break;
        case 1:
          calls.push(Promise.resolve().then(() => t.peer.disconnect(reason)));
          break;
        case 2:
          calls.push(new Promise((r) => setTimeout(() => r(t.peer.disconnect(reason)), 0)));
          break;
        default:
          calls.push(t.peer.closed.then(() => t.peer.disconnect(reason)));
      }
    }
    await Promise.all(calls);
    await t.peer.closed;
    await settle();
    expect(pipe.closes()).toBe(1);
    expect(t.events.disconnected).toEqual(["first"]);
    expect(t.peer.state).toBe("closed");
    expect(t.peer.send({ command: "getaddr" })).toBe(false);
    expect(t.peer.stats().sent.messages).toBe(sentBefore);
  });

  test("a message already in flight is not handled after disconnect", async () => {
    const t = await readyPeer("inbound");
    // Written (buffered in the pipe) and disconnect in the same turn: never delivered.
    void t.remote.send({ command: "getaddr" }).catch(() => {});
    void t.peer.disconnect("now");
    await t.peer.closed;
    await settle();
    expect(t.events.messages).toEqual([]);
    expect(t.events.disconnected).toEqual(["now"]);
  });

  test("disconnect from inside an event handler and from a timer at once", async () => {
    const t = await readyPeer("outbound");
    t.peer.on("message", () => {
      void t.peer.disconnect("from handler");
      setTimeout(() => void t.peer.disconnect("from timer"), 0);
    });
    await t.remote.send({ command: "getaddr" });
    await t.remote.send({ command: "getaddr" });
    await t.peer.closed;
    await settle();
    expect(t.events.disconnected).toEqual(["from handler"]);
    expect(t.events.messages).toHaveLength(1);
  });

  test("a peer disconnected before start never sends", async () => {
    const { client } = memoryPipe();
    const address = { address: parseAddress("127.0.0.1"), port: 8333 };
    const peer = newOutboundPeer(address, client, peerOptions());
    const events = recordEvents(peer);
    await peer.disconnect("changed my mind");
    peer.start();
    await settle();
    expect(peer.stats().sent.messages).toBe(0);
    expect(peer.state).toBe("closed");
    expect(events.disconnected).toEqual(["changed my mind"]);
  });

  test("the remote closing is one disconnect with one reason", async () => {
    const t = await readyPeer("outbound");
    t.remote.conn.close();
    await t.peer.closed;
    await settle();
    expect(t.events.disconnected).toEqual(["connection closed"]);
  });
});
