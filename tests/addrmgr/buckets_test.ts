/** Bucket placement reproduces Core's addrman numbers byte for byte (addrman-vectors.json). */
import { describe, expect, test } from "bun:test";
import {
  BucketHasher,
  bucketPosition,
  latin1,
  newBucket,
  serviceKey,
  triedBucket,
} from "../../src/addrmgr/buckets.ts";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { flipIpv6ToCjdns, type NetAddress } from "../../src/wire/address.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { splitHostPort } from "../../src/wire/host_port.ts";
import { internalAddress } from "../../src/wire/internal_address.ts";
import { networkGroup } from "../../src/wire/netgroup.ts";
import { AddrTables } from "../../src/addrmgr/tables.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { nodeSha256 as sha256, vectorJson } from "../support/vectors.ts";

interface PlacementRow {
  category: string;
  addr: string;
  addr_net: string;
  source: string;
  source_net: string;
  routable: boolean;
  group_hex: string;
  source_group_hex: string;
  key_hex: string;
  key: "nKey1" | "nKey2";
  tried_bucket: number;
  tried_pos: number;
  new_bucket: number;
  new_pos: number;
}

const vectors = vectorJson<{
  keys: Record<string, string>;
  deterministic_key_hex: string;
  placements: PlacementRow[];
}>("addrman-vectors.json");
const keys: Record<string, Uint8Array> = {
  nKey1: fromHex(vectors.keys.nKey1),
  nKey2: fromHex(vectors.keys.nKey2),
};

const v4 = (a: number, b: number, c: number, d: number): NetAddress => ({
  network: "ipv4",
  bytes: new Uint8Array([a, b, c, d]),
});
/** Core's IPv4 group: class 1 and the /16. */
const v4group = (a: NetAddress) => String.fromCharCode(1, a.bytes[0], a.bytes[1]);

describe("placement vectors", () => {
  test("all 1,094 rows: tried bucket/slot and new bucket/slot", () => {
    expect(vectors.placements.length).toBe(1094);
    const hashers = {
      nKey1: new BucketHasher(sha256, keys.nKey1),
      nKey2: new BucketHasher(sha256, keys.nKey2),
    };
    const failures: string[] = [];
    for (const row of vectors.placements) {
      const k = fromHex(row.key_hex);
      const g = latin1(fromHex(row.group_hex));
      const sg = latin1(fromHex(row.source_group_hex));
      const h = hashers[row.key];
      const got = [
        h.triedBucket(k, g),
        h.position(false, row.tried_bucket, k),
        h.newBucket(g, sg),
        h.position(true, row.new_bucket, k),
      ];
      const want = [row.tried_bucket, row.tried_pos, row.new_bucket, row.new_pos];
      if (got.join() !== want.join()) failures.push(`${row.addr} from ${row.source}: ${got}`);
    }
    expect(failures).toEqual([]);
  });

  test("from the address text: service key, groups (netgroup.ts and the tables) and slots", () => {
    /** A host as the row's network says (CJDNS is IPv6 text; `internal:NAME` names a seed). */
    const host = (text: string, net: string): NetAddress => {
      if (text.startsWith("internal:")) return internalAddress(sha256, text.slice(9));
      const a = parseAddress(text);
      return net === "cjdns" ? flipIpv6ToCjdns(a) : a;
    };
    const tables = new AddrTables(sha256, keys.nKey1, seededRandom(1));
    const failures: string[] = [];
    for (const row of vectors.placements) {
      const { host: h, port } = splitHostPort(row.addr);
      const addr = host(h, row.addr_net);
      const source = host(row.source, row.source_net);
      const got = [
        toHex(serviceKey(addr, port)),
        toHex(networkGroup(addr)),
        toHex(networkGroup(source)),
        toHex(Uint8Array.from(tables.groupOf(addr), (c) => c.charCodeAt(0))),
      ];
      const want = [row.key_hex, row.group_hex, row.source_group_hex, row.group_hex];
      if (got.join() !== want.join()) failures.push(`${row.addr} from ${row.source}: ${got}`);
      if (row.key === "nKey1" && row.routable) {
        const k = serviceKey(addr, port);
        const g = tables.groupOf(addr);
        const slots = [
          tables.hasher.triedBucket(k, g),
          tables.hasher.newBucket(g, tables.groupOf(source)),
        ];
        if (slots.join() !== [row.tried_bucket, row.new_bucket].join()) {
          failures.push(`${row.addr} from ${row.source}: buckets ${slots}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  test("the uncached functions agree with the hasher", () => {
    for (const row of vectors.placements.slice(0, 40)) {
      const key = keys[row.key];
      const k = fromHex(row.key_hex);
      const g = fromHex(row.group_hex);
      expect(triedBucket(sha256, key, k, g)).toBe(row.tried_bucket);
      expect(newBucket(sha256, key, g, fromHex(row.source_group_hex))).toBe(row.new_bucket);
      expect(bucketPosition(sha256, key, true, row.new_bucket, k)).toBe(row.new_pos);
    }
  });
});

describe("Core caddrinfo_get_tried_bucket_legacy / get_new_bucket_legacy", () => {
  const h1 = () => new BucketHasher(sha256, keys.nKey1);

  test("250.1.1.1:8333 lands in tried bucket 40, and in another under nKey2 or port 9999", () => {
    const a = v4(250, 1, 1, 1);
    expect(h1().triedBucket(serviceKey(a, 8333), v4group(a))).toBe(40);
    expect(new BucketHasher(sha256, keys.nKey2).triedBucket(serviceKey(a, 8333), v4group(a)))
      .not.toBe(40);
    expect(h1().triedBucket(serviceKey(a, 9999), v4group(a))).not.toBe(40);
    expect(toHex(serviceKey(a, 8333))).toBe("00000000000000000000fffffa010101208d");
  });

  test("one /16 reaches exactly 8 tried buckets, 255 /16s reach 160", () => {
    const h = h1();
    const one = new Set<number>();
    const many = new Set<number>();
    for (let i = 0; i < 255; i++) {
      const a = v4(250, 1, 1, i);
      one.add(h.triedBucket(serviceKey(a, 0), v4group(a)));
      const b = v4(250, i, 1, 1);
      many.add(h.triedBucket(serviceKey(b, 0), v4group(b)));
    }
    expect(one.size).toBe(8);
    expect(many.size).toBe(160);
  });

  test("250.1.2.1:8333 from itself lands in new bucket 786; the port is ignored", () => {
    const a = v4(250, 1, 2, 1);
    expect(h1().newBucket(v4group(a), v4group(a))).toBe(786);
    expect(new BucketHasher(sha256, keys.nKey2).newBucket(v4group(a), v4group(a))).not.toBe(786);
  });

  test("new buckets: 1 for one /16 from itself, ≤ 64 per source group, > 64 over sources", () => {
    const h = h1();
    const same = new Set<number>();
    for (let i = 0; i < 255; i++) {
      same.add(h.newBucket(v4group(v4(250, 1, 1, i)), v4group(v4(250, 1, 1, i))));
    }
    expect(same.size).toBe(1);
    const oneSource = new Set<number>();
    const src = v4group(v4(251, 4, 1, 1));
    for (let j = 0; j < 4 * 255; j++) {
      oneSource.add(h.newBucket(v4group(v4(250 + Math.floor(j / 255), j % 256, 1, 1)), src));
    }
    expect(oneSource.size).toBeLessThanOrEqual(64);
    expect(oneSource.size).toBe(63);
    const manySources = new Set<number>();
    for (let p = 0; p < 255; p++) {
      manySources.add(h.newBucket(v4group(v4(250, 1, 1, 1)), v4group(v4(250, p, 1, 1))));
    }
    expect(manySources.size).toBe(221);
  });
});
