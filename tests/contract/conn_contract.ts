/**
 * The Conn contract as a reusable suite: `connContract(name, makePair)`
 * registers the tests every connection must pass, whatever carries it (TCP
 * through an adapter, an in-memory pipe). `conn_test.ts` runs it over the
 * current runtime's platform; other carriers can run it from their own tests.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { Conn } from "../../src/platform/conn.ts";
import { concat } from "../support/bytes.ts";
import { within } from "../support/cli_process.ts";

const MB = 1024 * 1024;
/** Longest a close may take to reach both ends (loopback or memory: far less). */
const CLOSE_WAIT_MS = 5_000;

/** Two connected ends; `dispose` releases whatever made them (listener, pipe). */
export interface ConnPair {
  readonly client: Conn;
  readonly server: Conn;
  readonly dispose?: () => unknown;
}

/** `n` bytes that repeat only every 251 bytes (a prime), offset by `seed`. */
export function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + seed) % 251;
  return out;
}

/** Index of the first byte where `a` and `b` differ, or -1 (fast, unlike toEqual on MBs). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Reads until `n` bytes arrived or the stream ended; returns the chunks as read. */
export async function readChunks(conn: Conn, n: number): Promise<Uint8Array[]> {
  const reader = conn.readable.getReader();
  const chunks: Uint8Array[] = [];
  let got = 0;
  try {
    while (got < n) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
    }
  } finally {
    reader.releaseLock();
  }
  return chunks;
}

/** Writes `data` in chunks of irregular sizes (1 byte up to 100 kB). */
async function writeIrregular(conn: Conn, data: Uint8Array): Promise<void> {
  const sizes = [1, 7, 80, 1500, 65_536, 3, 100_000, 24];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const end = Math.min(data.length, at + sizes[i % sizes.length]);
    await conn.write(data.subarray(at, end));
    at = end;
  }
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** True if `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  await sleep(ms);
  return settled;
}

/** Registers the Conn contract; `makePair` gives two fresh connected ends per test. */
export function connContract(name: string, makePair: () => Promise<ConnPair>): void {
  describe(`Conn contract: ${name}`, () => {
    const disposers: Array<() => unknown> = [];
    afterEach(async () => {
      for (const dispose of disposers.splice(0).reverse()) await dispose();
    });
    const pair = async (): Promise<ConnPair> => {
      const made = await makePair();
      disposers.push(() => made.client.close(), () => made.server.close());
      if (made.dispose) disposers.push(made.dispose);
      return made;
    };

    test("1 MB each way arrives intact across irregular chunk boundaries", async () => {
      const { client, server } = await pair();
      const up = pattern(MB, 1);
      const down = pattern(MB, 100);
      const [, , fromClient, fromServer] = await Promise.all([
        writeIrregular(client, up),
        writeIrregular(server, down),
        readChunks(server, up.length),
        readChunks(client, down.length),
      ]);
      // Compared only after everything arrived: a chunk whose buffer the
      // carrier reused would have changed by now.
      for (const chunk of [...fromClient, ...fromServer]) {
        expect(chunk).toBeInstanceOf(Uint8Array);
      }
      expect(firstDifference(concat(fromClient), up)).toBe(-1);
      expect(firstDifference(concat(fromServer), down)).toBe(-1);
    }, 20_000);

    test("close is idempotent, ends both readables and resolves closed on both ends", async () => {
      const { client, server } = await pair();
      for (let i = 0; i < 10; i++) client.close();
      await within(client.closed, CLOSE_WAIT_MS, "client.closed after close()");
      await within(server.closed, CLOSE_WAIT_MS, "server.closed after the client's close()");
      expect((await client.readable.getReader().read()).done).toBe(true);
      expect((await server.readable.getReader().read()).done).toBe(true);
    });

    test("a write after close rejects with ConnClosedError, on either end", async () => {
      const { client, server } = await pair();
      client.close();
      const error = await client.write(new Uint8Array(4)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("ConnClosedError");
      await within(server.closed, CLOSE_WAIT_MS, "server.closed after the client's close()");
      const late = await server.write(new Uint8Array(4)).catch((e: unknown) => e);
      expect((late as Error).name).toBe("ConnClosedError");
    });

    test("bytes written before the far side closes are still read", async () => {
      const { client, server } = await pair();
      await server.write(pattern(1000, 5));
      server.close();
      const chunks = await readChunks(client, Infinity);
      expect(firstDifference(concat(chunks), pattern(1000, 5))).toBe(-1);
      await within(client.closed, CLOSE_WAIT_MS, "client.closed after the server's close()");
    });

    test("cancelling the readable closes the connection", async () => {
      const { client, server } = await pair();
      await within(client.readable.cancel(), CLOSE_WAIT_MS, "the cancel");
      await within(client.closed, CLOSE_WAIT_MS, "client.closed after cancelling its readable");
      await within(server.closed, CLOSE_WAIT_MS, "server.closed after the client cancelled");
    });

    test("a write to a peer that does not read stays pending until the peer reads", async () => {
      const { client, server } = await pair();
      const chunk = pattern(MB, 3);
      const CHUNKS = 50;
      let resolved = 0;
      // One buffer for every write: its content never changes, so sharing it is safe.
      const writes = Array.from(
        { length: CHUNKS },
        () => client.write(chunk).then(() => resolved++),
      );
      // Wait until the writes stop making progress (every buffer on the way is full).
      let last = -1;
      for (let polls = 0; polls < 100 && resolved !== last; polls++) {
        last = resolved;
        await sleep(50);
      }
      expect(resolved).toBeLessThan(CHUNKS);
      expect(await settlesWithin(writes[CHUNKS - 1], 100)).toBe(false);
      // Now drain the peer: every write completes and every byte arrives in order.
      const reader = server.readable.getReader();
      let received = 0;
      let mismatch = -1;
      while (received < CHUNKS * MB) {
        const { done, value } = await reader.read();
        if (done) break;
        for (let i = 0; i < value.length && mismatch < 0; i++) {
          if (value[i] !== chunk[(received + i) % MB]) mismatch = received + i;
        }
        received += value.length;
      }
      reader.releaseLock();
      await Promise.all(writes);
      expect(received).toBe(CHUNKS * MB);
      expect(mismatch).toBe(-1);
      expect(resolved).toBe(CHUNKS);
    }, 30_000);
  });
}
