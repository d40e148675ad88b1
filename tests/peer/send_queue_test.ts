/**
 * The send queue: one write at a time, a byte bound that refuses what would
 * exceed it, and a peer that stops reading being dropped while the memory
 * held for it stays bounded.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_SEND_QUEUE_LIMIT_BYTES, SendQueue } from "../../src/peer/send_queue.ts";
import { invOf, peerOptions, readyPeer } from "../support/scripted_peer.ts";
import { settle, waitFor } from "../support/wait.ts";

describe("SendQueue", () => {
  test("the default bound is bcoin's DRAIN_MAX, 10 MiB", () => {
    expect(DEFAULT_SEND_QUEUE_LIMIT_BYTES).toBe(10 * 1024 * 1024);
  });

  test("writes run one at a time, in order", async () => {
    const written: number[] = [];
    let inFlight = 0, maxInFlight = 0;
    const q = new SendQueue(
      async (b) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await settle(1);
        written.push(b[0]);
        inFlight--;
      },
      1_000,
      () => {},
    );
    for (let i = 0; i < 10; i++) expect(q.push([new Uint8Array([i, 0, 0])])).toBe("queued");
    await waitFor(() => written.length === 10, "ten writes");
    expect(written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxInFlight).toBe(1);
    expect(q.bytes).toBe(0);
  });

  test("a stalled connection fills the queue to its bound, then pushes are refused", () => {
    const q = new SendQueue(() => new Promise<void>(() => {}), 1_000, () => {});
    let queued = 0;
    for (let i = 0; i < 100; i++) {
      const r = q.push([new Uint8Array(30), new Uint8Array(70)]);
      if (r === "queued") queued++;
      else expect(r).toBe("overflow");
      expect(q.bytes).toBeLessThanOrEqual(1_000);
    }
    expect(queued).toBe(10);
    q.close();
    expect(q.push([new Uint8Array(1)])).toBe("closed");
  });

  test("a failed write closes the queue and reports once", async () => {
    const errors: unknown[] = [];
    const q = new SendQueue(() => Promise.reject(new Error("broken pipe")), 1_000, (e) => {
      errors.push(e);
    });
    q.push([new Uint8Array(10)]);
    q.push([new Uint8Array(10)]);
    await settle();
    expect(errors).toHaveLength(1);
    expect(q.push([new Uint8Array(1)])).toBe("closed");
  });
});

describe("peer send path", () => {
  test("a peer that stops reading is dropped at the bound; memory stays bounded", async () => {
    const limit = 256 * 1024;
    const t = await readyPeer("outbound", peerOptions({ sendQueueLimitBytes: limit }));
    // From here on the remote reads nothing.
    let sends = 0;
    for (let i = 0; i < 1_000 && t.peer.state !== "closed"; i++) {
      if (t.peer.send(invOf(1_000, i))) sends++;
      expect(t.peer.stats().sendQueueBytes).toBeLessThanOrEqual(limit);
      await settle(1);
    }
    await t.peer.closed;
    expect(t.events.disconnected).toHaveLength(1);
    expect(t.events.disconnected[0]).toContain("send queue over 262144 bytes");
    // Roughly the bound plus the pipe's buffer went out before the drop, not all 1,000.
    expect(sends).toBeGreaterThan(2);
    expect(sends).toBeLessThan(20);
  });

  test("a reading peer gets everything when the owner respects the backlog", async () => {
    const limit = 256 * 1024;
    const t = await readyPeer("inbound", peerOptions({ sendQueueLimitBytes: limit }));
    let received = 0;
    const reading = (async () => {
      while (received < 100) {
        const msg = await t.remote.next();
        if (msg?.command === "inv") received++;
        if (msg === null) return;
      }
    })();
    for (let i = 0; i < 100; i++) {
      await waitFor(() => t.peer.queuedBytes <= limit / 2, "backlog below half");
      expect(t.peer.send(invOf(1_000, i))).toBe(true);
    }
    await reading;
    expect(received).toBe(100);
    expect(t.events.disconnected).toEqual([]);
    await t.peer.disconnect("test over");
  });

  test("a large payload is sent as header and payload and arrives intact", async () => {
    const t = await readyPeer("outbound");
    const raw = new Uint8Array(1_000_000);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) % 251;
    expect(t.peer.send({ command: "block", raw })).toBe(true);
    let msg = await t.remote.next();
    while (msg !== null && msg.command !== "block") msg = await t.remote.next();
    expect(msg?.command).toBe("block");
    const got = msg?.command === "block" ? msg.raw : new Uint8Array(0);
    expect(got.length).toBe(raw.length);
    expect(got.every((b, i) => b === raw[i])).toBe(true);
    expect(t.peer.stats().sent.perCommand.block).toEqual({ messages: 1, bytes: 1_000_024 });
    await t.peer.disconnect("test over");
  });
});
