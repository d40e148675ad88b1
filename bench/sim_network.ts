/**
 * Simulator bench, "network" scenario: 1,000 real nodes (mainnet
 * parameters, one routable /16 each) seeded from 5 simulated DNS seeds, run
 * for one virtual hour on the virtual clock in this one process. Prints,
 * every virtual 10 minutes and at the end: nodes with 8 outbound peers, the
 * distinct-group check, address-book sizes, simulation work, wall time and
 * peak memory. Targets: every node at 8 outbound peers in distinct groups,
 * the run ≤ 3 minutes and ≤ 4 GB on a 2-core machine.
 *
 * Run: node_modules/.bin/node bench/sim_network.ts [nodes] [virtual minutes] [seed]
 *      node_modules/.bin/bun bench/sim_network.ts
 *      node_modules/deno/deno run -A bench/sim_network.ts
 */
import { platform } from "#platform";
import { type NetworkFigures, networkFigures, networkWorld } from "../sim/network_scenario.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

declare const process: { argv: string[] };

const NODES = Number(process.argv[2] ?? 1_000);
const MINUTES = Number(process.argv[3] ?? 60);
const SEED = Number(process.argv[4] ?? 1);
/** Virtual minutes between progress lines. */
const REPORT_EVERY_MINUTES = 10;
/** Nodes start within the first virtual minute. */
const START_SPREAD_MS = 60_000;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const spreadText = (s: { min: number; median: number; max: number }) =>
  `${s.min}/${s.median}/${s.max}`;

function line(f: NetworkFigures, wallMs: number): string {
  return [
    `t=${(f.virtualMs / 60_000).toFixed(0)} min`,
    `wall ${(wallMs / 1000).toFixed(1)} s`,
    `8 outbound: ${f.fullOutbound}/${f.nodes}`,
    `distinct groups: ${f.distinctGroups}/${f.nodes}`,
    `book min/median/max ${spreadText(f.books)}`,
    `timers ${f.timers}`,
    `rss ${mb(f.peakRss)}`,
  ].join(", ");
}

console.log(`sim_network under ${RUNTIME_LABEL}: ${NODES} nodes, ${MINUTES} virtual minutes`);
const t0 = performance.now();
const world = networkWorld({
  sha256: platform.sha256,
  crypto: platform,
  seed: SEED,
  nodes: NODES,
  durationMs: MINUTES * 60_000,
  memory: platform.memory,
});
world.startAll(world.nodes, START_SPREAD_MS);
for (let m = 0; m < MINUTES; m += REPORT_EVERY_MINUTES) {
  await world.run(Math.min(REPORT_EVERY_MINUTES, MINUTES - m) * 60_000);
  world.sampleMemory();
  console.log("  " + line(networkFigures(world), performance.now() - t0));
}
const wallMs = performance.now() - t0;
const f = networkFigures(world);
await world.stopAll();

console.log(`
| figure | value |
| --- | --- |
| nodes with 8 outbound peers | ${f.fullOutbound} / ${f.nodes} |
| outbound per node min/median/max | ${spreadText(f.outbound)} |
| inbound per node min/median/max | ${spreadText(f.inbound)} |
| nodes whose outbound peers are in distinct groups | ${f.distinctGroups} / ${f.nodes} |
| address book min/median/max | ${spreadText(f.books)} |
| dials / connections | ${f.dials} / ${f.connections} |
| chunks / bytes delivered | ${f.chunks} / ${mb(f.bytes)} |
| timers fired | ${f.timers} |
| warnings / errors logged | ${f.warnings} / ${f.errors} |
| wall time (${MINUTES} virtual min) | ${(wallMs / 1000).toFixed(1)} s (target ≤ 180 s) |
| peak rss / heap | ${mb(f.peakRss)} / ${mb(f.peakHeap)} (target ≤ 4 GB) |`);
printResult("sim_network", [
  {
    name: `sim: ${NODES} nodes, ${MINUTES} virtual min — wall time`,
    unit: "s",
    value: wallMs / 1000,
  },
  {
    name: `sim: ${NODES} nodes, ${MINUTES} virtual min — peak rss`,
    unit: "MB",
    value: f.peakRss / 1e6,
  },
  {
    name: `sim: ${NODES} nodes — nodes at 8 outbound in distinct groups`,
    unit: "",
    value: Math.min(f.fullOutbound, f.distinctGroups),
  },
]);
