/**
 * anchors.json: the two longest-lived peers are chosen, written, read back
 * once (the read deletes the file), and a damaged file is ignored with a
 * warning rather than stopping the node.
 */
import { describe, expect, test } from "bun:test";
import { memoryStore } from "../../adapters/storage/memory.ts";
import { ANCHORS_KEY, chooseAnchors, saveAnchors, takeAnchors } from "../../src/connmgr/anchors.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import { parseHostPort } from "../../src/wire/host_port.ts";

const at = (text: string) => parseHostPort(text, 8333);

describe("anchors", () => {
  test("the two longest-lived peers are chosen, oldest first", () => {
    const chosen = chooseAnchors([
      { address: at("21.1.0.1"), readySince: 300 },
      { address: at("22.1.0.1"), readySince: 100 },
      { address: at("[2001:4860::1]:8334"), readySince: 200 },
    ]);
    expect(chosen).toEqual([at("22.1.0.1"), at("[2001:4860::1]:8334")]);
  });

  test("saved anchors are read back once: reading deletes the file", async () => {
    const store = memoryStore();
    const log = createLogger({ sink: () => {} });
    await saveAnchors(store, [at("22.1.0.1"), at("[2001:4860::1]:8334")]);
    expect(await takeAnchors(store, 8333, log)).toEqual([
      at("22.1.0.1"),
      at("[2001:4860::1]:8334"),
    ]);
    expect(await store.get(ANCHORS_KEY)).toBeUndefined();
    expect(await takeAnchors(store, 8333, log)).toEqual([]);
    await saveAnchors(store, []);
    expect(await store.get(ANCHORS_KEY)).toBeUndefined();
  });

  test("a damaged file is ignored with a warning and removed", async () => {
    const records: LogRecord[] = [];
    const log = createLogger({ sink: (r) => records.push(r) });
    for (
      const text of ["{not json", `{"version":9,"anchors":[]}`, `{"version":1,"anchors":["x:y:z"]}`]
    ) {
      const store = memoryStore();
      await store.set(ANCHORS_KEY, new TextEncoder().encode(text));
      expect(await takeAnchors(store, 8333, log)).toEqual([]);
      expect(await store.get(ANCHORS_KEY)).toBeUndefined();
    }
    expect(records.filter((r) => r.level === "warn").length).toBe(3);
  });
});
