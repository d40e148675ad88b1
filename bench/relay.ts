/**
 * Block relay benchmark: a line of 5 real nodes (`main.ts` as child
 * processes under mixed runtimes: node, deno, bun, node, deno) on loopback,
 * regtest, node i + 1 connected to node i. Blocks of about 1 MB (a coinbase
 * with a witness commitment and segwit transactions) are submitted at node
 * 0 with `POST /blocks`; each one travels as a `headers` announcement, a
 * `getdata` and the `block` over every hop. The bench reads every node's
 * `GET /events` stream and stamps each `block.accepted` with its own clock
 * when the event arrives (the same delivery path for every node); the next
 * block goes in once every node reported the last one. The events' own
 * times (each node's wall clock, whole ms) are printed as a cross-check. Two ways to fill 1 MB are measured: 10
 * transactions of 100 kB (hashing dominated by bytes) and 2,000 of 500 B (a
 * realistic count, where the ~16,000 SHA-256 calls of txids, wtxids and two
 * merkle trees dominate). Printed per scenario:
 *
 * - per-hop added latency: arrival at node i + 1 minus arrival at node i
 *   (announce, request, 1 MB transfer, framing checksum, verification),
 *   median and p95, per hop (labelled with its runtimes) and over all hops;
 * - end-to-end time node 0 → node 4;
 * - time to verify one block (`acceptBlock`: decode, proof of work, txids,
 *   merkle root, witness commitment, header rules) in the bench process;
 * - the same line as 5 block managers in the bench process (a shared event
 *   loop, no process or runtime boundary, the same transport), for
 *   comparison, with the CPU time one hop costs (sender and receiver
 *   together, garbage collection included): on a shared machine the
 *   steadiest figure of the hop.
 *
 * Where the platform's hasher has a batch (WebAssembly lanes under Node and
 * Deno), verification and the in-process line are also run without it,
 * every message hashed by its own call: the figures before the batch, in the
 * same run. Verification is also given in CPU time, the two hashers taking
 * turns: on a machine shared with other work it is the steadier figure.
 *
 * Target: at most 5 ms added per hop for a 1 MB block (median). Blocks go
 * one at a time.
 *
 * Every link speaks BIP324 v2 (the default); `--v1` runs the line with
 * `--v2transport=false` for the v1 figures (the issue's target: v2 per hop
 * at most 1.25× v1).
 *
 * Run: node_modules/.bin/node bench/relay.ts [measured-blocks-per-scenario] [--same] [--v1]
 *      (bun and deno work too; the nodes' runtimes are fixed, unless `--same`
 *      makes all five nodes run under the bench's own runtime, as
 *      bench/run_all.ts does for its per-runtime table)
 */
import { platform } from "#platform";
import process from "node:process";
import { acceptBlock } from "../src/sync/block_accept.ts";
import type { Sha256 } from "../src/platform/hash.ts";
import { HeaderChain } from "../src/sync/header_chain.ts";
import { blockHeaderHash } from "../src/wire/block_header.ts";
import { hashToHex, toHex } from "../src/wire/bytes.ts";
import { NETWORKS } from "../src/wire/params.ts";
import type { RuntimeName } from "../tests/runtime_command.ts";
import { fillerTxs, RegtestMiner } from "../tests/support/regtest_blocks.ts";
import { relayInProcess, type RelayTimes } from "./_relay_in_process.ts";
import { type Line, startLine } from "./_relay_line.ts";
import { printResult, RUNTIME } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";
import { ascending, median, quantile } from "./_stats.ts";

/**
 * Blocks relayed before measuring, per scenario (JIT warm-up). The nodes are
 * fresh processes, and code that runs ten times a block is still cold after
 * a few blocks: with 5, node's 10-transaction hop measured 15–19 ms against
 * 6–7 ms after 40 (quiet machine, same code). A relay runs for weeks.
 */
const WARMUP = 30;
const ARGS = process.argv.slice(2);
const MEASURED = Number(ARGS.find((a) => /^\d+$/.test(a)) ?? "") || 25;
const BLOCKS = WARMUP + MEASURED;
/** Two ways to fill ~1 MB: few large transactions (cheap to hash) and a realistic count. */
const SCENARIOS = [
  { name: "10 txs of 100 kB", txs: 10, txBytes: 100_000 },
  { name: "2,000 txs of 500 B", txs: 2_000, txBytes: 500 },
] as const;
/** The line's runtimes, node 0 first: each runtime sends one hop and receives one. */
const RUNTIMES: readonly RuntimeName[] = ARGS.includes("--same")
  ? Array(5).fill(RUNTIME)
  : ["node", "deno", "bun", "node", "deno"];
/** The links' transport: v2 (the nodes' default) unless `--v1`. */
const V2 = !ARGS.includes("--v1");
/** Longest wait for one block to reach the end of the line. */
const BLOCK_DEADLINE_MS = 20_000;
const POLL_MS = 1;
/** Median added latency per hop the issue asks for. */
const TARGET_MS = 5;

const sha256 = platform.sha256;
/** The platform's hasher without its batch (undefined when it has none). */
const perMessage: Sha256 | undefined = sha256.batch === undefined
  ? undefined
  : Object.assign((d: Uint8Array) => sha256(d), {
    double: sha256.double,
    doubleInto: sha256.doubleInto,
  });

function summary(values: readonly number[]): string {
  const s = ascending(values);
  const fmt = (v: number | undefined) => (v ?? NaN).toFixed(2).padStart(7);
  return `median ${fmt(quantile(s, 0.5))} ms   p95 ${fmt(quantile(s, 0.95))} ms`;
}

/** Prints per-hop, all-hop and end-to-end figures, labelling hop h with `label(h)`. */
function printTimes(times: RelayTimes, label: (h: number) => string): void {
  times.hops.forEach((hop, h) => console.log(`      ${label(h).padEnd(24)}${summary(hop)}`));
  const all = times.hops.flat();
  console.log(`      ${"per hop, all hops".padEnd(24)}${summary(all)}`);
  console.log(`      ${`end to end 0→${times.hops.length}`.padEnd(24)}${summary(times.ends)}`);
  const m = median(all);
  console.log(
    `      target (median ≤ ${TARGET_MS} ms per hop): ${m <= TARGET_MS ? "met" : "NOT met"}` +
      ` (${m.toFixed(2)} ms)`,
  );
}

/** The line's figures for one scenario. */
interface LineTimes extends RelayTimes {
  /** Every hop of every measured block by the nodes' own event times (1 ms resolution). */
  readonly clockHops: number[];
}

/** Submits `blocks` at node 0 one at a time; per-hop and end-to-end times after warm-up. */
async function relayLine(line: Line, blocks: readonly Uint8Array[]): Promise<LineTimes> {
  const count = line.nodes.length;
  const hops: number[][] = Array.from({ length: count - 1 }, () => []);
  const ends: number[] = [];
  const clockHops: number[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const hash = hashToHex(blockHeaderHash(sha256, blocks[i]));
    await line.submit(0, toHex(blocks[i]));
    const deadline = performance.now() + BLOCK_DEADLINE_MS;
    while (!line.nodes.every((n) => n.arrivals.has(hash))) {
      if (performance.now() > deadline) {
        const reached = line.nodes.filter((n) => n.arrivals.has(hash)).length;
        throw new Error(`block ${i} reached only ${reached} of ${count} nodes`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (i < WARMUP) continue;
    const arrivals = line.nodes.map((n) => n.arrivals.get(hash)!);
    for (let h = 1; h < count; h++) {
      hops[h - 1].push(arrivals[h].at - arrivals[h - 1].at);
      clockHops.push(arrivals[h].nodeTime - arrivals[h - 1].nodeTime);
    }
    ends.push(arrivals[count - 1].at - arrivals[0].at);
  }
  return { hops, ends, clockHops };
}

console.log(
  `Block relay — a line of ${RUNTIMES.length} node processes (${RUNTIMES.join(", ")}) over ` +
    `loopback TCP; bench process ${RUNTIME_LABEL}`,
);

// The blocks, built and mined before anything is measured (one chain through both scenarios).
const begin = performance.now();
const miner = new RegtestMiner(sha256);
const built = SCENARIOS.map((scenario, k) =>
  Array.from(
    { length: BLOCKS },
    (_, i) => miner.next(fillerTxs(scenario.txs, scenario.txBytes, k * BLOCKS + i)),
  )
);
console.log(
  `  ${SCENARIOS.length} × ${BLOCKS} blocks built in ${
    ((performance.now() - begin) / 1000).toFixed(1)
  } s (not measured); the first ${WARMUP} of each scenario are warm-up`,
);

/** `acceptBlock` time of every block, on a fresh chain, in this process. */
function verifyTimes(hasher: Sha256): number[][] {
  const chain = new HeaderChain({
    params: NETWORKS.regtest,
    sha256: hasher,
    now: () => Date.now(),
  });
  return built.map((blocks) =>
    blocks.map((block) => {
      const t = performance.now();
      const result = acceptBlock(chain, hasher, block);
      const ms = performance.now() - t;
      if (result.status !== "accepted") throw new Error(`block refused: ${result.status}`);
      return ms;
    })
  );
}
const verifyMs = verifyTimes(sha256);
const verifyPerMessageMs = perMessage === undefined ? undefined : verifyTimes(perMessage);

/** Rounds of the CPU-time comparison; each verifies every measured block with each hasher. */
const CPU_ROUNDS = 9;
/**
 * CPU time (process.cpuUsage: this process's user + system) per `acceptBlock`
 * of the measured blocks, hashers taking turns round by round: on a machine
 * shared with other work, CPU time moves far less than wall time. Median of
 * the rounds, per scenario and hasher. (The blocks are known by then: a known
 * block still passes every body check, only its header is not added again.)
 */
function verifyCpu(hashers: readonly Sha256[]): number[][] {
  const chains = hashers.map((hasher) => {
    const chain = new HeaderChain({
      params: NETWORKS.regtest,
      sha256: hasher,
      now: () => Date.now(),
    });
    for (const blocks of built) for (const block of blocks) acceptBlock(chain, hasher, block);
    return chain;
  });
  return built.map((all) => {
    const blocks = all.slice(WARMUP);
    const rounds = hashers.map(() => [] as number[]);
    for (let round = 0; round < CPU_ROUNDS; round++) {
      hashers.forEach((hasher, h) => {
        const before = process.cpuUsage();
        for (const block of blocks) acceptBlock(chains[h], hasher, block);
        const used = process.cpuUsage(before);
        rounds[h].push((used.user + used.system) / 1000 / blocks.length);
      });
    }
    return rounds.map(median);
  });
}
const cpuHashers = perMessage === undefined ? [sha256] : [sha256, perMessage];
const verifyCpuMs = verifyCpu(cpuHashers);

// The line of processes; always stopped, whatever happens.
const line = await startLine(RUNTIMES, V2);
let lineTimes: LineTimes[];
try {
  lineTimes = [];
  for (const blocks of built) lineTimes.push(await relayLine(line, blocks));
} finally {
  await line.stop();
}

// The same blocks through 5 block managers in this process, over the same transport (and
// again without the batch).
const inProcessTimes = await relayInProcess(built, RUNTIMES.length, WARMUP, sha256, V2);
const inProcessPerMessage = perMessage === undefined
  ? undefined
  : await relayInProcess(built, RUNTIMES.length, WARMUP, perMessage, V2);

for (let k = 0; k < SCENARIOS.length; k++) {
  const blocks = built[k];
  const size = blocks.reduce((n, b) => n + b.length, 0) / blocks.length;
  console.log(`\n  ~${(size / 1e6).toFixed(3)} MB blocks, ${SCENARIOS[k].name} + coinbase:`);
  console.log(`    verify (acceptBlock, ${RUNTIME_LABEL}): ${summary(verifyMs[k].slice(WARMUP))}`);
  if (verifyPerMessageMs !== undefined) {
    console.log(
      `    verify without the batch:        ${summary(verifyPerMessageMs[k].slice(WARMUP))}`,
    );
  }
  const [cpu, cpuPerMessage] = verifyCpuMs[k];
  console.log(
    `    verify, CPU time per block (median of ${CPU_ROUNDS} rounds): ${cpu.toFixed(2)} ms` +
      (cpuPerMessage === undefined ? "" : `; without the batch ${cpuPerMessage.toFixed(2)} ms ` +
        `(${(cpuPerMessage / cpu).toFixed(2)}× as much)`),
  );
  console.log(`    ${RUNTIMES.length} processes (${MEASURED} blocks):`);
  printTimes(lineTimes[k], (h) => `hop ${h}→${h + 1} ${RUNTIMES[h]}→${RUNTIMES[h + 1]}`);
  console.log(
    `      ${"all hops, node clocks".padEnd(24)}${summary(lineTimes[k].clockHops)}` +
      "  (cross-check: the events' own times, whole ms)",
  );
  console.log(`    one process, ${RUNTIMES.length} block managers (${RUNTIME_LABEL}):`);
  printTimes(inProcessTimes[k], (h) => `hop ${h}→${h + 1}`);
  console.log(
    `      CPU per block and hop   ${inProcessTimes[k].cpuMsPerHop.toFixed(2)} ms` +
      "  (sender and receiver together, garbage collector included)",
  );
  if (inProcessPerMessage !== undefined) {
    console.log(`    the same without the batch (every message hashed by its own call):`);
    printTimes(inProcessPerMessage[k], (h) => `hop ${h}→${h + 1}`);
  }
}

// The result line: the line's runtime is the column ("mixed line" without --same).
const same = RUNTIMES.every((r) => r === RUNTIMES[0]);
printResult(
  "relay",
  SCENARIOS.flatMap((scenario, k) => [
    {
      name: `relay per hop, 1 MB of ${scenario.name}, 5-process line${V2 ? ", v2" : ""} (median)`,
      unit: "ms",
      value: median(lineTimes[k].hops.flat()),
    },
    {
      name: `relay per hop, 1 MB of ${scenario.name}, 5 managers in one process${
        V2 ? ", v2" : ""
      } (median)`,
      unit: "ms",
      value: median(inProcessTimes[k].hops.flat()),
    },
    {
      name: `relay CPU per block and hop, 1 MB of ${scenario.name}, 5 managers in one process${
        V2 ? ", v2" : ""
      }`,
      unit: "ms",
      value: inProcessTimes[k].cpuMsPerHop,
    },
    {
      name: `verify (acceptBlock) 1 MB of ${scenario.name} (median)`,
      unit: "ms",
      value: median(verifyMs[k].slice(WARMUP)),
    },
    {
      name: `verify (acceptBlock) 1 MB of ${scenario.name}, CPU time (median)`,
      unit: "ms",
      value: verifyCpuMs[k][0],
    },
    ...(verifyCpuMs[k].length < 2 ? [] : [{
      name: `verify (acceptBlock) 1 MB of ${scenario.name}, CPU time, no batch (median)`,
      unit: "ms",
      value: verifyCpuMs[k][1],
    }]),
    ...(verifyPerMessageMs === undefined || inProcessPerMessage === undefined ? [] : [
      {
        name: `verify (acceptBlock) 1 MB of ${scenario.name}, no batch (median)`,
        unit: "ms",
        value: median(verifyPerMessageMs[k].slice(WARMUP)),
      },
      {
        name:
          `relay per hop, 1 MB of ${scenario.name}, 5 managers in one process, no batch (median)`,
        unit: "ms",
        value: median(inProcessPerMessage[k].hops.flat()),
      },
    ]),
  ]),
  same ? RUNTIME : "mixed line",
);
