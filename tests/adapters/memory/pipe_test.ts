/**
 * The in-memory connection pair: bytes in order, addresses, bounded buffer
 * with real backpressure, close from either side, reader cancel.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_PIPE_CAPACITY_BYTES, memoryPipe } from "../../../adapters/memory/pipe.ts";

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = readable.getReader();
  for (let i = 0; i < 100_000; i++) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
  throw new Error("stream did not end");
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("memory pipe", () => {
  test("carries bytes both ways, in order, as copies", async () => {
    const { client, server } = memoryPipe();
    const sent = new Uint8Array([1, 2, 3]);
    await client.write(sent);
    sent[0] = 99; // the pipe copied on write
    await server.write(new Uint8Array([4, 5]));
    const fromClient = server.readable.getReader();
    const fromServer = client.readable.getReader();
    expect([...(await fromClient.read()).value!]).toEqual([1, 2, 3]);
    expect([...(await fromServer.read()).value!]).toEqual([4, 5]);
    client.close();
  });

  test("each end reports both addresses", () => {
    const { client, server } = memoryPipe({
      client: { host: "2001:db8::1", port: 40000 },
      server: { host: "203.0.113.7", port: 8333 },
    });
    expect(client.remote).toEqual({ host: "203.0.113.7", port: 8333 });
    expect(client.local).toEqual({ host: "2001:db8::1", port: 40000 });
    expect(server.remote).toEqual(client.local);
    expect(server.local).toEqual(client.remote);
  });

  test("a write waits while the unread bytes exceed the capacity", async () => {
    expect(DEFAULT_PIPE_CAPACITY_BYTES).toBe(64 * 1024);
    const { client, server } = memoryPipe({ capacityBytes: 100 });
    let resolved = 0;
    await client.write(new Uint8Array(60)); // 60 unread: within capacity
    const pending = client.write(new Uint8Array(60)).then(() => resolved++); // 120 unread
    await flush();
    expect(resolved).toBe(0);
    const reader = server.readable.getReader();
    expect((await reader.read()).value!.length).toBe(60); // 60 unread again
    await pending;
    expect(resolved).toBe(1);
    client.close();
  });

  test("reads are split to readChunkBytes", async () => {
    const { client, server } = memoryPipe({ readChunkBytes: 4 });
    await client.write(new Uint8Array(10).map((_, i) => i));
    client.close();
    const chunks = await readAll(server.readable);
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 2]);
    expect(chunks.flatMap((c) => [...c])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("close: the far side reads what was written, then the end; writes reject", async () => {
    const { client, server } = memoryPipe({ capacityBytes: 10 });
    await client.write(new Uint8Array([7, 7]));
    const stuck = client.write(new Uint8Array(20)); // over capacity: waits
    client.close();
    client.close(); // idempotent
    await expect(stuck).rejects.toThrow("closed");
    await expect(server.write(new Uint8Array(1))).rejects.toThrow("closed");
    const chunks = await readAll(server.readable);
    expect(chunks.flatMap((c) => [...c]).slice(0, 2)).toEqual([7, 7]);
    await server.closed;
    await client.closed;
  });

  test("cancelling a reader closes the connection", async () => {
    const { client, server } = memoryPipe();
    const reader = server.readable.getReader();
    const read = reader.read();
    await reader.cancel();
    expect((await read).done).toBe(true);
    await client.closed;
    await expect(client.write(new Uint8Array(1))).rejects.toThrow("closed");
  });

  test("a side that never reads holds at most the capacity plus one write", async () => {
    const { client } = memoryPipe({ capacityBytes: 1_000 });
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      const w = client.write(new Uint8Array(300));
      const done = await Promise.race([w.then(() => true), flush().then(() => false)]);
      if (!done) break;
      accepted++;
    }
    expect(accepted).toBe(3); // 900 bytes; the 4th (1,200) waits
    client.close();
  });
});
