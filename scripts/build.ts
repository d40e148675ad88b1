/**
 * `npm run build` (and `npm pack`/`npm publish`, through `prepack`): the
 * TypeScript compiler emits ESM `.js` and `.d.ts` for the library, the CLI
 * and the three adapters into `dist/` (`tsconfig.build.json`; relative `.ts`
 * imports are rewritten to `.js`). Type checking stays with `deno check` in
 * `npm test`: the build only emits.
 *
 * `dist/package.json` gives the compiled files their own package scope with
 * the `#platform` map of the root `package.json`, its `.ts` targets turned
 * into the compiled `.js` ones: Node, Bun and Deno resolve `#platform` from
 * the nearest package.json, so in the repository it still picks
 * `adapters/<runtime>/mod.ts` and in the installed package
 * `dist/adapters/<runtime>/mod.js`, by the same `deno`/`bun`/`default`
 * conditions.
 *
 * Run with Node 24: `node scripts/build.ts`.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist/`;

/** The `imports` map of the root package.json with every `.ts` target as `.js`. */
function compiledImports(): Record<string, Record<string, string>> {
  const manifest = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  const out: Record<string, Record<string, string>> = {};
  for (const [specifier, conditions] of Object.entries(manifest.imports ?? {})) {
    out[specifier] = {};
    for (const [condition, target] of Object.entries(conditions as Record<string, string>)) {
      const js = target.replace(/\.ts$/, ".js");
      if (!existsSync(`${dist}${js}`)) {
        throw new Error(`${specifier} (${condition}) maps to ${js}, which the build did not emit`);
      }
      out[specifier][condition] = js;
    }
  }
  return out;
}

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(`${root}node_modules/.bin/tsc`, ["-p", `${root}tsconfig.build.json`], {
  stdio: "inherit",
});
if (tsc.status !== 0) {
  console.error(`build: tsc failed (exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}
const scope = {
  "//": "The compiled files' package scope: #platform maps to the compiled adapters.",
  type: "module",
  imports: compiledImports(),
};
writeFileSync(`${dist}package.json`, JSON.stringify(scope, null, 2) + "\n");
chmodSync(`${dist}main.js`, 0o755);
console.log(`build: dist/ written (${Object.keys(scope.imports).join(", ")} → compiled adapters)`);
