/**
 * The simulated network: the shared Conn contract over its pipes, then what
 * the simulation promises — the dialler's address seen by the listener,
 * refusal without a listener, black holes that hang until abort or timeout,
 * names through the simulated DNS, a taken port, one store per directory,
 * and in-memory HTTP.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { FIRST_EPHEMERAL_PORT, SimNetwork } from "../../../adapters/sim/network.ts";
import type { Conn } from "../../../src/platform/conn.ts";
import { connContract } from "../../contract/conn_contract.ts";

function network(): SimNetwork {
  return new SimNetwork({ sha256: platform.sha256 });
}

connContract("simulated network", async () => {
  const net = network();
  let accept!: (conn: Conn) => void;
  const accepted = new Promise<Conn>((r) => (accept = r));
  await net.listen("21.1.0.1", { host: "0.0.0.0", port: 8333, onConn: accept });
  const client = await net.dial("22.1.0.1", { host: "21.1.0.1", port: 8333 });
  return { client, server: await accepted };
});

describe("simulated network", () => {
  test("the listener sees the dialling host on an ephemeral port", async () => {
    const net = network();
    let accepted: Conn | undefined;
    await net.listen("21.1.0.1", { host: "21.1.0.1", port: 8333, onConn: (c) => (accepted = c) });
    const client = await net.platform("22.1.0.1").dial({ host: "21.1.0.1", port: 8333 });
    expect(accepted!.remote).toEqual({ host: "22.1.0.1", port: FIRST_EPHEMERAL_PORT });
    expect(client.remote).toEqual({ host: "21.1.0.1", port: 8333 });
    expect(net.dials).toEqual(["21.1.0.1:8333"]);
    client.close();
  });

  test("no listener: the dial is refused", async () => {
    const error = await network().dial("22.1.0.1", { host: "21.1.0.1", port: 1 }).catch((e) => e);
    expect(error.message).toContain("ECONNREFUSED");
  });

  test("a black hole hangs until the timeout or the abort", async () => {
    const net = network();
    net.blackHole("21.1.0.1");
    const timedOut = await net.dial("22.1.0.1", { host: "21.1.0.1", port: 1 }, { timeoutMs: 10 })
      .catch((e) => e);
    expect(timedOut.name).toBe("TimeoutError");
    const abort = new AbortController();
    const pending = net.dial("22.1.0.1", { host: "21.1.0.1", port: 1 }, { signal: abort.signal });
    expect(net.pendingDials).toBe(1);
    abort.abort(new Error("enough"));
    expect(String(await pending.catch((e) => e))).toContain("enough");
    expect(net.pendingDials).toBe(0);
  });

  test("names resolve through the simulated DNS, for lookups and dials", async () => {
    const net = network();
    net.setDns("seed.example.", ["21.1.0.1", "2001:db8::1"]);
    expect(await net.resolve("seed.example")).toEqual(["21.1.0.1", "2001:db8::1"]);
    expect(await net.resolve("[::ffff:1.2.3.4]")).toEqual(["1.2.3.4"]);
    expect((await net.resolve("nowhere.example").catch((e) => e)).name).toBe("NotFound");
    await net.listen("21.1.0.1", { host: "21.1.0.1", port: 8333, onConn: (c) => c.close() });
    const conn = await net.dial("22.1.0.1", { host: "seed.example", port: 8333 });
    expect(conn.remote.host).toBe("21.1.0.1");
  });

  test("a taken port cannot be listened on again until closed", async () => {
    const net = network();
    const first = await net.listen("21.1.0.1", { host: "0.0.0.0", port: 8333, onConn: () => {} });
    const error = await net.listen("21.1.0.1", { host: "21.1.0.1", port: 8333, onConn: () => {} })
      .catch((e) => e);
    expect(error.message).toContain("EADDRINUSE");
    await first.close();
    await net.listen("21.1.0.1", { host: "21.1.0.1", port: 8333, onConn: () => {} });
  });

  test("one store per directory, and HTTP served in memory", async () => {
    const net = network();
    const p = net.platform("21.1.0.1");
    await (await p.openStore("/a")).set("k", Uint8Array.of(1));
    expect(await (await p.openStore("/a")).get("k")).toEqual(Uint8Array.of(1));
    expect(await (await p.openStore("/b")).get("k")).toBeUndefined();
    const server = await p.serve({ host: "0.0.0.0", port: 80, fetch: () => new Response("hi") });
    expect(await (await net.request("21.1.0.1", 80, new Request("http://x/"))).text()).toBe("hi");
    await server.close();
    expect((await net.request("21.1.0.1", 80, new Request("http://x/"))).status).toBe(502);
  });
});
