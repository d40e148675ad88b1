/**
 * The runtime contract for the current runtime's platform (`#platform`):
 * the shared Conn contract over real TCP, then what only a runtime has —
 * listening, dialing and its errors, addresses, DNS, SHA-256, the clock and
 * HTTP serving. Only loopback addresses are used.
 */
import { networkInterfaces } from "node:os";
import { describe, expect, test } from "bun:test";
import { freePort, platform, runtimeName } from "#platform";
import type { Conn, Listener } from "../../src/platform/conn.ts";
import { concat } from "../support/bytes.ts";
import { nodeSha256 } from "../support/vectors.ts";
import { connContract, pattern, readChunks } from "./conn_contract.ts";
import { afterEachCleanup } from "../support/cleanup.ts";

const LOOPBACK = "127.0.0.1";
const MB = 1024 * 1024;
/**
 * Why the IPv6 test cannot run on this host, or null: asked of the system
 * (its interfaces), not of the adapter under test, so an adapter that fails
 * on IPv6 fails the test instead of skipping it.
 */
const NO_IPV6 = Object.values(networkInterfaces()).flat().some((a) => a?.address === "::1")
  ? null
  : "this host has no IPv6 loopback address (::1), as in some containers";

/** Things to close after each test, whatever happened. */
const cleanup = afterEachCleanup();

/**
 * Listens on `host`:0 and dials it; returns both ends and the listener (not
 * cleaned up). A failed dial closes the listener before rethrowing.
 */
async function dialPair(host: string, dialHost = host) {
  let accepted!: (conn: Conn) => void;
  const serverSide = new Promise<Conn>((resolve) => (accepted = resolve));
  const listener = await platform.listen({ host, port: 0, onConn: accepted });
  const client = await platform.dial({ host: dialHost, port: listener.addr.port }).catch(
    async (error: unknown) => {
      await listener.close();
      throw error;
    },
  );
  const server = await serverSide;
  return { client, server, listener };
}

/** `dialPair` on IPv4 loopback, closed after the test. */
async function connectedPair(): Promise<{ client: Conn; server: Conn; listener: Listener }> {
  const pair = await dialPair(LOOPBACK);
  cleanup.push(() => pair.listener.close(), () => pair.client.close(), () => pair.server.close());
  return pair;
}

describe(`platform ${runtimeName}`, () => {
  test("the adapter is the one for the running runtime", () => {
    const running = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
    expect(runtimeName).toBe(running);
    expect(platform.name).toBe(running);
  });
});

connContract(`TCP on ${runtimeName}`, async () => {
  const { client, server, listener } = await dialPair(LOOPBACK);
  return { client, server, dispose: () => listener.close() };
});

describe(`Listen and dial contract (${runtimeName})`, () => {
  test("both ends report matching loopback addresses", async () => {
    const { client, server, listener } = await connectedPair();
    expect(client.remote).toEqual({ host: LOOPBACK, port: listener.addr.port });
    expect(listener.addr.host).toBe(LOOPBACK);
    expect(server.local).toEqual(client.remote);
    expect(server.remote).toEqual(client.local);
    expect(client.local.port).toBeGreaterThan(0);
  });

  test.skipIf(NO_IPV6 !== null)(
    `IPv6 loopback addresses are reported without brackets${
      NO_IPV6 === null ? "" : ` (skipped: ${NO_IPV6})`
    }`,
    async () => {
      const { client, server, listener } = await dialPair("::1", "[::1]");
      cleanup.push(() => listener.close(), () => client.close(), () => server.close());
      expect(listener.addr.host).toBe("::1");
      expect(client.remote).toEqual({ host: "::1", port: listener.addr.port });
      expect(server.remote.host).toBe("::1");
    },
  );

  test("a closed listener refuses new dials but leaves open connections working", async () => {
    const { client, server, listener } = await connectedPair();
    await listener.close();
    await listener.close();
    await expect(platform.dial({ host: LOOPBACK, port: listener.addr.port })).rejects.toThrow();
    await client.write(pattern(10, 0));
    expect(concat(await readChunks(server, 10))).toEqual(pattern(10, 0));
  });

  test("listening on a port already in use rejects (does not throw)", async () => {
    const { listener } = await connectedPair();
    const second = platform.listen({ host: LOOPBACK, port: listener.addr.port, onConn: () => {} });
    await expect(second).rejects.toThrow();
  });

  test("dialing a port nobody listens on rejects", async () => {
    const port = await freePort();
    await expect(platform.dial({ host: LOOPBACK, port })).rejects.toThrow();
  });

  test("dialing with an already-aborted signal rejects at once with its reason", async () => {
    const port = await freePort();
    const controller = new AbortController();
    const reason = new Error("shutting down");
    controller.abort(reason);
    const error = await platform.dial({ host: LOOPBACK, port }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
  });

  test("aborting a dial in flight rejects with the signal's reason", async () => {
    const { listener } = await connectedPair();
    const controller = new AbortController();
    const reason = new Error("changed my mind");
    const dialing = platform.dial({ host: LOOPBACK, port: listener.addr.port }, {
      signal: controller.signal,
    });
    controller.abort(reason);
    expect(await dialing.catch((e: unknown) => e)).toBe(reason);
  });

  test("a dial timeout either connects or rejects with a TimeoutError", async () => {
    // Loopback has no safe black hole, so a 1 ms limit races a real connect;
    // the deterministic timeout path is covered by tests/adapters/shared/abort_test.ts.
    const { listener } = await connectedPair();
    for (let i = 0; i < 5; i++) {
      const outcome = await platform.dial({ host: LOOPBACK, port: listener.addr.port }, {
        timeoutMs: 1,
      }).then((conn) => {
        conn.close();
        return "connected";
      }, (error: Error) => error.name);
      expect(["connected", "TimeoutError"]).toContain(outcome);
    }
  });
});

describe(`Resolve contract (${runtimeName})`, () => {
  test('"localhost" resolves to loopback addresses only', async () => {
    const addresses = await platform.resolve("localhost", { timeoutMs: 5_000 });
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(["127.0.0.1", "::1"]).toContain(address);
  });

  test("IP literals resolve to themselves, IPv6 without brackets", async () => {
    expect(await platform.resolve("10.1.2.3")).toEqual(["10.1.2.3"]);
    expect(await platform.resolve("[2001:db8::1]")).toEqual(["2001:db8::1"]);
  });

  test("an already-aborted signal rejects with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("no lookups now");
    controller.abort(reason);
    const error = await platform.resolve("localhost", { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
  });
});

describe(`Sha256 contract (${runtimeName})`, () => {
  test('SHA-256 of "abc" is the FIPS 180-2 test vector', () => {
    const digest = platform.sha256(new TextEncoder().encode("abc"));
    expect(digest.constructor).toBe(Uint8Array);
    expect(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  test("SHA-256 matches node:crypto on empty, 80-byte, view and 1 MB inputs", () => {
    const big = pattern(MB, 9);
    for (const input of [new Uint8Array(0), pattern(80, 1), big.subarray(13, 1013), big]) {
      expect(platform.sha256(input)).toEqual(nodeSha256(input));
    }
  });

  test("each digest is a fresh array", () => {
    const a = platform.sha256(pattern(80, 1));
    const b = platform.sha256(pattern(80, 2));
    expect(a).not.toEqual(b);
    expect(a).toEqual(nodeSha256(pattern(80, 1)));
  });
});

describe(`Clock contract (${runtimeName})`, () => {
  const { clock } = platform;

  test("now is wall time in milliseconds", () => {
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1_000);
  });

  test("sleep resolves; an abort rejects it with the reason", async () => {
    await clock.sleep(5);
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    const reason = new Error("stop");
    controller.abort(reason);
    expect(await sleeping.catch((e: unknown) => e)).toBe(reason);
    expect(await clock.sleep(1, controller.signal).catch((e: unknown) => e)).toBe(reason);
  });

  test("a timer fires once; a cancelled or aborted one never fires", async () => {
    const fired: string[] = [];
    clock.setTimer(1, () => fired.push("kept"));
    const cancel = clock.setTimer(1, () => fired.push("cancelled"));
    cancel();
    cancel();
    const controller = new AbortController();
    clock.setTimer(1, () => fired.push("aborted"), controller.signal);
    controller.abort();
    clock.setTimer(1, () => fired.push("pre-aborted"), controller.signal);
    await clock.sleep(30);
    expect(fired).toEqual(["kept"]);
  });
});

describe(`Serve contract (${runtimeName})`, () => {
  test("an HTTP server answers a fetch and stops on close", async () => {
    const server = await platform.serve({
      host: LOOPBACK,
      port: 0,
      fetch: async (request) =>
        new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`, {
          headers: { "x-runtime": runtimeName },
        }),
    });
    cleanup.push(() => server.close());
    expect(server.addr.host).toBe(LOOPBACK);
    const url = `http://${LOOPBACK}:${server.addr.port}/hello`;
    const response = await fetch(url, { method: "POST", body: "ping" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-runtime")).toBe(runtimeName);
    expect(await response.text()).toBe("POST /hello ping");
    await server.close();
    await server.close();
    await expect(fetch(url)).rejects.toThrow();
  });

  test("serving on a port already in use rejects (does not throw)", async () => {
    const server = await platform.serve({ host: LOOPBACK, port: 0, fetch: () => new Response() });
    cleanup.push(() => server.close());
    const second = platform.serve({
      host: LOOPBACK,
      port: server.addr.port,
      fetch: () => new Response(),
    });
    await expect(second).rejects.toThrow();
  });
});
