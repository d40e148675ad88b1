/**
 * The fuzz corpus and input generator. Input `i` of a run with seed `s` is a
 * pure function of (s, i) (its own `seededRandom`), so any finding replays
 * from those two numbers alone on every runtime.
 *
 * Inputs are message payloads (a command plus bytes) or framed byte streams
 * cut into chunks. They come from random bytes, from structure-aware
 * synthesis of every known command, and from mutations of the real vectors
 * in ../shared/vectors (wire-vectors.json, addrv2-vectors.json, the BIP152
 * payloads, mainnet blocks 0–255, the reorg chain, blocks 277647 / 574200 /
 * 540107 and the 1 MB transaction): bit flips, interesting bytes, truncations, insertions,
 * deletions, splices, and CompactSize fields replaced by oversized or
 * non-canonical encodings. No `bun:test` import: bench/fuzz.ts uses it too.
 */
import type { Sha256 } from "../../src/platform/hash.ts";
import { seededRandom } from "../../src/platform/random.ts";
import type { Random } from "../../src/platform/random.ts";
import { MAX_ADDRV2_SIZE } from "../../src/wire/address.ts";
import { MAX_BLOCK_TXS } from "../../src/wire/block.ts";
import { blockTx, decodeBlock } from "../../src/wire/block.ts";
import { ByteReader, ByteWriter, fromHex } from "../../src/wire/bytes.ts";
import { MAX_TX_INDEX } from "../../src/wire/differential_index.ts";
import { encodeFrame } from "../../src/transport/v1_framing.ts";
import { MAX_PAYLOAD } from "../../src/transport/transport.ts";
import type { KnownCommand } from "../../src/wire/message.ts";
import { MAX_ADDR_ENTRIES } from "../../src/wire/messages/addr.ts";
import { MAX_HEADERS, MAX_LOCATOR_HASHES } from "../../src/wire/messages/headers.ts";
import { MAX_INV_ENTRIES } from "../../src/wire/messages/inv.ts";
import { MAX_REJECT_COMMAND, MAX_REJECT_REASON } from "../../src/wire/messages/reject.ts";
import { MAX_USER_AGENT } from "../../src/wire/messages/version.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { concat } from "../support/bytes.ts";
import { mainnetBlocks, vectorBytes, vectorJson } from "../support/vectors.ts";
import { BLOCKTXN, CMPCTBLOCKS, RUST_BITCOIN } from "../wire/bip152_vectors.ts";

/** Every command `decodeMessage` knows; a `Record` so a new command fails type-checking here. */
const KNOWN: Record<KnownCommand, true> = {
  version: true,
  verack: true,
  getaddr: true,
  mempool: true,
  sendheaders: true,
  wtxidrelay: true,
  sendaddrv2: true,
  ping: true,
  pong: true,
  addr: true,
  addrv2: true,
  inv: true,
  getdata: true,
  notfound: true,
  getheaders: true,
  getblocks: true,
  headers: true,
  feefilter: true,
  sendcmpct: true,
  cmpctblock: true,
  getblocktxn: true,
  blocktxn: true,
  reject: true,
  block: true,
  tx: true,
};

/** The known commands, in a fixed order. */
export const KNOWN_COMMANDS: readonly KnownCommand[] = Object.keys(KNOWN) as KnownCommand[];

/** Commands the decoder does not know (they must decode to `UnknownMessage`). */
const OTHER_COMMANDS = [
  "sendtxrcncl",
  "getcfheaders",
  "cfilter",
  "merkleblock",
  "filterload",
  "getcfilters",
  "alert",
  "VERSION",
  "ping ",
  "x",
];

/** Mainnet message start: what the decoders and the peer under test expect. */
export const FUZZ_MAGIC: Uint8Array = NETWORKS.main.magic;
/** Another network's message start, for streams from the wrong network. */
const OTHER_MAGIC: Uint8Array = NETWORKS.testnet3.magic;

/** One real payload and the command it travels under. */
export interface CorpusItem {
  readonly command: string;
  readonly payload: Uint8Array;
}

/** The real inputs mutations start from. */
export interface Corpus {
  /**
   * Message payloads from wire-vectors.json (valid and invalid),
   * addrv2-vectors.json and bip152/ (cmpctblock, getblocktxn, blocktxn).
   */
  readonly messages: readonly CorpusItem[];
  /** Small real blocks: mainnet 0–255 and the reorg chain. */
  readonly blocks: readonly Uint8Array[];
  /** Large real blocks (149 KB to 2.3 MB), mutated rarely. */
  readonly bigBlocks: readonly Uint8Array[];
  /** Real transactions: the vectors and a sample from blocks 277647 and 574200 (segwit). */
  readonly txs: readonly Uint8Array[];
  /** The 1 MB transaction (long runs only). */
  readonly bigTxs: readonly Uint8Array[];
}

/** Transactions sampled from each big block for the transaction corpus. */
const TXS_PER_BLOCK = 120;

/**
 * Reads the corpus. `big` adds the 2.3 MB block 540107 and the 1 MB
 * transaction (the long run); 277647 and 574200 are always in.
 */
export function loadCorpus(big: boolean): Corpus {
  const wire = vectorJson<{
    vectors: Array<{ command: string; payload_hex: string }>;
    invalid: Array<{ command: string; payload_hex?: string; message_hex?: string }>;
  }>("wire-vectors.json");
  const addrv2 = vectorJson<{
    caddress_list: { v1_hex: string; v2_hex: string };
    addrv2_message_btcd: { cases: Array<{ hex: string }> };
  }>("addrv2-vectors.json");
  const messages: CorpusItem[] = [];
  const txs: Uint8Array[] = [];
  for (const v of wire.vectors) {
    const payload = fromHex(v.payload_hex);
    messages.push({ command: v.command, payload });
    if (v.command === "tx") txs.push(payload);
  }
  for (const v of wire.invalid) {
    if (v.payload_hex !== undefined) {
      messages.push({ command: v.command, payload: fromHex(v.payload_hex) });
    }
  }
  messages.push({ command: "addr", payload: fromHex(addrv2.caddress_list.v1_hex) });
  messages.push({ command: "addrv2", payload: fromHex(addrv2.caddress_list.v2_hex) });
  for (const c of addrv2.addrv2_message_btcd.cases) {
    messages.push({ command: "addrv2", payload: fromHex(c.hex) });
  }
  for (const v of CMPCTBLOCKS) {
    messages.push({ command: "cmpctblock", payload: fromHex(v.cmpctblock_payload_hex) });
  }
  messages.push({
    command: "cmpctblock",
    payload: fromHex(RUST_BITCOIN.cmpctblock.cmpctblock_hex),
  });
  const getblocktxn = [
    BLOCKTXN.getblocktxn_413567,
    BLOCKTXN.getblocktxn_540107_segwit,
    ...BLOCKTXN.edge_cases,
    ...RUST_BITCOIN.getblocktxn_cases,
    ...RUST_BITCOIN.getblocktxn_must_fail,
  ];
  for (const v of getblocktxn) {
    messages.push({ command: "getblocktxn", payload: fromHex(v.payload_hex) });
  }
  for (const v of [BLOCKTXN.blocktxn_413567, BLOCKTXN.blocktxn_540107_segwit]) {
    messages.push({ command: "blocktxn", payload: fromHex(v.payload_hex) });
  }
  const reorg = vectorJson<{ blocks: Array<{ hex: string }> }>("reorg-chain.json");
  const blocks = [...mainnetBlocks(), ...reorg.blocks.map((b) => fromHex(b.hex))];
  const bigBlocks = [vectorBytes("block-277647.raw"), vectorBytes("block-574200.raw")];
  for (const raw of bigBlocks) {
    const block = decodeBlock(raw);
    const step = Math.max(1, Math.floor(block.txCount / TXS_PER_BLOCK));
    for (let i = 0; i < block.txCount; i += step) txs.push(blockTx(block, i));
  }
  if (big) bigBlocks.push(vectorBytes("block-540107.raw"));
  const bigTxs = big ? [vectorBytes("tx-bb41a757.raw")] : [];
  return { messages, blocks, bigBlocks, txs, bigTxs };
}

/** A payload to decode under `command`. */
export interface PayloadInput {
  readonly type: "payload";
  /** How it was made (counted per strategy in the report). */
  readonly strategy: string;
  readonly command: string;
  readonly payload: Uint8Array;
}

/** A byte stream for `FrameDecoder`, in the chunks it is pushed as. */
export interface StreamInput {
  readonly type: "stream";
  readonly strategy: string;
  readonly chunks: readonly Uint8Array[];
  /**
   * The frames the stream carries when it was not corrupted (the decoder must
   * return exactly these), or `null` when it was.
   */
  readonly expected: readonly CorpusItem[] | null;
}

/** One decoder-stage input. */
export type FuzzInput = PayloadInput | StreamInput;

/** The random source of input `index` in a run seeded with `seed`. */
export function inputRandom(seed: number, index: number): Random {
  return seededRandom(
    (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(index, 0x9e3779b1)) >>> 0,
  );
}

/** The decoder-stage input `index` of a run seeded with `seed`. */
export function generateInput(
  corpus: Corpus,
  sha256: Sha256,
  seed: number,
  index: number,
): FuzzInput {
  const rng = inputRandom(seed, index);
  const roll = rng.float();
  if (roll < 0.12) return stream(rng, corpus, sha256);
  if (roll < 0.22) return { type: "payload", ...randomPayload(rng) };
  if (roll < 0.42) {
    const command = pick(rng, KNOWN_COMMANDS);
    return { type: "payload", strategy: "synth", command, payload: synthPayload(rng, command) };
  }
  if (roll < 0.54) return { type: "payload", ...fieldMutation(rng, corpus) };
  return { type: "payload", ...mutatedItem(rng, corpus) };
}

// ---- random helpers ----

/** A uniform element of `items`. */
export function pick<T>(rng: Random, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** True with probability `p`. */
export function chance(rng: Random, p: number): boolean {
  return rng.float() < p;
}

/** A length skewed towards small values: most under 64, some up to `max`. */
function length(rng: Random, max = 4096): number {
  const r = rng.float();
  if (r < 0.3) return rng.int(9);
  if (r < 0.6) return rng.int(65);
  if (r < 0.85) return rng.int(513);
  return rng.int(max + 1);
}

/** Bytes of one of several shapes: random, zeros, 0xff, a repeated byte. */
function fill(rng: Random, n: number): Uint8Array {
  const r = rng.float();
  if (r < 0.7) return rng.bytes(n);
  if (r < 0.8) return new Uint8Array(n);
  if (r < 0.9) return new Uint8Array(n).fill(0xff);
  return new Uint8Array(n).fill(rng.int(256));
}

/** Byte values that tend to sit on decision boundaries. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff];

/** u32 values on decision boundaries. */
const INTERESTING_U32 = [0, 1, 2, 3, 4, 5, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 30, 0x40000002];

// ---- CompactSize ----

/** Counts at, just past and far past every bound the decoders enforce. */
const BOUNDARY_COUNTS = [
  0,
  1,
  2,
  0xfc,
  0xfd,
  0xffff,
  0x10000,
  0xffffffff,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  MAX_ADDR_ENTRIES,
  MAX_ADDR_ENTRIES + 1,
  MAX_INV_ENTRIES,
  MAX_INV_ENTRIES + 1,
  MAX_HEADERS,
  MAX_HEADERS + 1,
  MAX_LOCATOR_HASHES,
  MAX_LOCATOR_HASHES + 1,
  MAX_BLOCK_TXS,
  MAX_BLOCK_TXS + 1,
  MAX_TX_INDEX,
  MAX_TX_INDEX + 1,
  MAX_USER_AGENT,
  MAX_USER_AGENT + 1,
  MAX_ADDRV2_SIZE,
  MAX_ADDRV2_SIZE + 1,
  MAX_REJECT_COMMAND + 1,
  MAX_REJECT_REASON + 1,
  MAX_PAYLOAD,
  MAX_PAYLOAD + 1,
];

/**
 * A CompactSize for `value` (a number up to 2^53, or a bigint up to 2^64-1):
 * canonical, or (with `nonCanonical`) in a longer form than needed.
 */
function compactSize(value: number | bigint, nonCanonical = false): Uint8Array {
  const v = BigInt(value);
  const w = new ByteWriter(9);
  if (v < 0xfdn && !nonCanonical) w.u8(Number(v));
  else if (v <= 0xffffn && !(nonCanonical && v >= 0xfdn)) w.u8(0xfd).u16le(Number(v));
  else if (v <= 0xffffffffn && !(nonCanonical && v > 0xffffn)) w.u8(0xfe).u32le(Number(v));
  else w.u8(0xff).u64le(v & 0xffffffffffffffffn);
  return w.finish().slice();
}

/** A CompactSize meant to break something: oversized, non-canonical, or raw random. */
function hostileCompactSize(rng: Random, near?: number): Uint8Array {
  const r = rng.float();
  if (r < 0.5) return compactSize(pick(rng, BOUNDARY_COUNTS), chance(rng, 0.15));
  if (r < 0.65 && near !== undefined) {
    return compactSize(Math.max(0, near + rng.int(7) - 3), chance(rng, 0.1));
  }
  if (r < 0.8) return compactSize(rng.int(0x10000), true);
  if (r < 0.9) return compactSize(0xffffffffffffffffn - BigInt(rng.int(4)));
  return concat([Uint8Array.of(pick(rng, [0xfd, 0xfe, 0xff])), rng.bytes(rng.int(9))]);
}

/** Bytes the CompactSize starting with `first` takes. */
function compactSizeLength(first: number): number {
  return first < 0xfd ? 1 : first === 0xfd ? 3 : first === 0xfe ? 5 : 9;
}

// ---- where the CompactSize fields are ----

const offsetCache = new WeakMap<Uint8Array, number[]>();

/** Walks a transaction from `r.pos`, recording where each CompactSize starts. */
function walkTx(r: ByteReader, out: number[]): void {
  r.skip(4);
  out.push(r.pos);
  let inputs = r.varint();
  let segwit = false;
  if (inputs === 0 && r.remaining > 0 && r.buf[r.pos] !== 0) {
    segwit = true;
    r.skip(1);
    out.push(r.pos);
    inputs = r.varint();
  }
  for (let i = 0; i < inputs; i++) {
    r.skip(36);
    out.push(r.pos);
    r.skip(r.varint());
    r.skip(4);
  }
  out.push(r.pos);
  const outputs = r.varint();
  for (let i = 0; i < outputs; i++) {
    r.skip(8);
    out.push(r.pos);
    r.skip(r.varint());
  }
  if (segwit) {
    for (let i = 0; i < inputs; i++) {
      out.push(r.pos);
      const items = r.varint();
      for (let j = 0; j < items; j++) {
        out.push(r.pos);
        r.skip(r.varint());
      }
    }
  }
  r.skip(4);
}

/** Transactions of a block walked for CompactSize offsets (the rest of a big block is not). */
const WALKED_TXS = 40;

/**
 * Offsets of the CompactSize fields in a (valid) payload of `command`, as far
 * as a quick walk gets; cached per payload.
 */
function compactSizeOffsets(command: string, payload: Uint8Array): number[] {
  const cached = offsetCache.get(payload);
  if (cached !== undefined) return cached;
  const out: number[] = [];
  const r = new ByteReader(payload, command);
  try {
    switch (command) {
      case "version":
        r.skip(80);
        out.push(r.pos);
        break;
      case "inv":
      case "getdata":
      case "notfound":
      case "addr":
      case "reject":
        out.push(0);
        break;
      case "getheaders":
      case "getblocks":
        out.push(4);
        break;
      case "headers": {
        out.push(0);
        const n = r.varint();
        for (let i = 0; i < n; i++) {
          r.skip(80);
          out.push(r.pos);
          r.varint();
        }
        break;
      }
      case "addrv2": {
        out.push(0);
        const n = r.varint();
        for (let i = 0; i < n; i++) {
          r.skip(4);
          out.push(r.pos);
          r.skip(compactSizeLength(r.buf[r.pos]));
          r.skip(1);
          out.push(r.pos);
          r.skip(r.varint());
          r.skip(2);
        }
        break;
      }
      case "tx":
        walkTx(r, out);
        break;
      case "cmpctblock": {
        r.skip(88);
        out.push(r.pos);
        r.skip(6 * r.varint());
        out.push(r.pos);
        const n = Math.min(r.varint(), WALKED_TXS);
        for (let i = 0; i < n; i++) {
          out.push(r.pos);
          r.varint();
          walkTx(r, out);
        }
        break;
      }
      case "getblocktxn": {
        r.skip(32);
        out.push(r.pos);
        const n = r.varint();
        for (let i = 0; i < n; i++) {
          out.push(r.pos);
          r.varint();
        }
        break;
      }
      case "blocktxn": {
        r.skip(32);
        out.push(r.pos);
        const n = Math.min(r.varint(), WALKED_TXS);
        for (let i = 0; i < n; i++) walkTx(r, out);
        break;
      }
      case "block": {
        r.skip(80);
        out.push(r.pos);
        const n = Math.min(r.varint(), WALKED_TXS);
        for (let i = 0; i < n; i++) walkTx(r, out);
        break;
      }
    }
  } catch {
    // A partial walk still gives the offsets found so far.
  }
  offsetCache.set(payload, out);
  return out;
}

// ---- payload strategies ----

/** Random bytes under a known, unknown or malformed command name. */
function randomPayload(rng: Random): { strategy: string; command: string; payload: Uint8Array } {
  const r = rng.float();
  const command = r < 0.75
    ? pick(rng, KNOWN_COMMANDS)
    : r < 0.9
    ? pick(rng, OTHER_COMMANDS)
    : String.fromCharCode(...rng.bytes(rng.int(14)));
  const n = chance(rng, 0.0005) ? MAX_PAYLOAD - rng.int(16) : length(rng, 70_000);
  return { strategy: "random", command, payload: fill(rng, n) };
}

/** A 32-byte hash: random, zero, or all 0xff. */
function hash32(rng: Random): Uint8Array {
  return fill(rng, 32);
}

/** A count for a synthesized list: usually small, sometimes at or past its bound. */
function listCount(rng: Random, max: number): number {
  const r = rng.float();
  if (r < 0.8) return rng.int(6);
  if (r < 0.9) return rng.int(Math.min(max, 64) + 1);
  return pick(rng, [max - 1, max, max + 1]);
}

/** A legacy 16-byte address: IPv4-mapped, OnionCat, internal, or random IPv6. */
function legacyAddress(rng: Random): Uint8Array {
  const prefixes = ["00000000000000000000ffff", "fd87d87eeb43", "fd6b88c08724", "fc", ""];
  const prefix = fromHex(pick(rng, prefixes));
  return concat([prefix, rng.bytes(16 - prefix.length)]);
}

/** BIP155 network id and address size pairs, plus unknown ids. */
const BIP155 = [[1, 4], [2, 16], [3, 10], [4, 32], [5, 32], [6, 16], [7, 8], [0, 0], [255, 3]];

/** One plausible-but-random transaction. */
function synthTx(rng: Random): Uint8Array {
  const w = new ByteWriter();
  w.i32le(pick(rng, [1, 2, -1, 0x7fffffff]));
  const segwit = chance(rng, 0.4);
  if (segwit) w.u8(0).u8(pick(rng, [1, 1, 1, 0, 2, 3, 0xff]));
  const inputs = chance(rng, 0.1) ? 0 : 1 + rng.int(3);
  w.varint(inputs);
  for (let i = 0; i < inputs; i++) {
    w.bytes(hash32(rng)).u32le(pick(rng, INTERESTING_U32));
    w.varBytes(rng.bytes(rng.int(40))).u32le(pick(rng, INTERESTING_U32));
  }
  const outputs = rng.int(4);
  w.varint(outputs);
  for (let i = 0; i < outputs; i++) {
    w.i64le(BigInt.asIntN(64, BigInt(rng.int(2 ** 32)) * BigInt(rng.int(2 ** 32))));
    w.varBytes(rng.bytes(rng.int(40)));
  }
  if (segwit) {
    for (let i = 0; i < inputs; i++) {
      const items = chance(rng, 0.3) ? 0 : rng.int(4);
      w.varint(items);
      for (let j = 0; j < items; j++) w.varBytes(rng.bytes(rng.int(80)));
    }
  }
  w.u32le(rng.int(2 ** 32));
  return w.finish().slice();
}

/** A payload with the structure of `command` and random field values (counts may lie). */
function synthPayload(rng: Random, command: KnownCommand): Uint8Array {
  const w = new ByteWriter();
  switch (command) {
    case "version": {
      w.i32le(pick(rng, [0, 209, 60001, 70001, 70015, 70016, 0x7fffffff, -1])).u64le(
        BigInt(rng.int(2 ** 32)) << BigInt(rng.int(33)),
      );
      w.i64le(BigInt.asIntN(64, BigInt(rng.int(2 ** 32)) << BigInt(rng.int(40))));
      for (let i = 0; i < 2; i++) {
        w.u64le(BigInt(rng.int(2 ** 32))).bytes(legacyAddress(rng)).u16be(rng.int(65536));
      }
      w.bytes(rng.bytes(8));
      const agent = rng.float() < 0.5
        ? new TextEncoder().encode("/Satoshi:" + rng.int(99) + "/")
        : fill(rng, listCount(rng, MAX_USER_AGENT));
      w.varBytes(agent).i32le(rng.int(2 ** 31));
      const tail = rng.int(4);
      if (tail > 0) w.bytes(rng.bytes(tail));
      break;
    }
    case "verack":
    case "getaddr":
    case "mempool":
    case "sendheaders":
    case "wtxidrelay":
    case "sendaddrv2":
      if (chance(rng, 0.3)) w.bytes(rng.bytes(1 + rng.int(4)));
      break;
    case "ping":
    case "pong":
    case "feefilter":
      w.bytes(rng.bytes(chance(rng, 0.8) ? 8 : rng.int(17)));
      break;
    case "sendcmpct":
      w.u8(pick(rng, INTERESTING_BYTES)).u64le(BigInt(rng.int(4)));
      if (chance(rng, 0.2)) w.bytes(rng.bytes(rng.int(3)));
      break;
    case "addr": {
      const n = listCount(rng, MAX_ADDR_ENTRIES);
      w.varint(n);
      for (let i = 0; i < Math.min(n, 64); i++) {
        w.u32le(rng.int(2 ** 32)).u64le(BigInt(rng.int(2 ** 32))).bytes(legacyAddress(rng));
        w.u16be(rng.int(65536));
      }
      break;
    }
    case "addrv2": {
      const n = listCount(rng, MAX_ADDR_ENTRIES);
      w.varint(n);
      for (let i = 0; i < Math.min(n, 64); i++) {
        w.u32le(rng.int(2 ** 32));
        w.bytes(chance(rng, 0.8) ? compactSize(rng.int(2 ** 16)) : hostileCompactSize(rng));
        const [id, size] = pick(rng, BIP155);
        w.u8(id);
        const len = chance(rng, 0.85) ? size : pick(rng, [0, size - 1, size + 1, 512, 513, 600]);
        const bytes = id === 2 && chance(rng, 0.3)
          ? legacyAddress(rng)
          : rng.bytes(Math.max(0, len));
        w.varint(Math.max(0, len)).bytes(bytes.subarray(0, Math.max(0, len)));
        w.u16be(rng.int(65536));
      }
      break;
    }
    case "inv":
    case "getdata":
    case "notfound": {
      const n = listCount(rng, MAX_INV_ENTRIES);
      w.varint(n);
      for (let i = 0; i < Math.min(n, 256); i++) {
        w.u32le(pick(rng, INTERESTING_U32)).bytes(hash32(rng));
      }
      break;
    }
    case "getheaders":
    case "getblocks": {
      const n = listCount(rng, MAX_LOCATOR_HASHES);
      w.u32le(pick(rng, INTERESTING_U32)).varint(n);
      for (let i = 0; i <= Math.min(n, MAX_LOCATOR_HASHES + 1); i++) w.bytes(hash32(rng));
      break;
    }
    case "headers": {
      const n = listCount(rng, MAX_HEADERS);
      w.varint(n);
      for (let i = 0; i < Math.min(n, 64); i++) {
        w.bytes(rng.bytes(80));
        w.bytes(chance(rng, 0.9) ? Uint8Array.of(0) : hostileCompactSize(rng, 0));
      }
      break;
    }
    case "reject": {
      w.varBytes(fill(rng, listCount(rng, MAX_REJECT_COMMAND))).u8(
        pick(rng, [1, 0x10, 0x11, 0x40]),
      );
      w.varBytes(fill(rng, listCount(rng, MAX_REJECT_REASON))).bytes(
        rng.bytes(pick(rng, [0, 32, 5])),
      );
      break;
    }
    case "tx":
      return synthTx(rng);
    case "cmpctblock": {
      w.bytes(rng.bytes(80)).u64le(BigInt(rng.int(2 ** 32)));
      const ids = listCount(rng, MAX_BLOCK_TXS);
      w.varint(ids).bytes(rng.bytes(Math.min(ids, 64) * 6));
      const n = chance(rng, 0.1) ? pick(rng, [0, MAX_BLOCK_TXS - ids + 1]) : 1 + rng.int(3);
      w.varint(n);
      for (let i = 0; i < Math.min(n, 4); i++) {
        w.bytes(chance(rng, 0.9) ? compactSize(rng.int(3)) : hostileCompactSize(rng, ids));
        w.bytes(synthTx(rng));
      }
      break;
    }
    case "getblocktxn": {
      const n = listCount(rng, MAX_BLOCK_TXS);
      w.bytes(hash32(rng)).varint(n);
      for (let i = 0; i < Math.min(n, 64); i++) {
        w.bytes(
          chance(rng, 0.9) ? compactSize(rng.int(300)) : hostileCompactSize(rng, MAX_TX_INDEX),
        );
      }
      break;
    }
    case "blocktxn": {
      const n = chance(rng, 0.1) ? pick(rng, [MAX_BLOCK_TXS, MAX_BLOCK_TXS + 1]) : rng.int(4);
      w.bytes(hash32(rng)).varint(n);
      for (let i = 0; i < Math.min(n, 4); i++) w.bytes(synthTx(rng));
      break;
    }
    case "block": {
      w.bytes(rng.bytes(80));
      const n = chance(rng, 0.1) ? pick(rng, [0, MAX_BLOCK_TXS + 1]) : 1 + rng.int(4);
      w.varint(n);
      for (let i = 0; i < Math.min(n, 4); i++) w.bytes(synthTx(rng));
      break;
    }
  }
  return w.finish().slice();
}

/** A corpus item: a message vector, a small block, a transaction, rarely a big one. */
function corpusItem(rng: Random, corpus: Corpus): CorpusItem {
  const r = rng.float();
  if (r < 0.5) return pick(rng, corpus.messages);
  if (r < 0.7) return { command: "block", payload: pick(rng, corpus.blocks) };
  if (r < 0.997) return { command: "tx", payload: pick(rng, corpus.txs) };
  if (r < 0.9995 || corpus.bigTxs.length === 0) {
    return { command: "block", payload: pick(rng, corpus.bigBlocks) };
  }
  return { command: "tx", payload: pick(rng, corpus.bigTxs) };
}

/** `bytes` with `[at, at + remove)` replaced by `insert` (a new array). */
function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

/** One byte-level mutation of `b` (may return a view of `b`; never modifies it). */
function mutateOnce(rng: Random, b: Uint8Array, corpus: Corpus): Uint8Array {
  const at = rng.int(b.length + 1);
  switch (rng.int(9)) {
    case 0: {
      if (b.length === 0) return rng.bytes(1);
      const out = b.slice();
      out[Math.min(at, b.length - 1)] ^= 1 << rng.int(8);
      return out;
    }
    case 1: {
      if (b.length === 0) return Uint8Array.of(pick(rng, INTERESTING_BYTES));
      const out = b.slice();
      out[Math.min(at, b.length - 1)] = pick(rng, INTERESTING_BYTES);
      return out;
    }
    case 2:
      return b.subarray(0, at);
    case 3:
      return b.subarray(Math.min(at, b.length));
    case 4:
      return splice(b, at, 0, fill(rng, 1 + rng.int(16)));
    case 5:
      return splice(b, at, Math.min(b.length - at, 1 + rng.int(16)), new Uint8Array(0));
    case 6: {
      // Duplicate a slice in place (repeated structures, lengths that now lie).
      const len = Math.min(b.length - at, 1 + rng.int(64));
      return splice(b, at, 0, b.slice(at, at + len));
    }
    case 7: {
      // The head of this input, the tail of another.
      const other = corpusItem(rng, corpus).payload;
      return concat([b.subarray(0, at), other.subarray(rng.int(other.length + 1))]);
    }
    default: {
      const len = Math.min(b.length - at, 1 + rng.int(8));
      return splice(b, at, len, rng.bytes(len));
    }
  }
}

/** Commands a mutated item is decoded under: its own, another known one, or an unknown one. */
function commandFor(rng: Random, own: string): string {
  const r = rng.float();
  if (r < 0.85) return own;
  if (r < 0.97) return pick(rng, KNOWN_COMMANDS);
  return pick(rng, OTHER_COMMANDS);
}

/** A real item with 1–4 byte-level mutations (big items get exactly one). */
function mutatedItem(
  rng: Random,
  corpus: Corpus,
): { strategy: string; command: string; payload: Uint8Array } {
  const item = corpusItem(rng, corpus);
  let payload = item.payload;
  const rounds = payload.length > 100_000 ? 1 : 1 + (chance(rng, 0.3) ? rng.int(4) : 0);
  for (let i = 0; i < rounds; i++) payload = mutateOnce(rng, payload, corpus);
  return { strategy: "mutate", command: commandFor(rng, item.command), payload };
}

/**
 * A real item with one CompactSize field (a count or a length) replaced by an
 * oversized, off-by-a-few, non-canonical or garbage encoding.
 */
function fieldMutation(
  rng: Random,
  corpus: Corpus,
): { strategy: string; command: string; payload: Uint8Array } {
  const item = corpusItem(rng, corpus);
  const offsets = compactSizeOffsets(item.command, item.payload);
  const b = item.payload;
  if (offsets.length === 0 || chance(rng, 0.1)) {
    // No known field: plant a CompactSize at a random place.
    const at = rng.int(b.length + 1);
    return {
      strategy: "varint",
      command: item.command,
      payload: splice(b, at, Math.min(1, b.length - at), hostileCompactSize(rng)),
    };
  }
  const at = pick(rng, offsets);
  const old = compactSizeLength(b[at]);
  let current: number | undefined;
  try {
    current = new ByteReader(b, undefined, at).varint();
  } catch {
    current = undefined;
  }
  const payload = splice(b, at, Math.min(old, b.length - at), hostileCompactSize(rng, current));
  return { strategy: "varint", command: item.command, payload };
}

// ---- streams ----

/** A frame-able message: a real one, a synthesized one, or a mutated one. */
function streamMessage(rng: Random, corpus: Corpus): CorpusItem {
  const r = rng.float();
  if (r < 0.4) {
    const item = pick(rng, corpus.messages);
    return { command: item.command === "" ? "x" : item.command, payload: item.payload };
  }
  if (r < 0.7) {
    const command = pick(rng, KNOWN_COMMANDS);
    return { command, payload: synthPayload(rng, command) };
  }
  if (r < 0.8) return { command: "block", payload: pick(rng, corpus.blocks) };
  if (r < 0.801) return { command: "block", payload: pick(rng, corpus.bigBlocks) };
  const m = mutatedItem(rng, corpus);
  return { command: pick(rng, [...KNOWN_COMMANDS, ...OTHER_COMMANDS]), payload: m.payload };
}

/** Splits `bytes` into chunks: whole, a few random cuts, or tiny pieces. */
function chunked(rng: Random, bytes: Uint8Array): Uint8Array[] {
  const r = rng.float();
  if (r < 0.3 || bytes.length < 2) return [bytes];
  const cuts = new Set<number>();
  if (r < 0.85) {
    const n = 1 + rng.int(8);
    for (let i = 0; i < n; i++) cuts.add(1 + rng.int(bytes.length - 1));
  } else {
    // Tiny pieces over the first part (header bytes one at a time).
    for (let at = 1 + rng.int(3); at < Math.min(bytes.length, 200); at += 1 + rng.int(5)) {
      cuts.add(at);
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of sorted) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** Header field offsets. */
const COMMAND_AT = 4;
const LENGTH_AT = 16;
const CHECKSUM_AT = 20;

/** One corruption of a framed stream whose first frame starts at 0. */
function corruptStream(
  rng: Random,
  bytes: Uint8Array,
  frameStarts: readonly number[],
): { name: string; bytes: Uint8Array } {
  const frame = pick(rng, frameStarts);
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  switch (rng.int(10)) {
    case 0:
      out[frame + rng.int(4)] ^= 1 << rng.int(8);
      return { name: "magic", bytes: out };
    case 1:
      out.set(OTHER_MAGIC, frame);
      return { name: "network", bytes: out };
    case 2: {
      const at = frame + COMMAND_AT + rng.int(12);
      out[at] = pick(rng, [0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff, 0x41]);
      return { name: "command", bytes: out };
    }
    case 3:
      view.setUint32(
        frame + LENGTH_AT,
        pick(rng, [MAX_PAYLOAD + 1, 0xffffffff, 2 ** 31, MAX_PAYLOAD]),
        true,
      );
      return { name: "length-huge", bytes: out };
    case 4: {
      const len = view.getUint32(frame + LENGTH_AT, true);
      view.setUint32(frame + LENGTH_AT, Math.max(0, len + rng.int(9) - 4), true);
      return { name: "length-off", bytes: out };
    }
    case 5:
      out[frame + CHECKSUM_AT + rng.int(4)] ^= 1 << rng.int(8);
      return { name: "checksum", bytes: out };
    case 6:
      if (out.length > 0) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return { name: "flip", bytes: out };
    case 7:
      return { name: "truncate", bytes: bytes.subarray(0, rng.int(bytes.length)) };
    case 8: {
      const at = rng.int(bytes.length + 1);
      return { name: "insert", bytes: splice(bytes, at, 0, fill(rng, 1 + rng.int(30))) };
    }
    default: {
      const at = rng.int(bytes.length);
      return {
        name: "delete",
        bytes: splice(bytes, at, Math.min(bytes.length - at, 1 + rng.int(30)), new Uint8Array(0)),
      };
    }
  }
}

/** A stream of 1–6 frames, corrupted or not, in random chunks; or plain garbage. */
function stream(rng: Random, corpus: Corpus, sha256: Sha256): StreamInput {
  if (chance(rng, 0.05)) {
    const garbage = chance(rng, 0.5)
      ? fill(rng, length(rng))
      : concat([FUZZ_MAGIC, fill(rng, length(rng))]);
    return {
      type: "stream",
      strategy: "stream:garbage",
      chunks: chunked(rng, garbage),
      expected: null,
    };
  }
  const messages: CorpusItem[] = [];
  const n = 1 + rng.int(6);
  for (let i = 0; i < n; i++) messages.push(streamMessage(rng, corpus));
  const frames = messages.map((m) => encodeFrame(FUZZ_MAGIC, m.command, m.payload, sha256));
  const starts: number[] = [];
  let at = 0;
  for (const f of frames) {
    starts.push(at);
    at += f.length;
  }
  const bytes = concat(frames);
  if (chance(rng, 0.35)) {
    return {
      type: "stream",
      strategy: "stream:clean",
      chunks: chunked(rng, bytes),
      expected: messages,
    };
  }
  const corrupt = corruptStream(rng, bytes, starts);
  return {
    type: "stream",
    strategy: `stream:${corrupt.name}`,
    chunks: chunked(rng, corrupt.bytes),
    expected: null,
  };
}

// ---- peer-stage inputs ----

/** What a peer-stage input is expected to do to the stream. */
export type PeerInputKind =
  /** Whole frames with valid headers: the stream stays in step. */
  | "frames"
  /** A header the decoder must refuse (magic, command field, length): the peer disconnects. */
  | "kill";

/** One peer-stage input: bytes sent as `chunks`, one write each. */
export interface PeerInput {
  readonly kind: PeerInputKind;
  readonly strategy: string;
  readonly chunks: readonly Uint8Array[];
}

/** A frame whose header is valid but whose checksum is not. */
function badChecksumFrame(
  rng: Random,
  command: string,
  payload: Uint8Array,
  sha256: Sha256,
): Uint8Array {
  const frame = encodeFrame(FUZZ_MAGIC, command, payload, sha256);
  frame[CHECKSUM_AT + rng.int(4)] ^= 1 << rng.int(8);
  return frame;
}

/**
 * Peer-stage input `index` of a run seeded with `seed`. Every input either
 * keeps the stream in step (whole frames: fuzzed payloads under every known
 * command, unknown commands, bad checksums, payloads delivered in pieces) or
 * is meant to end the connection (bad magic, bad command field, oversized
 * length), so the driver can tell when the peer has dealt with it.
 */
export function generatePeerInput(
  corpus: Corpus,
  sha256: Sha256,
  seed: number,
  index: number,
): PeerInput {
  const rng = inputRandom(seed ^ 0x7eed, index);
  const r = rng.float();
  if (r < 0.02) {
    const frame = encodeFrame(
      FUZZ_MAGIC,
      pick(rng, KNOWN_COMMANDS),
      rng.bytes(rng.int(64)),
      sha256,
    );
    const kill = killedFrame(rng, frame);
    return { kind: "kill", strategy: `kill:${kill.name}`, chunks: chunked(rng, kill.bytes) };
  }
  const frames: Uint8Array[] = [];
  const count = chance(rng, 0.1) ? 2 + rng.int(4) : 1;
  let strategy = "";
  for (let i = 0; i < count; i++) {
    const f = peerFrame(rng, corpus, sha256);
    frames.push(f.frame);
    strategy ||= f.strategy;
  }
  return {
    kind: "frames",
    strategy: count > 1 ? "multi" : strategy,
    chunks: chunked(rng, concat(frames)),
  };
}

/** `frame` with a header the decoder must refuse: wrong magic, unreadable command, huge length. */
function killedFrame(rng: Random, frame: Uint8Array): { name: string; bytes: Uint8Array } {
  const out = frame.slice();
  switch (rng.int(4)) {
    case 0:
      out[rng.int(4)] ^= 1 << rng.int(8);
      return { name: "magic", bytes: out };
    case 1:
      out.set(OTHER_MAGIC);
      return { name: "network", bytes: out };
    case 2:
      // Known commands are at most 11 characters ("sendheaders"): byte 11 is padding or
      // the last letter. A letter after the padding, or a non-printable first byte.
      if (out[COMMAND_AT + 10] === 0 && chance(rng, 0.5)) out[COMMAND_AT + 11] = 0x41;
      else out[COMMAND_AT] = pick(rng, [0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff]);
      return { name: "command", bytes: out };
    default:
      new DataView(out.buffer).setUint32(LENGTH_AT, MAX_PAYLOAD + 1 + rng.int(2 ** 31), true);
      return { name: "length", bytes: out };
  }
}

/** One whole frame for the peer stage. */
function peerFrame(
  rng: Random,
  corpus: Corpus,
  sha256: Sha256,
): { strategy: string; frame: Uint8Array } {
  const r = rng.float();
  if (r < 0.1) {
    const item = pick(rng, corpus.messages);
    return {
      strategy: "vector",
      frame: encodeFrame(FUZZ_MAGIC, item.command, item.payload, sha256),
    };
  }
  if (r < 0.18) {
    const m = mutatedItem(rng, corpus);
    return {
      strategy: "checksum",
      frame: badChecksumFrame(rng, m.command || "x", m.payload, sha256),
    };
  }
  if (r < 0.25) {
    const command = pick(rng, OTHER_COMMANDS);
    return {
      strategy: "unknown",
      frame: encodeFrame(FUZZ_MAGIC, command, fill(rng, length(rng, 1000)), sha256),
    };
  }
  if (r < 0.33) {
    const command = pick(rng, KNOWN_COMMANDS);
    return {
      strategy: "random",
      frame: encodeFrame(FUZZ_MAGIC, command, fill(rng, length(rng, 1000)), sha256),
    };
  }
  const m = r < 0.55
    ? { strategy: "synth", ...synthFor(rng) }
    : r < 0.65
    ? fieldMutation(rng, corpus)
    : mutatedItem(rng, corpus);
  const command = m.command === "" || m.command.length > 12 || /[^\x20-\x7e]/.test(m.command)
    ? pick(rng, KNOWN_COMMANDS)
    : m.command;
  const payload = m.payload.length > MAX_PAYLOAD ? m.payload.subarray(0, MAX_PAYLOAD) : m.payload;
  return { strategy: m.strategy, frame: encodeFrame(FUZZ_MAGIC, command, payload, sha256) };
}

/** A synthesized payload under a random known command. */
function synthFor(rng: Random): { command: string; payload: Uint8Array } {
  const command = pick(rng, KNOWN_COMMANDS);
  return { command, payload: synthPayload(rng, command) };
}

/**
 * A `version` frame for a fuzzed handshake (the remote's first message):
 * synthesized, a real one mutated or with its user-agent length replaced, or
 * a real one as is; sometimes after a few other frames, which the peer must
 * ignore (or score) before a version. The peer must refuse the version
 * (disconnect) or answer it.
 */
export function generateVersionInput(
  corpus: Corpus,
  sha256: Sha256,
  seed: number,
  index: number,
): PeerInput {
  const rng = inputRandom(seed ^ 0x7e55, index);
  const versions = corpus.messages.filter((m) => m.command === "version");
  const real = pick(rng, versions).payload;
  const r = rng.float();
  let strategy: string;
  let payload: Uint8Array;
  if (r < 0.4) {
    strategy = "handshake:synth";
    payload = synthPayload(rng, "version");
  } else if (r < 0.75) {
    strategy = "handshake:mutate";
    payload = real;
    for (let i = 1 + rng.int(3); i > 0; i--) payload = mutateOnce(rng, payload, corpus);
  } else if (r < 0.9) {
    strategy = "handshake:varint";
    const at = compactSizeOffsets("version", real)[0] ?? 80;
    payload = splice(
      real,
      at,
      compactSizeLength(real[at]),
      hostileCompactSize(rng, MAX_USER_AGENT),
    );
  } else {
    strategy = "handshake:vector";
    payload = real;
  }
  const frames = [encodeFrame(FUZZ_MAGIC, "version", payload.subarray(0, MAX_PAYLOAD), sha256)];
  if (chance(rng, 0.2)) {
    strategy = "handshake:prefixed";
    for (let i = 1 + rng.int(3); i > 0; i--) {
      const command = pick(rng, KNOWN_COMMANDS.filter((c) => c !== "version"));
      frames.unshift(encodeFrame(FUZZ_MAGIC, command, synthPayload(rng, command), sha256));
    }
  }
  return { kind: "frames", strategy, chunks: chunked(rng, concat(frames)) };
}
