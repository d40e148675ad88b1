/**
 * Misbehaviour: btcd's decaying score (persistent + transient with a 60 s
 * half-life, ban at 100), malformed messages and stream errors scored by the
 * peer, bans reported to the owner, persistent peers never banned.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import {
  BanScore,
  DEFAULT_BAN_THRESHOLD,
  MALFORMED_MESSAGE_POINTS,
  TRANSIENT_HALF_LIFE_MS,
} from "../../src/peer/misbehaviour.ts";
import { fromHex } from "../../src/wire/bytes.ts";
import { encodeFrame } from "../../src/transport/v1_framing.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { MAGIC, peerOptions, readyPeer } from "../support/scripted_peer.ts";
import { settle, waitFor } from "../support/wait.ts";

describe("BanScore", () => {
  test("btcd's parameters: ban at 100, transient half-life 60 s", () => {
    expect(DEFAULT_BAN_THRESHOLD).toBe(100);
    expect(TRANSIENT_HALF_LIFE_MS).toBe(60_000);
  });

  test("the transient part halves every half-life; the persistent part stays", () => {
    const clock = new ManualClock();
    const s = new BanScore(clock);
    expect(s.add(10, 80)).toBe(90);
    clock.advance(60_000);
    expect(s.value).toBeCloseTo(50, 9);
    clock.advance(60_000);
    expect(s.value).toBeCloseTo(30, 9);
    expect(s.persistent).toBe(10);
    clock.advance(3_600_000);
    expect(s.value).toBeCloseTo(10, 6);
  });

  test("new transient points add to the decayed remainder", () => {
    const clock = new ManualClock();
    const s = new BanScore(clock);
    s.add(0, 40);
    clock.advance(60_000);
    expect(s.add(0, 40)).toBeCloseTo(60, 9);
  });

  test("a slow trickle of transient points never reaches the threshold; a burst does", () => {
    const clock = new ManualClock();
    const slow = new BanScore(clock);
    let max = 0;
    for (let i = 0; i < 100; i++) {
      max = Math.max(max, slow.add(0, 10));
      clock.advance(60_000);
    }
    expect(max).toBeLessThan(DEFAULT_BAN_THRESHOLD);
    const burst = new BanScore(clock);
    for (let i = 0; i < 10; i++) burst.add(0, 10);
    expect(burst.value).toBeGreaterThanOrEqual(DEFAULT_BAN_THRESHOLD);
  });

  test("negative points are refused", () => {
    expect(() => new BanScore(new ManualClock()).add(-1, 0)).toThrow(RangeError);
  });
});

/** A ping frame whose payload is 7 bytes: a truncated message. */
const SHORT_PING = () => encodeFrame(MAGIC, "ping", new Uint8Array(7), platform.sha256);

describe("misbehaving peers", () => {
  test("each malformed message costs 20; the fifth bans and disconnects", async () => {
    const t = await readyPeer("outbound");
    for (let i = 1; i <= 4; i++) {
      await t.remote.sendRaw(SHORT_PING());
      await waitFor(() => t.peer.stats().banScore === i * MALFORMED_MESSAGE_POINTS, `score ${i}`);
    }
    expect(t.events.misbehaving).toEqual([]);
    expect(t.peer.state).toBe("ready");
    await t.remote.sendRaw(SHORT_PING());
    await t.peer.closed;
    expect(t.events.misbehaving).toHaveLength(1);
    expect(t.events.misbehaving[0]).toMatchObject({ score: 100, banned: true });
    expect(t.events.misbehaving[0].reason).toContain("ping");
    expect(t.events.disconnected).toHaveLength(1);
    expect(t.events.disconnected[0]).toMatch(/^banned: /);
  });

  test("a persistent peer is never banned automatically", async () => {
    const t = await readyPeer("inbound", peerOptions({ persistent: true }));
    for (let i = 0; i < 8; i++) await t.remote.sendRaw(SHORT_PING());
    await waitFor(() => t.peer.stats().banScore === 160, "score 160");
    expect(t.events.misbehaving).toEqual([{
      score: 100,
      reason: expect.any(String),
      banned: false,
    }]);
    expect(t.peer.state).toBe("ready");
    await t.peer.disconnect("test over");
  });

  test("the owner can add points; transient ones decay", async () => {
    const clock = new ManualClock();
    const t = await readyPeer("outbound", peerOptions({ clock, banThreshold: 50 }));
    t.peer.misbehave(40, "addr flood", true);
    clock.advance(60_000);
    expect(t.peer.stats().banScore).toBe(20);
    t.peer.misbehave(29, "addr flood", true);
    expect(t.peer.state).toBe("ready");
    t.peer.misbehave(10, "unrequested block");
    await t.peer.closed;
    expect(t.events.misbehaving[0]).toMatchObject({ banned: true, reason: "unrequested block" });
  });

  test("a bad checksum is scored but the stream goes on", async () => {
    const t = await readyPeer("outbound");
    const frame = encodeFrame(MAGIC, "ping", new Uint8Array(8), platform.sha256);
    frame[20] ^= 0xff; // break the checksum
    await t.remote.sendRaw(frame);
    await t.remote.send({ command: "ping", nonce: 99n });
    let msg = await t.remote.next();
    while (msg !== null && !(msg.command === "pong" && msg.nonce === 99n)) {
      msg = await t.remote.next();
    }
    expect(msg).not.toBeNull();
    expect(t.peer.stats().banScore).toBe(MALFORMED_MESSAGE_POINTS);
    expect(t.peer.state).toBe("ready");
    await t.peer.disconnect("test over");
  });

  test("a frame with another network's magic ends the connection", async () => {
    const t = await readyPeer("inbound");
    await t.remote.sendRaw(
      encodeFrame(fromHex("0b110907"), "ping", new Uint8Array(8), platform.sha256),
    );
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("malformed");
    expect(t.peer.stats().banScore).toBe(MALFORMED_MESSAGE_POINTS);
  });

  test("an oversized length is a bound violation that ends the connection", async () => {
    const t = await readyPeer("outbound");
    const header = new Uint8Array(24);
    header.set(MAGIC);
    header.set(new TextEncoder().encode("block"), 4);
    new DataView(header.buffer).setUint32(16, 4_000_001, true);
    await t.remote.sendRaw(header);
    await t.peer.closed;
    expect(t.events.disconnected[0]).toContain("4000000");
    await settle();
  });
});
