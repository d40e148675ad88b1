/**
 * The Bun adapter: the ports bound to `Bun.connect`, `Bun.listen`,
 * `Bun.serve` and `Bun.SHA256` (DNS through Bun's `node:dns`), plus the
 * process services the CLI entry needs. `#platform` resolves here under Bun
 * (the "bun" condition). Bun's `node:crypto` has neither ChaCha20-Poly1305
 * nor secp256k1: BIP324's AEAD is the system's OpenSSL through `bun:ffi`
 * where it loads (else the core's TypeScript one), its curve libsecp256k1
 * in WebAssembly.
 */
import type { Platform } from "../../src/platform/platform.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { freePort as freePortWith } from "../shared/free_port.ts";
import { wasmSecp256k1 as secp256k1 } from "../shared/wasm_secp256k1.ts";
import { resolve } from "../shared/node_dns.ts";
import { openFileStore } from "../storage/file.ts";
import { dial } from "./dial.ts";
import { loadLibcryptoAead } from "./libcrypto_aead.ts";
import { listen } from "./listen.ts";
import { serve } from "./serve.ts";
import { sha256 } from "./sha256.ts";

import { memory } from "../shared/node_process.ts";
export { args, env, exit, homeDir, onShutdownSignal } from "../shared/node_process.ts";

/** Which runtime this adapter binds. */
export const runtimeName = "bun";

/** The Bun platform. */
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
  aead: await loadLibcryptoAead(),
  secp256k1,
};

/** Test helper: a loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return freePortWith(listen);
}
