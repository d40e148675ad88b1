/**
 * Simulator bench, "eclipse" scenario (Heilman et al. 2015): a victim in
 * an honest network of real nodes (mainnet parameters, seeded from 5
 * simulated DNS seeds) and an attacker owning 5,000 addresses in 10 /16
 * groups that accepts every connection, answers getaddr with its own
 * addresses and keeps 20 inbound connections to the victim flooding full
 * addr messages. After one virtual day the victim restarts on the same
 * store; printed: the victim's outbound peers outside the attacker's groups
 * (of 8) before and after, the attacker's share of its tables, wall time
 * and peak memory.
 *
 * Run: node_modules/.bin/node bench/sim_eclipse.ts [honest nodes] [virtual hours] [seed]
 *      node_modules/.bin/bun bench/sim_eclipse.ts
 *      node_modules/deno/deno run -A bench/sim_eclipse.ts
 */
import { platform } from "#platform";
import { runEclipseScenario, type VictimView } from "../sim/eclipse.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

declare const process: { argv: string[] };

const HONEST = Number(process.argv[2] ?? 25);
const HOURS = Number(process.argv[3] ?? 24);
const SEED = Number(process.argv[4] ?? 1);
/** Virtual time after the restart before the figures. */
const AFTER_RESTART_MS = 10 * 60_000;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const view = (v: VictimView) =>
  `${v.honestOutbound} / ${v.outbound} | new ${v.newAttacker}/${v.newEntries}, ` +
  `tried ${v.triedAttacker}/${v.triedEntries}`;

console.log(
  `sim_eclipse under ${RUNTIME_LABEL}: ${HONEST} honest nodes + victim, ${HOURS} virtual hours`,
);
const t0 = performance.now();
const f = await runEclipseScenario({
  sha256: platform.sha256,
  crypto: platform,
  seed: SEED,
  honest: HONEST,
  attackMs: HOURS * 3_600_000,
  afterRestartMs: AFTER_RESTART_MS,
  memory: platform.memory,
  onHour: (hour, v) =>
    console.log(
      `  hour ${hour}: ${view(v)}, wall ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    ),
});
const wallMs = performance.now() - t0;
console.log(`
| moment | outbound outside the attacker's groups | attacker entries in new / tried |
| --- | --- | --- |
| after ${HOURS} h of attack | ${view(f.before)} |
| ${AFTER_RESTART_MS / 60_000} min after the restart | ${view(f.after)} |

attacker: ${f.attackerAddresses} addresses in ${f.attackerGroups} /16 groups, \
${f.attackerAccepted} connections accepted, ${f.attackerAddrMessages} addr messages sent
wall time ${(wallMs / 1000).toFixed(1)} s for ${
  (f.virtualMs / 3_600_000).toFixed(2)
} virtual hours; \
peak rss ${mb(f.peakRss)}, heap ${mb(f.peakHeap)}`);
printResult("sim_eclipse", [
  {
    name: `sim eclipse: honest outbound of 8 after ${HOURS} h of attack and a restart`,
    unit: "",
    value: f.after.honestOutbound,
  },
]);
