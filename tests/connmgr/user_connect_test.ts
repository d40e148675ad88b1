/**
 * Connections requested through the API are bounded: a target already being
 * dialled, connected or kept is refused as a duplicate, and at most
 * MAX_USER_CONNECTIONS user connections exist at once.
 */
import { describe, expect, test } from "bun:test";
import { MAX_USER_CONNECTIONS } from "../../src/connmgr/manual.ts";
import { hostIp, simNetwork, simNode, stoppedAfterEach } from "../support/sim_node.ts";

const running = stoppedAfterEach();

describe("user-requested connections", () => {
  test("a repeated target is a duplicate; past the bound the answer is limit", async () => {
    const sim = simNode(simNetwork(), { targetoutbound: 0 });
    running.push(sim);
    await sim.node.start();
    const connmgr = sim.node.connmgr!;
    // Nobody listens at these hosts: the dials and kept loops stay in progress.
    expect(connmgr.connect({ host: hostIp(1), port: 8333 }, true)).toBe("started");
    expect(connmgr.connect({ host: hostIp(1), port: 8333 }, true)).toBe("duplicate");
    expect(connmgr.connect({ host: hostIp(1), port: 8333 }, false)).toBe("duplicate");
    expect(connmgr.connect({ host: hostIp(2), port: 8333 }, false)).toBe("started");
    expect(connmgr.connect({ host: hostIp(2), port: 8333 }, false)).toBe("duplicate");
    for (let i = 3; i <= MAX_USER_CONNECTIONS; i++) {
      expect(connmgr.connect({ host: hostIp(i), port: 8333 }, i % 2 === 0)).toBe("started");
    }
    expect(connmgr.connect({ host: hostIp(MAX_USER_CONNECTIONS + 1), port: 8333 }, true)).toBe(
      "limit",
    );
    await sim.node.stop();
    expect(connmgr.connect({ host: hostIp(99), port: 8333 }, false)).toBe("stopping");
  });
});
