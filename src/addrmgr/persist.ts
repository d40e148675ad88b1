/**
 * peers.json: the address book on disk. The file holds everything needed to
 * rebuild the tables exactly: format version, bucketing key, every entry
 * with its history and its slots, in the random order getaddr samples from.
 * Addresses are in their usual text forms and each entry is one JSON line,
 * so people can read and grep it; the bytes are the same whichever runtime
 * wrote them (plain integers and strings, fixed key order).
 *
 * Loading checks every field (zod for shapes, then the cross-checks: each
 * address canonical, routable and unique, each slot in range, used once and
 * where the key puts it, each entry in exactly one table, counts matching).
 * A file that fails is reported as corrupt with the reason; the caller sets
 * it aside and starts empty.
 */
import { z } from "zod";
import type { Random } from "../platform/random.ts";
import type { Sha256 } from "../platform/hash.ts";
import { flipIpv6ToCjdns, type NetAddress } from "../wire/address.ts";
import { formatAddress, parseAddress } from "../wire/address_format.ts";
import { fromHex, toHex } from "../wire/bytes.ts";
import { formatHostPort } from "../wire/host_port.ts";
import { isRoutable } from "../wire/routability.ts";
import { BUCKET_SIZE, NEW_BUCKET_COUNT, TRIED_BUCKET_COUNT } from "./buckets.ts";
import {
  type AddrEntry,
  entryAddress,
  entryKey,
  internServices,
  type TableNetwork,
} from "./entry.ts";
import { AddrTables, NEW_BUCKETS_PER_ADDRESS, NEW_SLOTS } from "./tables.ts";

/** Storage key of the address book. */
export const PEERS_KEY = "peers.json";
/** The `format` field: says what the file is. */
export const PEERS_FORMAT = "btc-edge peers";
/** Version of the layout below; files of any other version are set aside. */
export const PEERS_VERSION = 1;
/** Largest u64 (service bits). */
const MAX_U64 = (1n << 64n) - 1n;

const time = z.number().int().nonnegative();
const slot = (buckets: number) =>
  z.tuple([z.number().int().min(0).max(buckets - 1), z.number().int().min(0).max(BUCKET_SIZE - 1)]);

const ENTRY_SCHEMA = z.strictObject({
  /** "host:port", IPv6 and CJDNS hosts in brackets. */
  address: z.string(),
  network: z.enum(["ipv4", "ipv6", "onion", "i2p", "cjdns"]),
  /** Service bits, decimal (u64). */
  services: z.string().regex(/^[0-9]{1,20}$/),
  /** The host that first told us, no port. */
  source: z.string(),
  sourceNetwork: z.enum(["ipv4", "ipv6", "onion", "i2p", "cjdns", "internal"]),
  time,
  lastTry: time,
  lastSuccess: time,
  lastCountAttempt: time,
  attempts: z.number().int().nonnegative(),
  /** [bucket, position] in the tried table, or null. */
  tried: slot(TRIED_BUCKET_COUNT).nullable(),
  /** [bucket, position] pairs in the new table (empty when tried). */
  new: z.array(slot(NEW_BUCKET_COUNT)).max(NEW_BUCKETS_PER_ADDRESS),
});

const FILE_SCHEMA = z.strictObject({
  format: z.literal(PEERS_FORMAT),
  version: z.literal(PEERS_VERSION),
  /** The secret bucketing key, hex (32 bytes). */
  key: z.string().regex(/^[0-9a-f]{64}$/),
  lastGood: time,
  newCount: z.number().int().nonnegative(),
  triedCount: z.number().int().nonnegative(),
  entries: z.array(ENTRY_SCHEMA),
});

/** One entry as stored. */
export type StoredEntry = z.infer<typeof ENTRY_SCHEMA>;
/** The whole file as stored. */
export type StoredPeers = z.infer<typeof FILE_SCHEMA>;

/** Why a peers.json could not be used. */
export class CorruptPeersFile extends Error {
  /** What was wrong, for the log. */
  readonly reason: string;
  constructor(reason: string) {
    super(`peers.json is unusable: ${reason}`);
    this.name = "CorruptPeersFile";
    this.reason = reason;
  }
}

const pair = (slot: number): [number, number] => [slot >> 6, slot & (BUCKET_SIZE - 1)];

/** The tables as the stored object (entries in random order, each with its slots). */
export function toStored(t: AddrTables): StoredPeers {
  const newOf = new Map<AddrEntry, [number, number][]>();
  for (let s = 0; s < NEW_SLOTS; s++) {
    const e = t.newSlots.at(s);
    if (e === undefined) continue;
    const list = newOf.get(e);
    if (list === undefined) newOf.set(e, [pair(s)]);
    else list.push(pair(s));
  }
  return {
    format: PEERS_FORMAT,
    version: PEERS_VERSION,
    key: toHex(t.key),
    lastGood: t.lastGood,
    newCount: t.newCount,
    triedCount: t.triedCount,
    entries: t.randomOrder.map((e) => ({
      address: formatHostPort(entryAddress(e), e.port),
      network: e.network,
      services: e.services.toString(),
      source: formatAddress(e.source),
      sourceNetwork: e.source.network as StoredEntry["sourceNetwork"],
      time: e.time,
      lastTry: e.lastTry,
      lastSuccess: e.lastSuccess,
      lastCountAttempt: e.lastCountAttempt,
      attempts: e.attempts,
      tried: e.triedSlot >= 0 ? pair(e.triedSlot) : null,
      new: newOf.get(e) ?? [],
    })),
  };
}

/**
 * The file text: the header fields one per line, then one entry per line.
 * Deterministic for a given state.
 */
export function serializePeers(t: AddrTables): string {
  const { entries, ...header } = toStored(t);
  const head = Object.entries(header).map(([k, v]) =>
    `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`
  );
  const body = entries.length === 0
    ? "[]"
    : `[\n${entries.map((e) => `    ${JSON.stringify(e)}`).join(",\n")}\n  ]`;
  return `{\n${head.join(",\n")},\n  "entries": ${body}\n}\n`;
}

/** Parses "host:port" strictly: canonical text only. */
function parseService(text: string, network: string): { addr: NetAddress; port: number } {
  const colon = text.lastIndexOf(":");
  const portText = text.slice(colon + 1);
  if (colon < 0 || !/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new CorruptPeersFile(`${JSON.stringify(text)} is not host:port`);
  }
  const addr = parseHost(text.slice(0, colon), network);
  const port = Number(portText);
  if (formatHostPort(addr, port) !== text) {
    throw new CorruptPeersFile(`${JSON.stringify(text)} is not in canonical form`);
  }
  return { addr, port };
}

/** Parses a host of a stated network (CJDNS is written as IPv6 text). */
function parseHost(text: string, network: string): NetAddress {
  let addr: NetAddress;
  try {
    addr = parseAddress(text);
  } catch (e) {
    throw new CorruptPeersFile((e as Error).message);
  }
  if (network === "cjdns") addr = flipIpv6ToCjdns(addr);
  if (addr.network !== network) {
    throw new CorruptPeersFile(`${JSON.stringify(text)} is not a ${network} address`);
  }
  return addr;
}

/**
 * Rebuilds tables from a parsed JSON value. Throws `CorruptPeersFile` with
 * the first problem found. `random` becomes the tables' coin for later adds.
 */
export function fromStored(value: unknown, sha256: Sha256, random: Random): AddrTables {
  const parsed = FILE_SCHEMA.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptPeersFile(`${issue.path.join(".") || "file"}: ${issue.message}`);
  }
  const file = parsed.data;
  const t = new AddrTables(sha256, fromHex(file.key), random);
  t.lastGood = file.lastGood;
  const sources = new Map<string, NetAddress>();
  file.entries.forEach((s, i) => {
    const where = `entry ${i} (${s.address})`;
    const fail = (why: string): never => {
      throw new CorruptPeersFile(`${where}: ${why}`);
    };
    const { addr, port } = parseService(s.address, s.network);
    if (!isRoutable(addr)) fail("the address is not routable");
    const services = BigInt(s.services);
    if (services > MAX_U64) fail("services exceed 64 bits");
    const sourceId = `${s.sourceNetwork} ${s.source}`;
    let source = sources.get(sourceId);
    if (source === undefined) {
      source = parseHost(s.source, s.sourceNetwork);
      if (formatAddress(source) !== s.source) fail("the source is not in canonical form");
      sources.set(sourceId, source);
    }
    const k = entryKey(addr, port);
    if (t.byKey.has(k)) fail("the address appears twice");
    if ((s.tried === null) === (s.new.length === 0)) {
      fail("an entry must be in exactly one table (tried, or 1-8 new slots)");
    }
    const e: AddrEntry = {
      key: k,
      network: addr.network as TableNetwork,
      port,
      services: internServices(services),
      time: s.time,
      source,
      group: t.groupOf(addr),
      sourceGroup: t.groupOf(source),
      lastTry: s.lastTry,
      lastSuccess: s.lastSuccess,
      lastCountAttempt: s.lastCountAttempt,
      attempts: s.attempts,
      refCount: 0,
      triedSlot: -1,
      randomPos: 0,
      id: 0,
    };
    t.insert(e);
    if (s.tried !== null) {
      const slot = s.tried[0] * BUCKET_SIZE + s.tried[1];
      if (t.triedSlotOf(e) !== slot) fail("the tried slot is not where the key puts it");
      if (t.triedSlots.at(slot) !== undefined) fail("the tried slot is taken twice");
      t.restoreTried(e, slot);
    }
    const kb = t.hasher.keyOf(addr, port);
    for (const [bucket, position] of s.new) {
      const slot = bucket * BUCKET_SIZE + position;
      if (t.hasher.position(true, bucket, kb) !== position) {
        fail(`new slot ${bucket}/${position} is not where the key puts it`);
      }
      if (t.newSlots.at(slot) !== undefined) fail(`new slot ${bucket}/${position} is taken twice`);
      t.restoreNew(e, slot);
    }
  });
  if (t.newCount !== file.newCount || t.triedCount !== file.triedCount) {
    throw new CorruptPeersFile(
      `counts say ${file.newCount} new and ${file.triedCount} tried, ` +
        `the entries hold ${t.newCount} and ${t.triedCount}`,
    );
  }
  return t;
}
