/**
 * The short fuzz run of `npm test`: 50,000 decoder inputs and 2,000
 * peer-stage inputs with a fixed seed must give zero findings and reach
 * every outcome class (so a generator that stopped producing some kind of
 * input fails here too). Also checks that the harness reports what it must:
 * a non-DecodeError is a finding, not an outcome.
 */
import { describe, expect, test } from "bun:test";
import { DecodeError } from "../../src/wire/errors.ts";
import { nodeSha256 } from "../support/vectors.ts";
import { generateInput, KNOWN_COMMANDS, loadCorpus } from "./fuzz_cases.ts";
import { checkPayload, decodeOutcome, type FuzzReport, minimise, runFuzz } from "./fuzz_run.ts";

/** Fixed seed of the short run. */
const SEED = 0x5eed_f022;
/** Decoder-stage inputs of the short run. */
const DECODER_INPUTS = 50_000;
/** Peer-stage inputs of the short run. */
const PEER_INPUTS = 2_000;
/** Generous caps: the counts, not the clock, end the short run on any runtime. */
const STAGE_TIME_MS = 60_000;

describe("fuzz harness", () => {
  test("a DecodeError is an outcome; anything else thrown is a finding", () => {
    expect(decodeOutcome(() => "ok")).toBe("ok");
    expect(decodeOutcome(() => {
      throw new DecodeError("bound", "too many", { command: "inv", bound: 1 });
    })).toBe("decode:bound");
    expect(() =>
      decodeOutcome(() => {
        throw new TypeError("cannot read properties of undefined");
      })
    ).toThrow(TypeError);
    // A frame-only kind from a payload decoder is a finding too.
    expect(() =>
      decodeOutcome(() => {
        throw new DecodeError("magic", "not here");
      })
    ).toThrow(DecodeError);
  });

  test("the minimiser shrinks an input to the bytes that trigger a failure", () => {
    const input = new Uint8Array(300).fill(7);
    input[123] = 0xff;
    const small = minimise(input, (p) => (p.includes(0xff) ? "has ff" : null));
    expect([...small]).toEqual([0xff]);
  });

  test("inputs replay from (seed, index) alone", () => {
    const corpus = loadCorpus(false);
    for (const index of [0, 1, 999, 31_337]) {
      expect(generateInput(corpus, nodeSha256, SEED, index)).toEqual(
        generateInput(corpus, nodeSha256, SEED, index),
      );
    }
  });

  test("every known command with an empty payload ends as ok or a DecodeError", () => {
    const tally = { roundTrips: {}, unnamedErrors: 0 };
    for (const command of KNOWN_COMMANDS) {
      expect(checkPayload(command, new Uint8Array(0), nodeSha256, tally)).toMatch(/^(ok|decode:)/);
    }
  });
});

/** Longest the short run may take before its first test fails (it takes seconds). */
const RUN_TIMEOUT_MS = 120_000;

let shortRun: Promise<FuzzReport> | null = null;

/** The short run's report; the first caller starts the run. */
function report(): Promise<FuzzReport> {
  shortRun ??= runFuzz({
    seed: SEED,
    decoderInputs: DECODER_INPUTS,
    peerInputs: PEER_INPUTS,
    decoderTimeMs: STAGE_TIME_MS,
    peerTimeMs: STAGE_TIME_MS,
    big: false,
  });
  return shortRun;
}

describe("short fuzz run", () => {
  test("no input crashes a decoder, breaks an oracle or upsets the peer", async () => {
    const r = await report();
    expect(r.findings).toEqual([]);
    expect(r.droppedFindings).toBe(0);
  }, RUN_TIMEOUT_MS);

  test("the whole count ran in both stages", async () => {
    const r = await report();
    expect(r.decoder.inputs).toBe(DECODER_INPUTS);
    expect(r.peer.inputs).toBe(PEER_INPUTS);
  });

  test("payloads reach every outcome: ok, and each payload DecodeError kind", async () => {
    const r = await report();
    for (const outcome of ["ok", "ok:block", "ok:tx", "ok:unknown"]) {
      expect(r.decoder.outcomes[outcome] ?? 0).toBeGreaterThan(0);
    }
    for (const kind of ["truncated", "bound", "invalid", "trailing"]) {
      expect(r.decoder.outcomes[`decode:${kind}`] ?? 0).toBeGreaterThan(0);
    }
  });

  test("streams reach every frame outcome: whole, each framing error, cut short", async () => {
    const r = await report();
    for (const outcome of ["ok", "magic", "invalid", "bound", "checksum", "incomplete"]) {
      expect(r.decoder.outcomes[`stream:${outcome}`] ?? 0).toBeGreaterThan(0);
    }
    expect(r.decoder.framePayloads.ok ?? 0).toBeGreaterThan(0);
  });

  test("decoded messages re-encode: byte for byte where canonical, else to a fixed point", async () => {
    const r = await report();
    expect(r.decoder.roundTrips.exact ?? 0).toBeGreaterThan(0);
    expect(r.decoder.roundTrips["fixed-point"] ?? 0).toBeGreaterThan(0);
  });

  test("every strategy produced inputs", async () => {
    const r = await report();
    for (const s of ["random", "synth", "mutate", "varint", "stream:clean", "stream:garbage"]) {
      expect(r.decoder.strategies[s] ?? 0).toBeGreaterThan(0);
    }
  });

  test("the peer delivered, handled, ignored, scored and disconnected", async () => {
    const r = await report();
    for (const outcome of ["delivered", "handled", "ignored", "misbehaviour", "disconnect"]) {
      expect(r.peer.outcomes[outcome] ?? 0).toBeGreaterThan(0);
    }
    for (const cls of ["banned", "malformed", "late-feature"]) {
      expect(r.peer.disconnects[cls] ?? 0).toBeGreaterThan(0);
    }
    expect(r.peer.sessions).toBeGreaterThan(1);
  });

  test("heap use was sampled where the runtime reports it", async () => {
    const r = await report();
    if (r.heap !== null) {
      expect(r.heap.samples).toBeGreaterThan(2);
      expect(r.heap.max).toBeGreaterThanOrEqual(r.heap.min);
    }
  });
});
