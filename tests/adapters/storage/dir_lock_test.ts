/**
 * The data-directory lock of the file store: one open store per directory,
 * in this process or another; stale locks (dead pid, garbage, our own pid
 * from an earlier process) are taken over; close releases only our lock.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { LOCK_FILE } from "../../../adapters/storage/dir_lock.ts";
import { openFileStore } from "../../../adapters/storage/file.ts";

const root = mkdtempSync(join(tmpdir(), "btc-edge-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let serial = 0;
const fresh = () => join(root, `dir-${serial++}`);
const lockText = (dir: string) => readFileSync(join(dir, LOCK_FILE), "utf8");
const text = (s: string) => new TextEncoder().encode(s);

/** Runs `sleep` and returns its pid once it exited (and was reaped): a pid no process has. */
async function deadPid(): Promise<number> {
  const child = spawn("sleep", ["0"], { stdio: "ignore" });
  await new Promise((done) => child.once("close", done));
  return child.pid!;
}

describe("data directory lock", () => {
  test("a second open in this process rejects naming the directory and pid", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await expect(openFileStore(dir)).rejects.toThrow(
      `data directory ${dir} is in use by an open store in this process (pid ${process.pid}); ` +
        "stop it or choose another --datadir",
    );
    // The failed open left the holder's lock alone.
    expect(lockText(dir)).toBe(`${process.pid}\n`);
    await store.set("k", text("still mine"));
    await store.close!();
  });

  test("of two concurrent opens exactly one succeeds", async () => {
    const dir = fresh();
    const results = await Promise.allSettled([openFileStore(dir), openFileStore(dir)]);
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(String(rejected.reason)).toContain("is in use by");
    for (const r of results) if (r.status === "fulfilled") await r.value.close!();
  });

  test("the lock file is 0600 and holds our pid; close removes it, so a reopen works", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(lockText(dir)).toBe(`${process.pid}\n`);
    await store.set("k", text("v"));
    await store.close!();
    await store.close!(); // idempotent
    expect(() => statSync(join(dir, LOCK_FILE))).toThrow();
    await expect(store.get("k")).rejects.toThrow(/closed/);
    await expect(store.list()).rejects.toThrow(/closed/);
    const again = await openFileStore(dir);
    expect(await again.get("k")).toEqual(text("v"));
    await again.close!();
  });

  test("a lock held by a live process is respected", async () => {
    const dir = fresh();
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = new Promise((done) => child.once("close", done));
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, LOCK_FILE), `${child.pid}\n`);
      await expect(openFileStore(dir)).rejects.toThrow(
        `data directory ${dir} is in use by another btc-edge process (pid ${child.pid}); ` +
          "stop it or choose another --datadir",
      );
      expect(lockText(dir)).toBe(`${child.pid}\n`);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  });

  test("a stale lock (dead pid) is taken over", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.set("peers.json", text("[]"));
    await store.close!();
    const pid = await deadPid();
    writeFileSync(join(dir, LOCK_FILE), `${pid}\n`, { mode: 0o600 });
    const taken = await openFileStore(dir);
    expect(lockText(dir)).toBe(`${process.pid}\n`);
    expect(await taken.get("peers.json")).toEqual(text("[]"));
    await taken.close!();
  });

  test("garbage, an empty file, and our own pid left by an earlier process are stale", async () => {
    for (const content of ["not a pid\n", "", `${process.pid}\n`]) {
      const dir = fresh();
      mkdirSync(dir);
      writeFileSync(join(dir, LOCK_FILE), content);
      const store = await openFileStore(dir);
      expect(lockText(dir)).toBe(`${process.pid}\n`);
      await store.close!();
    }
  });

  test("close leaves a lock file that is no longer ours", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    writeFileSync(join(dir, LOCK_FILE), "4242\n");
    await store.close!();
    expect(lockText(dir)).toBe("4242\n");
  });
});
