/**
 * Every implementation of the BIP324 crypto ports that this runtime can run
 * (the TypeScript fallbacks, the adapters' native and WebAssembly ones), for
 * tests and the bench to check and compare them all, not only the adapter's pick.
 */
import { platform } from "#platform";
import { createECDH, getCiphers } from "node:crypto";
import { loadLibcryptoAead } from "../../adapters/bun/libcrypto_aead.ts";
import { nodeChaCha20Poly1305, nodeSecp256k1 } from "../../adapters/shared/node_bip324_crypto.ts";
import { wasmSecp256k1 } from "../../adapters/shared/wasm_secp256k1.ts";
import type { ChaCha20Poly1305 } from "../../src/platform/aead.ts";
import type { Secp256k1 } from "../../src/platform/secp256k1.ts";
import { nobleChaCha20Poly1305 } from "../../src/transport/bip324_aead_noble.ts";
import { nobleSecp256k1 } from "../../src/transport/bip324_secp256k1_noble.ts";

/** True when node:crypto has the secp256k1 curve here (not under Bun). */
function nodeCurveWorks(): boolean {
  try {
    createECDH("secp256k1");
    return true;
  } catch {
    return false;
  }
}

/** OpenSSL's through bun:ffi, under Bun where libcrypto loads. */
const libcryptoAead = await loadLibcryptoAead();

/** The ChaCha20-Poly1305 implementations this runtime runs. */
export const ALL_AEADS: readonly ChaCha20Poly1305[] = [
  nobleChaCha20Poly1305,
  ...(getCiphers().includes("chacha20-poly1305") ? [nodeChaCha20Poly1305] : []),
  ...(libcryptoAead ? [libcryptoAead] : []),
];

/** One secp256k1 implementation the tests know, and whether this runtime runs it. */
export interface CurveSlot {
  readonly name: string;
  /** Undefined where this runtime lacks it (node:crypto's curve under Bun). */
  readonly curve: Secp256k1 | undefined;
}

/**
 * Every secp256k1 implementation the tests know, run here or not. A file
 * registers its per-curve tests over these, skipped where a curve is absent,
 * so every runtime declares the same tests (npm test holds bun to node's
 * count of them).
 */
export const CURVE_SLOTS: readonly CurveSlot[] = [
  { name: nobleSecp256k1.name, curve: nobleSecp256k1 },
  { name: wasmSecp256k1.name, curve: wasmSecp256k1 },
  { name: nodeSecp256k1.name, curve: nodeCurveWorks() ? nodeSecp256k1 : undefined },
];

/** The secp256k1 implementations this runtime runs. */
export const ALL_CURVES: readonly Secp256k1[] = CURVE_SLOTS.flatMap(({ curve }) =>
  curve === undefined ? [] : [curve]
);

/** What the core uses on this runtime: the adapter's, else the fallback. */
export const CHOSEN_AEAD: ChaCha20Poly1305 = platform.aead ?? nobleChaCha20Poly1305;
/** What the core uses on this runtime: the adapter's, else the fallback. */
export const CHOSEN_CURVE: Secp256k1 = platform.secp256k1 ?? nobleSecp256k1;
