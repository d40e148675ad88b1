#!/usr/bin/env node
/**
 * The command-line entry: `npm start`, `deno task start` and `bun run start`
 * all run this file. Options come from defaults < --config file < BTC_EDGE_*
 * environment < flags; an invalid option exits with code 2 and a message
 * naming it. SIGINT/SIGTERM stop the node cleanly (exit code 0).
 */
import { args, env, exit, onShutdownSignal } from "#platform";
import { readFile } from "node:fs/promises";
import { createNode } from "./mod.ts";
import { helpText } from "./src/config/help.ts";
import {
  ConfigError,
  parseConfigFile,
  parseEnv,
  parseFlags,
  resolveOptions,
} from "./src/config/load.ts";
import { VERSION } from "./src/version.ts";

async function main(): Promise<number> {
  let options;
  try {
    const { values: flags, help } = parseFlags(args());
    if (help) {
      console.log(helpText(VERSION));
      return 0;
    }
    const fromEnv = parseEnv(env);
    const configPath = (flags.config ?? fromEnv.config) as string | undefined;
    const fromFile = configPath ? parseConfigFile(await readConfig(configPath), configPath) : {};
    options = resolveOptions([["file", fromFile], ["env", fromEnv], ["flag", flags]]);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`btc-edge: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const node = createNode(options);
  const stopped = new Promise<void>((resolve) => {
    onShutdownSignal((signal) => void node.signal(signal).then(resolve, resolve));
  });
  await node.start();
  await stopped;
  return 0;
}

async function readConfig(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
}

/**
 * A permission Deno did not grant (`NotCapable`, whose message names the
 * flag and what it was for) as the flag to add; `undefined` for any other error.
 */
function permissionAdvice(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== "NotCapable") return undefined;
  const flag = /--allow-[a-z-]+/.exec(error.message)?.[0] ?? "the permission flag";
  const target = /access to "([^"]+)"/.exec(error.message)?.[1];
  const narrow = flag === "--allow-env"
    ? "--allow-env=BTC_EDGE_*,HOME"
    : target !== undefined && (flag === "--allow-read" || flag === "--allow-write")
    ? `${flag}=${target}`
    : flag;
  return `Deno has not granted a permission the node needs (${error.message}): ` +
    `run with ${narrow}. \`deno task start\` grants --allow-net, --allow-env for BTC_EDGE_* ` +
    "and HOME, and --allow-read/--allow-write for ~/.btc-edge only (README: Deno permissions).";
}

main().then(exit, (error) => {
  const advice = permissionAdvice(error);
  console.error(`btc-edge: ${advice ?? (error instanceof Error ? error.message : String(error))}`);
  exit(1);
});
