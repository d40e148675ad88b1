/**
 * Simulator bench, "eclipse" scenario (Heilman et al. 2015): a victim in
 * an honest regtest network of real nodes (seeded from the simulated DNS,
 * one of them given a block every 10 virtual minutes) and an attacker
 * owning 5,000 addresses in 10 /16 groups that accepts every connection,
 * answers getaddr with its own addresses, keeps 20 inbound connections to
 * the victim flooding full addr messages and one probing its address relay
 * with unique addresses. After the attack the victim stops, stays down 30
 * virtual minutes while the attacker's chain goes stale, and restarts on
 * the same store; an hour later it restarts again as after a crash (no
 * anchors). Printed: the victim's outbound peers outside the attacker's
 * groups by kind, the attacker's share of its tables, its evictions of
 * outbound peers and who delivered its blocks first, its anchors, the
 * virtual time to the honest tip after each restart, what the probe
 * revealed, wall time and peak memory.
 *
 * Run: node_modules/.bin/node bench/sim_eclipse.ts [honest nodes] [virtual hours] [seed]
 *      node_modules/.bin/bun bench/sim_eclipse.ts
 *      node_modules/deno/deno run -A bench/sim_eclipse.ts
 */
import { platform } from "#platform";
import { runEclipseScenario, type VictimView } from "../sim/eclipse.ts";
import { RegtestMiner } from "../tests/support/regtest_blocks.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

declare const process: { argv: string[] };

const HONEST = Number(process.argv[2] ?? 25);
const HOURS = Number(process.argv[3] ?? 24);
const SEED = Number(process.argv[4] ?? 1);
/** Virtual time after each restart before the figures. */
const AFTER_RESTART_MS = 60 * 60_000;

const tipTime = (ms: number | null) =>
  ms === null ? "not reached" : `${(ms / 60_000).toFixed(2)} virtual min`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const view = (v: VictimView) =>
  `full-relay ${v.honestOutbound}/${v.outbound}, block-relay-only ${v.honestBlockRelay}/${v.blockRelay} | ` +
  `new ${v.newAttacker}/${v.newEntries}, tried ${v.triedAttacker}/${v.triedEntries} | ` +
  `height ${v.height}/${v.honestHeight}`;

console.log(
  `sim_eclipse under ${RUNTIME_LABEL}: ${HONEST} honest nodes + victim, ${HOURS} virtual hours`,
);
const miner = new RegtestMiner(platform.sha256);
const t0 = performance.now();
const f = await runEclipseScenario({
  sha256: platform.sha256,
  crypto: platform,
  seed: SEED,
  honest: HONEST,
  attackMs: HOURS * 3_600_000,
  afterRestartMs: AFTER_RESTART_MS,
  afterCrashMs: AFTER_RESTART_MS,
  mine: (prev, height, time) => miner.build(prev, height, [], time),
  memory: platform.memory,
  onHour: (hour, v) =>
    console.log(
      `  hour ${hour}: ${view(v)}, wall ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    ),
});
const wallMs = performance.now() - t0;

/** Evictions counted by rule and kind, honest of all. */
function evictions(list: typeof f.evicted): string {
  const counts = new Map<string, { honest: number; all: number }>();
  for (const e of list) {
    const key = `${e.rule} ${e.kind}`;
    const c = counts.get(key) ?? { honest: 0, all: 0 };
    c.all++;
    if (e.honest) c.honest++;
    counts.set(key, c);
  }
  return [...counts].map(([k, c]) => `${k}: ${c.honest}/${c.all}`).join(", ");
}
const p = f.probe;
console.log(`
| moment | honest outbound (outside the attacker's groups) / ready, attacker entries in new / tried, tip |
| --- | --- |
| after ${HOURS} h of attack | ${view(f.before)} |
| ${AFTER_RESTART_MS / 60_000} min after the restart | ${view(f.after)} |
| ${AFTER_RESTART_MS / 60_000} min after a restart without anchors | ${view(f.afterCrash!)} |

anchors after the restart: ${
  f.anchors.map((a) => `${a.peer} ${a.kind} ${a.honest ? "honest" : "attacker"}`).join(", ") ||
  "none"
}
honest tip after the restart (attacker serving a stale chain at height ${f.staleHeight}): ${
  tipTime(f.honestTipMs)
}; after the restart without anchors: ${tipTime(f.crashHonestTipMs)}
address-relay probe (${p.probesSent} unique addresses): honest full-relay peers revealed \
${p.fullRelay.revealed}/${p.fullRelay.honest}, block-relay-only ${p.blockRelay.revealed}/${p.blockRelay.honest}; \
address messages on block-relay-only connections: ${p.blockRelayAddrSent} sent, ${p.blockRelayAddrReceived} received
outbound evictions before the restart (rule kind: honest/all): ${evictions(f.evicted) || "none"}; \
in the ${AFTER_RESTART_MS / 60_000} min after it: ${evictions(f.evictedAfterRestart) || "none"}
blocks the victim accepted before the restart, first delivered by: honest peers ${f.blocksFrom.honest}, \
the attacker's ${f.blocksFrom.attacker}
attacker: ${f.attackerAddresses} addresses in ${f.attackerGroups} /16 groups, \
${f.attackerAccepted} connections accepted, ${f.attackerAddrMessages} addr messages sent
wall time ${(wallMs / 1000).toFixed(1)} s for ${
  (f.virtualMs / 3_600_000).toFixed(2)
} virtual hours; \
peak rss ${mb(f.peakRss)}, heap ${mb(f.peakHeap)}`);
printResult("sim_eclipse", [
  {
    name: `sim eclipse: honest outbound of 10 after ${HOURS} h of attack and a restart`,
    unit: "",
    value: f.after.honestOutbound + f.after.honestBlockRelay,
  },
]);
