/**
 * The DNS-rebinding guard on a running node's API over real loopback HTTP
 * (the runtime's own server): a request to 127.0.0.1 that says
 * `Host: evil.example` gets 403 on every route, while the loopback names,
 * the `--api` host and `--api-allowed-hosts` entries are answered; no CORS
 * header unless `--api-cors-origins` is set.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { ROUTES } from "../../src/api/routes.ts";
import { TOKEN } from "../support/api_requests.ts";
import { apiUrl, startNode, stopAll } from "./loopback.ts";

afterEach(stopAll);

/** Longest wait for one answer. */
const ANSWER_WAIT_MS = 5_000;

/** The status line and headers of one raw HTTP/1.1 request (lower-case header names). */
interface Head {
  readonly status: number;
  readonly headers: Record<string, string>;
}

/** Sends `GET`/`POST`/`DELETE path` with `headers` on a fresh socket; resolves with the head. */
function request(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<Head> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${method} ${path} within ${ANSWER_WAIT_MS} ms`));
    }, ANSWER_WAIT_MS);
    socket.on("data", (d) => {
      text += String(d);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      socket.destroy();
      const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
      const head: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        head[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: head });
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const lines = [`${method} ${path} HTTP/1.1`, "Connection: close", "Content-Length: 0"];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.write(lines.join("\r\n") + "\r\n\r\n");
  });
}

describe("status API Host allowlist (real HTTP)", () => {
  test("Host: evil.example to 127.0.0.1 gets 403 on every route; loopback names pass", async () => {
    const t = await startNode({ api: "127.0.0.1:0", apiToken: TOKEN });
    const port = Number(new URL(apiUrl(t)).port);
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const spec of Object.values(ROUTES)) {
      const method = spec.method.toUpperCase();
      const path = spec.path.replace(/:[a-z]+/g, "1");
      const head = await request(port, method, path, { host: `evil.example:${port}`, ...auth });
      expect({ method, path, status: head.status }).toEqual({ method, path, status: 403 });
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect({ host, status: (await request(port, "GET", "/peers", { host })).status })
        .toEqual({ host, status: 200 });
    }
  }, 30_000);

  test("--api-allowed-hosts adds names; CORS only for --api-cors-origins", async () => {
    const origin = "https://wallet.example";
    const open = await startNode({
      api: "127.0.0.1:0",
      apiAllowedHosts: ["node.lan"],
      apiCorsOrigins: [origin],
    });
    const port = Number(new URL(apiUrl(open)).port);
    const allowed = await request(port, "GET", "/status", { host: `node.lan:${port}`, origin });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe(origin);
    expect((await request(port, "GET", "/status", { host: "evil.example" })).status).toBe(403);

    const closed = await startNode({ api: "127.0.0.1:0" });
    const closedPort = Number(new URL(apiUrl(closed)).port);
    const head = await request(closedPort, "GET", "/status", {
      host: `127.0.0.1:${closedPort}`,
      origin,
    });
    expect(head.status).toBe(200);
    expect(head.headers["access-control-allow-origin"]).toBeUndefined();
  }, 30_000);
});
