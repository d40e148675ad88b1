/** The API cookie: a random 32-byte hex token written through the store as `api.cookie`. */
import { describe, expect, test } from "bun:test";
import { memoryStore } from "../../adapters/storage/memory.ts";
import {
  COOKIE_KEY,
  deleteCookie,
  generateToken,
  readCookie,
  writeCookie,
} from "../../src/api/cookie.ts";
import { seededRandom } from "../../src/platform/random.ts";

describe("api cookie", () => {
  test("tokens are 64 lowercase hex digits and differ each time", () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  test("the random source is injectable", () => {
    expect(generateToken(seededRandom(7))).toBe(generateToken(seededRandom(7)));
  });

  test("writeCookie writes the token to api.cookie and readCookie reads it back", async () => {
    const store = memoryStore();
    const token = generateToken();
    await writeCookie(store, token);
    expect(new TextDecoder().decode(await store.get(COOKIE_KEY))).toBe(`${token}\n`);
    expect(await readCookie(store)).toBe(token);
  });

  test("no cookie, or an empty one, reads as undefined; deleteCookie removes it", async () => {
    const store = memoryStore();
    expect(await readCookie(store)).toBeUndefined();
    await store.set(COOKIE_KEY, new TextEncoder().encode(" \n"));
    expect(await readCookie(store)).toBeUndefined();
    await writeCookie(store, generateToken());
    await deleteCookie(store);
    expect(await store.get(COOKIE_KEY)).toBeUndefined();
  });
});
