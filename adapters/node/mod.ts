/**
 * The Node.js adapter: the ports bound to `node:net`, `node:dns`,
 * `node:crypto` (SHA-256, and BIP324's ChaCha20-Poly1305; its secp256k1 by
 * libsecp256k1 in WebAssembly, faster here than OpenSSL's) and
 * `@hono/node-server`, plus the process services the CLI entry needs.
 * `#platform` resolves here under Node (the default condition).
 */
import type { Platform } from "../../src/platform/platform.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { freePort as freePortWith } from "../shared/free_port.ts";
import { nodeChaCha20Poly1305 as aead } from "../shared/node_bip324_crypto.ts";
import { wasmSecp256k1 as secp256k1 } from "../shared/wasm_secp256k1.ts";
import { nodeSha256 as sha256 } from "../shared/hybrid_sha256.ts";
import { resolve } from "../shared/node_dns.ts";
import { openFileStore } from "../storage/file.ts";
import { dial } from "./dial.ts";
import { listen } from "./listen.ts";
import { serve } from "./serve.ts";

import { memory } from "../shared/node_process.ts";
export { args, env, exit, homeDir, onShutdownSignal } from "../shared/node_process.ts";

/** Which runtime this adapter binds. */
export const runtimeName = "node";

/** The Node.js platform. */
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
