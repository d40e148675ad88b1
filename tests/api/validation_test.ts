/**
 * Input validation: each invalid field is named in a 400, unknown fields
 * too; path traversal and odd ids are 400/404 and never a crash; bodies
 * over 64 KiB are 413 whether or not Content-Length is given.
 */
import { describe, expect, test } from "bun:test";
import { MAX_BODY_BYTES } from "../../src/api/input.ts";
import { appFor } from "./helpers.ts";
import { FakeSource } from "../support/fake_api_source.ts";
import { authed, checked, errorBody, TOKEN } from "../support/api_requests.ts";

/** The issues of a 400 answer, as `field: message` pairs. */
async function issuesOf(res: Response): Promise<Record<string, string>> {
  expect(res.status).toBe(400);
  const body = await errorBody(res);
  expect(body.error).toBe("invalid request");
  return Object.fromEntries((body.issues ?? []).map((i) => [i.field, i.message]));
}

describe("query validation", () => {
  test("each invalid /addresses parameter is named", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    const cases: [string, string, string][] = [
      ["table=old", "table", "new"],
      ["network=torv2", "network", "ipv4"],
      ["limit=abc", "limit", "integer"],
      ["limit=1.5", "limit", "integer"],
      ["limit=-1", "limit", "at least 0"],
      ["limit=1001", "limit", "at most 1000"],
      ["cursor=a%20b", "cursor", "nextCursor"],
      [`cursor=${"a".repeat(257)}`, "cursor", ""],
      ["color=red", "color", "unknown field"],
    ];
    for (const [query, field, fragment] of cases) {
      const res = await app.request(`/addresses?${query}`);
      await checked("addresses", res.clone());
      const issues = await issuesOf(res);
      expect(Object.keys(issues)).toEqual([field]);
      expect(issues[field]).toContain(fragment);
    }
    expect(source.calls).toEqual([]);
  });

  test("several invalid parameters are all named at once", async () => {
    const res = await appFor(new FakeSource()).request("/addresses?table=x&network=y&limit=z");
    expect(Object.keys(await issuesOf(res)).sort()).toEqual(["limit", "network", "table"]);
  });
});

describe("path parameters", () => {
  test("peer ids must be positive integers: anything else is 400", async () => {
    const app = appFor(new FakeSource());
    for (
      const id of [
        "0",
        "-1",
        "1.5",
        "1e3",
        "abc",
        "01",
        "1%00",
        "%20",
        "9999999999999999",
        "..%2F..",
      ]
    ) {
      const res = await app.request(`/peers/${id}`);
      await checked("peer", res.clone());
      expect(await issuesOf(res)).toEqual({ id: "expected a peer id: a positive integer" });
    }
  });

  test("path traversal never reaches the source and never crashes", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    for (
      const path of [
        "/peers/..%2F..",
        "/peers/..%2F..%2Fetc%2Fpasswd",
        "/peers/%2e%2e%2f",
        "/peers/../../etc/passwd",
        "/peers/%2E%2E/%2E%2E",
        "/bans/..%2F..",
        "/peers/%E0%A4%A",
      ]
    ) {
      for (const init of [undefined, authed("DELETE")]) {
        const res = await app.request(path, init);
        // Dot segments the URL parser removes land on another route (e.g. "/"): never 500.
        const normalized = new URL(path, "http://localhost").pathname;
        if (normalized.startsWith("/peers/") || normalized.startsWith("/bans/")) {
          expect([400, 404]).toContain(res.status);
          expect(typeof (await errorBody(res)).error).toBe("string");
        } else {
          expect(res.status).toBeLessThan(500);
        }
      }
    }
    expect(source.calls).toEqual([]);
    expect((await app.request("/status")).status).toBe(200);
  });

  test("a ban address in the path must be an address", async () => {
    const app = appFor(new FakeSource(), { token: TOKEN });
    for (const text of ["example.com", "1.2.3.4:8333", "256.1.1.1", "x".repeat(101)]) {
      const res = await app.request(`/bans/${encodeURIComponent(text)}`, authed("DELETE"));
      await checked("unban", res.clone());
      expect(Object.keys(await issuesOf(res))).toEqual(["address"]);
    }
  });
});

describe("body validation", () => {
  test("POST /peers names each invalid field", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const cases: [unknown, Record<string, string>][] = [
      [{}, { address: "expected string" }],
      [{ address: 8333 }, { address: "expected string" }],
      [{ address: "203.0.113.1" }, { address: "port" }],
      [{ address: "203.0.113.1:0" }, { address: "port" }],
      [{ address: "203.0.113.1:65536" }, { address: "port" }],
      [{ address: "2001:db8::1:8333" }, { address: "port" }],
      [{ address: "seed.example.com:8333" }, { address: "not a numeric address" }],
      [{ address: "[fd6b:88c0:8724::1]:8333" }, { address: "internal" }],
      [{ address: "203.0.113.1:8333", persistent: "yes" }, { persistent: "true or false" }],
      [{ address: "203.0.113.1:8333", extra: 1 }, { extra: "unknown field" }],
      [{ address: 1, persistent: 2, x: 3 }, {
        address: "expected string",
        persistent: "true or false",
        x: "unknown field",
      }],
    ];
    for (const [body, expected] of cases) {
      const res = await app.request("/peers", authed("POST", body));
      await checked("connect", res.clone());
      const issues = await issuesOf(res);
      expect(Object.keys(issues).sort()).toEqual(Object.keys(expected).sort());
      for (const [field, fragment] of Object.entries(expected)) {
        expect(issues[field]).toContain(fragment);
      }
    }
    expect(source.calls).toEqual([]);
  });

  test("POST /bans names each invalid field", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const cases: [unknown, string[]][] = [
      [{ address: "not-an-ip" }, ["address"]],
      [{ address: "" }, ["address"]],
      [{ address: "203.0.113.1", durationSeconds: 0 }, ["durationSeconds"]],
      [{ address: "203.0.113.1", durationSeconds: 1.5 }, ["durationSeconds"]],
      [{ address: "203.0.113.1", durationSeconds: "60" }, ["durationSeconds"]],
      [{ address: "203.0.113.1", durationSeconds: 1e12 }, ["durationSeconds"]],
      [{ address: "203.0.113.1", reason: "a\nb" }, ["reason"]],
      [{ address: "203.0.113.1", reason: "r".repeat(201) }, ["reason"]],
      [{ address: "x", durationSeconds: -5, reason: 7 }, ["address", "durationSeconds", "reason"]],
    ];
    for (const [body, fields] of cases) {
      const res = await app.request("/bans", authed("POST", body));
      await checked("ban", res.clone());
      expect(Object.keys(await issuesOf(res)).sort()).toEqual(fields);
    }
    expect(source.calls).toEqual([]);
  });

  test("a body that is not a JSON object is named as `body`", async () => {
    const app = appFor(new FakeSource(), { token: TOKEN });
    for (const raw of ["{not json", "[]", '"text"', "null", "42"]) {
      const res = await app.request("/bans", authed("POST", raw));
      const issues = await issuesOf(res);
      expect(Object.keys(issues)).toEqual(["body"]);
    }
    const utf = await app.request("/bans", {
      ...authed("POST"),
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    expect(await issuesOf(utf)).toEqual({ body: "expected UTF-8 text" });
  });

  test("an empty body reads as {} and names the missing field", async () => {
    const app = appFor(new FakeSource(), { token: TOKEN });
    const res = await app.request("/peers", authed("POST"));
    expect(Object.keys(await issuesOf(res))).toEqual(["address"]);
  });
});

describe("body size", () => {
  test("a streamed body over 64 KiB is 413", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const big = JSON.stringify({ address: "203.0.113.1", reason: "r".repeat(MAX_BODY_BYTES) });
    const res = await app.request("/bans", authed("POST", big));
    expect(res.status).toBe(413);
    await checked("ban", res.clone());
    expect((await errorBody(res)).error).toContain("64 KiB");
    expect(source.calls).toEqual([]);
  });

  test("a declared Content-Length over 64 KiB is 413 before reading", async () => {
    const app = appFor(new FakeSource(), { token: TOKEN });
    const init = authed("POST", "{}");
    const res = await app.request("/peers", {
      ...init,
      headers: { ...init.headers, "content-length": "70000" },
    });
    expect(res.status).toBe(413);
  });

  test("a body of exactly 64 KiB is read (and then validated)", async () => {
    const app = appFor(new FakeSource(), { token: TOKEN });
    const prefix = '{"address":"203.0.113.1","pad":"';
    const body = prefix + "p".repeat(MAX_BODY_BYTES - prefix.length - 2) + '"}';
    expect(body.length).toBe(MAX_BODY_BYTES);
    const res = await app.request("/bans", authed("POST", body));
    expect(await issuesOf(res)).toEqual({ pad: "unknown field" });
  });

  test("the token is checked before the body is read", async () => {
    const app = appFor(new FakeSource(), { token: TOKEN });
    const big = "x".repeat(MAX_BODY_BYTES + 1);
    const res = await app.request("/bans", { method: "POST", body: big });
    expect(res.status).toBe(401);
  });
});
