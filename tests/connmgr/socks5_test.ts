/**
 * The SOCKS5 client and the dialer's routing against a scripted proxy on the
 * simulated network: request encodings (IPv4, IPv6, domain names for Tor and
 * I2P), a tunnel that keeps bytes arriving with the reply, refusals with the
 * proxy's reason, authentication demands, a silent proxy cut off by timeout
 * or abort, and a node reaching a Tor peer through a forwarding proxy.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import type { SimNetwork } from "../../adapters/sim/network.ts";
import { connectRequest, socks5Connect, Socks5Error } from "../../src/connmgr/socks5.ts";
import { Dialer, UnreachableError } from "../../src/connmgr/dialer.ts";
import type { Conn, HostPort } from "../../src/platform/conn.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { encodeOnion } from "../../src/wire/onion.ts";
import { within } from "../support/cli_process.ts";
import {
  FULL,
  hostIp,
  MAIN,
  preloadBook,
  remoteNodes,
  simNetwork,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import { waitFor } from "../support/wait.ts";

const PROXY = { host: "10.0.0.53", port: 1080 };
/** Longest wait for a rejection or a close that should come at once. */
const WAIT_MS = 5_000;
const ONION = encodeOnion(new Uint8Array(32).fill(0x42));

const running = stoppedAfterEach();

/** How the scripted proxy behaves. */
interface ProxyScript {
  /** The method reply (default [5, 0]). */
  readonly method?: number[];
  /** The CONNECT reply code (default 0). */
  readonly reply?: number;
  /** Bytes sent together with a successful reply. */
  readonly extra?: number[];
  /** Never answer anything. */
  readonly silent?: boolean;
  /** After success: forward to this sim target instead of echoing. */
  readonly forward?: (request: Uint8Array) => HostPort | undefined;
}

/** Reads exactly `n` bytes (test helper; the proxy side has no bounds to prove). */
async function readN(reader: ReadableStreamDefaultReader<Uint8Array>, buf: number[], n: number) {
  while (buf.length < n) {
    const { done, value } = await reader.read();
    if (done) throw new Error("closed");
    buf.push(...value);
  }
  return buf.splice(0, n);
}

/** A scripted SOCKS5 proxy at PROXY; resolves the requests it received, one per connection. */
async function scriptedProxy(net: SimNetwork, script: ProxyScript): Promise<Uint8Array[]> {
  const requests: Uint8Array[] = [];
  await net.listen(PROXY.host, {
    ...PROXY,
    onConn: (conn) => void serve(net, conn, script, requests).catch(() => conn.close()),
  });
  return requests;
}

async function serve(net: SimNetwork, conn: Conn, script: ProxyScript, requests: Uint8Array[]) {
  const reader = conn.readable.getReader();
  const buf: number[] = [];
  const greeting = await readN(reader, buf, 2);
  await readN(reader, buf, greeting[1]);
  if (script.silent) return;
  await conn.write(Uint8Array.from(script.method ?? [5, 0]));
  if ((script.method ?? [5, 0])[1] !== 0) return conn.close();
  const head = await readN(reader, buf, 4);
  const atyp = head[3];
  const len = atyp === 1 ? 4 : atyp === 4 ? 16 : (await readN(reader, buf, 1))[0];
  const rest = await readN(reader, buf, len + 2);
  const request = Uint8Array.from([...head, ...(atyp === 3 ? [len] : []), ...rest]);
  requests.push(request);
  const code = script.reply ?? 0;
  // Bound address as a 4-byte domain name, to exercise that reply shape.
  await conn.write(
    Uint8Array.from([5, code, 0, 3, 4, 0x61, 0x62, 0x63, 0x64, 0, 80, ...(script.extra ?? [])]),
  );
  if (code !== 0) return conn.close();
  const target = script.forward?.(request);
  if (target === undefined) {
    // Echo.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await conn.write(value);
    }
  }
  const out = await net.dial(PROXY.host, target);
  const outReader = out.readable.getReader();
  void (async () => {
    for (;;) {
      const { done, value } = await outReader.read();
      if (done) return conn.close();
      await conn.write(value).catch(() => out.close());
    }
  })();
  if (buf.length) await out.write(Uint8Array.from(buf.splice(0)));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out.close();
    await out.write(value).catch(() => conn.close());
  }
}

function dialer(net: SimNetwork, over: { proxy?: HostPort; onion?: HostPort; timeoutMs?: number }) {
  return new Dialer({
    dial: (t, o) => net.dial("9.9.9.9", t, o),
    clock: systemClock,
    sha256: platform.sha256,
    timeoutMs: 1_000,
    ...over,
  });
}

async function readSome(conn: Conn, n: number): Promise<number[]> {
  const reader = conn.readable.getReader();
  const out: number[] = [];
  while (out.length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(...value);
  }
  reader.releaseLock();
  return out;
}

describe("SOCKS5", () => {
  test("CONNECT requests: IPv4 and IPv6 as addresses, names as domain names", () => {
    expect([...connectRequest({ host: "1.2.3.4", port: 8333 })]).toEqual([
      5,
      1,
      0,
      1,
      1,
      2,
      3,
      4,
      0x20,
      0x8d,
    ]);
    const v6 = connectRequest({ host: "[2001:db8::1]", port: 8333 });
    expect([...v6.subarray(0, 4)]).toEqual([5, 1, 0, 4]);
    expect(v6.length).toBe(4 + 16 + 2);
    const onion = connectRequest({ host: ONION, port: 8333 });
    expect([...onion.subarray(0, 5)]).toEqual([5, 1, 0, 3, ONION.length]);
    expect(new TextDecoder().decode(onion.subarray(5, 5 + ONION.length))).toBe(ONION);
    expect(() => connectRequest({ host: "a".repeat(256), port: 1 })).toThrow(Socks5Error);
  });

  test("a Tor address goes to the onion proxy as a name; the tunnel keeps early bytes", async () => {
    const net = simNetwork();
    const requests = await scriptedProxy(net, { extra: [7, 7, 7] });
    const { conn, address } = await dialer(net, { onion: PROXY }).connect(
      { host: ONION, port: 8333 },
      new AbortController().signal,
    );
    expect(requests.length).toBe(1);
    expect(requests[0][3]).toBe(3);
    expect(address.address.network).toBe("onion");
    expect(conn.remote).toEqual({ host: ONION, port: 8333 });
    expect(await readSome(conn, 3)).toEqual([7, 7, 7]);
    await conn.write(Uint8Array.of(1, 2, 3));
    expect(await readSome(conn, 3)).toEqual([1, 2, 3]);
    conn.close();
  });

  test("a refusal carries the proxy's reason and closes the connection", async () => {
    const net = simNetwork();
    await scriptedProxy(net, { reply: 5 });
    const error = await dialer(net, { proxy: PROXY }).connect(
      { host: "21.1.0.1", port: 8333 },
      new AbortController().signal,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(Socks5Error);
    expect(error.kind).toBe("reply");
    expect(error.code).toBe(5);
    expect(error.message).toContain("connection refused");
    const conn = await net.dial("9.9.9.9", PROXY);
    const refused = socks5Connect(
      conn,
      { host: "21.1.0.1", port: 8333 },
      new AbortController().signal,
    ).catch((e) => e);
    expect(await within(refused, WAIT_MS, "the refusal")).toBeInstanceOf(Socks5Error);
    await within(conn.closed, WAIT_MS, "the proxy connection closed");
  });

  test("a proxy that demands authentication is refused clearly", async () => {
    const net = simNetwork();
    await scriptedProxy(net, { method: [5, 0xff] });
    const error = await dialer(net, { proxy: PROXY }).connect(
      { host: "21.1.0.1", port: 8333 },
      new AbortController().signal,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(Socks5Error);
    expect(error.kind).toBe("auth");
  });

  test("a silent proxy is cut off by the timeout, or at once by abort", async () => {
    const net = simNetwork();
    await scriptedProxy(net, { silent: true });
    const timedOut = await dialer(net, { proxy: PROXY, timeoutMs: 30 }).connect(
      { host: "21.1.0.1", port: 8333 },
      new AbortController().signal,
    ).catch((e) => e);
    expect(timedOut.name).toBe("TimeoutError");

    const abort = new AbortController();
    const pending = dialer(net, { proxy: PROXY, timeoutMs: 60_000 }).connect(
      { host: "21.1.0.1", port: 8333 },
      abort.signal,
    );
    abort.abort(new Error("stop now"));
    expect(String(await pending.catch((e) => e))).toContain("stop now");
  });

  test("socks5Connect closes the proxy connection when aborted mid-handshake", async () => {
    const net = simNetwork();
    await scriptedProxy(net, { silent: true });
    const conn = await net.dial("9.9.9.9", PROXY);
    const abort = new AbortController();
    const pending = socks5Connect(conn, { host: "21.1.0.1", port: 8333 }, abort.signal);
    abort.abort(new Error("aborted"));
    const error = await within(pending.catch((e) => e), WAIT_MS, "the aborted handshake");
    expect(String(error)).toContain("aborted");
    await within(conn.closed, WAIT_MS, "the proxy connection closed");
  });

  test("routing: Tor and I2P need a proxy; CJDNS is not reachable", async () => {
    const net = simNetwork();
    const direct = dialer(net, {});
    expect(direct.reachable("ipv4")).toBe(true);
    expect(direct.reachable("onion")).toBe(false);
    expect(direct.reachable("i2p")).toBe(false);
    expect(direct.reachable("cjdns")).toBe(false);
    const error = await direct.connect({ host: ONION, port: 8333 }, new AbortController().signal)
      .catch((e) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.message).toContain("--onion or --proxy");
    const viaProxy = dialer(net, { proxy: PROXY });
    expect(viaProxy.reachable("onion")).toBe(true);
    expect(viaProxy.reachable("i2p")).toBe(true);
  });

  test("a node reaches a Tor peer from its address book through the proxy", async () => {
    const net = simNetwork();
    const hidden = hostIp(5);
    await remoteNodes(net, [hidden]);
    const requests = await scriptedProxy(net, {
      forward: (req) =>
        req[3] === 3 && new TextDecoder().decode(req.subarray(5, 5 + req[4])) === ONION
          ? { host: hidden, port: 8333 }
          : undefined,
    });
    const sim = simNode(net, { onion: `${PROXY.host}:${PROXY.port}`, targetoutbound: 1 });
    await preloadBook(net, sim.node.datadir, [{
      time: Math.floor(Date.now() / 1000) - 60,
      services: FULL,
      addr: parseAddress(ONION),
      port: MAIN.defaultPort,
    }]);
    running.push(sim);
    await sim.node.start();
    await waitFor(
      () => (sim.node.connmgr?.connections() ?? []).some((c) => c.peer.state === "ready"),
      "the Tor peer",
    );
    const [c] = sim.node.connmgr!.connections();
    expect(c.peer.toString()).toBe(`${ONION}:8333 (outbound)`);
    expect(requests.length).toBe(1);
  });
});
