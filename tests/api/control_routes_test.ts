/**
 * The control routes: the bearer token rules (none configured, missing,
 * wrong, right), what each route asks of the source with canonical
 * addresses, 404s, and refusals a source raises as `ApiRequestError`.
 */
import { describe, expect, test } from "bun:test";
import { checkBearer, constantTimeEqual } from "../../src/api/auth.ts";
import { ApiRequestError } from "../../src/api/source.ts";
import type { LogRecord } from "../../src/log/logger.ts";
import { appFor } from "./helpers.ts";
import type { RouteName } from "../../src/api/routes.ts";
import { FakeSource } from "../support/fake_api_source.ts";
import { authed, checked, errorBody, TOKEN } from "../support/api_requests.ts";

/** One valid request to each control route. */
const CONTROL: [RouteName, string, string, unknown][] = [
  ["connect", "POST", "/peers", { address: "203.0.113.5:8333" }],
  ["disconnect", "DELETE", "/peers/1", undefined],
  ["ban", "POST", "/bans", { address: "203.0.113.5" }],
  ["unban", "DELETE", "/bans/198.51.100.9", undefined],
];

describe("bearer token", () => {
  test("constant-time comparison is equality", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("abc", "")).toBe(false);
    expect(constantTimeEqual("é", "é")).toBe(true);
  });

  test("the Authorization header is parsed strictly", () => {
    expect(checkBearer(undefined, `Bearer ${TOKEN}`)).toBe("no-token-configured");
    expect(checkBearer(TOKEN, undefined)).toBe("missing");
    expect(checkBearer(TOKEN, TOKEN)).toBe("missing");
    expect(checkBearer(TOKEN, `Basic ${TOKEN}`)).toBe("missing");
    expect(checkBearer(TOKEN, `Bearer ${TOKEN} extra`)).toBe("missing");
    expect(checkBearer(TOKEN, `Bearer ${TOKEN}x`)).toBe("wrong");
    expect(checkBearer(TOKEN, `bearer ${TOKEN}`)).toBeNull();
    expect(checkBearer(TOKEN, `Bearer  ${TOKEN} `)).toBeNull();
  });

  test("with no token configured every control route is 401 saying so", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    for (const [name, method, path, body] of CONTROL) {
      const res = await app.request(path, authed(method, body));
      expect(res.status).toBe(401);
      await checked(name, res.clone());
      expect((await errorBody(res)).error).toContain("no API token is set");
    }
    expect(source.calls).toEqual([]);
  });

  test("a missing token is 401 with a WWW-Authenticate challenge", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    for (const [name, method, path, body] of CONTROL) {
      const res = await app.request(path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="btc-edge"');
      await checked(name, res.clone());
      expect((await errorBody(res)).error).toContain("Authorization: Bearer");
    }
    expect(source.calls).toEqual([]);
  });

  test("a wrong token is 401 and logged as a warning", async () => {
    const records: LogRecord[] = [];
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN, records });
    for (const [name, method, path, body] of CONTROL) {
      const res = await app.request(path, authed(method, body, TOKEN.slice(0, -1) + "0"));
      expect(res.status).toBe(401);
      await checked(name, res.clone());
      expect((await errorBody(res)).error).toBe("the bearer token is wrong");
    }
    expect(source.calls).toEqual([]);
    expect(records.filter((r) => r.level === "warn").length).toBe(CONTROL.length);
    expect(JSON.stringify(records)).not.toContain(TOKEN);
  });

  test("the right token is let through to every control route", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    for (const [name, method, path, body] of CONTROL) {
      const res = await app.request(path, authed(method, body));
      expect(res.status).toBeLessThan(300);
      await checked(name, res);
    }
    expect(source.calls.map((c) => c.method)).toEqual([
      "connect",
      "disconnectPeer",
      "ban",
      "unban",
    ]);
  });

  test("read routes need no token even when one is configured", async () => {
    const res = await appFor(new FakeSource(), { token: TOKEN }).request("/status");
    expect(res.status).toBe(200);
  });
});

describe("control routes", () => {
  test("POST /peers passes the canonical host:port and answers 202 while dialing", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const res = await app.request(
      "/peers",
      authed("POST", { address: "[2001:0db8:0:0::1]:18333", persistent: true }),
    );
    expect(res.status).toBe(202);
    expect(await checked("connect", res)).toEqual({ status: "connecting" });
    expect(source.calls).toEqual([{ method: "connect", args: ["[2001:db8::1]:18333", true] }]);
  });

  test("POST /peers answers 200 with the id when already connected", async () => {
    const source = new FakeSource();
    source.connectResult = { id: 4, status: "connected" };
    const res = await appFor(source, { token: TOKEN }).request(
      "/peers",
      authed("POST", { address: "203.0.113.4:8333" }),
    );
    expect(res.status).toBe(200);
    expect(await checked("connect", res)).toEqual({ id: 4, status: "connected" });
    expect(source.calls[0].args).toEqual(["203.0.113.4:8333", false]);
  });

  test("DELETE /peers/:id disconnects, and an unknown id is 404", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const ok = await app.request("/peers/2", authed("DELETE"));
    expect(await checked("disconnect", ok)).toEqual({ ok: true });
    const missing = await app.request("/peers/9", authed("DELETE"));
    expect(missing.status).toBe(404);
    await checked("disconnect", missing);
    expect(source.calls).toEqual([
      { method: "disconnectPeer", args: [2] },
      { method: "disconnectPeer", args: [9] },
    ]);
  });

  test("POST /bans passes the canonical address, duration and reason and answers the ban", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const res = await app.request(
      "/bans",
      authed("POST", { address: "[2001:DB8::0:1]", durationSeconds: 3600, reason: "spam" }),
    );
    expect(res.status).toBe(200);
    expect(await checked("ban", res)).toEqual({
      address: "2001:db8::1",
      bannedAt: 1_700_000_000_000,
      until: 1_700_003_600_000,
      reason: "spam",
    });
    expect(source.calls).toEqual([{ method: "ban", args: ["2001:db8::1", 3600, "spam"] }]);
  });

  test("DELETE /bans/:address lifts a ban by canonical address; no ban is 404", async () => {
    const source = new FakeSource();
    source.banList = [{ address: "2001:db8::1", bannedAt: 1, until: 2, reason: "x" }];
    const app = appFor(source, { token: TOKEN });
    const ok = await app.request("/bans/2001%3ADB8%3A%3A1", authed("DELETE"));
    expect(await checked("unban", ok)).toEqual({ ok: true });
    const missing = await app.request("/bans/203.0.113.1", authed("DELETE"));
    expect(missing.status).toBe(404);
    expect((await errorBody(missing)).error).toBe("203.0.113.1 is not banned");
    expect(source.calls.map((c) => c.args)).toEqual([["2001:db8::1"], ["203.0.113.1"]]);
  });

  test("a source's ApiRequestError becomes its status; a 400 names the field", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    source.failure = new ApiRequestError(409, "203.0.113.4 is banned");
    const conflict = await app.request("/peers", authed("POST", { address: "203.0.113.4:8333" }));
    expect(conflict.status).toBe(409);
    await checked("connect", conflict.clone());
    expect(await errorBody(conflict)).toEqual({ error: "203.0.113.4 is banned" });

    source.failure = new ApiRequestError(400, "onion peers need --onion or --proxy", "address");
    const bad = await app.request("/peers", authed("POST", { address: "203.0.113.4:8333" }));
    expect(bad.status).toBe(400);
    expect(await errorBody(bad)).toEqual({
      error: "invalid request",
      issues: [{ field: "address", message: "onion peers need --onion or --proxy" }],
    });

    source.failure = new ApiRequestError(400, "cursor is stale; start again", "cursor");
    const stale = await app.request("/addresses?cursor=old");
    expect(stale.status).toBe(400);
    expect((await errorBody(stale)).issues).toEqual([
      { field: "cursor", message: "cursor is stale; start again" },
    ]);
  });

  test("control actions are logged at info", async () => {
    const records: LogRecord[] = [];
    const app = appFor(new FakeSource(), { token: TOKEN, records });
    await app.request("/bans", authed("POST", { address: "203.0.113.5" }));
    expect(records.some((r) => r.level === "info" && r.message === "address banned on request"))
      .toBe(true);
  });
});
