/**
 * The API cookie: when no `--api-token` is given, the node generates a
 * random token and writes it to `api.cookie` in the data directory at start,
 * so local tools (the CLI, scripts) can read it and call the control routes.
 * The file holds the token as 64 hex digits and a newline. The file should be
 * readable by its owner only; setting that mode is the storage adapter's job.
 */
import { cryptoRandom, type Random } from "../platform/random.ts";
import type { KvStore } from "../platform/storage.ts";
import { toHex } from "../wire/bytes.ts";

/** Storage key of the cookie. */
export const COOKIE_KEY = "api.cookie";
/** Token length in bytes: 256 bits, beyond guessing. */
export const TOKEN_BYTES = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A new random token: `TOKEN_BYTES` bytes as lowercase hex. */
export function generateToken(random: Random = cryptoRandom): string {
  return toHex(random.bytes(TOKEN_BYTES));
}

/**
 * Writes `token` to `api.cookie`. Generating (`generateToken`, synchronous)
 * is separate so the node can build its app with the token before the store
 * is open, and write the cookie once it is.
 */
export function writeCookie(store: KvStore, token: string): Promise<void> {
  return store.set(COOKIE_KEY, encoder.encode(`${token}\n`));
}

/** The token in `api.cookie`, or `undefined` when there is none (or it is empty). */
export async function readCookie(store: KvStore): Promise<string | undefined> {
  const bytes = await store.get(COOKIE_KEY);
  const token = bytes === undefined ? "" : decoder.decode(bytes).trim();
  return token === "" ? undefined : token;
}

/** Removes `api.cookie` (at stop, so a stale token is not left behind). */
export function deleteCookie(store: KvStore): Promise<void> {
  return store.delete(COOKIE_KEY);
}
