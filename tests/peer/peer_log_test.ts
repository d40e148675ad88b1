/**
 * The peer's one string form and its log policy: info for completed
 * handshakes and the loss of such peers, warn for failures of persistent
 * peers only, debug for everything else; every record names the peer by
 * `toString()`.
 */
import { describe, expect, test } from "bun:test";
import { memoryPipe } from "../../adapters/memory/pipe.ts";
import { createLogger, type LogRecord, memorySink } from "../../src/log/logger.ts";
import { newInboundPeer, newOutboundPeer } from "../../src/peer/peer.ts";
import { formatAddress, parseAddress } from "../../src/wire/address_format.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { completeHandshake, peerOnPipe, peerOptions, readyPeer } from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";

function capture() {
  const { sink, records } = memorySink();
  return { logger: createLogger({ sink, level: "debug" }).child("peer"), records };
}

const above = (records: LogRecord[], levels: string[]) =>
  records.filter((r) => levels.includes(r.level));

describe("peer string form", () => {
  test("IPv4 outbound, IPv6 inbound in brackets, onion outbound", () => {
    const { client, server } = memoryPipe({
      client: { host: "2001:db8::1", port: 8333 },
      server: { host: "203.0.113.7", port: 8333 },
    });
    const v4 = newOutboundPeer(
      { address: parseAddress("203.0.113.7"), port: 8333 },
      client,
      peerOptions(),
    );
    expect(v4.toString()).toBe("203.0.113.7:8333 (outbound)");
    expect(`${v4}`).toBe("203.0.113.7:8333 (outbound)");
    const v6 = newInboundPeer(server, peerOptions());
    expect(v6.toString()).toBe("[2001:db8::1]:8333 (inbound)");
    expect(v6.stats().address).toBe("[2001:db8::1]:8333");

    const onionHost = formatAddress({ network: "onion", bytes: new Uint8Array(32).fill(7) });
    const onion = newOutboundPeer(
      { address: parseAddress(onionHost), port: 8333 },
      memoryPipe().client,
      peerOptions(),
    );
    expect(onion.toString()).toBe(`${onionHost}:8333 (outbound)`);
    expect(onion.toString()).toMatch(/^[a-z2-7]{56}\.onion:8333 \(outbound\)$/);
  });
});

describe("log policy", () => {
  test("a normal peer: info when the handshake completes and when it is lost; nothing louder", async () => {
    const { logger, records } = capture();
    const t = peerOnPipe("outbound", peerOptions({ logger }));
    await completeHandshake(t);
    await t.remote.send({ command: "unknown", name: "frobnicate", raw: new Uint8Array(0) });
    t.remote.conn.close();
    await t.peer.closed;

    const infos = above(records, ["info"]);
    expect(infos.map((r) => r.message)).toEqual(["peer connected", "peer disconnected"]);
    expect(infos[0].fields).toMatchObject({
      peer: t.peer.toString(),
      userAgent: "/Satoshi:27.0.0/",
      version: 70016,
      height: 850_000,
    });
    expect(infos[1].fields).toMatchObject({ peer: t.peer.toString(), reason: "connection closed" });
    expect(above(records, ["warn", "error"])).toEqual([]);
    for (const r of records) expect(r.fields.peer).toBe(t.peer.toString());
    expect(records.every((r) => r.category === "peer")).toBe(true);
  });

  test("a normal peer that fails before the handshake logs at debug only", async () => {
    const { logger, records } = capture();
    const clock = new ManualClock();
    const t = peerOnPipe("outbound", peerOptions({ logger, clock }));
    await t.remote.expect("version");
    clock.advance(30_000);
    await t.peer.closed;
    expect(records.length).toBeGreaterThan(0);
    expect(above(records, ["info", "warn", "error"])).toEqual([]);
    expect(records.some((r) => String(r.fields.reason).includes("handshake not completed"))).toBe(
      true,
    );
  });

  test("a persistent peer's failed handshake is a warning with the reason", async () => {
    const { logger, records } = capture();
    const clock = new ManualClock();
    const t = peerOnPipe("outbound", peerOptions({ logger, clock, persistent: true }));
    await t.remote.expect("version");
    clock.advance(30_000);
    await t.peer.closed;
    const warns = above(records, ["warn", "error"]);
    expect(warns).toHaveLength(1);
    expect(warns[0].level).toBe("warn");
    expect(warns[0].fields.peer).toBe(t.peer.toString());
    expect(String(warns[0].fields.reason)).toContain("handshake not completed");
  });

  test("a persistent peer lost after the handshake is a warning", async () => {
    const { logger, records } = capture();
    const t = await readyPeer("outbound", peerOptions({ logger, persistent: true }));
    t.remote.conn.close();
    await t.peer.closed;
    const warns = above(records, ["warn", "error"]);
    expect(warns.map((r) => r.fields.reason)).toEqual(["connection closed"]);
  });

  test("disconnecting a persistent peer on purpose is not a failure", async () => {
    const { logger, records } = capture();
    const t = await readyPeer("inbound", peerOptions({ logger, persistent: true }));
    await t.peer.disconnect("shutting down");
    expect(above(records, ["warn", "error"])).toEqual([]);
    expect(above(records, ["info"]).at(-1)?.fields).toMatchObject({ reason: "shutting down" });
  });

  test("ignored and malformed messages are logged at debug with the bound", async () => {
    const { logger, records } = capture();
    const t = peerOnPipe("inbound", peerOptions({ logger }));
    await t.remote.send({ command: "getaddr" }); // before version: ignored
    // An inv claiming 50,001 entries breaks MAX_INV_ENTRIES (payload: varint 0xfd + u16).
    const payload = new Uint8Array([0xfd, 0x51, 0xc3]);
    await t.remote.send({ command: "unknown", name: "inv", raw: payload });
    await waitFor(() => records.some((r) => r.message.includes("malformed")), "malformed log");
    const ignored = records.find((r) => r.message.includes("ignored"));
    expect(ignored?.level).toBe("debug");
    expect(ignored?.fields.command).toBe("getaddr");
    const malformed = records.find((r) => r.message.includes("malformed"))!;
    expect(malformed.level).toBe("debug");
    expect(malformed.fields).toMatchObject({ command: "inv", kind: "bound", bound: 50_000 });
    expect(String(malformed.fields.error)).toContain("50001");
    expect(above(records, ["info", "warn", "error"])).toEqual([]);
    await t.peer.disconnect("test over");
  });
});
