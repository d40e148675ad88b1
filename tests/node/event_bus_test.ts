import { describe, expect, test } from "bun:test";
import { EventBus, MAX_SUBSCRIBERS } from "../../src/node/event_bus.ts";

async function take<E>(it: AsyncIterable<E>, n: number): Promise<E[]> {
  const out: E[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe("event bus", () => {
  test("every subscriber receives events published after it subscribed, in order", async () => {
    const bus = new EventBus<number>();
    const a = new AbortController();
    const first = bus.subscribe(a.signal);
    bus.publish(1);
    const second = bus.subscribe(a.signal);
    bus.publish(2);
    bus.publish(3);
    expect(await take(first, 3)).toEqual([1, 2, 3]);
    expect(await take(second, 2)).toEqual([2, 3]);
  });

  test("a slow reader loses its oldest events, bounded by the queue limit", async () => {
    const bus = new EventBus<number>(10);
    const a = new AbortController();
    const it = bus.subscribe(a.signal);
    for (let i = 0; i < 1000; i++) bus.publish(i);
    expect(bus.dropped).toBe(990);
    expect(await take(it, 10)).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
  });

  test("aborting ends a waiting iteration and unsubscribes", async () => {
    const bus = new EventBus<number>();
    const a = new AbortController();
    const it = bus.subscribe(a.signal)[Symbol.asyncIterator]();
    bus.publish(7);
    expect(await it.next()).toEqual({ value: 7, done: false });
    const waiting = it.next(); // nothing queued: it waits
    a.abort();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(bus.size).toBe(0);
  });

  test("breaking out of a loop unsubscribes; close() ends all; the subscriber count is bounded", async () => {
    const bus = new EventBus<number>();
    const a = new AbortController();
    const it = bus.subscribe(a.signal);
    bus.publish(1);
    expect(await take(it, 1)).toEqual([1]);
    expect(bus.size).toBe(0);
    const others = Array.from({ length: MAX_SUBSCRIBERS }, () => bus.subscribe(a.signal));
    expect(() => bus.subscribe(a.signal)).toThrow(RangeError);
    const waiting = take(others[0], 3);
    bus.close();
    expect(await waiting).toEqual([]);
    expect(bus.size).toBe(0);
  });

  test("a subscription made after close() ends at once (the node has stopped)", async () => {
    const bus = new EventBus<number>();
    bus.close();
    const it = bus.subscribe(new AbortController().signal);
    expect(bus.size).toBe(0);
    bus.publish(1);
    expect(await take(it, 1)).toEqual([]);
  });
});
