/**
 * A node on the simulated network, for the connection-manager and node
 * tests: a simulated network with remote nodes on distinct routable hosts,
 * an address book preloaded into a data directory, the node under test with
 * its log captured (`simNode`), and `stoppedAfterEach`, which stops every
 * node a test file pushes after each of its tests.
 */
import { platform } from "#platform";
import { afterEachCleanup } from "./cleanup.ts";
import { SimNetwork } from "../../adapters/sim/network.ts";
import { RemoteNode } from "../../adapters/sim/remote_node.ts";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import { resolveOptions } from "../../src/config/load.ts";
import type { ConnKind } from "../../src/connmgr/connection.ts";
import type { OptionsInput } from "../../src/config/options.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import { EdgeNode, type NodeTuning } from "../../src/node/node.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import type { PeerAddress } from "../../src/wire/messages/addr.ts";
import { getParams } from "../../src/wire/params.ts";

/** Mainnet parameters (the simulated network carries no real traffic). */
export const MAIN = getParams("main");
/** Where the node under test lives on the simulated network. */
export const NODE_HOST = "9.9.9.9";
/** A routable source for addresses put into the book. */
export const SOURCE = "8.8.4.4";
/** Services of a full witness node. */
export const FULL = NODE_NETWORK | NODE_WITNESS;

/** A fresh simulated network with the runtime's SHA-256. */
export function simNetwork(): SimNetwork {
  return new SimNetwork({ sha256: platform.sha256, crypto: platform });
}

/**
 * The `i`-th host, each in its own /16 (11.1.0.1, 12.1.0.1 ... then
 * 11.2.0.1 ...): routable, and never in a special-purpose range.
 */
export function hostIp(i: number): string {
  return `${11 + (i % 80)}.${1 + Math.floor(i / 80)}.0.1`;
}

/** `n` remote nodes listening on the default port of hosts `hosts`. */
export function remoteNodes(
  net: SimNetwork,
  hosts: readonly string[],
  extra: { addresses?: PeerAddress[] } = {},
): Promise<RemoteNode[]> {
  return Promise.all(hosts.map((host) =>
    RemoteNode.start({
      network: net,
      host,
      port: MAIN.defaultPort,
      magic: MAIN.magic,
      sha256: platform.sha256,
      ...extra,
    })
  ));
}

/** Gossip entries for `hosts` (default port, full services, seen a minute ago). */
export function addressesOf(hosts: readonly string[], port = MAIN.defaultPort): PeerAddress[] {
  const time = Math.floor(Date.now() / 1000) - 60;
  return hosts.map((h) => ({ time, services: FULL, addr: parseAddress(h), port }));
}

/** Writes a peers.json holding `addresses` into the simulated data directory `datadir`. */
export async function preloadBook(
  net: SimNetwork,
  datadir: string,
  addresses: readonly PeerAddress[],
): Promise<void> {
  const book = new AddrManager({
    sha256: platform.sha256,
    clock: { now: () => Date.now(), setTimer: () => () => {}, sleep: () => Promise.resolve() },
    store: net.store(datadir),
    random: seededRandom(7),
  });
  book.add(addresses, parseAddress(SOURCE));
  await book.save();
}

/** Timings short enough for tests. */
export const FAST: NodeTuning = {
  stopDeadlineMs: 2_000,
  conn: {
    failedDialPauseMs: 10,
    recheckMs: 20,
    retryStepMs: 20,
    retryMaxMs: 100,
    feelerIntervalMs: 60_000,
    dnsSeedDelayMs: 10,
    fixedSeedDelayMs: 10,
    connectTimeoutMs: 1_000,
    fixedSeeds: [],
  },
};

/** A node on the simulated network and its captured log. */
export interface SimNode {
  readonly node: EdgeNode;
  readonly records: LogRecord[];
  /** Messages logged at `level` (any category). */
  messages(level?: LogRecord["level"]): string[];
}

/** Makes (does not start) a node at `host` with `input` options over the defaults for tests. */
export function simNode(
  net: SimNetwork,
  input: OptionsInput = {},
  tuning: NodeTuning = FAST,
  host = NODE_HOST,
  seed = 1,
): SimNode {
  const options = resolveOptions([[
    "option",
    {
      network: "main",
      listen: [`${host}:${MAIN.defaultPort}`],
      api: "none",
      dnsseed: false,
      ...input,
    } as Record<string, unknown>,
  ]]);
  const records: LogRecord[] = [];
  const logger = createLogger({ sink: (r) => records.push(r), level: "debug" });
  const node = new EdgeNode(options, {
    platform: net.platform(host),
    logger,
    datadir: `/sim/${host}`,
    random: seededRandom(seed),
    tuning,
  });
  return {
    node,
    records,
    messages: (level) =>
      records.filter((r) => level === undefined || r.level === level).map((r) => r.message),
  };
}

/**
 * The nodes a test file starts, each stopped after the test that pushed it:
 * call once at the top of the file, push every node before starting it.
 */
export function stoppedAfterEach(): { push(sim: SimNode): void } {
  const cleanup = afterEachCleanup();
  return { push: (sim) => cleanup.push(() => sim.node.stop()) };
}

/** The node's ready connections of kind `kind` ("outbound-full-relay" by default). */
export function readyOutbound(node: EdgeNode, kind: ConnKind = "outbound-full-relay") {
  return (node.connmgr?.connections() ?? []).filter((c) =>
    c.kind === kind && c.peer.state === "ready"
  );
}

/** The node's ready automatic outbound connections: full-relay and block-relay-only. */
export function readyAutomatic(node: EdgeNode) {
  return [...readyOutbound(node), ...readyOutbound(node, "block-relay-only")];
}
