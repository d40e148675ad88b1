/**
 * The v1 transport behind the `Transport` interface: open at start, frames
 * reported whole under any chunking with their wire size, a bad checksum
 * dropping one frame, other framing errors losing the stream, the abort
 * signal stopping it mid-chunk, and the two shapes of an encoded frame;
 * large blocks handed over before their checksum is checked, then checked.
 */
import { describe, expect, test } from "bun:test";
import { MAX_PAYLOAD, type TransportOwner } from "../../src/transport/transport.ts";
import {
  CHECKSUM_MEMO_MIN_PAYLOAD,
  encodeFrame,
  encodeHeader,
  HEADER_SIZE,
} from "../../src/transport/v1_framing.ts";
import { SEPARATE_PAYLOAD_BYTES, V1Transport } from "../../src/transport/v1_transport.ts";
import { toHex } from "../../src/wire/bytes.ts";
import type { DecodeError } from "../../src/wire/errors.ts";
import { concat } from "../support/bytes.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { MAINNET_MAGIC } from "../wire/wire_vectors.ts";

/** Everything a transport reported, in order. */
interface Reports {
  opened: number;
  frames: Array<{ command: string; payload: string; wireBytes: number }>;
  malformed: Array<{ kind: string; fatal: boolean }>;
  written: Uint8Array[][];
}

/**
 * A v1 transport on mainnet magic with an owner that records; `onFrame`
 * runs after each record, given the payload.
 */
function recorded(onFrame: (payload: Uint8Array) => void = () => {}) {
  const reports: Reports = { opened: 0, frames: [], malformed: [], written: [] };
  const abort = new AbortController();
  const owner: TransportOwner = {
    open: () => reports.opened++,
    frame: (command, payload, wireBytes) => {
      reports.frames.push({ command, payload: toHex(payload), wireBytes });
      onFrame(payload);
    },
    malformed: (error: DecodeError, fatal) => reports.malformed.push({ kind: error.kind, fatal }),
    write: (chunks) => reports.written.push(chunks),
  };
  const transport = new V1Transport(MAINNET_MAGIC, sha256, owner, abort.signal);
  return { transport, reports, abort };
}

const frame = (command: string, payload: number[]) =>
  encodeFrame(MAINNET_MAGIC, command, new Uint8Array(payload), sha256);

describe("V1Transport", () => {
  test("opens at start without writing bytes of its own", () => {
    const { transport, reports } = recorded();
    expect(reports.opened).toBe(0);
    transport.start();
    expect(reports.opened).toBe(1);
    expect(reports.written).toEqual([]);
  });

  test("reports each frame whole, with header and payload as its wire size, under any chunking", () => {
    const stream = concat([frame("ping", [1, 2, 3, 4, 5, 6, 7, 8]), frame("verack", [])]);
    for (const size of [1, 5, 24, 31, stream.length]) {
      const { transport, reports } = recorded();
      for (let at = 0; at < stream.length; at += size) {
        transport.receive(stream.subarray(at, at + size));
      }
      expect(reports.frames).toEqual([
        { command: "ping", payload: "0102030405060708", wireBytes: HEADER_SIZE + 8 },
        { command: "verack", payload: "", wireBytes: HEADER_SIZE },
      ]);
      expect(reports.malformed).toEqual([]);
    }
  });

  test("a bad checksum drops that frame only; decoding goes on", () => {
    const bad = frame("ping", [1, 2, 3, 4, 5, 6, 7, 8]);
    bad[HEADER_SIZE] ^= 0xff;
    const { transport, reports } = recorded();
    transport.receive(concat([bad, frame("verack", [])]));
    expect(reports.malformed).toEqual([{ kind: "checksum", fatal: false }]);
    expect(reports.frames.map((f) => f.command)).toEqual(["verack"]);
  });

  test("a wrong magic loses the stream: reported once as fatal, nothing after it decoded", () => {
    const alien = frame("verack", []);
    alien[0] ^= 0xff;
    const { transport, reports } = recorded();
    transport.receive(concat([frame("verack", []), alien, frame("verack", [])]));
    expect(reports.frames.length).toBe(1);
    expect(reports.malformed).toEqual([{ kind: "magic", fatal: true }]);
  });

  test("an abort from within a report stops the chunk there; later chunks are not decoded", () => {
    let seen = 0;
    const { transport, reports, abort } = recorded(() => {
      if (++seen === 2) abort.abort();
    });
    const three = concat([frame("verack", []), frame("verack", []), frame("verack", [])]);
    transport.receive(three);
    expect(reports.frames.length).toBe(2);
    transport.receive(frame("verack", []));
    expect(reports.frames.length).toBe(2);
  });

  test("a small payload is one buffer; from SEPARATE_PAYLOAD_BYTES up the payload itself follows its header", () => {
    const { transport } = recorded();
    const small = new Uint8Array(SEPARATE_PAYLOAD_BYTES - 1).fill(3);
    const one = transport.encode("block", small);
    expect(one.length).toBe(1);
    expect(toHex(one[0])).toBe(toHex(encodeFrame(MAINNET_MAGIC, "block", small, sha256)));

    const large = new Uint8Array(SEPARATE_PAYLOAD_BYTES).fill(4);
    const two = transport.encode("block", large);
    expect(two.length).toBe(2);
    expect(two[1]).toBe(large); // not copied
    expect(toHex(concat(two))).toBe(toHex(encodeFrame(MAINNET_MAGIC, "block", large, sha256)));
  });

  test("a frame no transport may carry is our mistake: RangeError", () => {
    const { transport } = recorded();
    expect(() => transport.encode("", new Uint8Array(0))).toThrow(RangeError);
    expect(() => transport.encode("thirteen_char", new Uint8Array(0))).toThrow(RangeError);
    expect(() => transport.encode("block", new Uint8Array(MAX_PAYLOAD + 1))).toThrow(RangeError);
  });

  describe("large blocks: checked after they are handled", () => {
    const large = new Uint8Array(CHECKSUM_MEMO_MIN_PAYLOAD).map((_, i) => (i * 31) >>> 3);
    /** A large block frame (its checksum spoiled when `spoil`) and a verack after it, in 7 chunks. */
    function chunks(spoil: boolean): Uint8Array[] {
      const block = encodeFrame(MAINNET_MAGIC, "block", large, sha256);
      if (spoil) block[HEADER_SIZE - 1] ^= 1;
      const stream = concat([block, frame("verack", [])]);
      const step = Math.ceil(stream.length / 7);
      const out = [];
      for (let at = 0; at < stream.length; at += step) out.push(stream.subarray(at, at + step));
      return out;
    }
    /** `sha256` that counts its calls. */
    let calls = 0;
    const counting = (d: Uint8Array) => (calls++, sha256(d));

    test("a bad checksum: handed over, intact() false while handled, then reported", () => {
      const seen: boolean[] = [];
      const { transport, reports } = recorded((payload) => seen.push(transport.intact(payload)));
      for (const c of chunks(true)) transport.receive(c);
      expect(reports.frames.map((f) => f.command)).toEqual(["block", "verack"]);
      expect(seen).toEqual([false, true]);
      expect(reports.malformed).toEqual([{ kind: "checksum", fatal: false }]);
    });

    test("a good one: intact() true, nothing reported, its checksum remembered for sending on", () => {
      let payload: Uint8Array | undefined;
      const seen: boolean[] = [];
      const { transport, reports } = recorded((p) => {
        seen.push(transport.intact(p));
        payload ??= p;
      });
      for (const c of chunks(false)) transport.receive(c);
      expect(seen).toEqual([true, true]);
      expect(reports.malformed).toEqual([]);
      calls = 0;
      const header = encodeHeader(MAINNET_MAGIC, "block", payload!, counting);
      expect(calls).toBe(0);
      expect(toHex(header)).toBe(toHex(chunks(false)[0].subarray(0, HEADER_SIZE)));
    });

    test("smaller blocks and other commands are still checked before they are handed over", () => {
      for (const [command, size] of [["block", CHECKSUM_MEMO_MIN_PAYLOAD - 1], ["tx", 70_000]]) {
        const bad = encodeFrame(
          MAINNET_MAGIC,
          command as string,
          large.subarray(0, size as number),
          sha256,
        );
        bad[HEADER_SIZE - 1] ^= 1;
        const { transport, reports } = recorded();
        transport.receive(bad);
        expect(reports.frames).toEqual([]);
        expect(reports.malformed).toEqual([{ kind: "checksum", fatal: false }]);
      }
    });

    test("no check after the owner aborted while handling it", () => {
      const { transport, reports, abort } = recorded(() => abort.abort());
      for (const c of chunks(true)) transport.receive(c);
      expect(reports.frames.length).toBe(1);
      expect(reports.malformed).toEqual([]);
    });
  });
});
