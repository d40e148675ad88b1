/**
 * The candidate loop alone, fed by a scripted sequence of draws: recently
 * tried addresses wait until 30 draws, non-default ports until 50 (the
 * desperate phase), used groups, banned, busy and unreachable addresses are
 * never taken, Tor addresses are exempt from the group rule, and the loop
 * gives up after 100 draws; services are judged by Core's rules
 * (HasAllDesirableServiceFlags for outbound peers, MayHaveUsefulAddressDB
 * for feelers).
 */
import { describe, expect, test } from "bun:test";
import type { KnownAddress } from "../../src/addrmgr/addr_manager.ts";
import {
  type CandidateContext,
  MAX_PICK_TRIES,
  ODD_PORT_MIN_TRIES,
  pickCandidate,
  RECENT_TRY_MIN_TRIES,
} from "../../src/connmgr/candidate.ts";
import { outboundGroup } from "../../src/connmgr/group.ts";
import {
  desirableServices,
  NODE_NETWORK,
  NODE_NETWORK_LIMITED,
  NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS,
  NODE_WITNESS,
} from "../../src/peer/services.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { encodeOnion } from "../../src/wire/onion.ts";

const NOW = 1_700_000_000;
const PORT = 8333;

function known(host: string, port = PORT, extra: Partial<KnownAddress> = {}): KnownAddress {
  const addr = parseAddress(host);
  return {
    addr,
    port,
    services: NODE_NETWORK | NODE_WITNESS,
    time: NOW - 3600,
    source: parseAddress("8.8.4.4"),
    lastTry: 0,
    lastSuccess: 0,
    attempts: 0,
    tried: false,
    ...extra,
  };
}

/** A context drawing from `draws` in turn (the last one repeats), counting draws. */
function context(draws: KnownAddress[], over: Partial<CandidateContext> = {}) {
  let i = 0;
  const ctx: CandidateContext & { drawn: () => number } = {
    select: () => draws[Math.min(i++, draws.length - 1)],
    now: NOW,
    defaultPort: PORT,
    usedGroups: new Set(),
    isBanned: () => false,
    isBusy: () => false,
    reachable: (n) => n === "ipv4" || n === "ipv6",
    desirableServices: (services) => desirableServices(services, 0),
    drawn: () => i,
    ...over,
  };
  return ctx;
}

describe("outbound candidate loop", () => {
  test("a non-default port is taken only once 50 draws have failed (desperate)", () => {
    const odd = known("21.1.0.1", 18333);
    const pick = pickCandidate(context([odd]));
    expect(pick?.tries).toBe(ODD_PORT_MIN_TRIES);
    expect(pick?.address.port).toBe(18333);
  });

  test("a default-port address among odd ones is preferred as soon as it is drawn", () => {
    const draws = [...Array(10).fill(known("21.1.0.1", 18333)), known("22.1.0.1")];
    const pick = pickCandidate(context(draws));
    expect(pick?.tries).toBe(11);
    expect(pick?.hostPort).toBe("22.1.0.1:8333");
  });

  test("a port of another well-known service waits like a non-default port", () => {
    const pick = pickCandidate(context([known("21.1.0.1", 22)]));
    expect(pick?.tries).toBe(ODD_PORT_MIN_TRIES);
  });

  test("an address tried in the last 10 minutes waits until 30 draws", () => {
    const recent = known("21.1.0.1", PORT, { lastTry: NOW - 60 });
    expect(pickCandidate(context([recent]))?.tries).toBe(RECENT_TRY_MIN_TRIES);
    const older = known("21.1.0.1", PORT, { lastTry: NOW - 11 * 60 });
    expect(pickCandidate(context([older]))?.tries).toBe(1);
  });

  test("a group already used by an outbound peer is never taken; the loop stops at 100 draws", () => {
    const a = known("21.1.0.1");
    const ctx = context([known("21.1.7.7")], { usedGroups: new Set([outboundGroup(a.addr)!]) });
    expect(pickCandidate(ctx)).toBeUndefined();
    expect(ctx.drawn()).toBe(MAX_PICK_TRIES);
  });

  test("banned, busy, unreachable and service-less addresses are never taken", () => {
    const banned = known("21.1.0.1");
    const busy = known("22.1.0.1");
    const noWitness = known("23.1.0.1", PORT, { services: NODE_NETWORK });
    const onion = known(encodeOnion(new Uint8Array(32).fill(7)));
    const good = known("24.1.0.1");
    const ctx = context([banned, busy, noWitness, onion, good], {
      isBanned: (a) => a === banned.addr,
      isBusy: (hp) => hp === "22.1.0.1:8333",
    });
    const pick = pickCandidate(ctx);
    expect(pick?.hostPort).toBe("24.1.0.1:8333");
    expect(pick?.tries).toBe(5);
  });

  test("a limited peer is taken only while we are near the tip; far behind, NODE_NETWORK", () => {
    const limited = known("23.1.0.1", PORT, { services: NODE_NETWORK_LIMITED | NODE_WITNESS });
    const full = known("24.1.0.1");
    const near = NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS - 1;
    const far = NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS;
    const at = (depth: number) => (services: bigint) => desirableServices(services, depth);
    expect(pickCandidate(context([limited, full], { desirableServices: at(near) }))?.hostPort)
      .toBe("23.1.0.1:8333");
    const pick = pickCandidate(context([limited, full], { desirableServices: at(far) }));
    expect(pick?.hostPort).toBe("24.1.0.1:8333");
    expect(pick?.tries).toBe(2);
  });

  test("feelers test any address of a node that keeps blocks, whatever else it lacks", () => {
    const none = known("22.1.0.1", PORT, { services: NODE_WITNESS });
    const limitedOnly = known("23.1.0.1", PORT, { services: NODE_NETWORK_LIMITED });
    const pick = pickCandidate(context([none, limitedOnly], { feeler: true }));
    expect(pick?.hostPort).toBe("23.1.0.1:8333");
    expect(pick?.tries).toBe(2);
  });

  test("Tor addresses are exempt from the group rule when reachable", () => {
    const onion1 = known(encodeOnion(new Uint8Array(32).fill(1)));
    const onion2 = known(encodeOnion(new Uint8Array(32).fill(2)));
    expect(outboundGroup(onion1.addr)).toBeNull();
    const pick = pickCandidate(context([onion2], {
      usedGroups: new Set(["anything"]),
      reachable: () => true,
    }));
    expect(pick?.group).toBeNull();
    expect(pick?.tries).toBe(1);
  });

  test("an empty book ends the loop at once", () => {
    const ctx = context([]);
    expect(pickCandidate({ ...ctx, select: () => undefined })).toBeUndefined();
  });
});
