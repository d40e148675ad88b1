/**
 * The TypeScript files under a folder, for the lint tests that read the
 * source as text (runtime-free core, the adapters' layer).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every `.ts` file below `dir` (absolute paths, depth first). */
export function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFilesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}
