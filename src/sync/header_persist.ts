/**
 * Saving and loading the header chain through the storage port, so a restart
 * does not download the headers again.
 *
 * Storage: the chain's headers in insertion order (genesis first, every
 * parent before its children, side branches included) cut into chunks of
 * `HEADERS_PER_CHUNK`, one key each: `headers-000000.bin`,
 * `headers-000001.bin`… A save writes only the last, partial chunk and the
 * ones after it, so saving is incremental: a full chunk is written once.
 *
 * Chunk format (little-endian):
 *   magic "BEHD" | version u32 (1) | genesis hash (32, wire order) |
 *   chunk number u32 | header count u32 (1..2000) |
 *   checksum: first 4 bytes of sha256d(headers) | headers (count × 80)
 *
 * Loading re-validates every header through `HeaderChain.acceptHeader`
 * (linkage, proof of work, difficulty, times). The first chunk that is
 * unreadable (bad magic, version, genesis, numbering, size or checksum, a
 * full chunk followed by a gap, or a header the chain refuses) is renamed
 * aside as `<key>.corrupt-<unix ms>` with every later chunk, with a warning;
 * the chain keeps what validated before it (just genesis when the first
 * chunk is bad). Bad data never makes loading fail, so the node starts either
 * way; only a failing store (an I/O error) rejects.
 */
import type { Logger } from "../log/logger.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { KvStore } from "../platform/storage.ts";
import { BLOCK_HEADER_SIZE } from "../wire/block_header.ts";
import { ByteReader, bytesEqual, ByteWriter, hexToHash } from "../wire/bytes.ts";
import { DecodeError } from "../wire/errors.ts";
import { sha256d } from "../wire/hash.ts";
import type { HeaderChain } from "./header_chain.ts";
import { HeaderError } from "./header_error.ts";

/** Headers per stored chunk: one `headers` message's worth (160 KB). */
export const HEADERS_PER_CHUNK = 2000;
/** Chunk format version written and accepted. */
export const HEADERS_FILE_VERSION = 1;
/** First bytes of every chunk: "BEHD" (btc-edge headers). */
const MAGIC = Uint8Array.of(0x42, 0x45, 0x48, 0x44);
/** Bytes before the headers: magic, version, genesis, number, count, checksum. */
const CHUNK_PREAMBLE_SIZE = 4 + 4 + 32 + 4 + 4 + 4;
/** Key prefix of the chunks. */
const KEY_PREFIX = "headers-";
/** A chunk key: the prefix, six digits, ".bin". */
const KEY_PATTERN = /^headers-(\d{6})\.bin$/;

/** The key of chunk `n`. */
export function headerChunkKey(n: number): string {
  return `${KEY_PREFIX}${String(n).padStart(6, "0")}.bin`;
}

/** What `load` did. */
export interface HeaderLoadReport {
  /** Headers taken from the store (genesis not counted). */
  readonly loaded: number;
  /** Keys renamed aside, under their new names. */
  readonly setAside: readonly string[];
  /** Why chunks were set aside, or null when all loaded. */
  readonly problem: string | null;
}

/** What `HeaderPersistence` needs. */
export interface HeaderPersistenceOptions {
  readonly store: KvStore;
  /** The chain to fill on `load` and to save from. */
  readonly chain: HeaderChain;
  readonly sha256: Sha256;
  /** Unix milliseconds, for the name of set-aside files. */
  readonly now: () => number;
  readonly logger: Logger;
}

/** A chunk that cannot be used, and why. */
class CorruptChunk extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CorruptChunk";
  }
}

/** Saves the chain's headers incrementally and loads them back at start. */
export class HeaderPersistence {
  readonly #store: KvStore;
  readonly #chain: HeaderChain;
  readonly #sha256: Sha256;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #genesis: Uint8Array;
  /** Stored headers (insertion order) known to be written. */
  #saved = 0;
  /** The save in progress (saves run one at a time). */
  #pending: Promise<unknown> = Promise.resolve();

  constructor(options: HeaderPersistenceOptions) {
    this.#store = options.store;
    this.#chain = options.chain;
    this.#sha256 = options.sha256;
    this.#now = options.now;
    this.#log = options.logger;
    this.#genesis = hexToHash(options.chain.params.genesisHash);
  }

  /** Headers (insertion order, genesis included) already in the store. */
  get savedCount(): number {
    return this.#saved;
  }

  /**
   * Fills the chain (which must hold only genesis) from the store. Never
   * rejects for bad data: unusable chunks are set aside and reported. Rejects
   * when the store fails, or when the chain is not fresh.
   */
  async load(): Promise<HeaderLoadReport> {
    const chain = this.#chain;
    if (chain.count !== 1) {
      throw new Error(`load needs a fresh chain (genesis only); this one has ${chain.count}`);
    }
    const keys = (await this.#store.list(KEY_PREFIX)).filter((k) => KEY_PATTERN.test(k)).sort();
    let problem: string | null = null;
    let next = 0;
    for (; next < keys.length; next++) {
      const key = keys[next];
      try {
        if (key !== headerChunkKey(next)) {
          throw new CorruptChunk(`expected chunk ${headerChunkKey(next)}, found ${key}`);
        }
        const bytes = await this.#store.get(key);
        if (bytes === undefined) throw new CorruptChunk("it disappeared while loading");
        const headers = this.#parseChunk(bytes, next);
        if (next > 0 && chain.count !== next * HEADERS_PER_CHUNK) {
          throw new CorruptChunk(`the chunk before it was not full`);
        }
        this.#apply(headers, next);
        this.#saved = chain.count;
      } catch (error) {
        if (!(error instanceof CorruptChunk)) throw error;
        problem = `${key}: ${error.message}`;
        break;
      }
    }
    const setAside: string[] = [];
    if (problem !== null) {
      this.#saved = next * HEADERS_PER_CHUNK;
      const stamp = this.#now();
      for (const key of keys.slice(next)) {
        const aside = `${key}.corrupt-${stamp}`;
        await this.#store.rename(key, aside);
        setAside.push(aside);
      }
      this.#log.warn("stored headers unusable; set aside, continuing from what validated", {
        problem,
        setAside,
        height: chain.tipHeight,
      });
    }
    return { loaded: chain.count - 1, setAside, problem };
  }

  /**
   * Writes the headers stored since the last save (rewriting the last,
   * partial chunk). Returns how many headers were newly written. Saves
   * queue behind each other.
   */
  save(): Promise<number> {
    const run = this.#pending.then(() => this.#saveNow());
    this.#pending = run.catch(() => {});
    return run;
  }

  async #saveNow(): Promise<number> {
    const count = this.#chain.count;
    const before = this.#saved;
    for (let n = Math.floor(before / HEADERS_PER_CHUNK); n * HEADERS_PER_CHUNK < count; n++) {
      const from = n * HEADERS_PER_CHUNK;
      const to = Math.min(count, from + HEADERS_PER_CHUNK);
      await this.#store.set(headerChunkKey(n), this.#encodeChunk(n, from, to));
      this.#saved = to;
    }
    return this.#saved - before;
  }

  #encodeChunk(n: number, from: number, to: number): Uint8Array {
    const headers = new Uint8Array((to - from) * BLOCK_HEADER_SIZE);
    for (let i = from; i < to; i++) {
      headers.set(this.#chain.storedHeader(i), (i - from) * BLOCK_HEADER_SIZE);
    }
    return new ByteWriter(CHUNK_PREAMBLE_SIZE + headers.length)
      .bytes(MAGIC)
      .u32le(HEADERS_FILE_VERSION)
      .bytes(this.#genesis)
      .u32le(n)
      .u32le(to - from)
      .bytes(sha256d(this.#sha256, headers).subarray(0, 4))
      .bytes(headers)
      .finish();
  }

  /** The headers of a chunk, after checking its preamble; throws `CorruptChunk`. */
  #parseChunk(bytes: Uint8Array, n: number): Uint8Array {
    try {
      const r = new ByteReader(bytes, "headers chunk");
      if (!bytesEqual(r.bytes(4), MAGIC)) throw new CorruptChunk("bad magic");
      const version = r.u32le();
      if (version !== HEADERS_FILE_VERSION) {
        throw new CorruptChunk(`version ${version}, expected ${HEADERS_FILE_VERSION}`);
      }
      if (!bytesEqual(r.bytes(32), this.#genesis)) {
        throw new CorruptChunk(`written for another network than ${this.#chain.params.name}`);
      }
      const number = r.u32le();
      if (number !== n) throw new CorruptChunk(`numbered ${number}, expected ${n}`);
      const count = r.u32le();
      if (count === 0 || count > HEADERS_PER_CHUNK) {
        throw new CorruptChunk(`holds ${count} headers, expected 1 to ${HEADERS_PER_CHUNK}`);
      }
      const checksum = r.bytes(4);
      const headers = r.bytes(count * BLOCK_HEADER_SIZE);
      r.end();
      if (!bytesEqual(sha256d(this.#sha256, headers).subarray(0, 4), checksum)) {
        throw new CorruptChunk("checksum mismatch");
      }
      return headers;
    } catch (error) {
      if (error instanceof DecodeError) throw new CorruptChunk(error.message);
      throw error;
    }
  }

  /** Feeds a chunk's headers to the chain (those before a refused one stay). */
  #apply(headers: Uint8Array, n: number): void {
    const chain = this.#chain;
    for (let at = 0; at < headers.length; at += BLOCK_HEADER_SIZE) {
      const raw = headers.subarray(at, at + BLOCK_HEADER_SIZE);
      if (n === 0 && at === 0) {
        if (!bytesEqual(raw, chain.storedHeader(0))) throw new CorruptChunk("genesis differs");
        continue;
      }
      try {
        chain.acceptHeader(raw);
      } catch (error) {
        if (!(error instanceof HeaderError)) throw error;
        throw new CorruptChunk(`header ${n * HEADERS_PER_CHUNK + at / 80}: ${error.message}`);
      }
    }
  }
}
