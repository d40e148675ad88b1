/**
 * Handshake bench helper, run as its own process (under node, whatever the
 * measured node's runtime) so the clients' work is not counted against the
 * node: opens COUNT loopback connections to PORT, each from its own source
 * address (127.0.x.y, past any per-IP inbound limit), at most WINDOW at a
 * time, and completes the version/verack handshake on each with a minimal
 * client over src/wire framing (answers `ping` with `pong` afterwards), or
 * with `v2` over BIP324 (`V2Transport` as the initiator, each client's key
 * made before the clock starts, so the figure is the node's work).
 * Prints one JSON line once every client is done:
 *   {"ready":N,"failed":N,"ms":elapsed,"p50":ms,"p99":ms}
 * With `hold`, keeps the connections open and idle until stdin closes,
 * then exits; otherwise closes them and exits at once.
 *
 * Usage: node bench/_handshake_clients.ts PORT COUNT [WINDOW] [hold] [MAGIC_HEX] [v1|v2]
 * The leading underscore keeps bench/run_all.ts from running this module as a bench.
 */
import { connect, type Socket } from "node:net";
import process from "node:process";
import { nodeChaCha20Poly1305 } from "../adapters/shared/node_bip324_crypto.ts";
import { nativeSha256 } from "../adapters/shared/node_sha256.ts";
import { wasmSecp256k1 } from "../adapters/shared/wasm_secp256k1.ts";
import { cryptoRandom } from "../src/platform/random.ts";
import { type Bip324Key, newBip324Key } from "../src/transport/bip324_ecdh.ts";
import { encodeMessage, wireCommand } from "../src/wire/message.ts";
import { V2Transport } from "../src/transport/v2_transport.ts";
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

const [portArg, countArg, windowArg, holdArg, magicArg, transportArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const window = Number(windowArg ?? "") || count;
const hold = holdArg === "hold";
const magic = magicArg ? fromHex(magicArg) : NETWORKS.regtest.magic;
const sha256 = nativeSha256;
const v2 = transportArg === "v2";
/** Each v2 client's key, made before the clock starts. */
const keys: Bip324Key[] = v2
  ? Array.from({ length: count }, () => newBip324Key(cryptoRandom, wasmSecp256k1))
  : [];

const ANY = { services: 0n, addr: { network: "ipv4", bytes: new Uint8Array(4) }, port: 0 } as const;

/** The `version` message of client `i` (its own nonce). */
function versionMessage(i: number): Message {
  return {
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
  return v2 ? v2Client(i) : v1Client(i);
}

/** Client `i` over v1 framing. */
function v1Client(i: number): Promise<void> {
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
    socket.once(
      "connect",
      () => socket.write(encodeMessageFrame(magic, versionMessage(i), sha256)),
    );
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

/** Client `i` over BIP324 v2. */
function v2Client(i: number): Promise<void> {
  return new Promise((resolve) => {
    const opened = performance.now();
    const localAddress = `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    const socket = connect({ port, host: "127.0.0.1", localAddress, noDelay: true });
    sockets.push(socket);
    let done = false;
    const abort = new AbortController();
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (ok) {
        ready++;
        latencies.push(performance.now() - opened);
      } else {
        failed++;
        abort.abort();
        socket.destroy();
      }
      resolve();
    };
    const send = (msg: Message) => {
      for (const c of transport.encode(wireCommand(msg), encodeMessage(msg))) socket.write(c);
    };
    const transport = new V2Transport({
      magic,
      sha256,
      initiator: true,
      random: cryptoRandom,
      aead: nodeChaCha20Poly1305,
      curve: wasmSecp256k1,
      key: keys[i],
    }, {
      open: () => send(versionMessage(i)),
      frame: (command, payload) => {
        if (command === "version") send({ command: "verack" });
        else if (command === "verack") finish(true);
        else if (command === "ping") {
          const ping = decodeMessage("ping", payload);
          if (ping.command === "ping") send({ command: "pong", nonce: ping.nonce });
        }
      },
      malformed: () => finish(false),
      write: (chunks) => {
        for (const c of chunks) socket.write(c);
      },
    }, abort.signal);
    const timer = setTimeout(() => finish(false), HANDSHAKE_MS);
    socket.on("error", () => finish(false));
    socket.on("close", () => finish(false));
    socket.once("connect", () => transport.start());
    socket.on("data", (chunk: Uint8Array) => transport.receive(new Uint8Array(chunk)));
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
