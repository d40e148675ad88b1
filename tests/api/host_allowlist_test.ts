/**
 * The status API's `Host` allowlist (the DNS-rebinding guard) and CORS, on
 * the hono app: every route refuses a foreign `Host` with a 403 that says
 * why; the loopback names, the configured names and `*` pass; entries parse
 * as the option documents; no CORS header unless origins are configured.
 */
import { describe, expect, test } from "bun:test";
import { createApp } from "../../src/api/app.ts";
import { HostAllowlist } from "../../src/api/host_allowlist.ts";
import { ROUTES } from "../../src/api/routes.ts";
import { parseHostEntry } from "../../src/config/allowed_host.ts";
import { ConfigError, resolveOptions } from "../../src/config/load.ts";
import { FakeSource } from "../support/fake_api_source.ts";
import { TOKEN } from "../support/api_requests.ts";

/** A request for `path` as a browser would send it to `host`. */
function from(host: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...init.headers as Record<string, string>, host } };
}

/** Every route's path with its parameters filled in. */
function everyRoute(): Array<{ method: string; path: string }> {
  return Object.values(ROUTES).map((r) => ({
    method: r.method.toUpperCase(),
    path: r.path.replace(/:[a-z]+/g, "1"),
  }));
}

describe("Host allowlist", () => {
  test("Host: evil.example gets 403 on every route, saying why", async () => {
    const app = createApp(new FakeSource(), { token: TOKEN });
    for (const { method, path } of everyRoute()) {
      const res = await app.request(
        path,
        from("evil.example:8334", { method, headers: { authorization: `Bearer ${TOKEN}` } }),
      );
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      const body = await res.json() as { error: string };
      expect(body.error).toContain('"evil.example:8334"');
      expect(body.error).toContain("DNS rebinding");
      expect(body.error).toContain("--api-allowed-hosts");
      expect(body.error).toContain("localhost, 127.0.0.1, [::1]");
    }
  });

  test("the loopback names pass with any port; unknown paths stay 404", async () => {
    const app = createApp(new FakeSource());
    for (
      const host of ["localhost", "localhost:8334", "127.0.0.1:18444", "[::1]:80", "LOCALHOST."]
    ) {
      expect({ host, status: (await app.request("/status", from(host))).status })
        .toEqual({ host, status: 200 });
    }
    expect((await app.request("/nowhere", from("localhost:1"))).status).toBe(404);
    expect((await app.request("/nowhere", from("evil.example"))).status).toBe(403);
  });

  test("names that only look local are refused", async () => {
    const app = createApp(new FakeSource());
    for (
      const host of [
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "127.0.0.2",
        "[::2]",
        "0.0.0.0:8334",
        "",
        "localhost:abc",
        "evil.example@localhost",
      ]
    ) {
      expect({ host, status: (await app.request("/peers", from(host))).status })
        .toEqual({ host, status: 403 });
    }
  });

  test("configured names pass (with or without a port), others still get 403", async () => {
    const app = createApp(new FakeSource(), { allowedHosts: ["node.lan", "10.0.0.5:8334"] });
    expect((await app.request("/status", from("node.lan:9999"))).status).toBe(200);
    expect((await app.request("/status", from("NODE.LAN"))).status).toBe(200);
    expect((await app.request("/status", from("10.0.0.5:8334"))).status).toBe(200);
    expect((await app.request("/status", from("10.0.0.5:8335"))).status).toBe(403);
    expect((await app.request("/status", from("10.0.0.5"))).status).toBe(403);
    expect((await app.request("/status", from("evil.example"))).status).toBe(403);
  });

  test("* answers every Host", async () => {
    const app = createApp(new FakeSource(), { allowedHosts: ["*"] });
    expect((await app.request("/status", from("evil.example"))).status).toBe(200);
  });

  test("a request without Host (in-process, never a browser) is answered", async () => {
    expect((await createApp(new FakeSource()).request("/health")).status).toBe(200);
    expect(new HostAllowlist([]).allows(undefined)).toBe(true);
  });

  test("entries parse as documented", () => {
    expect(parseHostEntry("Node.Lan.")).toEqual({ name: "node.lan", port: null });
    expect(parseHostEntry("node.lan:8334")).toEqual({ name: "node.lan", port: 8334 });
    expect(parseHostEntry("[::1]")).toEqual({ name: "[::1]", port: null });
    expect(parseHostEntry("[2001:db8::1]:80")).toEqual({ name: "[2001:db8::1]", port: 80 });
    for (const bad of ["", "::1", "a b", "host:", "host:0", "host:70000", "[::1", "a/b", "u@h"]) {
      expect({ bad, entry: parseHostEntry(bad) }).toEqual({ bad, entry: undefined });
    }
  });

  test("--api-allowed-hosts is repeatable and comma-separated; a bad entry is a ConfigError", () => {
    const options = resolveOptions([
      ["env", { apiAllowedHosts: ["a.lan", "b.lan:8334"] }],
      ["flag", { apiAllowedHosts: ["c.lan,[::1]", "*"] }],
    ]);
    expect(options.apiAllowedHosts).toEqual(["c.lan", "[::1]", "*"]);
    expect(resolveOptions([]).apiAllowedHosts).toEqual([]);
    expect(() => resolveOptions([["flag", { apiAllowedHosts: ["a.lan,bad host"] }]]))
      .toThrow(ConfigError);
    expect(() => resolveOptions([["flag", { apiAllowedHosts: ["a.lan,bad host"] }]]))
      .toThrow("--api-allowed-hosts");
  });
});

describe("CORS", () => {
  const origin = "https://wallet.example";

  test("closed by default: no Access-Control-Allow-Origin, preflight not answered", async () => {
    const app = createApp(new FakeSource());
    const res = await app.request("/peers", from("localhost", { headers: { origin } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await app.request(
      "/peers",
      from("localhost", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET" },
      }),
    );
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.status).toBe(404);
  });

  test("configured origins are allowed, others are not", async () => {
    const app = createApp(new FakeSource(), { corsOrigins: [origin] });
    const ok = await app.request("/peers", from("localhost", { headers: { origin } }));
    expect(ok.headers.get("access-control-allow-origin")).toBe(origin);
    const preflight = await app.request(
      "/peers",
      from("localhost", {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
        },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase())
      .toContain("authorization");
    const other = await app.request(
      "/peers",
      from("localhost", { headers: { origin: "https://evil.example" } }),
    );
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("CORS does not get past the Host check", async () => {
    const app = createApp(new FakeSource(), { corsOrigins: ["*"] });
    const res = await app.request("/peers", from("evil.example", { headers: { origin } }));
    expect(res.status).toBe(403);
  });

  test("--api-cors-origins takes origins or *, not URLs with paths", () => {
    expect(
      resolveOptions([["flag", { apiCorsOrigins: [`${origin},http://[::1]:3000`] }]])
        .apiCorsOrigins,
    ).toEqual([origin, "http://[::1]:3000"]);
    expect(() => resolveOptions([["flag", { apiCorsOrigins: ["https://a.example/path"] }]]))
      .toThrow("--api-cors-origins");
    expect(() => resolveOptions([["flag", { apiCorsOrigins: ["wallet.example"] }]]))
      .toThrow(ConfigError);
  });
});
