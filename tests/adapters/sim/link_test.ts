/**
 * The simulated link: the shared Conn contract (over real timers with a
 * 1 ms delay), then on a virtual clock: bytes arrive one delay after they
 * were written and in order, a dial over a latency network takes a round
 * trip, a close reaches the far end one delay later after the bytes before
 * it, a full window holds the writer, and lost dials hang until timeout.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { simLink } from "../../../adapters/sim/link.ts";
import { SimNetwork } from "../../../adapters/sim/network.ts";
import { VirtualClock } from "../../../adapters/sim/virtual_clock.ts";
import type { Conn } from "../../../src/platform/conn.ts";
import { systemClock } from "../../../src/platform/system_clock.ts";
import { seededRandom } from "../../../src/platform/random.ts";
import { connContract } from "../../contract/conn_contract.ts";

const CLIENT = { host: "22.1.0.1", port: 50000 };
const SERVER = { host: "21.1.0.1", port: 8333 };

connContract(
  "simulated link",
  () =>
    Promise.resolve(simLink({ clock: systemClock, latencyMs: 1, client: CLIENT, server: SERVER })),
);

/** Records each chunk `conn` reads with the virtual time it arrived. */
function recordArrivals(conn: Conn, clock: VirtualClock): Array<[number, number[]]> {
  const got: Array<[number, number[]]> = [];
  void (async () => {
    const reader = conn.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      got.push([clock.now(), [...value]]);
    }
  })();
  return got;
}

describe("simulated link on a virtual clock", () => {
  test("bytes arrive one delay after they were written, in order", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const { client, server } = simLink({ clock, latencyMs: 40, client: CLIENT, server: SERVER });
    const got = recordArrivals(server, clock);
    await client.write(Uint8Array.of(1));
    await clock.advance(10);
    await client.write(Uint8Array.of(2, 3));
    await clock.advance(100);
    expect(got).toEqual([[40, [1]], [50, [2, 3]]]);
  });

  test("a close reaches the far end one delay later, after the bytes before it", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const { client, server } = simLink({ clock, latencyMs: 25, client: CLIENT, server: SERVER });
    const got = recordArrivals(server, clock);
    let serverClosedAt = -1;
    void server.closed.then(() => (serverClosedAt = clock.now()));
    await client.write(Uint8Array.of(9));
    client.close();
    await client.closed;
    const late = await client.write(Uint8Array.of(1)).catch((e: unknown) => e);
    expect((late as Error).name).toBe("ConnClosedError");
    await clock.advance(24);
    expect(serverClosedAt).toBe(-1);
    await clock.advance(10);
    expect(got).toEqual([[25, [9]]]);
    expect(serverClosedAt).toBe(25);
  });

  test("a reader that does not read holds the writer once the window is full", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const { client, server } = simLink({
      clock,
      latencyMs: 5,
      capacityBytes: 1000,
      client: CLIENT,
      server: SERVER,
    });
    let resolved = 0;
    for (let i = 0; i < 5; i++) void client.write(new Uint8Array(400)).then(() => resolved++);
    await clock.advance(100);
    expect(resolved).toBe(2); // 400 and 800 fit; 1,200 does not
    const reader = server.readable.getReader();
    for (let i = 0; i < 5; i++) await reader.read();
    await clock.advance(100);
    expect(resolved).toBe(5);
  });

  test("a dial over a latency network takes a round trip; the listener sees it after one delay", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const net = new SimNetwork({ sha256: platform.sha256, clock, latencyMs: 30 });
    let acceptedAt = -1;
    await net.listen("21.1.0.1", {
      host: "21.1.0.1",
      port: 8333,
      onConn: () => (acceptedAt = clock.now()),
    });
    let dialledAt = -1;
    void net.dial("22.1.0.1", { host: "21.1.0.1", port: 8333 }).then(() => dialledAt = clock.now());
    let refusedAt = -1;
    void net.dial("22.1.0.1", { host: "21.1.0.1", port: 1 }).catch(() => refusedAt = clock.now());
    await clock.advance(1_000);
    expect([acceptedAt, dialledAt, refusedAt]).toEqual([30, 60, 60]);
    expect(net.stats).toMatchObject({ dials: 2, connections: 1, refused: 1, lost: 0 });
  });

  test("lost dials hang until their timeout; the share lost follows the seeded source", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const net = new SimNetwork({
      sha256: platform.sha256,
      clock,
      latencyMs: (_from, _to, random) => 10 + random.int(11),
      dialLoss: 0.5,
      random: seededRandom(3),
    });
    await net.listen("21.1.0.1", { host: "21.1.0.1", port: 8333, onConn: () => {} });
    const outcomes: string[] = [];
    for (let i = 0; i < 200; i++) {
      net.dial("22.1.0.1", { host: "21.1.0.1", port: 8333 }, { timeoutMs: 5_000 }).then(
        () => outcomes.push("ok"),
        (e: Error) => outcomes.push(e.name),
      );
    }
    await clock.advance(4_999);
    const early = outcomes.length;
    await clock.advance(1);
    expect(outcomes.length).toBe(200);
    const lost = outcomes.filter((o) => o === "TimeoutError").length;
    expect(lost).toBe(200 - early);
    expect(lost).toBe(net.stats.lost);
    expect(lost).toBeGreaterThan(60);
    expect(lost).toBeLessThan(140);
  });

  test("IPv6 and onion hosts listen and dial like IPv4 ones", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const net = new SimNetwork({ sha256: platform.sha256, clock, latencyMs: 10 });
    const onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    const seen: string[] = [];
    await net.listen(onion, { host: onion, port: 8333, onConn: (c) => seen.push(c.remote.host) });
    await net.listen("2a01:4f8::1", {
      host: "::",
      port: 8333,
      onConn: (c) => seen.push(c.remote.host),
    });
    const a = net.platform("2001:db8:5::7").dial({ host: onion, port: 8333 });
    const b = net.platform("2001:db8:5::7").dial({ host: "2a01:4f8::1", port: 8333 });
    await clock.advance(100);
    expect((await a).remote.host).toBe(onion);
    expect((await b).remote.host).toBe("2a01:4f8::1");
    expect(seen).toEqual(["2001:db8:5::7", "2001:db8:5::7"]);
  });
});
