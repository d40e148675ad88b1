/**
 * The short v2 fuzz run of `npm test`: 400 BIP324 streams to a responder
 * with a fixed seed give zero findings and reach every outcome (a whole
 * session, a v1 peer served as v1, a stream cut short, and each fatal
 * kind), every strategy having produced inputs. The long run is
 * bench/fuzz.ts.
 */
import { describe, expect, test } from "bun:test";
import { nodeSha256 } from "../support/vectors.ts";
import { loadCorpus } from "./fuzz_cases.ts";
import { generateV2Input, runV2Fuzz, type V2FuzzReport } from "./fuzz_v2.ts";

/** Fixed seed of the short run. */
const SEED = 0x0b1b_0324;
/** Inputs of the short run (each a real v2 key exchange). */
const INPUTS = 400;
/** Generous cap: the count, not the clock, ends the short run on any runtime. */
const TIME_MS = 100_000;

let run: V2FuzzReport | null = null;

/** The short run's report, run once. */
function report(): V2FuzzReport {
  run ??= runV2Fuzz(loadCorpus(false), nodeSha256, { seed: SEED, inputs: INPUTS, timeMs: TIME_MS });
  return run;
}

describe("short v2 fuzz run", () => {
  test("inputs replay from (seed, index) alone", () => {
    const corpus = loadCorpus(false);
    for (const index of [0, 7, 123]) {
      const a = generateV2Input(corpus, nodeSha256, SEED, index);
      const b = generateV2Input(corpus, nodeSha256, SEED, index);
      expect(a.strategy).toBe(b.strategy);
      expect(a.chunks).toEqual(b.chunks);
    }
  });

  test("no input throws, breaks an oracle or lets an altered frame through", () => {
    const r = report();
    expect(r.findings).toEqual([]);
    expect(r.inputs).toBe(INPUTS);
  }, TIME_MS + 20_000);

  test("every outcome and every strategy is reached", () => {
    const r = report();
    for (const outcome of ["ok", "v1", "incomplete", "fatal:bound", "fatal:invalid"]) {
      expect(r.outcomes[outcome] ?? 0).toBeGreaterThan(0);
    }
    for (
      const s of [
        "clean",
        "flip",
        "truncate",
        "splice",
        "garbage-long",
        "no-terminator",
        "bad-type",
        "big-length",
        "random",
        "v1",
      ]
    ) {
      expect(r.strategies[s] ?? 0).toBeGreaterThan(0);
    }
  });
});
