/**
 * The status API of real running nodes over loopback HTTP: every read route
 * answers 200 with a body valid under the route table's schema; control
 * routes are 401 without the token and succeed with it; `POST /blocks`
 * answers accepted, orphan, duplicate, a rejection (400) and, before start,
 * 503; `GET /events` streams peer.connected, block.accepted and
 * block.relayed; the generated token lives in api.cookie (0600) only while
 * the node runs, and a configured `--api-token` writes no cookie.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RouteName } from "../../src/api/routes.ts";
import { nodeEvent } from "../../src/api/schemas.ts";
import {
  apiUrl,
  cookieToken,
  makeNode,
  minedBlocks,
  NET_WAIT_MS,
  p2pAddress,
  readyPeers,
  startNode,
  stopAll,
  type TestNode,
} from "./loopback.ts";
import { waitFor } from "../support/wait.ts";
import { authed, checked, errorBody, TOKEN } from "../support/api_requests.ts";

afterEach(stopAll);

/** A node A serving the API on loopback, and a node B connected to it. */
async function pair(): Promise<{ a: TestNode; b: TestNode }> {
  const a = await startNode({ api: "127.0.0.1:0" });
  const b = await startNode({ connect: [p2pAddress(a)] });
  await waitFor(() => readyPeers(a) === 1 && readyPeers(b) === 1, "A and B connected", NET_WAIT_MS);
  return { a, b };
}

/** Reads SSE text from `reader` until it contains every one of `needles` (or the wait ends). */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  needles: string[],
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((
    resolve,
  ) => (timer = setTimeout(() => resolve(null), NET_WAIT_MS)));
  try {
    while (!needles.every((n) => text.includes(n))) {
      const chunk = await Promise.race([reader.read(), late]);
      if (chunk === null || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
  }
  return text;
}

/** The events of an SSE text: type and parsed data. */
function eventsOf(text: string): { type: string; data: unknown }[] {
  return text.split("\n\n").flatMap((block) => {
    const type = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    return type && data ? [{ type, data: JSON.parse(data) }] : [];
  });
}

describe("the status API of a running node", () => {
  test("every read route answers 200 with a schema-valid body", async () => {
    const { a, b } = await pair();
    const [hex] = minedBlocks(1);
    const submitted = await fetch(`${apiUrl(a)}/blocks`, authed("POST", { hex }, cookieToken(a)));
    expect(submitted.status).toBe(200);
    const reads: [RouteName, string][] = [
      ["health", "/health"],
      ["ready", "/ready"],
      ["status", "/status"],
      ["peers", "/peers"],
      ["addresses", "/addresses"],
      ["addresses", "/addresses?table=tried&network=ipv4&limit=5"],
      ["bans", "/bans"],
      ["chain", "/chain"],
      ["inventory", "/inventory"],
      ["metrics", "/metrics"],
      ["openapi", "/openapi.json"],
      ["dashboard", "/"],
    ];
    const bodies: Record<string, unknown> = {};
    for (const [name, path] of reads) {
      const res = await fetch(`${apiUrl(a)}${path}`);
      expect(`${path} ${res.status}`).toBe(`${path} 200`);
      bodies[path] = await checked(name, res);
    }
    const status = bodies["/status"] as {
      state: string;
      chain: { height: number };
      peers: { byConnectionType: Record<string, number>; list: { connectionType: string }[] };
    };
    expect(status.state).toBe("running");
    expect(status.chain.height).toBe(1);
    // Connection types with Core's getpeerinfo names: B dialled A with --connect.
    expect(status.peers.byConnectionType).toEqual({
      "outbound-full-relay": 0,
      "block-relay-only": 0,
      "manual": 0,
      "feeler": 0,
      "addr-fetch": 0,
      "inbound": 1,
    });
    expect(status.peers.list.map((p) => p.connectionType)).toEqual(["inbound"]);
    const peers = bodies["/peers"] as { connectionType: string }[];
    expect(peers.map((p) => p.connectionType)).toEqual(["inbound"]);
    expect(b.node.peers().map((p) => p.connectionType)).toEqual(["manual"]);
    expect(b.node.status().peers.byConnectionType.manual).toBe(1);
    const chain = bodies["/chain"] as {
      tip: { hash: string; height: number };
      headersStored: number;
      tips: unknown[];
      recent: { height: number }[];
    };
    expect(chain.tip.height).toBe(1);
    expect(chain.recent.map((h) => h.height)).toEqual([1, 0]);
    expect(chain.headersStored).toBe(2);
    expect(chain.tips).toEqual([
      { hash: chain.tip.hash, height: 1, branchLength: 0, status: "active" },
    ]);
    const inventory = bodies["/inventory"] as { knownInventory: { size: number }[] };
    expect(inventory.knownInventory.length).toBe(1);
    const metrics = bodies["/metrics"] as string;
    expect(metrics).toContain('btc_edge_peers{direction="inbound"} 1\n');
    expect(metrics).toContain("btc_edge_header_height 1\n");
    expect(metrics).toContain("btc_edge_headers_stored 2\n");
    expect(metrics).toContain("btc_edge_headers_below_work_threshold_total 0\n");
    expect(metrics).toMatch(/btc_edge_messages_total\{direction="received",command="verack"\} 1\n/);
  });

  test("control routes are 401 without the token and succeed with it", async () => {
    const { a } = await pair();
    const token = cookieToken(a);
    const peerId = a.node.peers()[0].id;
    const [hex] = minedBlocks(1);
    const calls: [RouteName, string, string, unknown, number][] = [
      ["connect", "POST", "/peers", { address: "127.0.0.1:1" }, 202],
      ["ban", "POST", "/bans", { address: "203.0.113.9" }, 200],
      ["unban", "DELETE", "/bans/203.0.113.9", undefined, 200],
      ["submitBlock", "POST", "/blocks", { hex }, 200],
      ["disconnect", "DELETE", `/peers/${peerId}`, undefined, 200],
    ];
    for (const [name, method, path, body] of calls) {
      const init = authed(method, body, "0".repeat(64));
      delete init.headers.authorization;
      const res = await fetch(`${apiUrl(a)}${path}`, init);
      expect(`${path} ${res.status}`).toBe(`${path} 401`);
      await checked(name, res);
    }
    expect(a.node.status().chain.height).toBe(0);
    for (const [name, method, path, body, expected] of calls) {
      const res = await fetch(`${apiUrl(a)}${path}`, authed(method, body, token));
      expect(`${path} ${res.status}`).toBe(`${path} ${expected}`);
      await checked(name, res);
    }
    expect(a.node.status().chain.height).toBe(1);
    // The dial to port 1 is refused and counted.
    await waitFor(
      () => a.records.some((r) => r.message === "outbound connection failed"),
      "the dial",
    );
    const metrics = await (await fetch(`${apiUrl(a)}/metrics`)).text();
    expect(metrics).toContain('btc_edge_errors_total{kind="dial"} 1\n');
    expect(metrics).toContain('btc_edge_errors_total{kind="api"} 0\n');
  });

  test("POST /blocks answers orphan, accepted, duplicate, rejected, and 503 before start", async () => {
    const idle = makeNode({ apiToken: TOKEN });
    const [b1, b2, b3] = minedBlocks(3);
    const early = await idle.node.app.request("/blocks", authed("POST", { hex: b1 }));
    expect(early.status).toBe(503);
    await checked("submitBlock", early);

    const a = await startNode({ apiToken: TOKEN });
    const submit = async (hex: string) => {
      const res = await a.node.app.request("/blocks", authed("POST", { hex }));
      return { status: res.status, body: await checked("submitBlock", res) };
    };
    expect(await submit(b2)).toMatchObject({
      status: 200,
      body: { status: "orphan", height: null },
    });
    expect(a.node.status().chain.height).toBe(0);
    expect(await submit(b1)).toMatchObject({
      status: 200,
      body: { status: "accepted", height: 1 },
    });
    // The orphan connected behind its parent.
    expect(a.node.status().chain.height).toBe(2);
    expect(await submit(b2)).toMatchObject({
      status: 200,
      body: { status: "duplicate", height: 2 },
    });
    const bad = await a.node.app.request("/blocks", authed("POST", { hex: b3.slice(0, 200) }));
    expect(bad.status).toBe(400);
    expect((await errorBody(bad)).error).toContain("block rejected (decode)");
  });

  test("GET /events streams peer.connected, block.accepted and block.relayed", async () => {
    const a = await startNode({ api: "127.0.0.1:0" });
    const abort = new AbortController();
    const res = await fetch(`${apiUrl(a)}/events`, { signal: abort.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const b = await startNode({ connect: [p2pAddress(a)] });
    const connected = await readUntil(reader, ["event: peer.connected"]);
    await waitFor(() => readyPeers(b) === 1, "B ready", NET_WAIT_MS);
    const [hex] = minedBlocks(1);
    await fetch(`${apiUrl(a)}/blocks`, authed("POST", { hex }, cookieToken(a)));
    const blocks = await readUntil(reader, ["event: block.accepted", "event: block.relayed"]);
    abort.abort();
    await reader.cancel().catch(() => {});

    const events = eventsOf(connected + blocks);
    for (const e of events) expect(nodeEvent.safeParse(e.data).success).toBe(true);
    const types = events.map((e) => e.type);
    expect(types).toContain("peer.connected");
    expect(types).toContain("block.accepted");
    expect(types).toContain("block.relayed");
    const peer = events.find((e) => e.type === "peer.connected")!.data as { data: object };
    expect(peer.data).toMatchObject({
      direction: "inbound",
      connectionType: "inbound",
      persistent: false,
    });
    const relayed = events.find((e) => e.type === "block.relayed")!.data as { data: object };
    expect(relayed.data).toMatchObject({ to: [a.node.peers()[0].address + " (inbound)"] });
  });

  test("the generated token is in api.cookie (0600) while running, and gone after stop", async () => {
    const a = await startNode({ api: "127.0.0.1:0" });
    const path = join(a.node.datadir, "api.cookie");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(cookieToken(a)).toMatch(/^[0-9a-f]{64}$/);
    const listening = a.records.find((r) => r.message === "status API listening")!;
    expect(listening.fields.cookie).toBe(path);
    expect(a.messages("warn").filter((m) => m.includes("reachable from other hosts"))).toEqual([]);
    await a.node.stop();
    expect(existsSync(path)).toBe(false);
  });

  test("a configured --api-token is used and no cookie is written", async () => {
    const a = await startNode({ api: "127.0.0.1:0", apiToken: TOKEN });
    expect(existsSync(join(a.node.datadir, "api.cookie"))).toBe(false);
    const res = await fetch(`${apiUrl(a)}/bans`, authed("POST", { address: "203.0.113.9" }));
    expect(res.status).toBe(200);
    await checked("ban", res);
  });
});
