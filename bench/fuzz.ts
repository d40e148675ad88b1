/**
 * The long fuzz run: at least 1,000,000 decoder inputs (payloads of every
 * command, mutated real vectors, oversized and non-canonical counts, framed
 * streams in random chunks) and 50,000 peer-stage inputs (fuzzed frames to a
 * real peer past its handshake) and 20,000 v2 inputs (BIP324 streams,
 * mangled, to a v2 responder: tests/fuzz/fuzz_v2.ts), each stage bounded by
 * a count and a time cap. Prints inputs/s, outcome counts by class and kind, heap min/max and
 * every finding (with the seed and index that replay it). Exits 1 when
 * there is a finding. See tests/fuzz/fuzz_run.ts for what counts as one.
 *
 * Run: node_modules/.bin/node bench/fuzz.ts [seed] [--decoder N] [--peer N] [--v2 N] [--time S]
 *      node_modules/deno/deno run -A bench/fuzz.ts [...]
 *      node_modules/.bin/bun bench/fuzz.ts [...]
 * The seed defaults to the clock; `--time S` caps each stage at S seconds.
 */
import process from "node:process";
import { platform } from "#platform";
import { loadCorpus } from "../tests/fuzz/fuzz_cases.ts";
import { type Counts, type FuzzReport, runFuzz } from "../tests/fuzz/fuzz_run.ts";
import { runV2Fuzz, type V2FuzzReport } from "../tests/fuzz/fuzz_v2.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

/** Decoder-stage inputs of the long run. */
const DECODER_INPUTS = 1_000_000;
/** Peer-stage inputs of the long run. */
const PEER_INPUTS = 50_000;
/** v2-stage inputs of the long run (each a real key exchange: ~1-3 ms). */
const V2_INPUTS = 20_000;
/** Time cap of each stage, seconds (npm run bench allows 10 minutes per bench and runtime). */
const STAGE_SECONDS = 240;

function parseArgs(argv: readonly string[]): {
  seed: number;
  decoder: number;
  peer: number;
  v2: number;
  seconds: number;
} {
  const out = {
    seed: Date.now() % 2 ** 32,
    decoder: DECODER_INPUTS,
    peer: PEER_INPUTS,
    v2: V2_INPUTS,
    seconds: STAGE_SECONDS,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${a} needs a non-negative number`);
      return n;
    };
    if (a === "--decoder") out.decoder = value();
    else if (a === "--peer") out.peer = value();
    else if (a === "--v2") out.v2 = value();
    else if (a === "--time") out.seconds = value();
    else if (/^\d+$/.test(a)) out.seed = Number(a) >>> 0;
    else {throw new Error(
        `unknown argument ${a}; usage: bench/fuzz.ts [seed] [--decoder N] [--peer N] [--v2 N] [--time S]`,
      );}
  }
  return out;
}

function rate(n: number, ms: number): string {
  return `${Math.round(n / (ms / 1000)).toLocaleString("en-US")}/s`;
}

function counts(title: string, c: Counts): void {
  const entries = Object.entries(c).sort(([a], [b]) => (a < b ? -1 : 1));
  console.log(`  ${title}:`);
  for (const [k, v] of entries) console.log(`    ${k.padEnd(28)} ${String(v).padStart(10)}`);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function print(r: FuzzReport, v2: V2FuzzReport): void {
  const d = r.decoder;
  console.log(`\nfuzz — ${runtime}, seed ${r.seed}`);
  console.log(
    `decoder stage: ${d.inputs.toLocaleString("en-US")} inputs in ${(d.ms / 1000).toFixed(1)} s` +
      ` (${rate(d.inputs, d.ms)}, ${mib(d.bytes)} decoded)`,
  );
  counts("outcomes", d.outcomes);
  counts("payloads of decoded frames", d.framePayloads);
  counts("round trips", d.roundTrips);
  counts("strategies", d.strategies);
  console.log(`  decode errors without a command name: ${d.unnamedErrors}`);
  const slow = d.slowest;
  console.log(
    `  slowest input: #${slow.index} ${slow.strategy}, ${slow.bytes} bytes, ${slow.outcome},` +
      ` ${slow.ms.toFixed(2)} ms`,
  );
  const p = r.peer;
  console.log(
    `peer stage: ${p.inputs.toLocaleString("en-US")} inputs over ${p.sessions} sessions in ` +
      `${(p.ms / 1000).toFixed(1)} s (${rate(p.inputs, p.ms)})`,
  );
  counts("outcomes", p.outcomes);
  counts("disconnects", p.disconnects);
  counts("strategies", p.strategies);
  console.log(
    `v2 stage: ${v2.inputs.toLocaleString("en-US")} inputs in ${(v2.ms / 1000).toFixed(1)} s` +
      ` (${rate(v2.inputs, v2.ms)})`,
  );
  counts("outcomes", v2.outcomes);
  counts("strategies", v2.strategies);
  if (r.heap !== null) {
    console.log(
      `heap used: min ${mib(r.heap.min)}, max ${mib(r.heap.max)}, first ${mib(r.heap.first)},` +
        ` last ${mib(r.heap.last)} (${r.heap.samples} samples)`,
    );
  } else {
    console.log("heap used: not reported by this runtime");
  }
  console.log(`findings: ${r.findings.length + r.droppedFindings + v2.findings.length}`);
  for (const f of v2.findings) {
    console.log(`  [v2] seed ${r.seed} index ${f.index} ${f.strategy}: ${f.error}`);
  }
  for (const f of r.findings) {
    console.log(
      `  [${f.stage}] seed ${f.seed} index ${f.index} ${f.strategy}` +
        `${f.command !== undefined ? ` command ${JSON.stringify(f.command)}` : ""}: ${f.error}`,
    );
    console.log(`    input (${f.inputLength} bytes): ${f.inputHex.slice(0, 400)}`);
    if (f.minimisedHex !== undefined) console.log(`    minimised: ${f.minimisedHex.slice(0, 400)}`);
    if (f.stack !== undefined) console.log(`    ${f.stack.split("\n").slice(0, 6).join("\n    ")}`);
  }
}

const args = parseArgs(process.argv.slice(2));
const report = await runFuzz({
  seed: args.seed,
  decoderInputs: args.decoder,
  peerInputs: args.peer,
  decoderTimeMs: args.seconds * 1000,
  peerTimeMs: args.seconds * 1000,
  big: true,
  heapEvery: 10_000,
  progress: (line) => console.log(`  … ${line}`),
});
const v2 = runV2Fuzz(loadCorpus(false), platform.sha256, {
  seed: args.seed,
  inputs: args.v2,
  timeMs: args.seconds * 1000,
});
print(report, v2);
const findings = report.findings.length + report.droppedFindings + v2.findings.length;
printResult("fuzz", [
  {
    name: "fuzz: decoder inputs",
    unit: "/s",
    value: report.decoder.inputs / (report.decoder.ms / 1000),
  },
  {
    name: "fuzz: peer-stage inputs",
    unit: "/s",
    value: report.peer.inputs / (report.peer.ms / 1000),
  },
  { name: "fuzz: v2 inputs", unit: "/s", value: v2.inputs / (v2.ms / 1000) },
  { name: "fuzz: findings", unit: "", value: findings },
]);
process.exit(findings > 0 ? 1 : 0);
