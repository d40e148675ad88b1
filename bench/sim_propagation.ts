/**
 * Simulator bench, "propagation" scenario: 1,000 real regtest nodes on a
 * simulated network (20–100 ms links, seeded from the simulated DNS)
 * connect for 5 virtual minutes; then a freshly mined regtest block is
 * submitted to one of them and the clock runs until every node has it.
 * Printed: the virtual time until 50%, 90%, 99% and 100% of the nodes
 * accepted it, the messages carried meanwhile by command, wall time and
 * peak memory.
 *
 * Run: node_modules/.bin/node bench/sim_propagation.ts [nodes] [seed]
 *      node_modules/.bin/bun bench/sim_propagation.ts
 *      node_modules/deno/deno run -A bench/sim_propagation.ts
 */
import { platform } from "#platform";
import { runPropagationScenario } from "../sim/propagation.ts";
import { RegtestMiner } from "../tests/support/regtest_blocks.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

declare const process: { argv: string[] };

const NODES = Number(process.argv[2] ?? 1_000);
const SEED = Number(process.argv[3] ?? 1);
/** Virtual time the nodes connect before the block. */
const WARMUP_MS = 5 * 60_000;
/** Longest virtual wait for the block. */
const TIMEOUT_MS = 10 * 60_000;

const ms = (v: number | null) => v === null ? "not reached" : `${v} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

console.log(`sim_propagation under ${RUNTIME_LABEL}: ${NODES} nodes`);
const t0 = performance.now();
const f = await runPropagationScenario({
  sha256: platform.sha256,
  crypto: platform,
  seed: SEED,
  nodes: NODES,
  warmupMs: WARMUP_MS,
  timeoutMs: TIMEOUT_MS,
  block: new RegtestMiner(platform.sha256).next(),
  memory: platform.memory,
});
const wallMs = performance.now() - t0;
console.log(`
| figure | value |
| --- | --- |
| nodes that accepted the block | ${f.reached} / ${f.nodes} |
| virtual time to 50% / 90% / 99% / 100% | ${ms(f.p50Ms)} / ${ms(f.p90Ms)} / ${ms(f.p99Ms)} / \
${ms(f.allMs)} |
| messages until 99% (all commands) | ${f.totalMessages} (${mb(f.bytes)}) |
${Object.entries(f.messages).map(([command, n]) => `| — ${command} | ${n} |`).join("\n")}
| wall time (with ${WARMUP_MS / 60_000} virtual min warm-up) | ${(wallMs / 1000).toFixed(1)} s |
| peak rss / heap | ${mb(f.peakRss)} / ${mb(f.peakHeap)} |`);
printResult("sim_propagation", [
  {
    name: `sim propagation: ${NODES} nodes, virtual time to 99%`,
    unit: "ms",
    value: f.p99Ms ?? NaN,
  },
  { name: `sim propagation: ${NODES} nodes, messages until 99%`, unit: "", value: f.totalMessages },
]);
