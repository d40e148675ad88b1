/**
 * Liveness: the handshake deadline, the ping cycle with round-trip time,
 * wrong-nonce pongs, the pong and inactivity timeouts, and timer
 * cancellation on disconnect. Time is a manual clock, so nothing waits on
 * the wall clock except one test that uses the real timers with short values.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_PEER_TIMEOUTS, randomNonce, resolveTimeouts } from "../../src/peer/liveness.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { peerOnPipe, peerOptions, readyPeer, remoteVersion } from "../support/scripted_peer.ts";
import { settle } from "../support/wait.ts";

const TIMEOUTS = {
  handshakeMs: 1_000,
  pingIntervalMs: 2_000,
  pingTimeoutMs: 5_000,
  inactivityMs: 20_000,
};

describe("liveness", () => {
  test("defaults are Core/btcd's: 30 s handshake, 2 min ping, 20 min pong, 5 min silence", () => {
    expect(DEFAULT_PEER_TIMEOUTS).toEqual({
      handshakeMs: 30_000,
      pingIntervalMs: 120_000,
      pingTimeoutMs: 1_200_000,
      inactivityMs: 300_000,
    });
  });

  test("overrides replace single deadlines; undefined keeps the default; nonsense is refused", () => {
    expect(resolveTimeouts({ pingIntervalMs: 50, handshakeMs: undefined })).toEqual({
      ...DEFAULT_PEER_TIMEOUTS,
      pingIntervalMs: 50,
    });
    expect(() => resolveTimeouts({ inactivityMs: 0 })).toThrow(RangeError);
    expect(() => resolveTimeouts({ pingTimeoutMs: Number.NaN })).toThrow(RangeError);
  });

  test("random nonces are never zero and follow the injected source", () => {
    const a = seededRandom(7), b = seededRandom(7);
    for (let i = 0; i < 100; i++) {
      const n = randomNonce(a);
      expect(n).not.toBe(0n);
      expect(randomNonce(b)).toBe(n);
    }
  });

  test("a handshake that does not finish in time ends the connection", async () => {
    const clock = new ManualClock();
    const t = peerOnPipe("inbound", peerOptions({ clock, timeouts: TIMEOUTS }));
    await settle();
    clock.advance(999);
    await settle();
    expect(t.events.disconnected).toEqual([]);
    clock.advance(1);
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("handshake not completed within 1000 ms");
  });

  test("the handshake deadline also uses the real timers", async () => {
    const t = peerOnPipe("outbound", peerOptions({ timeouts: { handshakeMs: 50 } }));
    await t.remote.expect("version");
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("handshake not completed");
  });

  test("a ping goes out at once after the handshake; its pong gives the round-trip time", async () => {
    const clock = new ManualClock();
    const t = await readyPeer("outbound", peerOptions({ clock, timeouts: TIMEOUTS }));
    const ping = await t.remote.expect("ping");
    expect(ping.nonce).not.toBe(0n);
    expect(t.peer.stats().pingWaitMs).toBe(0);
    clock.advance(37);
    await t.remote.send({ command: "pong", nonce: ping.nonce });
    await waitForStat(() => t.peer.stats().pingMs !== null);
    expect(t.peer.stats().pingMs).toBe(37);
    expect(t.peer.stats().minPingMs).toBe(37);
    expect(t.peer.stats().pingWaitMs).toBeNull();

    // The next ping comes after the interval; min keeps the lower time.
    clock.advance(TIMEOUTS.pingIntervalMs - 37); // the interval counts from the first ping
    const ping2 = await t.remote.expect("ping");
    expect(ping2.nonce).not.toBe(ping.nonce);
    clock.advance(80);
    await t.remote.send({ command: "pong", nonce: ping2.nonce });
    await waitForStat(() => t.peer.stats().pingMs === 80);
    expect(t.peer.stats().minPingMs).toBe(37);
    await t.peer.disconnect("test over");
  });

  test("a pong with the wrong nonce is ignored", async () => {
    const clock = new ManualClock();
    const t = await readyPeer("outbound", peerOptions({ clock, timeouts: TIMEOUTS }));
    const ping = await t.remote.expect("ping");
    await t.remote.send({ command: "pong", nonce: ping.nonce ^ 1n });
    await waitForStat(() => t.peer.stats().ignoredMessages === 1);
    expect(t.peer.stats().pingMs).toBeNull();
    expect(t.peer.stats().pingWaitMs).not.toBeNull();
    await t.peer.disconnect("test over");
  });

  test("only one ping is outstanding at a time", async () => {
    const clock = new ManualClock();
    const t = await readyPeer("outbound", peerOptions({ clock, timeouts: TIMEOUTS }));
    await t.remote.expect("ping");
    clock.advance(TIMEOUTS.pingIntervalMs * 2); // two intervals, still under the pong timeout
    await settle();
    expect(t.peer.stats().sent.perCommand.ping.messages).toBe(1);
    await t.peer.disconnect("test over");
  });

  test("no pong within the timeout ends the connection", async () => {
    const clock = new ManualClock();
    const t = await readyPeer("inbound", peerOptions({ clock, timeouts: TIMEOUTS }));
    await t.remote.expect("ping");
    // Keep talking (so inactivity does not fire), but never answer the ping.
    for (let ms = 0; ms < TIMEOUTS.pingTimeoutMs - 1_000; ms += 1_000) {
      await t.remote.send({ command: "getaddr" });
      await settle(1);
      clock.advance(1_000);
    }
    await settle();
    expect(t.events.disconnected).toEqual([]);
    clock.advance(1_000);
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("no pong within 5000 ms");
  });

  test("nothing received for the inactivity time ends the connection", async () => {
    const clock = new ManualClock();
    const timeouts = { ...TIMEOUTS, pingTimeoutMs: 60_000, inactivityMs: 10_000 };
    const t = await readyPeer("outbound", peerOptions({ clock, timeouts }));
    // Activity at 6 s pushes the deadline to 16 s.
    clock.advance(6_000);
    await t.remote.send({ command: "getaddr" });
    await waitForStat(() => t.events.messages.length === 1);
    clock.advance(9_000);
    await settle();
    expect(t.events.disconnected).toEqual([]);
    clock.advance(1_000);
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("nothing received for 10000 ms");
  });

  test("the peer answers a ping with a pong carrying its nonce", async () => {
    const t = await readyPeer("inbound", peerOptions({ timeouts: TIMEOUTS }));
    await t.remote.send({ command: "ping", nonce: 0xfeedn });
    for (;;) {
      const msg = await t.remote.next();
      if (msg?.command === "pong") {
        expect(msg.nonce).toBe(0xfeedn);
        break;
      }
      expect(msg).not.toBeNull();
    }
    await t.peer.disconnect("test over");
  });

  test("disconnect cancels every timer", async () => {
    const clock = new ManualClock();
    const t = await readyPeer("outbound", peerOptions({ clock, timeouts: TIMEOUTS }));
    expect(clock.pending).toBeGreaterThan(0);
    await t.peer.disconnect("test over");
    expect(clock.pending).toBe(0);
    clock.advance(TIMEOUTS.inactivityMs * 10);
    expect(t.events.disconnected).toEqual(["test over"]);
  });

  test("a version from a remote with a skewed clock is recorded as an offset", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const t = peerOnPipe("inbound", peerOptions({ clock, timeouts: TIMEOUTS }));
    await t.remote.send(remoteVersion({ timestamp: 1_700_000_000 + 90 }));
    await waitForStat(() => t.peer.remoteVersion !== null);
    expect(t.peer.stats().timeOffsetSeconds).toBe(90);
    await t.peer.disconnect("test over");
  });
});

/** Waits (bounded, on real time) for a peer statistic to change. */
async function waitForStat(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await settle(1);
  expect(cond()).toBe(true);
}
