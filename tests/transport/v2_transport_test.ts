/**
 * The BIP324 v2 transport behind the `Transport` interface: two of them
 * agree on a session under any chunking and carry frames both ways; a
 * responder tells a v1 peer from a v2 one by its first 16 bytes and serves
 * either; decoys are ignored; every bad input the issue names (garbage
 * without a terminator within 4095 + 16 bytes, a bad tag, a length past the
 * bound, an unknown short id) and Core's wrong-network case end the stream
 * with one fatal report and nothing buffered beyond the bound; and the
 * outbound attempt that received nothing asks to be retried as v1.
 */
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/platform/random.ts";
import { MAX_CONTENTS_LEN } from "../../src/transport/bip324_cipher.ts";
import { MAX_PAYLOAD, type TransportOwner } from "../../src/transport/transport.ts";
import { encodeFrame } from "../../src/transport/v1_framing.ts";
import {
  MAX_GARBAGE_AND_TERMINATOR,
  MAX_GARBAGE_LEN,
  V2Transport,
} from "../../src/transport/v2_transport.ts";
import { toHex } from "../../src/wire/bytes.ts";
import type { DecodeError } from "../../src/wire/errors.ts";
import { concat } from "../support/bytes.ts";
import { V2Remote } from "../support/v2_remote.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { MAINNET_MAGIC } from "../wire/wire_vectors.ts";
import { CHOSEN_AEAD, CHOSEN_CURVE } from "./bip324_ports.ts";

/** Everything a transport reported, in order. */
interface Reports {
  opened: number;
  frames: Array<{ command: string; payload: string; wireBytes: number }>;
  malformed: Array<{ kind: string; fatal: boolean; message: string }>;
  written: Uint8Array[];
}

/** A v2 transport on mainnet magic with an owner that records; `onWrite` sees each write. */
function recorded(
  initiator: boolean,
  seed: number,
  onWrite: (bytes: Uint8Array) => void = () => {},
) {
  const reports: Reports = { opened: 0, frames: [], malformed: [], written: [] };
  const abort = new AbortController();
  const owner: TransportOwner = {
    open: () => reports.opened++,
    frame: (command, payload, wireBytes) =>
      reports.frames.push({ command, payload: toHex(payload), wireBytes }),
    malformed: (error: DecodeError, fatal) =>
      reports.malformed.push({ kind: error.kind, fatal, message: error.message }),
    write: (chunks) => {
      const bytes = concat(chunks);
      reports.written.push(bytes);
      onWrite(bytes);
    },
  };
  const transport = new V2Transport(
    {
      magic: MAINNET_MAGIC,
      sha256,
      initiator,
      random: seededRandom(seed),
      aead: CHOSEN_AEAD,
      curve: CHOSEN_CURVE,
    },
    owner,
    abort.signal,
  );
  return { transport, reports, abort };
}

/**
 * An initiator and a responder wired to each other: each write is queued
 * for the other side and `pump` delivers the queues in `chunk`-byte pieces
 * until both are empty.
 */
function pair(chunk: number, seed = 1) {
  const toResponder: Uint8Array[] = [];
  const toInitiator: Uint8Array[] = [];
  const a = recorded(true, seed, (b) => toResponder.push(b));
  const b = recorded(false, seed + 1, (bytes) => toInitiator.push(bytes));
  const deliver = (queue: Uint8Array[], to: V2Transport) => {
    const bytes = concat(queue.splice(0));
    for (let at = 0; at < bytes.length; at += chunk) to.receive(bytes.subarray(at, at + chunk));
  };
  const pump = () => {
    while (toResponder.length > 0 || toInitiator.length > 0) {
      deliver(toResponder, b.transport);
      deliver(toInitiator, a.transport);
    }
  };
  return { a, b, pump, toResponder, toInitiator };
}

/** The first write of an initiator: its key, then its garbage. */
function firstWrite(reports: Reports): Uint8Array {
  return reports.written[0];
}

/** A responder that received `remote`'s hello and key exchange, and the remote. */
function establishedResponder(seed: number, garbage = new Uint8Array(0)) {
  const remote = new V2Remote({
    initiator: true,
    magic: MAINNET_MAGIC,
    random: seededRandom(seed),
    garbage,
  });
  const r = recorded(false, seed + 100);
  r.transport.receive(remote.hello());
  remote.establish(firstWrite(r.reports));
  return { ...r, remote };
}

const payload = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

describe("V2Transport between two of them", () => {
  for (const chunk of [1, 3, 17, 64, 1000, 1 << 20]) {
    test(`agree on a session and carry frames both ways in ${chunk}-byte chunks`, () => {
      const { a, b, pump } = pair(chunk);
      a.transport.start();
      b.transport.start();
      pump();
      expect(a.reports.opened).toBe(1);
      expect(b.reports.opened).toBe(1);
      const ping = payload(8, 1);
      const block = payload(70_000, 2);
      a.reports.written.length = 0;
      const sent = [
        ...a.transport.encode("ping", ping),
        ...a.transport.encode("version", payload(102, 3)),
        ...a.transport.encode("block", block),
      ];
      for (const bytes of sent) {
        for (let at = 0; at < bytes.length; at += chunk) {
          b.transport.receive(bytes.subarray(at, at + chunk));
        }
      }
      for (const bytes of b.transport.encode("pong", ping)) a.transport.receive(bytes);
      expect(b.reports.frames.map((f) => [f.command, f.wireBytes])).toEqual([
        ["ping", 8 + 1 + 20],
        ["version", 102 + 13 + 20],
        ["block", 70_000 + 1 + 20],
      ]);
      expect(b.reports.frames[2].payload).toBe(toHex(block));
      expect(a.reports.frames.map((f) => f.command)).toEqual(["pong"]);
      const infoA = a.transport.info();
      const infoB = b.transport.info();
      expect(infoA.protocol).toBe("v2");
      expect(infoB.protocol).toBe("v2");
      expect(infoA.sessionId).toMatch(/^[0-9a-f]{64}$/);
      expect(infoA.sessionId).toBe(infoB.sessionId);
      expect(a.reports.malformed).toEqual([]);
      expect(b.reports.malformed).toEqual([]);
    });
  }

  test("a different session each time (fresh keys), and detecting until the version packet", () => {
    const one = pair(1 << 20, 5);
    const two = pair(1 << 20, 9);
    for (const p of [one, two]) {
      p.a.transport.start();
      p.b.transport.start();
      expect(p.a.transport.info().protocol).toBe("detecting");
      expect(p.b.transport.info().protocol).toBe("detecting");
      p.pump();
    }
    expect(one.a.transport.info().sessionId).not.toBe(two.a.transport.info().sessionId);
  });

  test("the initiator sends its key and 0-4095 bytes of garbage at start, nothing before", () => {
    const lengths = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const { transport, reports } = recorded(true, seed);
      expect(reports.written).toEqual([]);
      transport.start();
      expect(reports.written.length).toBe(1);
      const n = reports.written[0].length - 64;
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThanOrEqual(MAX_GARBAGE_LEN);
      lengths.add(n);
      expect(reports.opened).toBe(0);
    }
    expect(lengths.size).toBeGreaterThan(10);
  });

  test("encode before open is the caller's mistake", () => {
    const { transport } = recorded(true, 1);
    transport.start();
    expect(() => transport.encode("ping", payload(8))).toThrow(/before open/);
  });

  test("a payload over MAX_PAYLOAD or a bad command name is refused when encoding", () => {
    const { a, b, pump } = pair(1 << 20);
    a.transport.start();
    b.transport.start();
    pump();
    expect(() => a.transport.encode("block", new Uint8Array(MAX_PAYLOAD + 1))).toThrow(RangeError);
    expect(() => a.transport.encode("way-too-long-name", payload(1))).toThrow(RangeError);
  });
});

describe("V2Transport as a responder: v1 or v2 on one port", () => {
  const v1Version = encodeFrame(MAINNET_MAGIC, "version", payload(102, 4), sha256);
  const v1Ping = encodeFrame(MAINNET_MAGIC, "ping", payload(8, 5), sha256);

  for (const chunk of [1, 5, 16, 17, 1000]) {
    test(`a v1 peer's version (in ${chunk}-byte chunks) makes it v1, writing nothing of v2`, () => {
      const { transport, reports } = recorded(false, 3);
      transport.start();
      const stream = concat([v1Version, v1Ping]);
      for (let at = 0; at < stream.length; at += chunk) {
        transport.receive(stream.subarray(at, at + chunk));
      }
      expect(reports.written).toEqual([]);
      expect(reports.opened).toBe(1);
      expect(reports.frames.map((f) => [f.command, f.wireBytes])).toEqual([
        ["version", 24 + 102],
        ["ping", 24 + 8],
      ]);
      expect(transport.info()).toEqual({ protocol: "v1", sessionId: "", reconnectV1: false });
      const [frame] = transport.encode("pong", payload(8, 5));
      expect(toHex(frame.subarray(0, 4))).toBe(toHex(MAINNET_MAGIC));
    });
  }

  test("holds up to 15 bytes matching the v1 prefix without answering", () => {
    const { transport, reports } = recorded(false, 3);
    transport.start();
    transport.receive(v1Version.subarray(0, 15));
    expect(reports.written).toEqual([]);
    expect(transport.info().protocol).toBe("detecting");
  });

  test("the first byte off the v1 prefix makes it v2: it answers with its key and garbage", () => {
    const { transport, reports } = recorded(false, 3);
    transport.start();
    transport.receive(v1Version.subarray(0, 7));
    expect(reports.written).toEqual([]);
    transport.receive(Uint8Array.of(0x00)); // "versio" then not "n"
    expect(reports.written.length).toBe(1);
    expect(reports.written[0].length).toBeGreaterThanOrEqual(64);
  });

  test("a v1 version under another network's magic is refused (Core's special case)", () => {
    const testnet = Uint8Array.of(0x0b, 0x11, 0x09, 0x07);
    const { transport, reports } = recorded(false, 3);
    transport.receive(encodeFrame(testnet, "version", payload(102, 4), sha256));
    expect(reports.malformed).toEqual([
      expect.objectContaining({ kind: "magic", fatal: true }),
    ]);
    expect(reports.frames).toEqual([]);
  });

  test("a v2 initiator's hello is answered and the session comes up", () => {
    const { reports, remote, transport } = establishedResponder(11, payload(100, 9));
    expect(reports.opened).toBe(1);
    transport.receive(remote.handshake(["ping", payload(8, 1)]));
    expect(reports.frames.map((f) => f.command)).toEqual(["ping"]);
    expect(transport.info()).toEqual({
      protocol: "v2",
      sessionId: toHex(remote.sessionId),
      reconnectV1: false,
    });
  });
});

describe("V2Transport receiving packets", () => {
  test("decoys before and after the version packet are ignored", () => {
    const { reports, remote, transport } = establishedResponder(12, payload(10, 3));
    transport.receive(concat([
      remote.terminator(),
      remote.packet(payload(50), remote.garbage, true), // the first packet takes the aad
      remote.packet(new Uint8Array(0)), // the version packet
      remote.packet(payload(9), new Uint8Array(0), true),
      remote.message("ping", payload(8, 2)),
      remote.packet(payload(9), new Uint8Array(0), true),
      remote.message("headers", payload(1, 0)),
    ]));
    expect(reports.malformed).toEqual([]);
    expect(reports.frames.map((f) => f.command)).toEqual(["ping", "headers"]);
  });

  test("garbage of exactly 4095 bytes is accepted", () => {
    const { reports, remote, transport } = establishedResponder(13, payload(MAX_GARBAGE_LEN, 1));
    transport.receive(remote.handshake(["ping", payload(8)]));
    expect(reports.malformed).toEqual([]);
    expect(reports.frames.length).toBe(1);
  });

  test("long message types and BIP434's short id 37 decode", () => {
    const { reports, remote, transport } = establishedResponder(14);
    transport.receive(remote.handshake(["sendaddrv2", new Uint8Array(0)]));
    transport.receive(remote.packet(Uint8Array.of(37, 1, 2)));
    expect(reports.frames.map((f) => f.command)).toEqual(["sendaddrv2", "feature"]);
  });
});

describe("V2Transport refusing bad input: one fatal report, then silence", () => {
  /** The transport's reports after `bytes` following a clean key exchange. */
  function refuse(
    seed: number,
    bytes: (remote: V2Remote) => Uint8Array,
    garbage = new Uint8Array(0),
  ) {
    const r = establishedResponder(seed, garbage);
    const input = bytes(r.remote);
    for (let at = 0; at < input.length; at += 997) {
      r.transport.receive(input.subarray(at, at + 997));
    }
    // Anything after the failure is ignored.
    r.transport.receive(r.remote.message("ping", payload(8)));
    return r.reports;
  }

  test("garbage without its terminator within 4095 + 16 bytes", () => {
    const { reports, transport } = establishedResponder(20);
    // No terminator at all: garbage that never ends.
    transport.receive(payload(MAX_GARBAGE_AND_TERMINATOR - 1, 0x55));
    expect(reports.malformed).toEqual([]);
    transport.receive(payload(1, 0x55));
    expect(reports.malformed).toEqual([
      expect.objectContaining({ kind: "bound", fatal: true }),
    ]);
    transport.receive(payload(100_000, 0x55));
    expect(reports.malformed.length).toBe(1);
  });

  test("4096 bytes of garbage, then the terminator: too late", () => {
    const reports = refuse(21, (remote) => remote.handshake(), payload(MAX_GARBAGE_LEN + 1, 2));
    expect(reports.malformed).toEqual([expect.objectContaining({ kind: "bound", fatal: true })]);
    expect(reports.frames).toEqual([]);
  });

  test("a bad tag (one bit flipped in a message packet)", () => {
    const reports = refuse(22, (remote) => {
      const stream = remote.handshake(["ping", payload(8)]);
      stream[stream.length - 1] ^= 1;
      return stream;
    });
    expect(reports.malformed).toEqual([
      expect.objectContaining({
        kind: "invalid",
        fatal: true,
        message: expect.stringMatching(/authentication/),
      }),
    ]);
    expect(reports.frames).toEqual([]);
  });

  test("the first packet sealed without the garbage as associated data", () => {
    const reports = refuse(
      23,
      (remote) => concat([remote.terminator(), remote.packet(new Uint8Array(0))]),
      payload(5, 1),
    );
    expect(reports.malformed).toEqual([expect.objectContaining({ kind: "invalid", fatal: true })]);
  });

  test("a length past MAX_CONTENTS_LEN, refused before any of it is buffered", () => {
    const reports = refuse(24, (remote) => {
      const handshake = remote.handshake();
      const big = remote.packet(new Uint8Array(MAX_CONTENTS_LEN + 1));
      return concat([handshake, big.subarray(0, 3)]);
    });
    expect(reports.malformed).toEqual([
      expect.objectContaining({
        kind: "bound",
        fatal: true,
        message: expect.stringMatching(/MAX_CONTENTS_LEN/),
      }),
    ]);
  });

  test("a packet of exactly MAX_CONTENTS_LEN is read (a 4 MB payload under a long type)", () => {
    const { reports, remote, transport } = establishedResponder(25);
    transport.receive(remote.handshake());
    const contents = concat([Uint8Array.of(0), new TextEncoder().encode("bigmessage\0\0")]);
    transport.receive(remote.packet(concat([contents, new Uint8Array(MAX_PAYLOAD)])));
    expect(reports.malformed).toEqual([]);
    expect(reports.frames.map((f) => f.command)).toEqual(["bigmessage"]);
  });

  test("a short id past the table (and the unassigned 29-36)", () => {
    for (const id of [29, 36, 38, 255]) {
      const reports = refuse(
        26 + id,
        (remote) => concat([remote.handshake(), remote.packet(Uint8Array.of(id, 1, 2, 3))]),
      );
      expect(reports.malformed).toEqual([
        expect.objectContaining({
          kind: "invalid",
          fatal: true,
          message: expect.stringMatching(/short message type id/),
        }),
      ]);
      expect(reports.frames).toEqual([]);
    }
  });

  test("a short id with a payload over MAX_PAYLOAD", () => {
    const reports = refuse(
      30,
      (remote) =>
        concat([
          remote.handshake(),
          remote.packet(new Uint8Array(1 + MAX_PAYLOAD + 1).fill(2, 0, 1)),
        ]),
    );
    expect(reports.malformed).toEqual([expect.objectContaining({ kind: "bound", fatal: true })]);
  });

  test("nothing is reported once the signal aborted", () => {
    const { reports, remote, transport, abort } = establishedResponder(31);
    abort.abort();
    transport.receive(remote.handshake(["ping", payload(8)]));
    expect(reports.frames).toEqual([]);
  });
});

describe("V2Transport: Core's ShouldReconnectV1", () => {
  test("an initiator that received nothing asks for a v1 retry; one byte back and it does not", () => {
    const { transport } = recorded(true, 40);
    transport.start();
    expect(transport.info().reconnectV1).toBe(true);
    transport.receive(Uint8Array.of(1));
    expect(transport.info().reconnectV1).toBe(false);
  });

  test("a responder never does", () => {
    const { transport } = recorded(false, 41);
    transport.start();
    expect(transport.info().reconnectV1).toBe(false);
  });
});
