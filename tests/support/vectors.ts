/**
 * Test plumbing shared by tests and benches: SHA-256 from node:crypto and the
 * readers of /work/shared/vectors (raw bytes, text, JSON, and the mainnet
 * block and header files). No `bun:test` import, so benches and fixtures run
 * as plain scripts can use it too.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Sha256 } from "../../src/platform/hash.ts";
import { fromHex } from "../../src/wire/bytes.ts";

/** SHA-256 from node:crypto as a plain Uint8Array (tests only; the core gets it injected). */
export const nodeSha256: Sha256 = (d) => new Uint8Array(createHash("sha256").update(d).digest());

/** The file-system path of `name` in ../shared/vectors beside the project root. */
export function vectorPath(name: string): string {
  return fileURLToPath(new URL(`../../../shared/vectors/${name}`, import.meta.url));
}

/** The bytes of vector file `name`, in a fresh buffer of their own (safe to mutate). */
export function vectorBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(vectorPath(name)));
}

/** The text (UTF-8) of vector file `name`. */
export function vectorText(name: string): string {
  return readFileSync(vectorPath(name), "utf8");
}

/** Vector file `name` parsed as JSON, freshly for each call. */
export function vectorJson<T>(name: string): T {
  return JSON.parse(vectorText(name)) as T;
}

/** Mainnet blocks 0–255, raw: views into one buffer read from mainnet-blocks-0-256.bin. */
export function mainnetBlocks(): Uint8Array[] {
  // The file is a sequence of u32le length + block.
  const file = vectorBytes("mainnet-blocks-0-256.bin");
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < file.length;) {
    const length = view.getUint32(at, true);
    out.push(file.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/** Mainnet headers 0–255 as the hex lines of mainnet-headers-0-256.hex. */
export function mainnetHeaderHex(): string[] {
  return vectorText("mainnet-headers-0-256.hex").trim().split("\n");
}

/** Mainnet headers 0–255, raw: one fresh 80-byte array each. */
export function mainnetHeaders(): Uint8Array[] {
  return mainnetHeaderHex().map((line) => fromHex(line));
}
