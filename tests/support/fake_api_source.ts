/**
 * A fake `ApiSource` for the API and node tests: sample answers (a full
 * `NodeStatus`, `PeerView`, ban, chain, inventory and metrics), recorded
 * control calls, a switch that makes every call fail, and an event feed.
 */
import { Histogram, RELAY_LATENCY_BUCKETS } from "../../src/api/metrics.ts";
import type { MetricsSnapshot } from "../../src/api/metrics.ts";
import type {
  AddressPage,
  AddressQuery,
  ApiSource,
  ChainView,
  ConnectResult,
  InventoryView,
  NodeEvent,
  NodeStatus,
  PeerView,
  Readiness,
  SubmittedBlock,
} from "../../src/api/source.ts";
import type { BanEntry } from "../../src/peer/ban_list.ts";

/** A block hash in display hex. */
export const HASH_A = "00000000000000000001a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7";
export const HASH_B = "0000000000000000000200000000000000000000000000000000000000000002";

/** A full `PeerView` (an inbound peer, or an outbound full-relay one). */
export function samplePeer(id: number, direction: "inbound" | "outbound" = "outbound"): PeerView {
  return {
    id,
    address: `203.0.113.${id}:8333`,
    direction,
    connectionType: direction === "inbound" ? "inbound" : "outbound-full-relay",
    persistent: false,
    handshake: "ready",
    transport: "v2",
    sessionId: "ab".repeat(32),
    services: "0000000000000409",
    serviceNames: ["NETWORK", "WITNESS", "NETWORK_LIMITED"],
    version: 70016,
    negotiatedVersion: 70016,
    userAgent: "/Satoshi:27.0.0/",
    startHeight: 850_000,
    relay: true,
    features: { sendHeaders: true, addrV2: true, wtxidRelay: true, feeFilter: 1000 },
    lastBlockAnnounced: { hash: HASH_A, time: 1_700_000_000_000 },
    pingMs: 42.5,
    minPingMs: 40,
    pingWaitMs: null,
    timeOffsetSeconds: 0,
    connectedAt: 1_700_000_000_000,
    lastSend: 1_700_000_001_000,
    lastReceive: 1_700_000_001_500,
    banScore: 0,
    knownInventory: 120,
    sendQueueBytes: 0,
    ignoredMessages: 0,
    sent: { messages: 10, bytes: 1234, perCommand: { ping: { messages: 10, bytes: 1234 } } },
    received: { messages: 3, bytes: 500, perCommand: { "*other*": { messages: 3, bytes: 500 } } },
  };
}

/** A full `NodeStatus`. */
export function sampleStatus(): NodeStatus {
  return {
    network: "main",
    version: "0.1.0",
    runtime: "test",
    state: "running",
    uptimeSeconds: 3725,
    listening: ["0.0.0.0:8333"],
    api: "127.0.0.1:8334",
    peers: {
      inbound: 1,
      outbound: 1,
      persistent: 0,
      feeler: 0,
      byConnectionType: {
        "outbound-full-relay": 1,
        "block-relay-only": 0,
        "manual": 0,
        "feeler": 0,
        "addr-fetch": 0,
        "inbound": 1,
      },
      list: [{
        id: 1,
        peer: "203.0.113.1:8333 (outbound)",
        connectionType: "outbound-full-relay",
        state: "ready",
        userAgent: "/Satoshi:27.0.0/",
        version: 70016,
        startHeight: 850_000,
      }],
    },
    chain: { height: 849_990, bestHash: HASH_A },
    sync: {
      height: 849_990,
      bestPeerHeight: 850_000,
      headersPerSecond: 12.5,
      caughtUp: false,
      presync: {
        peer: "203.0.113.9:8333 (outbound)",
        phase: "presync",
        height: 12_000,
        time: 1_300_000_000,
        redownloadHeight: 0,
        memoryBytes: 1_200,
      },
    },
    addrman: { new: 900, tried: 100, total: 1000 },
    bans: 1,
    memory: { rss: 50_000_000 },
  };
}

/** A fake node: sample answers, recorded control calls, and an event feed. */
export class FakeSource implements ApiSource {
  statusValue: NodeStatus = sampleStatus();
  peerList: PeerView[] = [samplePeer(1), samplePeer(2, "inbound")];
  banList: BanEntry[] = [{
    address: "198.51.100.9",
    bannedAt: 1_700_000_000_000,
    until: 1_700_086_400_000,
    reason: "misbehaving",
  }];
  readiness: Readiness = { ready: true, reasons: [] };
  connectResult: ConnectResult = { status: "connecting" };
  submitResult: SubmittedBlock = { hash: HASH_A, height: 849_991, status: "accepted" };
  /** When set, every read and control method throws it. */
  failure: Error | undefined;
  /** Control calls and address queries, in order. */
  readonly calls: { method: string; args: unknown[] }[] = [];
  /** Signals of the event subscriptions made so far. */
  readonly subscriptions: AbortSignal[] = [];
  readonly #listeners = new Set<(event: NodeEvent) => void>();

  #check(): void {
    if (this.failure) throw this.failure;
  }

  status(): NodeStatus {
    this.#check();
    return this.statusValue;
  }
  peers(): PeerView[] {
    this.#check();
    return this.peerList;
  }
  peer(id: number): PeerView | undefined {
    this.#check();
    return this.peerList.find((p) => p.id === id);
  }
  addresses(query: AddressQuery): AddressPage {
    this.#check();
    this.calls.push({ method: "addresses", args: [query] });
    const items: AddressPage["items"] = [
      {
        address: "203.0.113.50",
        port: 8333,
        services: "0000000000000409",
        table: "tried",
        network: "ipv4",
        lastSuccess: 1_700_000_000_000,
        attempts: 0,
      },
      {
        address: "2001:db8::1",
        port: 8333,
        services: "0000000000000001",
        table: "new",
        network: "ipv6",
        attempts: 2,
      },
    ].filter((i) =>
      (query.table === undefined || i.table === query.table) &&
      (query.network === undefined || i.network === query.network)
    ).slice(0, query.limit) as AddressPage["items"];
    return {
      counts: {
        ipv4: { new: 800, tried: 90 },
        ipv6: { new: 90, tried: 10 },
        onion: { new: 10, tried: 0 },
        i2p: { new: 0, tried: 0 },
        cjdns: { new: 0, tried: 0 },
      },
      needMoreAddresses: false,
      items,
      ...(query.limit > 0 && query.cursor === undefined ? { nextCursor: "page-2" } : {}),
    };
  }
  bans(): BanEntry[] {
    this.#check();
    return this.banList;
  }
  chain(): ChainView {
    this.#check();
    return {
      tip: { hash: HASH_A, height: 849_990 },
      headersStored: 850_021,
      tips: [
        { hash: HASH_A, height: 849_990, branchLength: 0, status: "active" },
        { hash: HASH_B, height: 849_989, branchLength: 1, status: "valid-headers" },
      ],
      recent: [{ hash: HASH_A, height: 849_990, time: 1_700_000_000 }, {
        hash: HASH_B,
        height: 849_989,
        time: 1_699_999_400,
      }],
      blocks: { count: 288, lowestHeight: 849_703, highestHeight: 849_990, bytes: 456_789_012 },
    };
  }
  inventory(): InventoryView {
    this.#check();
    return {
      recentBlocks: [{
        hash: HASH_A,
        receivedAt: 1_700_000_000_000,
        from: "203.0.113.1:8333 (outbound)",
        relayedTo: ["203.0.113.2:8333 (inbound)"],
      }],
      knownInventory: [{ peer: "203.0.113.1:8333 (outbound)", size: 120, limit: 50_000 }],
    };
  }
  metrics(): MetricsSnapshot {
    this.#check();
    const latency = new Histogram(RELAY_LATENCY_BUCKETS);
    for (const v of [0.003, 0.02, 0.02, 0.4, 30]) latency.observe(v);
    return {
      peers: { inbound: 1, outbound: 1 },
      traffic: {
        sent: { ping: { messages: 10, bytes: 1234 }, headers: { messages: 2, bytes: 16_300 } },
        received: { "*other*": { messages: 3, bytes: 500 } },
      },
      addrman: {
        ipv4: { new: 800, tried: 90 },
        ipv6: { new: 90, tried: 10 },
        onion: { new: 10, tried: 0 },
        i2p: { new: 0, tried: 0 },
        cjdns: { new: 0, tried: 0 },
      },
      headerHeight: 849_990,
      headersStored: 850_021,
      headersBelowThreshold: 4_000,
      blockStore: { blocks: 288, bytes: 456_789_012 },
      blocksServed: { memory: 40, disk: 7 },
      relayLatency: latency.snapshot(),
      bans: 1,
      errors: { decode: 2, 'we"ird\\kind\n': 1 },
    };
  }
  ready(): Readiness {
    this.#check();
    return this.readiness;
  }
  connect(target: string, persistent: boolean): Promise<ConnectResult> {
    this.calls.push({ method: "connect", args: [target, persistent] });
    this.#check();
    return Promise.resolve(this.connectResult);
  }
  disconnectPeer(id: number): Promise<boolean> {
    this.calls.push({ method: "disconnectPeer", args: [id] });
    this.#check();
    return Promise.resolve(this.peerList.some((p) => p.id === id));
  }
  ban(address: string, durationSeconds?: number, reason?: string): Promise<BanEntry> {
    this.calls.push({ method: "ban", args: [address, durationSeconds, reason] });
    this.#check();
    const now = 1_700_000_000_000;
    return Promise.resolve({
      address,
      bannedAt: now,
      until: now + (durationSeconds ?? 86_400) * 1000,
      reason: reason ?? "manually added",
    });
  }
  unban(address: string): Promise<boolean> {
    this.calls.push({ method: "unban", args: [address] });
    this.#check();
    return Promise.resolve(this.banList.some((b) => b.address === address));
  }
  submitBlock(block: Uint8Array): Promise<SubmittedBlock> {
    this.calls.push({ method: "submitBlock", args: [block] });
    this.#check();
    return Promise.resolve(this.submitResult);
  }

  /** Delivers `event` to every open subscription. */
  emit(event: NodeEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Open subscriptions. */
  get listeners(): number {
    return this.#listeners.size;
  }

  async *events(signal: AbortSignal): AsyncGenerator<NodeEvent> {
    this.subscriptions.push(signal);
    const queue: NodeEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (event: NodeEvent) => {
      queue.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.#listeners.add(listener);
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
    } finally {
      this.#listeners.delete(listener);
      signal.removeEventListener("abort", onAbort);
    }
  }
}
