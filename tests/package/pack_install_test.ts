/**
 * The npm package as a new user gets it: `npm pack` (which builds dist/
 * through `prepack`), the tarball's contents (the compiled library and CLI,
 * README, licence; no sources, tests or benches), `npm install` of the
 * tarball into a fresh project, then under the runtime running this test:
 * a TypeScript file doing `import { createNode } from "btc-edge"` starts a
 * regtest node, reads its status over HTTP and stops it; the `btc-edge`
 * command prints its help (`npx` under Node, `bunx --bun` under Bun,
 * `npm:btc-edge` under Deno); the consumer type-checks against the
 * published `.d.ts` (tsc under Node, `deno check` under Deno).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ROOT, runtimeName } from "../runtime_command.ts";

/** Longest `npm pack` (a tsc build) or `npm install` may take. */
const NPM_WAIT_MS = 120_000;
/** Longest the consumer's script or command may take. */
const RUN_WAIT_MS = 30_000;
/** Longest one test may take: packing and installing (done by whichever test runs first) and its own run. */
const TEST_WAIT_MS = 2 * NPM_WAIT_MS + 2 * RUN_WAIT_MS;
/** What the tarball may hold besides dist/. */
const TOP_LEVEL = ["package.json", "README.md", "LICENSE"];

interface Ran {
  readonly code: number | null;
  /** Standard output. */
  readonly stdout: string;
  /** Standard output and error, interleaved. */
  readonly out: string;
}

/** Runs `cmd args` in `cwd` with node_modules/.bin (Node 24) first on PATH; bounded by `ms`. */
function run(cmd: string, args: readonly string[], cwd: string, ms: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: {
        ...process.env,
        PATH: `${ROOT}node_modules/.bin:${process.env.PATH ?? ""}`,
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      out += d;
    });
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[killed after ${ms} ms]`;
      child.kill("SIGKILL");
    }, ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, out });
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout: "", out: String(error) });
    });
  });
}

/** `ran`'s output when it exited 0, else an error carrying it. */
function ok(what: string, ran: Ran): string {
  if (ran.code !== 0) throw new Error(`${what} exited ${ran.code}:\n${ran.out}`);
  return ran.out;
}

/** The consumer: a new user's first embedding, typed. */
const CONSUMER = `import { createNode, type NodeStatus } from "btc-edge";

const node = createNode({
  network: "regtest",
  datadir: "./data",
  listen: ["127.0.0.1:0"],
  api: "127.0.0.1:0",
  dnsseed: false,
  logLevel: "warn",
});
await node.start();
const status: NodeStatus = await (await fetch(\`http://\${node.status().api}/status\`)).json();
console.log("status " + JSON.stringify({ runtime: status.runtime, state: status.state }));
await node.stop();
console.log("stopped " + node.status().state);
`;

/** The consumer run under the current runtime. */
function consumerCommand(): string[] {
  switch (runtimeName) {
    case "node":
      return [`${ROOT}node_modules/.bin/node`, "consumer.ts"];
    case "bun":
      return [`${ROOT}node_modules/.bin/bun`, "consumer.ts"];
    case "deno":
      return [
        `${ROOT}node_modules/.bin/deno`,
        "run",
        "--allow-net",
        "--allow-read=.",
        "--allow-write=.",
        "consumer.ts",
      ];
  }
}

/** `btc-edge --help` as each runtime's users run a package's command. */
function helpCommand(): string[] {
  switch (runtimeName) {
    case "node":
      return ["npx", "--no-install", "btc-edge", "--help"];
    case "bun":
      return [`${ROOT}node_modules/.bin/bun`, "x", "--bun", "btc-edge", "--help"];
    case "deno":
      return [`${ROOT}node_modules/.bin/deno`, "run", "npm:btc-edge", "--help"];
  }
}

let work = "";

/** The packed and installed package. */
interface Installed {
  /** The consumer project with btc-edge installed from the tarball. */
  readonly project: string;
  /** The tarball's paths. */
  readonly files: string[];
}

let installed: Promise<Installed> | undefined;

/** Packs and installs once (the first test waits for it, the others reuse it). */
function install(): Promise<Installed> {
  installed ??= packAndInstall();
  return installed;
}

async function packAndInstall(): Promise<Installed> {
  work = mkdtempSync(join(tmpdir(), "btc-edge-pack-"));
  const pack = await run("npm", ["pack", "--json", "--pack-destination", work], ROOT, NPM_WAIT_MS);
  ok("npm pack", pack);
  // The JSON report is the last thing on standard output (the prepack build prints before it).
  const packed = pack.stdout.slice(pack.stdout.lastIndexOf("\n[\n") + 1);
  const info = JSON.parse(packed)[0] as {
    filename: string;
    size: number;
    entryCount: number;
    files: Array<{ path: string }>;
  };
  console.log(
    `pack_install_test: ${info.filename} ${(info.size / 1024).toFixed(1)} KiB, ` +
      `${info.entryCount} files`,
  );
  const project = join(work, "project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  writeFileSync(join(project, "consumer.ts"), CONSUMER);
  ok(
    "npm install",
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, info.filename)],
      project,
      NPM_WAIT_MS,
    ),
  );
  return { project, files: info.files.map((f) => f.path) };
}

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

describe(`the npm package under ${runtimeName}`, () => {
  test("the tarball holds the compiled library and CLI, README and licence only", async () => {
    const { files } = await install();
    for (const path of files) {
      const allowed = TOP_LEVEL.includes(path) ||
        (path.startsWith("dist/") && /\.(js|d\.ts)$|^dist\/package\.json$/.test(path));
      expect({ path, allowed }).toEqual({ path, allowed: true });
    }
    for (
      const path of [
        ...TOP_LEVEL,
        "dist/package.json",
        "dist/mod.js",
        "dist/mod.d.ts",
        "dist/main.js",
        "dist/adapters/deno/mod.js",
        "dist/adapters/bun/mod.js",
        "dist/adapters/node/mod.js",
      ]
    ) expect(files).toContain(path);
    expect(files.filter((p) => /^(tests|bench|scripts|src|adapters)\//.test(p))).toEqual([]);
  }, TEST_WAIT_MS);

  test(
    'import { createNode } from "btc-edge" starts a node, serves /status and stops it',
    async () => {
      const { project } = await install();
      const [cmd, ...args] = consumerCommand();
      const out = ok("consumer", await run(cmd, args, project, RUN_WAIT_MS));
      expect(out).toContain(`status {"runtime":"${runtimeName}","state":"running"}`);
      expect(out).toContain("stopped stopped");
    },
    TEST_WAIT_MS,
  );

  test("the btc-edge command prints its help", async () => {
    const { project } = await install();
    const [cmd, ...args] = helpCommand();
    const out = ok("btc-edge --help", await run(cmd, args, project, RUN_WAIT_MS));
    expect(out).toContain("btc-edge 0.1.0: a Bitcoin peer-to-peer edge node");
    expect(out).toContain("--api-allowed-hosts");
  }, TEST_WAIT_MS);

  test.skipIf(runtimeName === "bun")("the consumer type-checks against the .d.ts", async () => {
    const { project } = await install();
    writeFileSync(
      join(project, "bad.ts"),
      'import { createNode } from "btc-edge";\nconst height: string = createNode().status().chain.height;\n',
    );
    const check = (file: string) =>
      runtimeName === "deno"
        ? run(`${ROOT}node_modules/.bin/deno`, ["check", file], project, RUN_WAIT_MS)
        : run(
          `${ROOT}node_modules/.bin/tsc`,
          [
            "--noEmit",
            "--strict",
            "--module",
            "nodenext",
            "--target",
            "esnext",
            "--lib",
            "esnext,dom",
            "--types",
            "",
            file,
          ],
          project,
          RUN_WAIT_MS,
        );
    ok("type check of consumer.ts", await check("consumer.ts"));
    const bad = await check("bad.ts");
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("TS2322");
  }, TEST_WAIT_MS);
});
