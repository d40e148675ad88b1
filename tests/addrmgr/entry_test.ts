/** IsTerrible and GetChance reproduce Core's rules (addrman-vectors.json `terrible`, `chance`). */
import { describe, expect, test } from "bun:test";
import { entryKey, getChance, isTerrible } from "../../src/addrmgr/entry.ts";
import { ip, vectors } from "./helpers.ts";

interface ChanceRow {
  desc: string;
  now: number;
  last_try: number;
  attempts: number;
  expected: number;
}
interface TerribleRow {
  desc: string;
  now: number;
  nTime: number;
  last_try: number;
  last_success: number;
  attempts: number;
  expected: boolean;
}

describe("isTerrible", () => {
  test("all 22 rows of Core's rules", () => {
    const rows = vectors.terrible as TerribleRow[];
    expect(rows.length).toBe(22);
    for (const r of rows) {
      const got = isTerrible(
        { time: r.nTime, lastTry: r.last_try, lastSuccess: r.last_success, attempts: r.attempts },
        r.now,
      );
      expect(`${r.desc}: ${got}`).toBe(`${r.desc}: ${r.expected}`);
    }
  });
});

describe("getChance", () => {
  test("23 rows exactly (the same double on every runtime)", () => {
    // The 24th row has attempts = -1, which the tables never produce (validated on load).
    const rows = (vectors.chance as ChanceRow[]).filter((r) => r.attempts >= 0);
    expect(rows.length).toBe(23);
    for (const r of rows) {
      const got = getChance(
        { time: 0, lastTry: r.last_try, lastSuccess: 0, attempts: r.attempts },
        r.now,
      );
      expect(`${r.desc}: ${got}`).toBe(`${r.desc}: ${r.expected}`);
    }
  });
});

describe("entryKey", () => {
  test("port and network are part of the key; CJDNS and IPv6 with the same bytes differ", () => {
    const a = ip("1.2.3.4");
    expect(entryKey(a, 8333)).not.toBe(entryKey(a, 8334));
    const v6 = ip("fc00::1");
    expect(entryKey(v6, 1)).not.toBe(entryKey({ network: "cjdns", bytes: v6.bytes }, 1));
    const onion = ip("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion");
    expect(entryKey(onion, 8333).length).toBe(1 + 32 + 2);
  });
});
