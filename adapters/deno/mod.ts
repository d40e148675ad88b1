/**
 * The Deno adapter: the ports bound to `Deno.connect`, `Deno.listen`,
 * `Deno.resolveDns` and `Deno.serve` (SHA-256 in TypeScript for short inputs,
 * else through `node:crypto`, Deno's only synchronous one; BIP324's
 * ChaCha20-Poly1305 and secp256k1 through `node:crypto` too), plus the
 * process services the CLI entry needs.
 * `#platform` resolves here under Deno (the "deno" condition).
 */
import type { Platform } from "../../src/platform/platform.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { freePort as freePortWith } from "../shared/free_port.ts";
import {
  nodeChaCha20Poly1305 as aead,
  nodeSecp256k1 as secp256k1,
} from "../shared/node_bip324_crypto.ts";
import { denoSha256 as sha256 } from "../shared/hybrid_sha256.ts";
import { openFileStore } from "../storage/file.ts";
import { dial } from "./dial.ts";
import { listen } from "./listen.ts";
import { resolve } from "./resolve.ts";
import { serve } from "./serve.ts";

import { memory } from "./process.ts";
export { args, env, exit, homeDir, onShutdownSignal } from "./process.ts";

/** Which runtime this adapter binds. */
export const runtimeName = "deno";

/** The Deno platform. */
export const platform: Platform = {
  name: runtimeName,
  dial,
  listen,
  resolve,
  sha256,
  clock: systemClock,
  serve,
  openStore: openFileStore,
  memory,
  aead,
  secp256k1,
};

/** Test helper: a loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return freePortWith(listen);
}
