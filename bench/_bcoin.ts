/**
 * bcoin 1.0.2 for the comparisons in wire.ts, addrmgr.ts and handshakes.ts,
 * loaded from the scratch install the interop test makes
 * (`.tmp/bcoin-1.0.2`, `npm install --ignore-scripts`, so no native module
 * was built). Node only. Its pure-JavaScript helpers are selected
 * (NODE_BACKEND=js: murmur3, siphash, string encodings), except that
 * bcrypto's hash functions are redirected to its node:crypto backend, so
 * bcoin hashes with the same native SHA-256 our Node adapter uses;
 * `leveldown` (never used in memory mode) is stubbed. The leading
 * underscore keeps bench/run_all.ts from running this module as a bench.
 */
import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { ROOT } from "../tests/runtime_command.ts";
import { RUNTIME } from "./_result.ts";

/** The version compared against (the one the interop test installs). */
export const BCOIN_VERSION = "1.0.2";
/** Where the interop test installs it. */
export const BCOIN_DIR: string = join(ROOT, ".tmp", `bcoin-${BCOIN_VERSION}`);
/** How to install it, printed when it is missing. */
export const BCOIN_INSTALL_HINT = `npm install --ignore-scripts --no-save --no-audit --no-fund ` +
  `--prefix .tmp/bcoin-${BCOIN_VERSION} bcoin@${BCOIN_VERSION} (or run ` +
  "tests/interop/bcoin_interop_test.ts under node, which installs it there)";
/** bcrypto modules whose node:crypto backend is used instead of the pure-JS one. */
const NODE_HASHES = new Set(["sha256", "hash256", "hash160", "ripemd160", "sha1", "sha512"]);

/** The loaded bcoin: its main module and a `require` rooted in its package. */
export interface Bcoin {
  // deno-lint-ignore no-explicit-any
  readonly bcoin: any;
  /** `require` of a file inside the bcoin package ("./lib/net/hostlist"). */
  // deno-lint-ignore no-explicit-any
  readonly lib: (path: string) => any;
}

let loaded: Bcoin | string | undefined;

/** bcoin, or why it cannot be compared here (not node, not installed). */
export function loadBcoin(): Bcoin | string {
  if (loaded !== undefined) return loaded;
  if (RUNTIME !== "node") return (loaded = `bcoin runs under node only, this is ${RUNTIME}`);
  const manifest = join(BCOIN_DIR, "node_modules", "bcoin", "package.json");
  if (
    !existsSync(manifest) || JSON.parse(readFileSync(manifest, "utf8")).version !== BCOIN_VERSION
  ) {
    return (loaded = `bcoin ${BCOIN_VERSION} is not installed in ${BCOIN_DIR}; install it with: ` +
      BCOIN_INSTALL_HINT);
  }
  process.env.NODE_BACKEND = "js";
  // deno-lint-ignore no-explicit-any
  const M = Module as any;
  const original = M._load;
  // deno-lint-ignore no-explicit-any
  M._load = function (request: string, parent: any, isMain: boolean) {
    if (request === "leveldown") {
      return () => {
        throw new Error("leveldown is stubbed out: run bcoin with memory: true");
      };
    }
    const file: string | undefined = parent?.filename;
    if (file?.includes("/bcrypto/lib/") && request.startsWith("./js/")) {
      const name = request.slice(5).replace(/\.js$/, "");
      if (NODE_HASHES.has(name) && existsSync(join(dirname(file), "node", `${name}.js`))) {
        return original.call(this, `./node/${name}`, parent, isMain);
      }
    }
    return original.call(this, request, parent, isMain);
  };
  const require = createRequire(join(BCOIN_DIR, "node_modules", "bcoin", "package.json"));
  loaded = { bcoin: require("bcoin"), lib: (path: string) => require(path) };
  return loaded;
}
