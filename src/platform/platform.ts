/**
 * Everything the core needs from a runtime, in one bundle. `adapters/deno`,
 * `adapters/bun`, `adapters/node` (and the simulator) each export one.
 */
import type { ChaCha20Poly1305 } from "./aead.ts";
import type { Clock } from "./clock.ts";
import type { Dial, Listen } from "./conn.ts";
import type { Sha256 } from "./hash.ts";
import type { Resolve } from "./resolver.ts";
import type { Secp256k1 } from "./secp256k1.ts";
import type { Serve } from "./serve.ts";
import type { KvStore } from "./storage.ts";

/** Process memory as the runtime reports it, in bytes. */
export interface MemoryUsage {
  readonly rss: number;
  readonly heapUsed: number;
}

/** The runtime-specific services, bound. */
export interface Platform {
  /** "deno", "bun", "node" or "sim". */
  readonly name: string;
  readonly dial: Dial;
  readonly listen: Listen;
  readonly resolve: Resolve;
  readonly sha256: Sha256;
  readonly clock: Clock;
  readonly serve: Serve;
  /** A durable store rooted at a directory (created if missing). */
  openStore(dir: string): Promise<KvStore>;
  /** Native ChaCha20-Poly1305, where the runtime has it (else the core's TypeScript one). */
  readonly aead?: ChaCha20Poly1305;
  /** Native secp256k1 ECDH, where the runtime has it (else the core's TypeScript one). */
  readonly secp256k1?: Secp256k1;
  /** Process memory, where the runtime can tell (the simulator cannot). */
  readonly memory?: () => MemoryUsage;
}
