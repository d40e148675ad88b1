/**
 * `GET /events`: node events arrive as SSE (`event:` type, `data:` JSON
 * matching the event schema), keep-alive comments fill silence, the
 * subscription ends when the client disconnects, and streams are bounded.
 */
import { describe, expect, test } from "bun:test";
import { nodeEvent } from "../../src/api/schemas.ts";
import type { NodeEvent } from "../../src/api/source.ts";
import { eventStream, formatEvent } from "../../src/api/sse.ts";
import { appFor } from "./helpers.ts";
import { FakeSource, HASH_A } from "../support/fake_api_source.ts";
import { checked } from "../support/api_requests.ts";

/** Longest any read waits: generous for slow CI, and it bounds every loop here. */
const READ_DEADLINE_MS = 5_000;

const decoder = new TextDecoder();

/** Reads `reader` until `done(text)` holds or the deadline passes; returns the text read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  let text = "";
  const deadline = Date.now() + READ_DEADLINE_MS;
  while (!done(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no match within ${READ_DEADLINE_MS} ms; read: ${text}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), left));
    const chunk = await Promise.race([reader.read(), timeout]);
    clearTimeout(timer);
    if (chunk === "timeout") continue;
    if (chunk.done) throw new Error(`stream ended; read: ${text}`);
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

/** Waits (bounded) until `condition()` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + READ_DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const connected: NodeEvent = {
  type: "peer.connected",
  time: 1_700_000_000_000,
  data: {
    id: 3,
    peer: "203.0.113.3:8333 (outbound)",
    direction: "outbound",
    connectionType: "block-relay-only",
    userAgent: "/Satoshi:27.0.0/",
    persistent: false,
  },
};

describe("GET /events", () => {
  test("delivers an event as event: type and data: JSON matching the schema", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    const client = new AbortController();
    const res = await app.request("/events", { signal: client.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    await readUntil(reader, (t) => t.includes("retry:"));
    await until(() => source.listeners === 1);
    source.emit(connected);
    const text = await readUntil(reader, (t) => /\ndata: .*\n\n/.test(t));
    const block = text.slice(text.indexOf("event:"));
    const lines = block.split("\n");
    expect(lines[0]).toBe("event: peer.connected");
    expect(lines[1].startsWith("data: ")).toBe(true);
    expect(nodeEvent.parse(JSON.parse(lines[1].slice(6)))).toEqual(connected);
    client.abort();
    await reader.cancel().catch(() => {});
  });

  test("the subscription ends when the client's request is aborted", async () => {
    const source = new FakeSource();
    const app = appFor(source);
    const client = new AbortController();
    const res = await app.request("/events", { signal: client.signal });
    const reader = res.body!.getReader();
    await readUntil(reader, (t) => t.includes("retry:"));
    await until(() => source.listeners === 1);
    client.abort();
    await until(() => source.subscriptions[0].aborted && source.listeners === 0);
    await reader.cancel().catch(() => {});
  });

  test("the subscription ends when the client cancels the body", async () => {
    const source = new FakeSource();
    const res = await appFor(source).request("/events");
    const reader = res.body!.getReader();
    await readUntil(reader, (t) => t.includes("retry:"));
    await until(() => source.listeners === 1);
    await reader.cancel();
    await until(() => source.subscriptions[0].aborted && source.listeners === 0);
  });

  test("silence is filled with keep-alive comments", async () => {
    const source = new FakeSource();
    const client = new AbortController();
    const res = await appFor(source, { keepAliveMs: 20 }).request("/events", {
      signal: client.signal,
    });
    const reader = res.body!.getReader();
    const text = await readUntil(reader, (t) => t.includes(": keep-alive\n\n"));
    expect(text.startsWith(": btc-edge events\n")).toBe(true);
    source.emit({ type: "addrman.saved", time: 1, data: { addresses: 5 } });
    await readUntil(reader, (t) => t.includes("event: addrman.saved"));
    client.abort();
    await reader.cancel().catch(() => {});
  });

  test("streams past the bound are refused with 503 until one closes", async () => {
    const source = new FakeSource();
    const app = appFor(source, { maxEventStreams: 2 });
    const clients = [new AbortController(), new AbortController()];
    const open = await Promise.all(
      clients.map((c) => app.request("/events", { signal: c.signal })),
    );
    const refused = await app.request("/events");
    expect(refused.status).toBe(503);
    await checked("events", refused);
    await open[0].body!.cancel();
    await until(() => source.listeners <= 1);
    const again = await app.request("/events");
    expect(again.status).toBe(200);
    await again.body!.cancel();
    clients[1].abort();
    await open[1].body!.cancel().catch(() => {});
  });

  test("a source that ends closes the stream; one that throws is logged and closed", async () => {
    const errors: unknown[] = [];
    let closes = 0;
    const finite = eventStream(
      async function* () {
        yield { type: "block.accepted", time: 5, data: { hash: HASH_A, height: 7 } } as NodeEvent;
      },
      {
        signal: new AbortController().signal,
        keepAliveMs: 1_000,
        onClose: () => closes++,
        onError: (e) => errors.push(e),
      },
    );
    const text = await new Response(finite).text();
    expect(text).toContain("event: block.accepted\ndata: ");
    expect(closes).toBe(1);

    const failing = eventStream(
      // deno-lint-ignore require-yield
      async function* () {
        throw new Error("feed broke");
      },
      {
        signal: new AbortController().signal,
        keepAliveMs: 1_000,
        onClose: () => closes++,
        onError: (e) => errors.push(e),
      },
    );
    await new Response(failing).text();
    expect(closes).toBe(2);
    expect((errors[0] as Error).message).toBe("feed broke");
  });

  test("formatEvent writes one event block", () => {
    expect(formatEvent({ type: "ban", time: 9, data: { address: "a", until: 10, reason: "r\nx" } }))
      .toBe(
        'event: ban\ndata: {"type":"ban","time":9,"data":{"address":"a","until":10,"reason":"r\\nx"}}\n\n',
      );
  });
});
