/**
 * BIP324 between real nodes on loopback: two v2 nodes speak v2 with the same
 * session id at both ends and advertise NODE_P2P_V2; one listening port
 * serves a v1 and a v2 peer at once; a v2 node dialling a v1-only node
 * (`--v2transport=false`) is dropped at its first bytes, retries once as
 * v1, and dials v1 straight away from then on; and a node with v2 off
 * announces no NODE_P2P_V2 and dials v1.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { PeerStats } from "../../mod.ts";
import {
  NET_WAIT_MS,
  p2pAddress,
  readyPeers,
  startNode,
  stopAll,
  type TestNode,
} from "./loopback.ts";
import { authed } from "../support/api_requests.ts";
import { waitFor } from "../support/wait.ts";

afterEach(stopAll);

/** B's API token (the API is not served: requests go to the app directly). */
const TOKEN = "v2-transport-test-token";
/** What the connection manager logs when it retries a v2 dial as v1. */
const RETRY_MESSAGE = "v2 connection got no answer; retrying with v1";

/** Connections `t` dropped for starting with another network's magic. */
function malformedMagic(t: TestNode): number {
  return t.records.filter((r) =>
    r.message === "peer sent a malformed message" && r.fields.kind === "magic"
  )
    .length;
}

/** `t`'s ready peers in `direction`. */
function ready(t: TestNode, direction: PeerStats["direction"]): PeerStats[] {
  return t.node.peers().filter((p) => p.direction === direction && p.handshake === "ready");
}

/** How many times `t` logged `message`. */
function logged(t: TestNode, message: string): number {
  return t.messages().filter((m) => m === message).length;
}

describe("v2 transport between nodes", () => {
  test("two v2 nodes speak v2 with one session id, each advertising NODE_P2P_V2", async () => {
    const a = await startNode();
    const b = await startNode({ connect: [p2pAddress(a)] });
    await waitFor(() => readyPeers(a) === 1 && readyPeers(b) === 1, "A and B", NET_WAIT_MS);
    const [inbound] = ready(a, "inbound");
    const [outbound] = ready(b, "outbound");
    expect(inbound.transport).toBe("v2");
    expect(outbound.transport).toBe("v2");
    expect(inbound.sessionId).toMatch(/^[0-9a-f]{64}$/);
    expect(outbound.sessionId).toBe(inbound.sessionId);
    expect(inbound.serviceNames).toContain("P2P_V2");
    expect(outbound.serviceNames).toContain("P2P_V2");
    expect(logged(b, RETRY_MESSAGE)).toBe(0);
  });

  test("one port serves a v1 peer and a v2 peer at once", async () => {
    const a = await startNode();
    const v1 = await startNode({ connect: [p2pAddress(a)], v2transport: false });
    const v2 = await startNode({ connect: [p2pAddress(a)] });
    await waitFor(() => readyPeers(a) === 2, "both peers at A", NET_WAIT_MS);
    expect(ready(a, "inbound").map((p) => p.transport).sort()).toEqual(["v1", "v2"]);
    expect(ready(v1, "outbound")[0]).toMatchObject({ transport: "v1", sessionId: "" });
    expect(ready(v1, "outbound")[0].serviceNames).toContain("P2P_V2");
    expect(ready(v2, "outbound")[0].transport).toBe("v2");
    // A v1 node announces no NODE_P2P_V2.
    const fromV1 = ready(a, "inbound").find((p) => p.transport === "v1")!;
    expect(fromV1.serviceNames).not.toContain("P2P_V2");
  });

  test("a v2 dial to a v1-only node falls back to v1 once, and the next dial is v1", async () => {
    const old = await startNode({ v2transport: false });
    const b = await startNode({ connect: [p2pAddress(old)], apiToken: TOKEN });
    await waitFor(() => readyPeers(b) === 1, "B connected to the v1 node", NET_WAIT_MS);
    expect(ready(b, "outbound")[0].transport).toBe("v1");
    expect(logged(b, RETRY_MESSAGE)).toBe(1);
    // The v1 node dropped B's v2 bytes: a frame under another magic, before any handshake.
    expect(malformedMagic(old)).toBe(1);

    // B drops the peer; --connect dials again, v1 from the start.
    const first = ready(b, "outbound")[0].id;
    const res = await b.node.app.request(`/peers/${first}`, authed("DELETE", undefined, TOKEN));
    expect(res.status).toBe(200);
    await waitFor(
      () => ready(b, "outbound").some((p) => p.id !== first),
      "B connected again",
      NET_WAIT_MS,
    );
    expect(ready(b, "outbound")[0].transport).toBe("v1");
    expect(logged(b, RETRY_MESSAGE)).toBe(1);
    expect(malformedMagic(old)).toBe(1);
  });

  test("with v2 off a node dials v1 even to a v2 node", async () => {
    const a = await startNode();
    const b = await startNode({ connect: [p2pAddress(a)], v2transport: false });
    await waitFor(() => readyPeers(a) === 1 && readyPeers(b) === 1, "A and B", NET_WAIT_MS);
    expect(ready(b, "outbound")[0].transport).toBe("v1");
    expect(ready(a, "inbound")[0].transport).toBe("v1");
  });
});
