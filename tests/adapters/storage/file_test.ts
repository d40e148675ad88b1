/** The file store beyond the shared contract: layout on disk, temp files, reopening. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFileStore } from "../../../adapters/storage/file.ts";
import { platform } from "#platform";

let root = "";
let serial = 0;
const fresh = () => join(root, `dir-${serial++}`);
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "btc-edge-file-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("file store", () => {
  test("creates a missing directory, nested", async () => {
    const dir = join(fresh(), "a", "b");
    const store = await openFileStore(dir);
    await store.set("x", text("1"));
    expect((await readdir(dir)).sort()).toEqual([".lock", "x"]);
  });

  test("one file per key holding exactly the value, no temp files left", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.set("peers.json", text("[]"));
    await store.set("peers.json", text("[1]"));
    expect((await readdir(dir)).sort()).toEqual([".lock", "peers.json"]);
    expect(new Uint8Array(await readFile(join(dir, "peers.json")))).toEqual(text("[1]"));
  });

  test("values survive reopening the directory", async () => {
    const dir = fresh();
    const first = await openFileStore(dir);
    await first.set("bans.json", text("{}"));
    await first.close!();
    const second = await openFileStore(dir);
    expect(await second.get("bans.json")).toEqual(text("{}"));
    await second.close!();
  });

  test("list ignores hidden files and subdirectories; opening removes stale temp files", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.set("real", text("r"));
    await writeFile(join(dir, ".real.dead0000.0.tmp"), "half-written");
    await writeFile(join(dir, ".keep-me"), "not ours");
    await (await openFileStore(join(dir, "sub"))).set("inner", text("i"));
    expect(await store.list()).toEqual(["real"]);
    await store.close!();
    const reopened = await openFileStore(dir);
    expect((await readdir(dir)).sort()).toEqual([".keep-me", ".lock", "real", "sub"]);
    await reopened.close!();
  });

  test("platform.openStore opens a file store", async () => {
    const dir = fresh();
    const store = await platform.openStore(dir);
    await store.set("k", text("v"));
    expect((await readdir(dir)).sort()).toEqual([".lock", "k"]);
    await store.close!();
  });
});
