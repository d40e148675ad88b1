/** The file store keeps the node's data private: directory 0700, files 0600 (api.cookie among them). */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFileStore } from "../../../adapters/storage/file.ts";

const root = mkdtempSync(join(tmpdir(), "btc-edge-mode-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("file store permissions", () => {
  test("a new data directory is 0700 and every file 0600", async () => {
    const dir = join(root, "datadir");
    const store = await openFileStore(dir);
    await store.set("api.cookie", new TextEncoder().encode("secret"));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "api.cookie")).mode & 0o777).toBe(0o600);
  });
});
