/**
 * Transactions, legacy and segwit (BIP144): a fast boundary scan for blocks
 * (offsets only, no objects), a full decode into inputs and outputs (views
 * into the input), the encoder, and txid / wtxid.
 *
 * Serialization: version (i32) | [marker 0x00, flags] | inputs | outputs |
 * [one witness stack per input, when flags bit 0 is set] | lockTime (u32).
 * The txid hashes the serialization without marker, flags and witnesses; the
 * wtxid hashes all of it (for a tx without witness the two are equal).
 */
import type { Sha256 } from "../platform/hash.ts";
import { ByteReader, ByteWriter } from "./bytes.ts";
import { DecodeError } from "./errors.ts";
import { sha256d } from "./hash.ts";

/** Smallest serialized input: outpoint 36 + script length 1 + sequence 4. */
export const MIN_TX_INPUT_SIZE = 41;
/** Smallest serialized output: value 8 + script length 1. */
export const MIN_TX_OUTPUT_SIZE = 9;
/** Smallest witness stack item: its length byte. */
const MIN_WITNESS_ITEM_SIZE = 1;
/** Bytes that marker and flags add to a segwit serialization. */
const SEGWIT_MARKER_SIZE = 2;
/** Flags bit meaning "witness stacks follow the outputs" (BIP144). */
const FLAG_WITNESS = 1;

/** One transaction input. Byte fields are views into the decoded buffer. */
export interface TxIn {
  /** Txid of the spent output's transaction, wire order. */
  prevTxid: Uint8Array;
  /** Index of the spent output. */
  prevIndex: number;
  /** scriptSig. */
  script: Uint8Array;
  /** nSequence (u32). */
  sequence: number;
  /** Witness stack items (empty when the input has no witness). */
  witness: Uint8Array[];
}

/** One transaction output. */
export interface TxOut {
  /** Amount in satoshis (signed 64-bit on the wire). */
  value: bigint;
  /** scriptPubKey (a view). */
  script: Uint8Array;
}

/** A decoded transaction. */
export interface Tx {
  /** Version (signed). */
  version: number;
  inputs: TxIn[];
  outputs: TxOut[];
  /** nLockTime (u32). */
  lockTime: number;
}

/**
 * Reads a count of items that take at least `minSize` bytes each, refusing
 * counts that cannot fit in what is left (so nothing is sized from a lie).
 */
function itemCount(r: ByteReader, minSize: number, what: string): number {
  return r.count(Math.floor(r.remaining / minSize), what);
}

function skipInputs(r: ByteReader, count: number): void {
  for (let i = 0; i < count; i++) {
    r.skip(36);
    r.skip(r.varint());
    r.skip(4);
  }
}

function skipOutputs(r: ByteReader): void {
  const count = itemCount(r, MIN_TX_OUTPUT_SIZE, "outputs");
  for (let i = 0; i < count; i++) {
    r.skip(8);
    r.skip(r.varint());
  }
}

function unknownFlags(flags: number): DecodeError {
  return new DecodeError(
    "invalid",
    `unknown transaction optional data (flags 0x${flags.toString(16)}); only 0x01 is defined`,
    { command: "tx" },
  );
}

function superfluousWitness(): DecodeError {
  return new DecodeError(
    "invalid",
    "superfluous witness record: segwit flag set but every witness stack is empty",
    { command: "tx" },
  );
}

/**
 * Walks one transaction from `r.pos` to its end without building anything,
 * checking every length against the input. Returns the offset where the
 * witness section starts, or 0 when the transaction has no witness; the
 * transaction ends at `r.pos` on return.
 */
export function scanTx(r: ByteReader): number {
  r.skip(4);
  let inputs = itemCount(r, MIN_TX_INPUT_SIZE, "inputs");
  let flags = 0;
  if (inputs === 0) {
    // Zero inputs means a segwit marker; the next byte is the flags. Flags 0
    // reads as an empty output list, as Core does.
    flags = r.u8();
    if (flags !== 0) {
      inputs = itemCount(r, MIN_TX_INPUT_SIZE, "inputs");
      skipInputs(r, inputs);
      skipOutputs(r);
    }
  } else {
    skipInputs(r, inputs);
    skipOutputs(r);
  }
  let witness = 0;
  if ((flags & FLAG_WITNESS) !== 0) {
    witness = r.pos;
    let any = false;
    for (let i = 0; i < inputs; i++) {
      const items = itemCount(r, MIN_WITNESS_ITEM_SIZE, "witness items");
      if (items !== 0) any = true;
      for (let j = 0; j < items; j++) r.skip(r.varint());
    }
    if (!any) throw superfluousWitness();
    flags ^= FLAG_WITNESS;
  }
  if (flags !== 0) throw unknownFlags(flags);
  r.skip(4);
  return witness;
}

/**
 * Size of the non-witness serialization of the transaction spanning
 * `[start, end)` whose witness section starts at `witness` (0 = none).
 */
export function strippedTxSize(start: number, witness: number, end: number): number {
  return witness === 0 ? end - start : witness - start - SEGWIT_MARKER_SIZE + 4;
}

/**
 * Copies the non-witness serialization of the segwit transaction
 * `bytes[start, end)` (witness section at `witness`) to the front of `out`
 * and returns its length. `out` must hold `strippedTxSize(...)` bytes.
 */
export function stripWitness(
  bytes: Uint8Array,
  start: number,
  witness: number,
  end: number,
  out: Uint8Array,
): number {
  out[0] = bytes[start];
  out[1] = bytes[start + 1];
  out[2] = bytes[start + 2];
  out[3] = bytes[start + 3];
  const body = start + 4 + SEGWIT_MARKER_SIZE;
  out.set(bytes.subarray(body, witness), 4);
  const at = 4 + witness - body;
  out[at] = bytes[end - 4];
  out[at + 1] = bytes[end - 3];
  out[at + 2] = bytes[end - 2];
  out[at + 3] = bytes[end - 1];
  return at + 4;
}

/**
 * Writes to `ranges[at, at + 6)` the three byte ranges (start, end pairs) of
 * `bytes` whose concatenation is the non-witness serialization of the
 * transaction `bytes[start, end)` (witness section at `witness`, 0 for none):
 * version, inputs and outputs, lock time; or all of it and two empty ranges.
 * The message layout of `sha256dRanges`, so txids need no stripped copy.
 */
export function txidRanges(
  ranges: Uint32Array,
  at: number,
  start: number,
  witness: number,
  end: number,
): void {
  if (witness === 0) {
    ranges[at] = start;
    ranges[at + 1] = end;
    ranges[at + 2] =
      ranges[at + 3] =
      ranges[at + 4] =
      ranges[at + 5] =
        0;
    return;
  }
  ranges[at] = start;
  ranges[at + 1] = start + 4;
  ranges[at + 2] = start + 4 + SEGWIT_MARKER_SIZE;
  ranges[at + 3] = witness;
  ranges[at + 4] = end - 4;
  ranges[at + 5] = end;
}

/** Reads one transaction (legacy or segwit) from `r` into objects. */
export function readTx(r: ByteReader): Tx {
  const version = r.i32le();
  let inputCount = itemCount(r, MIN_TX_INPUT_SIZE, "inputs");
  let flags = 0;
  let inputs: TxIn[] = [];
  let outputs: TxOut[] = [];
  if (inputCount === 0) {
    flags = r.u8();
    if (flags !== 0) {
      inputCount = itemCount(r, MIN_TX_INPUT_SIZE, "inputs");
      inputs = readInputs(r, inputCount);
      outputs = readOutputs(r);
    }
  } else {
    inputs = readInputs(r, inputCount);
    outputs = readOutputs(r);
  }
  if ((flags & FLAG_WITNESS) !== 0) {
    let any = false;
    for (const input of inputs) {
      const items = itemCount(r, MIN_WITNESS_ITEM_SIZE, "witness items");
      for (let j = 0; j < items; j++) input.witness.push(r.bytes(r.varint()));
      if (items !== 0) any = true;
    }
    if (!any) throw superfluousWitness();
    flags ^= FLAG_WITNESS;
  }
  if (flags !== 0) throw unknownFlags(flags);
  const lockTime = r.u32le();
  return { version, inputs, outputs, lockTime };
}

function readInputs(r: ByteReader, count: number): TxIn[] {
  const inputs: TxIn[] = [];
  for (let i = 0; i < count; i++) {
    const prevTxid = r.bytes(32);
    const prevIndex = r.u32le();
    const script = r.bytes(r.varint());
    const sequence = r.u32le();
    inputs.push({ prevTxid, prevIndex, script, sequence, witness: [] });
  }
  return inputs;
}

function readOutputs(r: ByteReader): TxOut[] {
  const count = itemCount(r, MIN_TX_OUTPUT_SIZE, "outputs");
  const outputs: TxOut[] = [];
  for (let i = 0; i < count; i++) {
    const value = r.i64le();
    outputs.push({ value, script: r.bytes(r.varint()) });
  }
  return outputs;
}

/** Decodes exactly one serialized transaction (`DecodeError` on any excess). */
export function decodeTx(bytes: Uint8Array): Tx {
  const r = new ByteReader(bytes, "tx");
  const tx = readTx(r);
  r.end();
  return tx;
}

/** True when some input carries a witness stack. */
export function txHasWitness(tx: Tx): boolean {
  return tx.inputs.some((input) => input.witness.length > 0);
}

/**
 * Appends `tx` to `w`: with marker, flags and witnesses when `withWitness` and
 * the transaction has any, otherwise the legacy (txid) serialization.
 */
export function writeTx(w: ByteWriter, tx: Tx, withWitness = true): void {
  const segwit = withWitness && txHasWitness(tx);
  w.i32le(tx.version);
  if (segwit) w.u8(0).u8(FLAG_WITNESS);
  w.varint(tx.inputs.length);
  for (const input of tx.inputs) {
    w.bytes(input.prevTxid).u32le(input.prevIndex).varBytes(input.script).u32le(input.sequence);
  }
  w.varint(tx.outputs.length);
  for (const output of tx.outputs) w.i64le(output.value).varBytes(output.script);
  if (segwit) {
    for (const input of tx.inputs) {
      w.varint(input.witness.length);
      for (const item of input.witness) w.varBytes(item);
    }
  }
  w.u32le(tx.lockTime);
}

/** Serializes `tx` (see `writeTx`). */
export function encodeTx(tx: Tx, withWitness = true): Uint8Array {
  const w = new ByteWriter();
  writeTx(w, tx, withWitness);
  return w.finish();
}

/**
 * Txid of one serialized transaction (wire order): sha256d of its
 * serialization without witness data. Checks that `raw` is exactly one
 * well-formed transaction.
 */
export function computeTxid(sha256: Sha256, raw: Uint8Array): Uint8Array {
  const r = new ByteReader(raw, "tx");
  const witness = scanTx(r);
  r.end();
  if (witness === 0) return sha256d(sha256, raw);
  const stripped = new Uint8Array(strippedTxSize(0, witness, raw.length));
  stripWitness(raw, 0, witness, raw.length, stripped);
  return sha256d(sha256, stripped);
}

/** Wtxid of one serialized transaction (wire order): sha256d of all of it. */
export function computeWtxid(sha256: Sha256, raw: Uint8Array): Uint8Array {
  return sha256d(sha256, raw);
}
