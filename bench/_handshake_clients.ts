/**
 * Handshake bench helper, run as its own process (under node, whatever the
 * measured node's runtime) so the clients' work is not counted against the
 * node: opens COUNT loopback connections to PORT, each from its own source
 * address (127.0.x.y, past any per-IP inbound limit), at most WINDOW at a
 * time, and completes the version/verack handshake on each with a minimal
 * client over src/wire framing (answers `ping` with `pong` afterwards).
 * Prints one JSON line once every client is done:
 *   {"ready":N,"failed":N,"ms":elapsed,"p50":ms,"p99":ms}
 * With `hold`, keeps the connections open and idle until stdin closes,
 * then exits; otherwise closes them and exits at once.
 *
 * Usage: node bench/_handshake_clients.ts PORT COUNT [WINDOW] [hold] [MAGIC_HEX]
 * The leading underscore keeps bench/run_all.ts from running this module as a bench.
 */
import { connect, type Socket } from "node:net";
import process from "node:process";
import { nativeSha256 } from "../adapters/shared/node_sha256.ts";
import { fromHex } from "../src/wire/bytes.ts";
import { FrameDecoder } from "../src/transport/v1_framing.ts";
import { decodeMessage, type Message } from "../src/wire/message.ts";
import { encodeMessageFrame } from "../tests/support/message_frame.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { ascending, quantile } from "./_stats.ts";

/** The version the clients announce (bcoin accepts it too). */
const PROTOCOL_VERSION = 70016;
/** Longest wait for one handshake before it counts as failed. */
const HANDSHAKE_MS = 30_000;

const [portArg, countArg, windowArg, holdArg, magicArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const window = Number(windowArg ?? "") || count;
const hold = holdArg === "hold";
const magic = magicArg ? fromHex(magicArg) : NETWORKS.regtest.magic;
const sha256 = nativeSha256;

const ANY = { services: 0n, addr: { network: "ipv4", bytes: new Uint8Array(4) }, port: 0 } as const;

/** The `version` frame of client `i` (its own nonce). */
function versionFrame(i: number): Uint8Array {
  const msg: Message = {
    command: "version",
    version: PROTOCOL_VERSION,
    services: 0n,
    timestamp: Math.floor(Date.now() / 1000),
    addrRecv: ANY,
    addrFrom: ANY,
    nonce: BigInt(i + 1) * 0x9e3779b97f4an,
    userAgent: "/handshake-bench:0.1/",
    startHeight: 0,
    relay: false,
  };
  return encodeMessageFrame(magic, msg, sha256);
}
const VERACK = encodeMessageFrame(magic, { command: "verack" }, sha256);

const sockets: Socket[] = [];
const latencies: number[] = [];
let ready = 0;
let failed = 0;
let started = 0;
let begin = 0;

/** Opens client `i`; resolves when its handshake is done or failed. */
function client(i: number): Promise<void> {
  return new Promise((resolve) => {
    const opened = performance.now();
    const localAddress = `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    const socket = connect({ port, host: "127.0.0.1", localAddress, noDelay: true });
    sockets.push(socket);
    const decoder = new FrameDecoder(magic, sha256);
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (ok) {
        ready++;
        latencies.push(performance.now() - opened);
      } else {
        failed++;
        socket.destroy();
      }
      resolve();
    };
    const timer = setTimeout(() => finish(false), HANDSHAKE_MS);
    socket.on("error", () => finish(false));
    socket.on("close", () => finish(false));
    socket.once("connect", () => socket.write(versionFrame(i)));
    socket.on("data", (chunk: Uint8Array) => {
      try {
        decoder.push(chunk);
        for (let f = decoder.next(); f !== null; f = decoder.next()) {
          if (f.command === "version") socket.write(VERACK);
          else if (f.command === "verack") finish(true);
          else if (f.command === "ping") {
            const ping = decodeMessage("ping", f.payload);
            if (ping.command === "ping") {
              socket.write(
                encodeMessageFrame(magic, { command: "pong", nonce: ping.nonce }, sha256),
              );
            }
          }
        }
      } catch {
        finish(false);
      }
    });
  });
}

/** Runs the clients, at most `window` handshakes in flight. */
async function run(): Promise<void> {
  begin = performance.now();
  const next = async (): Promise<void> => {
    while (started < count) await client(started++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, next));
}

await run();
const ms = performance.now() - begin;
const sorted = ascending(latencies);
const q = (p: number) => quantile(sorted, p) ?? 0;
console.log(JSON.stringify({ ready, failed, ms, p50: q(0.5), p99: q(0.99) }));
if (hold) {
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("close", resolve).once("end", resolve));
}
for (const s of sockets) s.destroy();
process.exit(0);
