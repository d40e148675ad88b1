/**
 * Loaded before bun's test run (bunfig.toml `[test] preload`): fails early,
 * with a clear message, when the shared test vectors are not beside the
 * project, instead of letting dozens of tests fail one by one.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const vectors = fileURLToPath(new URL("../../shared/vectors/README.md", import.meta.url));
if (!existsSync(vectors)) {
  throw new Error(
    `test vectors not found at ${vectors}: the tests read ../shared/vectors/ beside the project root`,
  );
}
