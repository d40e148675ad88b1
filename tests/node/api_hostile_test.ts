/**
 * Hostile requests to every route of a running node's API over real
 * loopback HTTP: wrong types, path traversal in ids, missing and wrong
 * tokens, bodies past each route's bound, raw garbage on the socket, and
 * 1,000 such requests at once. Every answer is a documented status with a
 * schema-valid body (never a 5xx), every body stays under its bound, and the
 * node keeps serving honest requests afterwards.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { MAX_BODY_BYTES } from "../../src/api/input.ts";
import { MAX_BLOCK_BODY_BYTES, type RouteName, ROUTES } from "../../src/api/routes.ts";
import { apiUrl, startNode, stopAll, type TestNode } from "./loopback.ts";
import { checked, TOKEN } from "../support/api_requests.ts";

afterEach(stopAll);

/** Largest body any read route may answer with (a page of 1,000 addresses is ~150 KB). */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Longest wait for a raw-socket answer. */
const RAW_WAIT_MS = 5_000;

/** Ids and addresses a hostile client puts in paths (and two well-formed unknown ones). */
const HOSTILE_SEGMENTS = [
  "12345",
  "203.0.113.9",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e%2f%2e%2e%2f",
  "%00",
  "-1",
  "1e999",
  "9".repeat(400),
  "%F0%9F%92%A9",
  "<script>",
  "'%20OR%201=1",
];

/** Bodies of the wrong shape for the JSON routes. */
const HOSTILE_BODIES = [
  "null",
  "[]",
  '"a string"',
  "12",
  "{",
  '{"address": 12, "hex": [], "duration": "forever"}',
  '{"__proto__": {"admin": true}}',
  '{"address": "' + "a".repeat(10_000) + '"}',
];

interface HostileRequest {
  readonly route: RouteName;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** The route's path with every `:param` replaced by `segment`. */
function fill(path: string, segment: string): string {
  return path.replace(/:[a-z]+/g, segment);
}

/** Every hostile variant of every route (the event stream is left to its own test). */
function hostileRequests(): HostileRequest[] {
  const out: HostileRequest[] = [];
  const tokens: Record<string, string>[] = [
    {},
    { authorization: "Bearer wrong" },
    { authorization: `Basic ${TOKEN}` },
    { authorization: `Bearer ${TOKEN}` },
  ];
  for (const [name, spec] of Object.entries(ROUTES)) {
    const route = name as RouteName;
    if (route === "events") continue;
    const method = spec.method.toUpperCase();
    const segments = spec.path.includes(":") ? HOSTILE_SEGMENTS : [""];
    for (const segment of segments) {
      const path = fill(spec.path, segment);
      for (const headers of tokens) {
        if (method === "GET") {
          out.push({
            route,
            method,
            path: `${path}?limit=abc&table=zz&x=${"y".repeat(300)}`,
            headers,
          });
          continue;
        }
        for (const body of HOSTILE_BODIES) {
          out.push({
            route,
            method,
            path,
            headers: { ...headers, "content-type": "application/json" },
            body,
          });
        }
      }
    }
  }
  return out;
}

/** Sends `r` and checks the answer against the route table; returns the status. */
async function sendChecked(base: string, r: HostileRequest): Promise<number> {
  const res = await fetch(`${base}${r.path}`, {
    method: r.method,
    headers: r.headers,
    ...(r.body === undefined ? {} : { body: r.body }),
  });
  const text = await res.clone().text();
  expect(text.length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  if (res.status === 404 && !/"error"/.test(text)) {
    // Hono's own not-found (a path that matches no route): plain, and never 5xx.
    await res.body?.cancel();
    return 404;
  }
  try {
    await checked(r.route, res);
  } catch (error) {
    throw new Error(`${r.method} ${r.path.slice(0, 80)}: ${(error as Error).message}`);
  }
  return res.status;
}

/**
 * A 5xx other than /ready's documented 503 (not ready: no outbound peers,
 * which a node with no peers rightly says).
 */
function serverError(route: RouteName, status: number): boolean {
  return status >= 500 && !(route === "ready" && status === 503);
}

/** Writes `bytes` on a raw socket and resolves with what came back (until close or the wait). */
function raw(port: number, bytes: string | Uint8Array): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let text = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, RAW_WAIT_MS);
    socket.on("data", (d) => {
      text += String(d);
      if (/\r\n\r\n/.test(text)) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.write(bytes);
  });
}

async function apiNode(): Promise<TestNode> {
  return await startNode({ api: "127.0.0.1:0", apiToken: TOKEN });
}

async function healthy(base: string): Promise<void> {
  const res = await fetch(`${base}/health`);
  expect(res.status).toBe(200);
  await res.body?.cancel();
}

describe("hostile requests to a running node's API", () => {
  test("every hostile variant of every route gets a documented answer, never a 5xx", async () => {
    const t = await apiNode();
    const base = apiUrl(t);
    const requests = hostileRequests();
    expect(requests.length).toBeGreaterThan(200);
    const statuses = new Map<number, number>();
    for (const r of requests) {
      const status = await sendChecked(base, r);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(serverError(r.route, status)).toBe(false);
    }
    // Every kind of refusal happened: bad input, no or wrong token, unknown ids.
    for (const status of [400, 401, 404]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    await healthy(base);
  }, 60_000);

  test(
    "1,000 hostile requests at once: all answered, none 5xx, the node still serves",
    async () => {
      const t = await apiNode();
      const base = apiUrl(t);
      const variants = hostileRequests();
      const batch = Array.from({ length: 1_000 }, (_, i) => variants[(i * 7919) % variants.length]);
      const statuses = await Promise.all(batch.map((r) => sendChecked(base, r)));
      expect(statuses.length).toBe(1_000);
      expect(batch.filter((r, i) => serverError(r.route, statuses[i]))).toEqual([]);
      await healthy(base);
      expect(t.node.status().api).not.toBeNull();
    },
    60_000,
  );

  test("bodies past each route's bound are 413 with the token, 401 without", async () => {
    const t = await apiNode();
    const base = apiUrl(t);
    for (const [name, spec] of Object.entries(ROUTES)) {
      if (spec.method !== "post") continue;
      const bound = "maxBodyBytes" in spec ? spec.maxBodyBytes as number : MAX_BODY_BYTES;
      const body = "x".repeat(bound + 1);
      for (
        const [headers, want] of [[{ authorization: `Bearer ${TOKEN}` }, 413], [{}, 401]] as const
      ) {
        // The server answers these without reading the body and says
        // `Connection: close`; Bun's fetch may still reuse the connection
        // (its next request then reads as the unread body: 431), so the
        // client asks for a fresh connection too.
        const res = await fetch(`${base}${spec.path}`, {
          method: "POST",
          headers: { ...headers, connection: "close" },
          body,
        });
        expect(res.headers.get("connection")).toContain("close");
        expect({ route: name, status: res.status }).toEqual({ route: name, status: want });
        await checked(name as RouteName, res);
      }
    }
    expect(MAX_BLOCK_BODY_BYTES).toBeGreaterThan(MAX_BODY_BYTES);
    await healthy(base);
  }, 60_000);

  test(
    "garbage, oversized request lines and huge headers on the raw socket never crash it",
    async () => {
      const t = await apiNode();
      const base = apiUrl(t);
      const port = Number(new URL(base).port);
      const answers = await Promise.all([
        raw(port, new Uint8Array([0, 255, 1, 254, 13, 10, 13, 10])),
        raw(port, "NOT HTTP AT ALL\r\n\r\n"),
        raw(port, `GET /${"a".repeat(200_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
        raw(port, `GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(1_000_000)}\r\n\r\n`),
        raw(port, "POST /peers HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
        raw(port, "GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
      ]);
      for (const answer of answers) {
        // An answer, when there is one, is a refusal or a plain not-found: never a 5xx.
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
        if (status !== undefined) expect(Number(status)).toBeLessThan(500);
        expect(answer).not.toContain("root:");
      }
      await healthy(base);
    },
    30_000,
  );
});
