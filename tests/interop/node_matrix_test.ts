/**
 * Cross-runtime node matrix: a real node (`main.ts`) listens under each of
 * Deno, Bun and Node, and a real node under each of the three dials each
 * listener with `--connect` (9 pairs, regtest, loopback). Each pair must
 * complete the handshake over BIP324 v2 (the default) with the same session
 * id at both ends, exchange addresses (getaddr / addr) and relay blocks
 * mined in the test both ways. Observed through each node's HTTP API.
 *
 * Runs once per `npm test`: under Node only (skipped, saying so, under Bun
 * and Deno); the children run under all three runtimes either way.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onlyOncePerRun, type RuntimeName, RUNTIMES } from "../runtime_command.ts";
import { nodeSha256 } from "../support/vectors.ts";
import { RegtestMiner } from "../support/regtest_blocks.ts";
import {
  killNode,
  messages,
  type NodeProcess,
  peersOf,
  type PeerView,
  startNode,
  stopNode,
  submitBlock,
  tipOf,
  waitFor,
  waitForTip,
} from "./fixtures/node_process.ts";

const skipReason = onlyOncePerRun;
if (skipReason !== null) console.log(`node_matrix_test: skipped, ${skipReason}`);

/**
 * Longest one pair's checks may take (each wait inside is bounded by
 * NODE_WAIT_MS). The first test's budget also covers beforeAll (starting
 * twelve nodes) under the node:test shim, which runs hooks inside it.
 */
const PAIR_MS = 120_000;

/** A listener with the three nodes dialing it and the chain they share. */
interface Group {
  readonly listener: NodeProcess;
  readonly miner: RegtestMiner;
  /** Dialer runtime → its node and the listener's peer id for it. */
  readonly dialers: Map<RuntimeName, { node: NodeProcess; peerId: number }>;
}

const groups = new Map<RuntimeName, Group>();
const all: NodeProcess[] = [];
let workDir = "";

function datadir(name: string): string {
  return mkdtempSync(join(workDir, `${name}-`));
}

/** The listener's ready inbound peers. */
async function readyInbound(node: NodeProcess): Promise<PeerView[]> {
  return (await peersOf(node)).filter((p) => p.direction === "inbound" && p.handshake === "ready");
}

/**
 * Starts the dialers in three rounds; in each round every listener gets one
 * new dialer (of a different runtime), so the listener's one new inbound
 * peer id per round names that dialer.
 */
async function startDialers(): Promise<void> {
  for (let round = 0; round < RUNTIMES.length; round++) {
    await Promise.all(RUNTIMES.map(async (listenerRuntime, i) => {
      const group = groups.get(listenerRuntime)!;
      const dialerRuntime = RUNTIMES[(i + round) % RUNTIMES.length];
      const known = new Set([...group.dialers.values()].map((d) => d.peerId));
      const node = await startNode({
        runtime: dialerRuntime,
        datadir: datadir(`${dialerRuntime}-to-${listenerRuntime}`),
        connect: [group.listener.p2pPort],
      });
      all.push(node);
      const peerId = await waitFor(
        `${listenerRuntime} listener to accept the ${dialerRuntime} dialer`,
        async () => (await readyInbound(group.listener)).find((p) => !known.has(p.id))?.id,
        group.listener,
      );
      group.dialers.set(dialerRuntime, { node, peerId });
    }));
  }
}

/** Waits until every node of the group has `hash` as its tip. */
async function groupAt(group: Group, hash: string): Promise<void> {
  await Promise.all([group.listener, ...[...group.dialers.values()].map((d) => d.node)].map(
    (node) => waitForTip(node, hash),
  ));
}

describe("node matrix: 3 listeners × 3 dialers across runtimes", () => {
  beforeAll(async () => {
    if (skipReason !== null) return;
    workDir = mkdtempSync(join(tmpdir(), "btc-edge-matrix-"));
    const listeners = await Promise.all(
      RUNTIMES.map((runtime) => startNode({ runtime, datadir: datadir(`${runtime}-listener`) })),
    );
    all.push(...listeners);
    RUNTIMES.forEach((runtime, i) => {
      groups.set(runtime, {
        listener: listeners[i],
        miner: new RegtestMiner(nodeSha256, 100 + i),
        dialers: new Map(),
      });
    });
    await startDialers();
  });

  afterAll(async () => {
    await Promise.allSettled(all.map(stopNode));
    all.forEach(killNode);
    if (workDir !== "") rmSync(workDir, { recursive: true, force: true });
  });

  for (const dialerRuntime of RUNTIMES) {
    for (const listenerRuntime of RUNTIMES) {
      test.skipIf(skipReason !== null)(
        `${dialerRuntime} dialer → ${listenerRuntime} listener: v2 handshake, getaddr/addr, blocks`,
        async () => {
          const group = groups.get(listenerRuntime)!;
          const { listener, miner } = group;
          const { node: dialer, peerId } = group.dialers.get(dialerRuntime)!;

          // Handshake: the dialer's only peer is its outbound connection to the listener.
          const out = await peersOf(dialer);
          expect(out.length).toBe(1);
          expect(out[0].direction).toBe("outbound");
          expect(out[0].address).toBe(`127.0.0.1:${listener.p2pPort}`);
          expect(out[0].handshake).toBe("ready");
          expect(out[0].userAgent).toMatch(/btc-edge/);
          const inbound = (await peersOf(listener)).find((p) => p.id === peerId)!;
          expect(inbound.handshake).toBe("ready");
          expect(inbound.direction).toBe("inbound");
          // BIP324 v2 both ways, one session.
          expect(out[0].transport).toBe("v2");
          expect(inbound.transport).toBe("v2");
          expect(out[0].sessionId).toMatch(/^[0-9a-f]{64}$/);
          expect(inbound.sessionId).toBe(out[0].sessionId);

          // Addresses: an outbound peer taking part in address relay sends one getaddr
          // (gossip.shouldSendGetaddr); an inbound peer's first getaddr is always
          // answered (gossip.onGetaddr) — as addrv2, both sides having sent
          // sendaddrv2 — even when the sample is empty: loopback addresses are not
          // routable, so these books stay empty and the answer carries 0 entries.
          await waitFor(`the ${dialerRuntime} dialer to get the addr answer`, async () => {
            const p = (await peersOf(dialer))[0];
            return messages(p.received, "addrv2") + messages(p.received, "addr") > 0
              ? true
              : undefined;
          }, dialer);
          const d = (await peersOf(dialer))[0];
          const l = (await peersOf(listener)).find((p) => p.id === peerId)!;
          expect(messages(d.sent, "getaddr")).toBe(1);
          expect(messages(l.received, "getaddr")).toBe(1);
          expect(messages(l.sent, "addrv2") + messages(l.sent, "addr")).toBe(1);
          expect(messages(d.received, "addrv2") + messages(d.received, "addr")).toBe(1);
          // The listener never asks an inbound peer, and the dialer never answers its outbound.
          expect(messages(l.sent, "getaddr")).toBe(0);
          expect(messages(d.sent, "addrv2") + messages(d.sent, "addr")).toBe(0);

          // A block mined here, injected at the listener, reaches the dialer as one `block`.
          const before = messages(d.received, "block");
          const down = await submitBlock(listener, miner.next());
          await groupAt(group, down);
          // The tip moves with the header; the block message can follow a moment later.
          await waitFor(`the ${dialerRuntime} dialer to receive the block`, async () => {
            const received = messages((await peersOf(dialer))[0].received, "block");
            return received > before ? true : undefined;
          }, dialer);
          const d2 = (await peersOf(dialer))[0];
          expect(messages(d2.received, "block")).toBe(before + 1);
          expect((await tipOf(dialer)).height).toBe(miner.height);

          // And one injected at the dialer reaches the listener as one `block` from it.
          const l2 = (await peersOf(listener)).find((p) => p.id === peerId)!;
          const up = await submitBlock(dialer, miner.next());
          await groupAt(group, up);
          await waitFor(`the ${listenerRuntime} listener to receive the block`, async () => {
            const peer = (await peersOf(listener)).find((p) => p.id === peerId)!;
            return messages(peer.received, "block") > messages(l2.received, "block")
              ? true
              : undefined;
          }, listener);
          const l3 = (await peersOf(listener)).find((p) => p.id === peerId)!;
          expect(messages(l3.received, "block")).toBe(messages(l2.received, "block") + 1);
          expect((await tipOf(listener)).height).toBe(miner.height);
        },
        PAIR_MS,
      );
    }
  }
});
