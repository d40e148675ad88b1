/**
 * The read-only routes: each answers with a documented status and a body
 * matching its schema; unknown routes and peers are 404 JSON; a failing
 * source is a 500 without detail; many concurrent requests all succeed.
 */
import { describe, expect, test } from "bun:test";
import type { LogRecord } from "../../src/log/logger.ts";
import { appFor } from "./helpers.ts";
import { FakeSource, samplePeer } from "../support/fake_api_source.ts";
import { checked, errorBody } from "../support/api_requests.ts";

describe("read routes", () => {
  test("GET /status answers the source's status", async () => {
    const source = new FakeSource();
    const body = await checked("status", await appFor(source).request("/status"));
    expect(body).toEqual(source.statusValue);
  });

  test("GET /health answers ok without touching the source", async () => {
    const source = new FakeSource();
    source.failure = new Error("source is down");
    const res = await appFor(source).request("/health");
    expect(res.status).toBe(200);
    expect(await checked("health", res)).toEqual({ ok: true });
  });

  test("GET /peers lists every peer and GET /peers/:id one", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    expect(await checked("peers", await app.request("/peers"))).toEqual(source.peerList);
    expect(await checked("peer", await app.request("/peers/2"))).toEqual(samplePeer(2, "inbound"));
  });

  test("an unknown peer id is 404 naming the id", async () => {
    const res = await appFor(new FakeSource()).request("/peers/77");
    expect(res.status).toBe(404);
    await checked("peer", res.clone());
    expect((await errorBody(res)).error).toContain("77");
  });

  test("GET /addresses passes the validated query and answers the page", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    const page = await checked(
      "addresses",
      await app.request("/addresses?table=tried&network=ipv4&limit=5&cursor=abc-1"),
    ) as { items: unknown[] };
    expect(source.calls.at(-1)).toEqual({
      method: "addresses",
      args: [{ table: "tried", network: "ipv4", limit: 5, cursor: "abc-1" }],
    });
    expect(page.items.length).toBe(1);
  });

  test("GET /addresses defaults the limit to 100 and accepts 0 (counts only)", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    await checked("addresses", await app.request("/addresses"));
    expect(source.calls.at(-1)?.args).toEqual([{ limit: 100 }]);
    const page = await checked("addresses", await app.request("/addresses?limit=0")) as {
      items: unknown[];
      nextCursor?: string;
    };
    expect(page.items).toEqual([]);
    expect(page.nextCursor).toBeUndefined();
  });

  test("GET /bans, /chain and /inventory answer the source's views", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    expect(await checked("bans", await app.request("/bans"))).toEqual(source.banList);
    expect(await checked("chain", await app.request("/chain"))).toEqual(source.chain());
    expect(await checked("inventory", await app.request("/inventory"))).toEqual(
      source.inventory(),
    );
  });

  test("GET /ready is 200 when ready and 503 with the reasons when not", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    const ok = await app.request("/ready");
    expect(ok.status).toBe(200);
    expect(await checked("ready", ok)).toEqual({ ready: true, reasons: [] });
    source.readiness = { ready: false, reasons: ["no peers connected", "not listening"] };
    const notReady = await app.request("/ready");
    expect(notReady.status).toBe(503);
    expect(await checked("ready", notReady)).toEqual(source.readiness);
  });

  test("GET /metrics and GET / answer text with their content types", async () => {
    const app = appFor(new FakeSource());
    const metrics = await app.request("/metrics");
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await checked("metrics", metrics)).toContain("btc_edge_header_height 849990");
    const page = await app.request("/");
    expect(await checked("dashboard", page)).toContain("<!doctype html>");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  test("every answer carries nosniff and no-store", async () => {
    const app = appFor(new FakeSource());
    for (const path of ["/status", "/", "/nope", "/peers/x"]) {
      const res = await app.request(path);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  test("unknown routes and methods are 404 JSON naming the route", async () => {
    const app = appFor(new FakeSource());
    for (
      const [method, path] of [["GET", "/nope"], ["PUT", "/peers"], ["GET", "/peers/1/x"], [
        "POST",
        "/status",
      ]]
    ) {
      const res = await app.request(path, { method });
      expect(res.status).toBe(404);
      expect((await errorBody(res)).error).toBe(`no route ${method} ${path}`);
    }
  });

  test("a source that throws gives a logged, reported 500 with no stack or message", async () => {
    const records: LogRecord[] = [];
    const reported: unknown[] = [];
    const source = new FakeSource();
    source.failure = new Error("secret internal detail at /home/x/node.ts:12");
    const app = appFor(source, { records, onServerError: (e) => reported.push(e) });
    for (const path of ["/status", "/peers", "/peers/1", "/addresses", "/chain", "/metrics"]) {
      const res = await app.request(path);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: "internal error" });
      expect(text).not.toContain("secret");
    }
    const logged = records.filter((r) => r.level === "error");
    expect(logged.length).toBe(6);
    expect(logged[0].fields.error).toContain("secret internal detail");
    expect(reported).toEqual(Array(6).fill(source.failure));
  });

  test("1,000 concurrent GET /status requests all succeed", async () => {
    const app = appFor(new FakeSource());
    const responses = await Promise.all(
      Array.from({ length: 1000 }, () => app.request("/status")),
    );
    expect(responses.filter((r) => r.status === 200).length).toBe(1000);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(bodies.every((b) => b.network === "main")).toBe(true);
  });
});
