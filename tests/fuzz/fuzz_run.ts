/**
 * The fuzz driver. Two stages, both seeded and bounded by a count and a
 * deadline:
 *
 * - decoder stage: every input from `fuzz_cases.ts` goes through
 *   `decodeMessage` (and `decodeBlock` / `decodeTx` for block and tx
 *   payloads) or through a `FrameDecoder` chunk by chunk. An input ends as
 *   "ok" or as a `DecodeError` of some kind; anything else thrown, and any
 *   broken oracle (a successful decode that does not re-encode to a fixed
 *   point, or to the same bytes where the encoding is canonical; the
 *   transaction scan and the full decode disagreeing; a clean stream not
 *   giving back its frames; a failed decoder not staying failed), is a
 *   finding, recorded with the seed and index that replay it.
 * - peer stage: a real inbound `Peer` on a memory pipe, past the handshake,
 *   receives fuzzed frames from a scripted remote. After each input a `ping`
 *   probe tells when the peer has dealt with it; the input must have ended as
 *   delivered or handled, ignored, a misbehaviour score increase, or a
 *   disconnect for an expected reason. A disconnect from an internal error, a
 *   stall, an error log or an uncaught exception / unhandled rejection is a finding.
 *
 * Heap use is sampled along the way. No `bun:test` import: bench/fuzz.ts runs it.
 */
import { platform } from "#platform";
import process from "node:process";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import type { Sha256 } from "../../src/platform/hash.ts";
import { newInboundPeer, type Peer } from "../../src/peer/peer.ts";
import type { PeerOptions } from "../../src/peer/peer_options.ts";
import { memoryPipe } from "../../adapters/memory/pipe.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { blockTx, checkMerkleRoot, decodeBlock, encodeBlock } from "../../src/wire/block.ts";
import { ByteReader, bytesEqual, toHex } from "../../src/wire/bytes.ts";
import { DecodeError, type DecodeErrorKind } from "../../src/wire/errors.ts";
import { FrameDecoder, HEADER_SIZE, isValidCommandName } from "../../src/transport/v1_framing.ts";
import { MAX_PAYLOAD } from "../../src/transport/transport.ts";
import { decodeMessage, encodeMessage, type Message } from "../../src/wire/message.ts";
import { encodeMessageFrame } from "../support/message_frame.ts";
import { computeTxid, decodeTx, encodeTx, scanTx } from "../../src/wire/tx.ts";
import { peerOptions, remoteVersion, ScriptedPeer } from "../support/scripted_peer.ts";
import { concat } from "../support/bytes.ts";
import {
  chance,
  type Corpus,
  FUZZ_MAGIC,
  type FuzzInput,
  generateInput,
  generatePeerInput,
  generateVersionInput,
  inputRandom,
  loadCorpus,
  type PeerInput,
  pick,
  type StreamInput,
} from "./fuzz_cases.ts";

/** Every `DecodeErrorKind`; a `Record` so a new kind fails type-checking here. */
const KINDS: Record<DecodeErrorKind, true> = {
  truncated: true,
  bound: true,
  invalid: true,
  trailing: true,
  magic: true,
  checksum: true,
};
/** The kinds a `FrameDecoder` may throw (the others belong to payloads). */
const FRAME_KINDS = new Set<DecodeErrorKind>(["magic", "invalid", "bound", "checksum"]);
/** The kinds a payload decoder may throw. */
const PAYLOAD_KINDS = new Set<DecodeErrorKind>(["truncated", "bound", "invalid", "trailing"]);

/** Payloads whose valid encodings are canonical: a decode must re-encode to the same bytes. */
const CANONICAL = new Set([
  "verack",
  "getaddr",
  "mempool",
  "sendheaders",
  "wtxidrelay",
  "sendaddrv2",
  "ping",
  "pong",
  "inv",
  "getdata",
  "notfound",
  "getheaders",
  "getblocks",
  "headers",
  "feefilter",
  "sendcmpct",
  "cmpctblock",
  "getblocktxn",
  "blocktxn",
]);

/** Blocks up to this size also get their txids and merkle root computed. */
const MERKLE_CHECK_MAX_BYTES = 50_000;
/** Hex characters of an input kept in a finding (the seed and index replay the whole input). */
const FINDING_HEX_CHARS = 4096;
/** Findings kept in full; later ones are only counted. */
const MAX_FINDINGS = 50;
/** Steps the minimiser may take per finding. */
const MINIMISE_STEPS = 2_000;
/** How long the peer stage waits for the answer to a probe (or the end of the stream). */
const PROBE_WAIT_MS = 5_000;
/** High bits of a probe ping's nonce (fuzzed pings use other nonces). */
const PROBE_NONCE_BASE = 0x5eed_f022_0000_0000n;
/** Inputs one peer session receives at most before a fresh peer takes over. */
const SESSION_MAX_INPUTS = 1_500;
/** Peer inputs between macrotask turns (an uncaught error is attributed within this many). */
const YIELD_EVERY = 64;
/** Decoder inputs between progress lines. */
const DECODER_PROGRESS_EVERY = 100_000;
/** Peer inputs between progress lines. */
const PEER_PROGRESS_EVERY = 10_000;
/** A ban threshold no run reaches: misbehaviour is scored but never ends the session. */
const NO_BAN = 1e12;

/** A broken oracle (not a decode error of the input). */
class FuzzFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FuzzFailure";
  }
}

/** One input that crashed a decoder, broke an oracle, or left the peer in a bad state. */
export interface Finding {
  readonly stage: "payload" | "stream" | "peer" | "process";
  readonly strategy: string;
  readonly command?: string;
  readonly seed: number;
  /** Input index within its stage (regenerate with `generateInput` / `generatePeerInput`). */
  readonly index: number;
  readonly inputLength: number;
  /** Hex of the input (the first `FINDING_HEX_CHARS` characters). */
  readonly inputHex: string;
  /** The smallest input found that fails the same way (payload findings). */
  readonly minimisedHex?: string;
  readonly error: string;
  readonly stack?: string;
}

/** Counters by name. */
export type Counts = Record<string, number>;

/** Heap use seen during a run (heapUsed, bytes). */
export interface HeapFigures {
  samples: number;
  min: number;
  max: number;
  first: number;
  last: number;
}

/** What the decoder stage did. */
export interface DecoderReport {
  inputs: number;
  ms: number;
  /** By outcome: "ok", "ok:unknown", "decode:<kind>", "stream:<ok|kind|incomplete>". */
  outcomes: Counts;
  /** Outcomes of the payloads of frames the stream decoder returned. */
  framePayloads: Counts;
  /** Inputs by strategy. */
  strategies: Counts;
  /** Re-encodings: byte-exact, fixed point only, or refused by the encoder (RangeError). */
  roundTrips: Counts;
  /** Decode errors that do not name their command (a quality note, not a finding). */
  unnamedErrors: number;
  /** Bytes decoded (payloads and streams). */
  bytes: number;
  /** The input that took longest (decode and checks), a hint of pathological cases. */
  slowest: { ms: number; index: number; strategy: string; bytes: number; outcome: string };
}

/** What the peer stage did. */
export interface PeerReport {
  /** Inputs sent to ready peers, plus fuzzed `version` messages opening a handshake. */
  inputs: number;
  ms: number;
  /** Peers started (each on a fresh pipe). */
  sessions: number;
  /**
   * By outcome: delivered, handled, ignored, misbehaviour, disconnect; and
   * handshake (a fuzzed `version` the peer accepted).
   */
  outcomes: Counts;
  /** Disconnects by reason class. */
  disconnects: Counts;
  strategies: Counts;
}

/** Options of one fuzz run. */
export interface FuzzOptions {
  readonly seed: number;
  readonly decoderInputs: number;
  readonly peerInputs: number;
  /** Deadline for the decoder stage (ms from its start). */
  readonly decoderTimeMs: number;
  /** Deadline for the peer stage (ms from its start). */
  readonly peerTimeMs: number;
  /** Include the 2.3 MB block and the 1 MB transaction in the corpus. */
  readonly big: boolean;
  /** Heap sample every this many decoder inputs (peer inputs: a tenth of it). */
  readonly heapEvery?: number;
  /** Called with a progress line every 100,000 decoder / 10,000 peer inputs. */
  readonly progress?: (line: string) => void;
}

/** Everything a run found. */
export interface FuzzReport {
  seed: number;
  decoder: DecoderReport;
  peer: PeerReport;
  heap: HeapFigures | null;
  findings: Finding[];
  /** Findings beyond `MAX_FINDINGS` (counted, not kept). */
  droppedFindings: number;
}

function bump(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/**
 * The outcome of `run` when it ends in a `DecodeError` ("decode:<kind>");
 * rethrows anything else (a finding). Returns `run`'s own outcome otherwise.
 */
export function decodeOutcome(
  run: () => string,
  kinds: ReadonlySet<DecodeErrorKind> = PAYLOAD_KINDS,
  onError?: (error: DecodeError) => void,
): string {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof DecodeError) || KINDS[e.kind] !== true || !kinds.has(e.kind)) throw e;
    onError?.(e);
    return `decode:${e.kind}`;
  }
}

/** Runs one oracle step: any exception becomes a `FuzzFailure` saying what broke. */
function must<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof FuzzFailure) throw e;
    throw new FuzzFailure(`${what}: ${errorText(e)}`, { cause: e });
  }
}

/** Tallies the payload checks add to. */
export interface Tally {
  roundTrips: Counts;
  unnamedErrors: number;
}

/**
 * Decodes `payload` as `command` and checks what came out. Returns the
 * outcome; throws (a finding) for anything but a `DecodeError` of a payload
 * kind or a broken oracle.
 */
export function checkPayload(
  command: string,
  payload: Uint8Array,
  sha256: Sha256,
  tally: Tally,
): string {
  return decodeOutcome(
    () => {
      const msg = decodeMessage(command, payload);
      switch (msg.command) {
        case "unknown":
          if (msg.name !== command || msg.raw !== payload) {
            throw new FuzzFailure(
              "unknown message altered",
            );
          }
          return "ok:unknown";
        case "block":
          return checkBlock(payload, sha256);
        case "tx":
          return checkTx(payload, sha256);
        default:
          roundTrip(command, msg, payload, tally.roundTrips);
          return "ok";
      }
    },
    PAYLOAD_KINDS,
    (e) => {
      if (e.command === undefined) tally.unnamedErrors++;
    },
  );
}

/** encode(decode(x)) is a fixed point, and equals x where the encoding is canonical. */
function roundTrip(command: string, msg: Message, payload: Uint8Array, counts: Counts): void {
  let first: Uint8Array;
  try {
    first = encodeMessage(msg).slice();
  } catch (e) {
    // The encoder refuses values the decoder accepts (e.g. a user agent whose invalid
    // UTF-8 grew past the limit when decoded): no round trip is defined.
    if (e instanceof RangeError) {
      bump(counts, `refused:${command}`);
      return;
    }
    throw new FuzzFailure(`encodeMessage(${command}) threw ${errorText(e)}`, { cause: e });
  }
  const again = must("decoding our own encoding", () => decodeMessage(command, first));
  const second = must("re-encoding our own encoding", () => encodeMessage(again));
  if (!bytesEqual(first, second)) {
    throw new FuzzFailure(
      `${command}: encode(decode(encode(decode(x)))) differs from encode(decode(x))`,
    );
  }
  const canonical = CANONICAL.has(command);
  if (canonical) {
    if (!bytesEqual(first, payload)) {
      throw new FuzzFailure(`${command}: re-encoding differs from the input`);
    }
    bump(counts, "exact");
  } else {
    bump(counts, "fixed-point");
  }
}

/** A decoded block: offsets consistent, every transaction decodes, re-encodes exactly. */
function checkBlock(payload: Uint8Array, sha256: Sha256): string {
  const block = decodeBlock(payload);
  return must("checking a decoded block", () => {
    const { txCount, txOffsets } = block;
    if (txOffsets[txCount] !== payload.length) throw new FuzzFailure("last offset is not the end");
    const txs: Uint8Array[] = [];
    for (let i = 0; i < txCount; i++) {
      if (txOffsets[i + 1] <= txOffsets[i]) throw new FuzzFailure(`offsets not increasing at ${i}`);
      const raw = blockTx(block, i);
      // The scan accepted it: the full decoder must too, and give the same bytes back.
      if (!bytesEqual(encodeTx(decodeTx(raw)), raw)) {
        throw new FuzzFailure(`tx ${i} re-encodes differently`);
      }
      txs.push(raw);
    }
    if (!bytesEqual(encodeBlock(block.header, txs), payload)) {
      throw new FuzzFailure("block re-encodes differently");
    }
    if (payload.length <= MERKLE_CHECK_MAX_BYTES) checkMerkleRoot(sha256, block);
    return "ok:block";
  });
}

/** A transaction: the boundary scan and the full decoder agree; a decoded one re-encodes exactly. */
function checkTx(payload: Uint8Array, sha256: Sha256): string {
  const scan = kindOf(() => {
    const r = new ByteReader(payload, "tx");
    scanTx(r);
    r.end();
  });
  const full = kindOf(() => decodeTx(payload));
  if (scan !== full) throw new FuzzFailure(`scanTx says ${scan}, decodeTx says ${full}`);
  const tx = decodeTx(payload); // rethrows the DecodeError: the outcome
  must("checking a decoded tx", () => {
    if (!bytesEqual(encodeTx(tx), payload)) throw new FuzzFailure("tx re-encodes differently");
    computeTxid(sha256, payload);
  });
  return "ok:tx";
}

/** "ok", or the kind of the `DecodeError` `run` throws (anything else propagates). */
function kindOf(run: () => unknown): string {
  try {
    run();
    return "ok";
  } catch (e) {
    if (e instanceof DecodeError) return e.kind;
    throw e;
  }
}

/** What a `FrameDecoder` made of a stream. */
interface Decoded {
  /** Frames, checksum errors and the failure, in order, as text (for comparing runs). */
  readonly events: string[];
  readonly frames: Array<{ command: string; payload: Uint8Array }>;
  readonly checksums: number;
  readonly failure: DecodeError | null;
  /** Bytes held at the end. */
  readonly buffered: number;
}

/**
 * Pushes `chunks` through a fresh `FrameDecoder`, draining after each, and
 * checks as it goes: only frame-kind errors, valid frames, buffering within
 * what was pushed. `onFrame` sees each frame.
 */
function decodeStream(
  chunks: readonly Uint8Array[],
  sha256: Sha256,
  onFrame: (command: string, payload: Uint8Array) => void,
): Decoded {
  const decoder = new FrameDecoder(FUZZ_MAGIC, sha256);
  const events: string[] = [];
  const frames: Array<{ command: string; payload: Uint8Array }> = [];
  let failure: DecodeError | null = null;
  let checksums = 0;
  let pushed = 0;
  for (const chunk of chunks) {
    decoder.push(chunk);
    pushed += chunk.length;
    for (let drained = false; !drained && failure === null;) {
      let frame = null;
      try {
        frame = decoder.next();
      } catch (e) {
        if (!(e instanceof DecodeError) || !FRAME_KINDS.has(e.kind)) throw e;
        events.push(`${e.kind}: ${e.message}`);
        if (e.kind === "checksum") checksums++;
        else failure = e;
        continue;
      }
      if (frame === null) {
        drained = true;
        continue;
      }
      if (!isValidCommandName(frame.command)) {
        throw new FuzzFailure(`frame command ${JSON.stringify(frame.command)}`);
      }
      if (frame.payload.length > MAX_PAYLOAD) {
        throw new FuzzFailure(`frame payload ${frame.payload.length} bytes`);
      }
      events.push(`frame ${frame.command} ${frame.payload.length}`);
      frames.push(frame);
      onFrame(frame.command, frame.payload);
    }
    if (failure !== null) break;
    if (decoder.buffered > Math.min(pushed, HEADER_SIZE + MAX_PAYLOAD)) {
      throw new FuzzFailure(`decoder holds ${decoder.buffered} bytes after ${pushed} were pushed`);
    }
  }
  if (failure !== null) {
    const first = failure;
    must("pushing after a failure", () => decoder.push(Uint8Array.of(0)));
    let again: unknown = null;
    try {
      decoder.next();
    } catch (e) {
      again = e;
    }
    if (again !== first) {
      throw new FuzzFailure(`after a ${first.kind} error next() gave ${errorText(again)}`);
    }
  }
  return { events, frames, checksums, failure, buffered: decoder.buffered };
}

/**
 * Pushes a stream through a `FrameDecoder` and checks it: only frame-kind
 * errors, valid frames, a failure that stays, buffering within bounds, the
 * same frames and errors as the same bytes in one chunk, and a clean stream
 * giving back exactly its frames. Frame payloads are checked with
 * `checkPayload` (counted in `framePayloads`).
 */
function checkStream(
  input: StreamInput,
  sha256: Sha256,
  tally: Tally,
  framePayloads: Counts,
): string {
  const run = decodeStream(input.chunks, sha256, (command, payload) => {
    bump(framePayloads, checkPayload(command, payload, sha256, tally));
  });
  if (input.chunks.length > 1) {
    const whole = decodeStream([concat(input.chunks)], sha256, () => {});
    const a = run.events.join("\n");
    const b = whole.events.join("\n");
    // After a failure the bytes held do not matter (the stream is over).
    if (a !== b || (run.failure === null && run.buffered !== whole.buffered)) {
      throw new FuzzFailure(
        `chunking changed the result: ${a} (holding ${run.buffered}) vs ${b} in one chunk` +
          ` (holding ${whole.buffered})`,
      );
    }
  }
  const { failure, checksums, frames } = run;
  if (input.expected !== null) {
    if (failure !== null || checksums > 0) {
      throw new FuzzFailure(`clean stream failed: ${failure?.message ?? "checksum"}`);
    }
    if (run.buffered !== 0) throw new FuzzFailure(`clean stream left ${run.buffered} bytes`);
    if (frames.length !== input.expected.length) {
      throw new FuzzFailure(
        `clean stream gave ${frames.length} frames, expected ${input.expected.length}`,
      );
    }
    input.expected.forEach((want, i) => {
      if (frames[i].command !== want.command || !bytesEqual(frames[i].payload, want.payload)) {
        throw new FuzzFailure(`clean stream frame ${i} differs`);
      }
    });
  }
  if (failure !== null) return `stream:${failure.kind}`;
  if (checksums > 0) return "stream:checksum";
  return run.buffered > 0 ? "stream:incomplete" : "stream:ok";
}

// ---- findings ----

/** `Name: message` of an error, or the thrown value as text. */
function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** How a failure looks, for comparing minimised inputs (the first line, digits dropped). */
function signature(e: unknown): string {
  return errorText(e).split("\n")[0].replace(/\d+/g, "#");
}

/**
 * The smallest payload (by removing chunks, halving their size) that still
 * fails the way `payload` does under `fails` (which returns the signature or null).
 */
export function minimise(payload: Uint8Array, fails: (p: Uint8Array) => string | null): Uint8Array {
  const want = fails(payload);
  if (want === null) return payload;
  let best = payload;
  let steps = 0;
  for (let size = Math.max(1, best.length >> 1); size >= 1 && steps < MINIMISE_STEPS; size >>= 1) {
    for (let at = 0; at < best.length && steps < MINIMISE_STEPS; steps++) {
      const candidate = concat([best.subarray(0, at), best.subarray(at + size)]);
      if (fails(candidate) === want) best = candidate;
      else at += size;
    }
  }
  return best;
}

/** The minimised payload as hex, when the same command still fails that way on it. */
function minimisedPayload(command: string, payload: Uint8Array, sha256: Sha256): string {
  const fails = (p: Uint8Array): string | null => {
    try {
      checkPayload(command, p, sha256, { roundTrips: {}, unnamedErrors: 0 });
      return null;
    } catch (e) {
      return signature(e);
    }
  };
  return toHex(minimise(payload, fails));
}

/** The findings of a run, the first `MAX_FINDINGS` in full. */
class FindingLog {
  readonly findings: Finding[] = [];
  dropped = 0;

  add(finding: Finding): void {
    if (this.findings.length < MAX_FINDINGS) this.findings.push(finding);
    else this.dropped++;
  }
}

/** A finding about one input (`bytes`), with what went wrong. */
function inputFinding(
  stage: Finding["stage"],
  seed: number,
  index: number,
  strategy: string,
  bytes: Uint8Array,
  error: unknown,
  extra: { command?: string; minimisedHex?: string } = {},
): Finding {
  return {
    stage,
    strategy,
    seed,
    index,
    inputLength: bytes.length,
    inputHex: toHex(bytes.subarray(0, FINDING_HEX_CHARS / 2)),
    error: errorText(error),
    stack: error instanceof Error ? error.stack : undefined,
    ...extra,
  };
}

// ---- heap ----

/** Min, max, first and last heapUsed, where the runtime reports memory. */
class HeapSampler {
  #figures: HeapFigures | null = null;

  sample(): void {
    const m = platform.memory?.();
    if (m === undefined) return;
    const h = m.heapUsed;
    const f = this.#figures;
    this.#figures = f === null ? { samples: 1, min: h, max: h, first: h, last: h } : {
      samples: f.samples + 1,
      min: Math.min(f.min, h),
      max: Math.max(f.max, h),
      first: f.first,
      last: h,
    };
  }

  get figures(): HeapFigures | null {
    return this.#figures;
  }
}

// ---- process-level traps ----

/**
 * Uncaught exceptions and unhandled rejections seen while a trap is
 * installed, each with the input that was being processed when it was
 * reported: within `YIELD_EVERY` inputs after the culprit in the peer stage,
 * the last input of the synchronous decoder stage.
 */
class CrashTrap {
  readonly seen: Array<
    { error: unknown; stage: Finding["stage"]; index: number; strategy: string }
  > = [];
  /** The stage, index and strategy of the input being processed. */
  stage: Finding["stage"] = "process";
  index = -1;
  strategy = "";
  readonly #dispose: Array<() => void> = [];

  install(): void {
    const record = (reason: unknown) => {
      if (this.seen.some((s) => s.error === reason)) return;
      this.seen.push({
        error: reason,
        stage: this.stage,
        index: this.index,
        strategy: this.strategy,
      });
    };
    const onRejection = (reason: unknown) => record(reason);
    const onException = (error: unknown) => record(error);
    process.on("unhandledRejection", onRejection);
    process.on("uncaughtException", onException);
    this.#dispose.push(() => {
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    });
    // Deno reports to these events instead of (or as well as) node:process.
    const g = globalThis as unknown as {
      addEventListener?: (type: string, listener: (event: Event) => void) => void;
      removeEventListener?: (type: string, listener: (event: Event) => void) => void;
    };
    if (typeof g.addEventListener === "function" && typeof g.removeEventListener === "function") {
      const onEvent = (event: Event) => {
        const e = event as Event & { reason?: unknown; error?: unknown };
        record(event.type === "error" ? e.error : e.reason);
        event.preventDefault();
      };
      g.addEventListener("unhandledrejection", onEvent);
      g.addEventListener("error", onEvent);
      this.#dispose.push(() => {
        g.removeEventListener?.("unhandledrejection", onEvent);
        g.removeEventListener?.("error", onEvent);
      });
    }
  }

  dispose(): void {
    for (const d of this.#dispose.splice(0)) d();
  }
}

// ---- decoder stage ----

/** Runs the decoder stage; findings go to `log`. */
function runDecoderStage(
  corpus: Corpus,
  sha256: Sha256,
  options: FuzzOptions,
  log: FindingLog,
  heap: HeapSampler,
  trap: CrashTrap,
): DecoderReport {
  const report: DecoderReport = {
    inputs: 0,
    ms: 0,
    outcomes: {},
    framePayloads: {},
    strategies: {},
    roundTrips: {},
    unnamedErrors: 0,
    bytes: 0,
    slowest: { ms: 0, index: -1, strategy: "", bytes: 0, outcome: "" },
  };
  const heapEvery = options.heapEvery ?? 10_000;
  const start = performance.now();
  const deadline = start + options.decoderTimeMs;
  for (let i = 0; i < options.decoderInputs; i++) {
    if ((i & 255) === 0 && performance.now() > deadline) break;
    if (i % heapEvery === 0) heap.sample();
    if (i > 0 && i % DECODER_PROGRESS_EVERY === 0) {
      options.progress?.(`decoder: ${i} inputs, ${Math.round(performance.now() - start)} ms`);
    }
    const input = generateInput(corpus, sha256, options.seed, i);
    trap.stage = input.type;
    trap.index = i;
    trap.strategy = input.strategy;
    report.inputs++;
    bump(report.strategies, input.strategy);
    const size = input.type === "payload"
      ? input.payload.length
      : input.chunks.reduce((n, c) => n + c.length, 0);
    report.bytes += size;
    const began = performance.now();
    try {
      const outcome = input.type === "payload"
        ? checkPayload(input.command, input.payload, sha256, report)
        : checkStream(input, sha256, report, report.framePayloads);
      bump(report.outcomes, outcome);
      const ms = performance.now() - began;
      if (ms > report.slowest.ms) {
        report.slowest = { ms, index: i, strategy: input.strategy, bytes: size, outcome };
      }
    } catch (error) {
      const bytes = inputBytes(input);
      bump(report.outcomes, "FINDING");
      const command = input.type === "payload" ? input.command : undefined;
      log.add(
        inputFinding(input.type, options.seed, i, input.strategy, bytes, error, {
          command,
          minimisedHex: input.type === "payload"
            ? minimisedPayload(input.command, input.payload, sha256)
            : undefined,
        }),
      );
    }
  }
  heap.sample();
  report.ms = performance.now() - start;
  return report;
}

function inputBytes(input: FuzzInput): Uint8Array {
  return input.type === "payload" ? input.payload : concat(input.chunks);
}

// ---- peer stage ----

/** What a session's peer did so far. */
interface SessionCounts {
  delivered: number;
  disconnected: string | null;
}

/** One peer under test with its scripted remote. */
interface Session {
  readonly peer: Peer;
  readonly remote: ScriptedPeer;
  readonly counts: SessionCounts;
  /** Resolves on "ready" or on "disconnected", whichever comes first. */
  readonly settled: Promise<void>;
}

/** Expected disconnect reasons by class; anything else (e.g. "receive failed: ...") is a finding. */
const EXPECTED_DISCONNECTS: ReadonlyArray<readonly [string, RegExp]> = [
  ["banned", /^banned: /],
  ["malformed", /^malformed /],
  ["late-feature", /^(wtxidrelay|sendaddrv2) after verack$/],
  ["version-refused", /^(connected to ourselves|protocol version .* below|services .* lack)/],
];

/** Warnings a peer logs in normal operation (persistent sessions). */
const EXPECTED_WARNINGS = new Set([
  "persistent peer misbehaving; not banned",
  "persistent peer failed",
]);

function disconnectClass(reason: string): string | null {
  for (const [name, re] of EXPECTED_DISCONNECTS) if (re.test(reason)) return name;
  return null;
}

/** A fresh inbound peer on a memory pipe with a scripted remote; the handshake is not done. */
function openSession(seed: number, index: number, logs: LogRecord[]): Session {
  const rng = inputRandom(seed ^ 0x5e55, index);
  const options: PeerOptions = peerOptions({
    random: seededRandom(seed ^ index),
    banThreshold: chance(rng, 0.2) ? undefined : NO_BAN,
    persistent: chance(rng, 0.05),
    logger: createLogger({ sink: (r) => logs.push(r), level: "warn" }).child("peer"),
  });
  const { client, server } = memoryPipe(
    chance(rng, 0.2) ? { readChunkBytes: pick(rng, [64, 997, 4096]) } : {},
  );
  const peer = newInboundPeer(server, options);
  const counts: SessionCounts = { delivered: 0, disconnected: null };
  const settled = new Promise<void>((resolve) => {
    peer.on("ready", () => resolve());
    peer.on("disconnected", (reason) => {
      counts.disconnected ??= reason;
      resolve();
    });
  });
  peer.on("message", () => counts.delivered++);
  const remote = new ScriptedPeer(client);
  peer.start();
  return { peer, remote, counts, settled };
}

/** Sends every chunk; a write refused because the peer closed the connection ends quietly. */
async function sendChunks(s: Session, chunks: readonly Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    try {
      await s.remote.sendRaw(chunk);
    } catch (e) {
      if (s.counts.disconnected === null) throw e;
      return;
    }
  }
}

/** Reads the peer's messages until `done` holds for one (false) or the stream ends (true). */
async function readUntil(s: Session, done: (m: Message) => boolean): Promise<boolean> {
  for (;;) {
    const msg = await s.remote.next(PROBE_WAIT_MS);
    if (msg === null) return true;
    if (done(msg)) return false;
  }
}

/** The observable state of a session's peer. */
interface Snapshot {
  score: number;
  ignored: number;
  delivered: number;
  received: number;
}

function snapshot(s: Session): Snapshot {
  const stats = s.peer.stats();
  return {
    score: stats.banScore,
    ignored: stats.ignoredMessages,
    delivered: s.counts.delivered,
    received: stats.received.messages,
  };
}

/** The class of the disconnect that ended `s` (a finding when unexpected). */
async function disconnectOutcome(s: Session): Promise<string> {
  await s.peer.closed;
  const reason = s.counts.disconnected;
  if (reason === null) throw new FuzzFailure("the stream ended without a disconnected event");
  const cls = disconnectClass(reason);
  if (cls === null) throw new FuzzFailure(`unexpected disconnect: ${reason}`);
  return cls;
}

/**
 * The handshake, with the standard remote `version` or (for `input`) a
 * fuzzed one, which the peer must refuse (disconnect) or accept. Returns
 * "ready" or "disconnect:<class>".
 */
async function handshake(s: Session, input: PeerInput | null, sha256: Sha256): Promise<string> {
  const first = input?.chunks ?? [encodeMessageFrame(FUZZ_MAGIC, remoteVersion(), sha256)];
  await sendChunks(s, first);
  let sawVersion = false;
  const ended = await readUntil(s, (m) => {
    sawVersion ||= m.command === "version";
    return m.command === "verack";
  });
  if (ended) return `disconnect:${await disconnectOutcome(s)}`;
  if (!sawVersion) throw new FuzzFailure("the peer sent verack before its version");
  await sendChunks(s, [encodeMessageFrame(FUZZ_MAGIC, { command: "verack" }, sha256)]);
  await s.settled;
  return s.counts.disconnected === null ? "ready" : `disconnect:${await disconnectOutcome(s)}`;
}

/**
 * Sends one input to a ready peer and waits until it has been dealt with:
 * for whole frames, until the peer answers the `ping` probe sent after them;
 * for a stream-killing header, until the connection ends. Returns the most
 * serious outcome: "disconnect:<class>", "misbehaviour", "ignored",
 * "delivered" or "handled" (answered or noted by the peer itself).
 */
async function feed(s: Session, input: PeerInput, probe: bigint, sha256: Sha256): Promise<string> {
  const before = snapshot(s);
  await sendChunks(s, input.chunks);
  let ended: boolean;
  if (input.kind === "kill") {
    ended = await readUntil(s, () => false);
  } else {
    await sendChunks(s, [
      encodeMessageFrame(FUZZ_MAGIC, { command: "ping", nonce: probe }, sha256),
    ]);
    ended = await readUntil(s, (m) => m.command === "pong" && m.nonce === probe);
  }
  if (ended) return `disconnect:${await disconnectOutcome(s)}`;
  const after = snapshot(s);
  if (after.score > before.score) return "misbehaviour";
  if (after.ignored > before.ignored) return "ignored";
  if (after.delivered > before.delivered) return "delivered";
  // The probe itself is one received message.
  if (after.received > before.received + 1) return "handled";
  throw new FuzzFailure("the input left no trace: nothing received, scored, ignored or delivered");
}

/** Runs the peer stage; findings go to `log`. */
async function runPeerStage(
  corpus: Corpus,
  sha256: Sha256,
  options: FuzzOptions,
  log: FindingLog,
  heap: HeapSampler,
  trap: CrashTrap,
): Promise<PeerReport> {
  const report: PeerReport = {
    inputs: 0,
    ms: 0,
    sessions: 0,
    outcomes: {},
    disconnects: {},
    strategies: {},
  };
  const logs: LogRecord[] = [];
  const heapEvery = Math.max(1, Math.floor((options.heapEvery ?? 10_000) / 10));
  const start = performance.now();
  const deadline = start + options.peerTimeMs;
  const record = (outcome: string) => {
    const [head, cls] = outcome.split(":");
    bump(report.outcomes, head);
    if (cls !== undefined) bump(report.disconnects, cls);
  };
  const noteLogs = (index: number, strategy: string) => {
    for (const r of logs.splice(0)) {
      if (r.level === "warn" && EXPECTED_WARNINGS.has(r.message)) continue;
      log.add(
        inputFinding(
          "peer",
          options.seed,
          index,
          strategy,
          new Uint8Array(0),
          `${r.level} log: ${r.message} ${
            JSON.stringify(r.fields, (_, v) => typeof v === "bigint" ? v.toString() : v)
          }`,
        ),
      );
    }
  };
  let index = 0;
  while (index < options.peerInputs && performance.now() < deadline) {
    const session = report.sessions++;
    const s = openSession(options.seed, session, logs);
    const rng = inputRandom(options.seed ^ 0x5e56, session);
    const fuzzVersion = session > 0 && chance(rng, 0.15);
    const versionInput = fuzzVersion
      ? generateVersionInput(corpus, sha256, options.seed, index)
      : null;
    const handshakeIndex = index;
    trap.stage = "peer";
    trap.index = handshakeIndex;
    trap.strategy = versionInput?.strategy ?? "handshake";
    if (versionInput !== null) {
      index++;
      report.inputs++;
      bump(report.strategies, versionInput.strategy);
    }
    let state: string;
    try {
      state = await handshake(s, versionInput, sha256);
    } catch (error) {
      state = "failed";
      log.add(
        inputFinding(
          "peer",
          options.seed,
          handshakeIndex,
          versionInput?.strategy ?? "handshake",
          concat(versionInput?.chunks ?? []),
          error,
        ),
      );
    }
    if (versionInput !== null && state !== "failed") {
      record(state === "ready" ? "handshake" : state);
    }
    noteLogs(handshakeIndex, "handshake");
    const max = 1 + rng.int(SESSION_MAX_INPUTS);
    for (let n = 0; state === "ready" && n < max && index < options.peerInputs; n++) {
      if (index % YIELD_EVERY === 0) {
        // A macrotask turn: lets the runtime report unhandled rejections near their input.
        await new Promise((r) => setTimeout(r, 0));
        if (performance.now() > deadline) break;
      }
      const i = index++;
      if (i % heapEvery === 0) heap.sample();
      if (i > 0 && i % PEER_PROGRESS_EVERY === 0) {
        const ms = Math.round(performance.now() - start);
        options.progress?.(`peer: ${i} inputs, ${report.sessions} sessions, ${ms} ms`);
      }
      const input = generatePeerInput(corpus, sha256, options.seed, i);
      trap.stage = "peer";
      trap.index = i;
      trap.strategy = input.strategy;
      report.inputs++;
      bump(report.strategies, input.strategy);
      try {
        const outcome = await feed(s, input, PROBE_NONCE_BASE + BigInt(i), sha256);
        record(outcome);
        if (outcome.startsWith("disconnect")) state = "closed";
      } catch (error) {
        state = "failed";
        log.add(inputFinding("peer", options.seed, i, input.strategy, concat(input.chunks), error));
      }
      noteLogs(i, input.strategy);
    }
    await s.peer.disconnect("fuzz session over");
  }
  heap.sample();
  report.ms = performance.now() - start;
  return report;
}

// ---- the run ----

/** Loads the corpus and runs both stages with uncaught errors trapped. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const sha256 = platform.sha256;
  const corpus = loadCorpus(options.big);
  const log = new FindingLog();
  const heap = new HeapSampler();
  const trap = new CrashTrap();
  trap.install();
  let decoder: DecoderReport;
  let peer: PeerReport;
  try {
    decoder = runDecoderStage(corpus, sha256, options, log, heap, trap);
    peer = await runPeerStage(corpus, sha256, options, log, heap, trap);
    // Let late rejections (of closed connections) surface before the trap goes.
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    trap.dispose();
  }
  for (const s of trap.seen) {
    const strategy = `uncaught (${s.stage} input ${s.index}, ${s.strategy})`;
    log.add(inputFinding("process", options.seed, s.index, strategy, new Uint8Array(0), s.error));
  }
  return {
    seed: options.seed,
    decoder,
    peer,
    heap: heap.figures,
    findings: log.findings,
    droppedFindings: log.dropped,
  };
}
