/**
 * The SOCKS5 client against a real SOCKS5 server (Debian's `microsocks`,
 * installed by .ci/run) over the runtime's TCP: a tunnel to an IP address, a
 * tunnel to a name the proxy resolves, a refusal, a node keeping a
 * persistent peer through `--proxy`, and a BIP324 v2 session through it
 * (the same session id at both ends). Skipped, saying why, when `microsocks`
 * is not on PATH.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort, platform } from "#platform";
import { Dialer } from "../../src/connmgr/dialer.ts";
import { Socks5Error } from "../../src/connmgr/socks5.ts";
import { resolveOptions } from "../../src/config/load.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import { EdgeNode } from "../../src/node/node.ts";
import { newInboundPeer, type Peer } from "../../src/peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import type { Conn, Listener } from "../../src/platform/conn.ts";
import { getParams } from "../../src/wire/params.ts";
import { waitFor } from "../support/wait.ts";
import { NET_WAIT_MS, p2pAddress, startNode, stopAll } from "../node/loopback.ts";

const LOOPBACK = "127.0.0.1";
const microsocks = (globalThis.process?.env.PATH ?? "").split(delimiter)
  .map((dir) => join(dir, "microsocks"))
  .find((path) => existsSync(path));
if (microsocks === undefined) {
  console.log(
    "socks5_microsocks_test: skipped, microsocks is not on PATH (apt-get install microsocks)",
  );
}

let proxyPort = 0;
let child: ChildProcess | undefined;
const cleanup: Array<() => unknown> = [];

/** An echo server on loopback; resolves its port. */
async function echoServer(): Promise<number> {
  const listener = await platform.listen({
    host: LOOPBACK,
    port: 0,
    onConn: (conn: Conn) => {
      void (async () => {
        const reader = conn.readable.getReader();
        for (;;) {
          const { done, value } = await reader.read().catch(() => ({
            done: true,
            value: undefined,
          }));
          if (done || value === undefined) return conn.close();
          await conn.write(value).catch(() => {});
        }
      })();
    },
  });
  cleanup.push(() => listener.close());
  return listener.addr.port;
}

async function readN(conn: Conn, n: number): Promise<number[]> {
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

function proxied(): Dialer {
  return new Dialer({
    dial: platform.dial,
    clock: platform.clock,
    sha256: platform.sha256,
    proxy: { host: LOOPBACK, port: proxyPort },
    timeoutMs: 5_000,
  });
}

describe("SOCKS5 through microsocks", () => {
  beforeAll(async () => {
    if (microsocks === undefined) return;
    proxyPort = await freePort();
    child = spawn(microsocks, ["-i", LOOPBACK, "-p", String(proxyPort)], { stdio: "ignore" });
    // Ready once it accepts a TCP connection (bounded).
    for (let i = 0; i < 200; i++) {
      const conn = await platform.dial({ host: LOOPBACK, port: proxyPort }).catch(() => null);
      if (conn !== null) {
        conn.close();
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("microsocks did not start listening");
  });

  afterAll(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
    await stopAll();
    child?.kill("SIGTERM");
  });

  test.skipIf(microsocks === undefined)(
    "a tunnel to an IP address carries bytes both ways",
    async () => {
      const port = await echoServer();
      const { conn } = await proxied().connect(
        { host: LOOPBACK, port },
        new AbortController().signal,
      );
      await conn.write(Uint8Array.of(1, 2, 3, 4));
      expect(await readN(conn, 4)).toEqual([1, 2, 3, 4]);
      conn.close();
    },
  );

  test.skipIf(microsocks === undefined)("a name is resolved by the proxy", async () => {
    const port = await echoServer();
    const { conn, address } = await proxied().connect(
      { host: "localhost", port },
      new AbortController().signal,
    );
    expect(address.address.network).toBe("internal");
    await conn.write(Uint8Array.of(9));
    expect(await readN(conn, 1)).toEqual([9]);
    conn.close();
  });

  test.skipIf(microsocks === undefined)("a refused target is a SOCKS5 reply error", async () => {
    const port = await freePort(); // nothing listens there now
    const error = await proxied().connect({ host: LOOPBACK, port }, new AbortController().signal)
      .catch((e) => e);
    expect(error).toBeInstanceOf(Socks5Error);
    expect(error.kind).toBe("reply");
  });

  test.skipIf(microsocks === undefined)(
    "a node keeps a persistent peer through --proxy",
    async () => {
      const params = getParams("regtest");
      const remotes: Peer[] = [];
      const listener: Listener = await platform.listen({
        host: LOOPBACK,
        port: 0,
        onConn: (conn) => {
          const peer = newInboundPeer(conn, {
            magic: params.magic,
            sha256: platform.sha256,
            services: NODE_NETWORK | NODE_WITNESS,
          });
          remotes.push(peer);
          peer.start();
        },
      });
      cleanup.push(() => listener.close());
      const datadir = mkdtempSync(join(tmpdir(), "btc-edge-socks-"));
      cleanup.push(() => rmSync(datadir, { recursive: true, force: true }));
      const records: LogRecord[] = [];
      // Every dial the node makes, to see that it went to the proxy, never to the peer.
      const dialled: number[] = [];
      const dial: typeof platform.dial = (target, options) => {
        dialled.push(target.port);
        return platform.dial(target, options);
      };
      const node = new EdgeNode(
        resolveOptions([["option", {
          network: "regtest",
          listen: ["none"],
          api: "none",
          dnsseed: false,
          proxy: `${LOOPBACK}:${proxyPort}`,
          addnode: [`${LOOPBACK}:${listener.addr.port}`],
        }]]),
        {
          platform: { ...platform, dial },
          logger: createLogger({ sink: (r) => records.push(r), level: "debug" }),
          datadir,
        },
      );
      cleanup.push(() => node.stop());
      await node.start();
      await waitFor(
        () => node.connmgr!.connections().some((c) => c.persistent && c.readyAt !== null),
        "the persistent peer through the proxy",
        10_000,
      );
      await waitFor(() => remotes.some((p) => p.state === "ready"), "the remote side ready");
      expect(dialled.length).toBeGreaterThanOrEqual(1);
      expect(dialled.every((port) => port === proxyPort)).toBe(true);
      await node.stop();
      await waitFor(() => remotes.every((p) => p.state === "closed"), "the remote side closed");
    },
  );

  test.skipIf(microsocks === undefined)(
    "a v2 session through --proxy: one session id at both ends",
    async () => {
      const a = await startNode();
      const b = await startNode({
        listen: ["none"],
        proxy: `${LOOPBACK}:${proxyPort}`,
        addnode: [p2pAddress(a)],
      });
      const isReady = (p: { handshake: string }) => p.handshake === "ready";
      await waitFor(
        () => a.node.peers().some(isReady) && b.node.peers().some(isReady),
        "A and B through the proxy",
        NET_WAIT_MS,
      );
      const inbound = a.node.peers().find(isReady)!;
      const outbound = b.node.peers().find(isReady)!;
      expect(outbound.transport).toBe("v2");
      expect(inbound.transport).toBe("v2");
      expect(inbound.sessionId).toMatch(/^[0-9a-f]{64}$/);
      expect(outbound.sessionId).toBe(inbound.sessionId);
    },
  );
});
