/**
 * `npm test`: the static checks (deno check, deno lint, no console in src/,
 * deno fmt --check, deno publish --dry-run), then the whole unit suite under
 * bun, deno and node (the same files; deno and node reach `bun:test` through
 * tests/shim). Prints each
 * runtime's counts and ends with one line `N passed, N failed` summing them
 * (each static check counts as one). Exit code 1 when anything failed.
 *
 * Run with Node 24 from node_modules (`npm test` does this).
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const only = process.argv.slice(2); // e.g. `npm test -- bun node` to run a subset

interface Outcome {
  name: string;
  passed: number;
  failed: number;
  seconds: number;
  note?: string;
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const take = (chunk: Uint8Array) => {
      const text = new TextDecoder().decode(chunk);
      out += text;
      process.stdout.write(text);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
    child.on("error", (err) => resolve({ code: 1, out: String(err) }));
  });
}

function lastNumber(out: string, re: RegExp): number | undefined {
  const all = [...out.matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : undefined;
}

async function check(name: string, cmd: string, args: string[]): Promise<Outcome> {
  const t0 = performance.now();
  const { code } = await run(cmd, args);
  return {
    name,
    passed: code === 0 ? 1 : 0,
    failed: code === 0 ? 0 : 1,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function suite(
  name: string,
  cmd: string,
  args: string[],
  passRe: RegExp,
  failRe: RegExp,
): Promise<Outcome> {
  const t0 = performance.now();
  const { code, out } = await run(cmd, args);
  const seconds = (performance.now() - t0) / 1000;
  const passed = lastNumber(out, passRe);
  const failed = lastNumber(out, failRe);
  if (passed === undefined || failed === undefined) {
    return {
      name,
      passed: passed ?? 0,
      failed: Math.max(1, failed ?? 0),
      seconds,
      note: `no summary (exit ${code})`,
    };
  }
  // A non-zero exit with zero counted failures (a crash, an unhandled error) is a failure.
  if (code !== 0 && failed === 0) return { name, passed, failed: 1, seconds, note: `exit ${code}` };
  return { name, passed, failed, seconds };
}

const steps: Array<[string, () => Promise<Outcome>]> = [
  [
    "check",
    () =>
      check("deno check", bin("deno"), [
        "check",
        "mod.ts",
        "main.ts",
        "src/",
        "adapters/",
        "tests/",
        "bench/",
        "scripts/",
      ]),
  ],
  ["lint", () => check("deno lint", bin("deno"), ["lint"])],
  [
    "lint",
    () => check("no console in src/", bin("deno"), ["lint", "--rules-include=no-console", "src/"]),
  ],
  ["fmt", () => check("deno fmt --check", bin("deno"), ["fmt", "--check"])],
  // JSR readiness (no slow types, the files deno.json publishes); needs no network.
  [
    "check",
    () => check("publish --dry-run", bin("deno"), ["publish", "--dry-run", "--allow-dirty"]),
  ],
  [
    "bun",
    () =>
      suite(
        "bun test",
        bin("bun"),
        ["test", "--timeout", "60000", "tests/"],
        /^\s*(\d+) pass$/gm,
        /^\s*(\d+) fail$/gm,
      ),
  ],
  [
    "deno",
    () =>
      suite(
        "deno test",
        bin("deno"),
        ["test", "--allow-all", "--quiet", "tests/"],
        /(\d+) passed/g,
        /(\d+) failed/g,
      ),
  ],
  [
    "node",
    () =>
      suite(
        "node --test",
        bin("node"),
        [
          "--import",
          "./tests/shim/register.ts",
          "--test",
          "--test-timeout=120000",
          "tests/**/*_test.ts",
        ],
        /^ℹ pass (\d+)$/gm,
        /^ℹ fail (\d+)$/gm,
      ),
  ],
];

const outcomes: Outcome[] = [];
for (const [key, step] of steps) {
  if (only.length && !only.includes(key)) continue;
  outcomes.push(await step());
}

console.log("\n== btc-edge test summary ==");
for (const o of outcomes) {
  console.log(
    `${o.name.padEnd(20)} ${String(o.passed).padStart(5)} passed ${
      String(o.failed).padStart(4)
    } failed` +
      `  ${o.seconds.toFixed(1)}s${o.note ? `  (${o.note})` : ""}`,
  );
}
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
