/**
 * The v2 stage of the fuzzer: byte streams to a BIP324 responder
 * (`V2Transport`), as the v1 stage feeds `FrameDecoder`. Input `i` of a run
 * with seed `s` replays from (s, i) alone. Each input is a real v2 session
 * from a hand-driven remote (`tests/support/v2_remote.ts`): its key, 0–4095
 * bytes of garbage, terminator, version packet, decoys and messages (real
 * payloads from the corpus, short and long types), then mangled by one
 * strategy: bit flips, truncation, spliced bytes, too much garbage, no
 * terminator, unknown or malformed types, a length past the bound, random
 * bytes, or a v1 stream (which the responder must serve as v1). Cut into
 * random chunks.
 *
 * The oracles: `receive` never throws; at most one malformed report, fatal,
 * of kind bound, invalid or magic, and no frame after it; every frame
 * reported is the one sent at its place (the AEAD lets nothing altered
 * through), with a payload within MAX_PAYLOAD; a clean stream yields every
 * frame. No `bun:test` import: bench/fuzz.ts runs it too.
 */
import type { Sha256 } from "../../src/platform/hash.ts";
import type { Random } from "../../src/platform/random.ts";
import { MAX_CONTENTS_LEN } from "../../src/transport/bip324_cipher.ts";
import { MAX_PAYLOAD, type TransportOwner } from "../../src/transport/transport.ts";
import { encodeFrame } from "../../src/transport/v1_framing.ts";
import { MAX_GARBAGE_LEN, V2Transport } from "../../src/transport/v2_transport.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { concat } from "../support/bytes.ts";
import { V2Remote } from "../support/v2_remote.ts";
import { CHOSEN_AEAD, CHOSEN_CURVE } from "../transport/bip324_ports.ts";
import { type Corpus, FUZZ_MAGIC, inputRandom } from "./fuzz_cases.ts";

/** Messages in one session, at most. */
const MAX_MESSAGES = 6;
/** Largest corpus payload put in a session (bigger ones are cut, keeping sessions fast). */
const MAX_SESSION_PAYLOAD = 64 * 1024;
/** The strategies, each as likely as the others. */
const STRATEGIES = [
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
] as const;
/** Malformed kinds the transport may report. */
const ALLOWED_KINDS = new Set(["bound", "invalid", "magic"]);

/** One v2 input: the chunks and the frames the stream carries at their places. */
export interface V2Input {
  readonly strategy: (typeof STRATEGIES)[number];
  readonly chunks: readonly Uint8Array[];
  /** The frames sent, in order: whatever is reported must be a prefix of these. */
  readonly sent: ReadonlyArray<{ command: string; payload: Uint8Array }>;
  /** True when the stream is intact: every sent frame must come out. */
  readonly clean: boolean;
}

/** What one run of the stage did. */
export interface V2FuzzReport {
  inputs: number;
  ms: number;
  /** "ok", "incomplete" (no error, stream cut short), "v1", "fatal:<kind>". */
  outcomes: Record<string, number>;
  strategies: Record<string, number>;
  /** Inputs that broke an oracle: (index, strategy, what). */
  findings: Array<{ index: number; strategy: string; error: string }>;
}

/** A payload of the corpus, cut to `MAX_SESSION_PAYLOAD`. */
function corpusMessage(corpus: Corpus, r: Random): { command: string; payload: Uint8Array } {
  const m = corpus.messages[r.int(corpus.messages.length)];
  return { command: m.command, payload: m.payload.subarray(0, MAX_SESSION_PAYLOAD) };
}

/** Input `index` of a run seeded with `seed`. */
export function generateV2Input(
  corpus: Corpus,
  sha256: Sha256,
  seed: number,
  index: number,
): V2Input {
  const r = inputRandom(seed ^ 0x0b1b_0324, index);
  const strategy = STRATEGIES[r.int(STRATEGIES.length)];
  const sent: Array<{ command: string; payload: Uint8Array }> = [];
  const n = 1 + r.int(MAX_MESSAGES);
  for (let i = 0; i < n; i++) sent.push(corpusMessage(corpus, r));
  if (strategy === "v1") {
    // A v1 peer's first message is its version: that is how the responder tells it.
    sent.unshift({ command: "version", payload: r.bytes(r.int(200)) });
    const stream = concat(sent.map((m) => encodeFrame(FUZZ_MAGIC, m.command, m.payload, sha256)));
    return { strategy, chunks: chop(stream, r), sent, clean: true };
  }
  if (strategy === "random") {
    return { strategy, chunks: chop(r.bytes(r.int(8192)), r), sent: [], clean: false };
  }
  const garbageLength = strategy === "garbage-long"
    ? MAX_GARBAGE_LEN + 1 + r.int(2000)
    : r.int(MAX_GARBAGE_LEN + 1);
  const remote = new V2Remote({
    initiator: true,
    magic: FUZZ_MAGIC,
    random: r,
    garbage: r.bytes(garbageLength),
    aead: CHOSEN_AEAD,
    curve: CHOSEN_CURVE,
  });
  // The responder's key is drawn from its own source, which the harness makes from the same seed.
  const responder = responderRandom(seed, index);
  remote.establish(peekKey(responder, sha256));
  const parts: Uint8Array[] = [remote.hello()];
  if (strategy === "no-terminator") {
    parts.push(r.bytes(r.int(2 * MAX_GARBAGE_LEN)));
    return { strategy, chunks: chop(concat(parts), r), sent: [], clean: false };
  }
  parts.push(remote.terminator());
  // The first packet after the terminator takes the garbage as associated data: a decoy or the version packet.
  const decoyFirst = r.int(3) === 0;
  if (decoyFirst) parts.push(remote.packet(r.bytes(r.int(100)), remote.garbage, true));
  // The version packet; its contents are ignored.
  parts.push(remote.packet(r.bytes(r.int(3)), decoyFirst ? new Uint8Array(0) : remote.garbage));
  for (const m of sent) {
    if (r.int(4) === 0) parts.push(remote.packet(r.bytes(r.int(50)), new Uint8Array(0), true));
    parts.push(remote.message(m.command, m.payload));
  }
  const stream = concat(parts);
  let out = stream;
  let clean = false;
  switch (strategy) {
    case "clean":
      clean = true;
      break;
    case "flip": {
      for (let k = 1 + r.int(3); k > 0; k--) {
        const at = r.int(out.length);
        out[at] ^= 1 << r.int(8);
      }
      break;
    }
    case "truncate":
      out = out.subarray(0, r.int(out.length));
      break;
    case "splice": {
      const at = 64 + r.int(out.length - 64);
      out = concat([out.subarray(0, at), r.bytes(1 + r.int(40)), out.subarray(at)]);
      break;
    }
    case "garbage-long":
      break; // the garbage itself is too long
    case "bad-type": {
      const types = [
        Uint8Array.of(29 + r.int(8)),
        Uint8Array.of(38 + r.int(218)),
        Uint8Array.of(0, 0x7f, 0x01), // a long type cut short, non-printable
        concat([Uint8Array.of(0), new TextEncoder().encode("ab\0c"), new Uint8Array(8)]),
      ];
      const type = r.int(types.length + 1);
      // The last choice: empty contents, no type at all.
      const contents = type === types.length
        ? new Uint8Array(0)
        : concat([types[type], r.bytes(r.int(20))]);
      out = concat([stream, remote.packet(contents)]);
      break;
    }
    case "big-length":
      out = concat([
        stream,
        remote.packet(new Uint8Array(MAX_CONTENTS_LEN + 1 + r.int(1000))).subarray(
          0,
          3 + r.int(100),
        ),
      ]);
      break;
  }
  return { strategy, chunks: chop(out, r), sent, clean };
}

/** The responder's random source for input `index`. */
function responderRandom(seed: number, index: number): () => Random {
  return () => inputRandom(seed ^ 0x7e5b_0324, index);
}

/** The key a responder made from `random` sends first (a throwaway responder tells). */
function peekKey(random: () => Random, sha256: Sha256): Uint8Array {
  let key = new Uint8Array(0);
  const t = new V2Transport(
    { magic: FUZZ_MAGIC, sha256, initiator: false, random: random(), curve: CHOSEN_CURVE },
    {
      open() {},
      frame() {},
      malformed() {},
      write: (chunks) => {
        if (key.length === 0) key = chunks[0].slice();
      },
    },
    new AbortController().signal,
  );
  t.receive(Uint8Array.of(0)); // not v1: it answers with its key
  return key;
}

/** `bytes` in random chunks (1 byte to all of it). */
function chop(bytes: Uint8Array, r: Random): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const max = [1, 7, 64, 1500, bytes.length + 1][r.int(5)];
  for (let at = 0; at < bytes.length;) {
    const n = 1 + r.int(max);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

/** Feeds input `index` to a fresh responder and checks the oracles: its outcome, or throws. */
export function checkV2Input(input: V2Input, sha256: Sha256, seed: number, index: number): string {
  const frames: Array<{ command: string; payload: Uint8Array }> = [];
  const malformed: Array<{ kind: string; fatal: boolean; afterFrames: number }> = [];
  const owner: TransportOwner = {
    open() {},
    frame: (command, payload) => {
      if (malformed.length > 0) throw new Error(`frame ${command} after a fatal report`);
      if (payload.length > MAX_PAYLOAD) throw new Error(`frame of ${payload.length} bytes`);
      frames.push({ command, payload: payload.slice() });
    },
    malformed: (error, fatal) =>
      malformed.push({ kind: error.kind, fatal, afterFrames: frames.length }),
    write() {},
  };
  const transport = new V2Transport(
    {
      magic: FUZZ_MAGIC,
      sha256,
      initiator: false,
      random: responderRandom(seed, index)(),
      aead: CHOSEN_AEAD,
      curve: CHOSEN_CURVE,
    },
    owner,
    new AbortController().signal,
  );
  for (const chunk of input.chunks) transport.receive(chunk);
  if (malformed.length > 1) throw new Error(`${malformed.length} malformed reports`);
  const bad = malformed[0];
  if (bad !== undefined && (!bad.fatal || !ALLOWED_KINDS.has(bad.kind))) {
    throw new Error(`malformed report ${JSON.stringify(bad)}`);
  }
  if (frames.length > input.sent.length) {
    throw new Error(`${frames.length} frames from ${input.sent.length} sent`);
  }
  frames.forEach((f, i) => {
    const want = input.sent[i];
    if (f.command !== want.command || toHex(f.payload) !== toHex(want.payload)) {
      throw new Error(`frame ${i} is ${f.command}, not the ${want.command} sent there`);
    }
  });
  if (input.clean && (bad !== undefined || frames.length !== input.sent.length)) {
    throw new Error(`clean stream: ${frames.length} of ${input.sent.length} frames, ${bad?.kind}`);
  }
  if (bad !== undefined) return `fatal:${bad.kind}`;
  if (transport.info().protocol === "v1") return "v1";
  return frames.length === input.sent.length ? "ok" : "incomplete";
}

/** Runs `inputs` v2 inputs (or until `timeMs`), never throwing: broken oracles are findings. */
export function runV2Fuzz(
  corpus: Corpus,
  sha256: Sha256,
  options: { seed: number; inputs: number; timeMs: number },
): V2FuzzReport {
  const report: V2FuzzReport = { inputs: 0, ms: 0, outcomes: {}, strategies: {}, findings: [] };
  const start = performance.now();
  for (let i = 0; i < options.inputs && performance.now() - start < options.timeMs; i++) {
    let strategy = "?";
    try {
      const input = generateV2Input(corpus, sha256, options.seed, i);
      strategy = input.strategy;
      const outcome = checkV2Input(input, sha256, options.seed, i);
      report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      report.findings.push({ index: i, strategy, error: String(error) });
    }
    report.strategies[strategy] = (report.strategies[strategy] ?? 0) + 1;
    report.inputs++;
  }
  report.ms = performance.now() - start;
  return report;
}
