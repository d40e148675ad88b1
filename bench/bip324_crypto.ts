/**
 * BIP324 cryptography, per runtime: what the v2 transport's choices rest on.
 *
 * - Packets: MB/s of encrypting then decrypting whole v2 packets
 *   (Bip324Cipher) of 100 B, 1 KB and 1 MB contents, over each AEAD this
 *   runtime has (@noble/ciphers; node:crypto's chacha20-poly1305 under Node
 *   and Deno, OpenSSL through bun:ffi under Bun), next to v1 framing of the same payloads
 *   (header with SHA-256d checksum, then the decoder's checksum check).
 * - Handshake: one side's key work per second (a fresh key, its
 *   ElligatorSwift encoding, decoding the peer's, x-only ECDH, the tagged
 *   hash, HKDF, the cipher), over each secp256k1 this runtime has, and its
 *   parts: ElligatorSwift encode/decode, key pair, ECDH, and HKDF done by
 *   @noble/hashes, node:crypto's hkdfSync and WebCrypto (async).
 *
 * Each figure is the best of ROUNDS rounds (implementations take turns, so
 * a busy machine hurts them alike); `--cpu` times by the process's CPU time
 * (which also counts GC and compiler threads) for a machine busy with other
 * work. Every implementation is checked against another before it is timed.
 *
 * Run: node_modules/.bin/bun bench/bip324_crypto.ts
 *      node_modules/.bin/deno run -A bench/bip324_crypto.ts
 *      node_modules/.bin/node bench/bip324_crypto.ts [--cpu]
 */
import { platform } from "#platform";
import { hkdfSync } from "node:crypto";
import process from "node:process";
import type { ChaCha20Poly1305 } from "../src/platform/aead.ts";
import { cryptoRandom } from "../src/platform/random.ts";
import type { Secp256k1 } from "../src/platform/secp256k1.ts";
import { Bip324Cipher, LENGTH_SIZE } from "../src/transport/bip324_cipher.ts";
import { type Bip324Key, newBip324Key } from "../src/transport/bip324_ecdh.ts";
import { ellswiftDecode, ellswiftEncode } from "../src/transport/bip324_ellswift.ts";
import { type Bip324SessionKeys, deriveBip324Keys } from "../src/transport/bip324_keys.ts";
import { Bip324PacketError } from "../src/transport/bip324_packet_error.ts";
import { bytesEqual } from "../src/wire/bytes.ts";
import { encodeFrame, FrameDecoder } from "../src/transport/v1_framing.ts";
import {
  ALL_AEADS as aeads,
  ALL_CURVES as curves,
  CHOSEN_AEAD as chosenAead,
  CHOSEN_CURVE as chosenCurve,
} from "../tests/transport/bip324_ports.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

/** Contents sizes of the packet figures, bytes. */
const SIZES = [100, 1000, 1_000_000];
/** Packets per timed batch, by size (about 1-20 MB a batch). */
const BATCH: Record<number, number> = { 100: 10_000, 1000: 10_000, 1_000_000: 20 };
/** Rounds; each figure is the best. */
const ROUNDS = 5;
/** Milliseconds each handshake figure is timed for in each round. */
const CELL_MS = 300;
/** `--cpu`: time by this process's CPU time instead of the wall clock (for a busy machine). */
const CPU_CLOCK = process.argv.includes("--cpu");
/** Milliseconds on the chosen clock. */
const now: () => number = CPU_CLOCK
  ? () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  : () => performance.now();
/** Mainnet's magic, wire order. */
const MAGIC = new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9]);
const EMPTY = new Uint8Array(0);

/** Both sides' keys of one session. */
function sessionPair(): [Bip324SessionKeys, Bip324SessionKeys] {
  const secret = cryptoRandom.bytes(32);
  return [deriveBip324Keys(secret, MAGIC, true), deriveBip324Keys(secret, MAGIC, false)];
}

/** Receives one packet; throws on a refused one. */
function receive(cipher: Bip324Cipher, packet: Uint8Array): Uint8Array {
  const length = cipher.decryptLength(packet.subarray(0, LENGTH_SIZE));
  if (length instanceof Bip324PacketError) throw length;
  const got = cipher.decrypt(packet.subarray(LENGTH_SIZE), EMPTY);
  if (got instanceof Bip324PacketError) throw got;
  return got.contents;
}

/** Milliseconds to encrypt, and to decrypt, `count` packets of `contents` with `aead`. */
function packetRound(
  aead: ChaCha20Poly1305,
  contents: Uint8Array,
  count: number,
): [number, number] {
  const [a, b] = sessionPair();
  const sender = new Bip324Cipher(a, { aead });
  const receiver = new Bip324Cipher(b, { aead });
  const packets: Uint8Array[] = [];
  const t0 = now();
  for (let i = 0; i < count; i++) packets.push(sender.encrypt(contents, EMPTY, false));
  const t1 = now();
  let sink = 0;
  for (const packet of packets) sink ^= receive(receiver, packet).length;
  const t2 = now();
  if (sink === -1) console.log(sink);
  return [t1 - t0, t2 - t1];
}

/** Milliseconds to frame, and to unframe, `count` v1 messages of `payload`. */
function frameRound(payload: Uint8Array, count: number): [number, number] {
  const frames: Uint8Array[] = [];
  const t0 = now();
  // A fresh payload object each time: a decoded payload's checksum would be remembered.
  for (let i = 0; i < count; i++) {
    frames.push(encodeFrame(MAGIC, "tx", payload.slice(), platform.sha256));
  }
  const t1 = now();
  const decoder = new FrameDecoder(MAGIC, platform.sha256);
  let sink = 0;
  for (const frame of frames) {
    decoder.push(frame);
    for (let f = decoder.next(); f !== null; f = decoder.next()) sink ^= f.payload.length;
  }
  const t2 = now();
  if (sink === -1) console.log(sink);
  return [t1 - t0, t2 - t1];
}

// Correctness first: each AEAD's packets open under the other AEAD.
for (const size of SIZES) {
  const contents = cryptoRandom.bytes(size);
  for (const sealer of aeads) {
    for (const opener of aeads) {
      const [a, b] = sessionPair();
      const packet = new Bip324Cipher(a, { aead: sealer }).encrypt(contents, EMPTY, false);
      if (!bytesEqual(receive(new Bip324Cipher(b, { aead: opener }), packet), contents)) {
        throw new Error(`${sealer.name} → ${opener.name} packet of ${size} bytes is wrong`);
      }
    }
  }
}

/** Best [encrypt, decrypt] MB/s of each packet path at each size. */
const paths: [string, (contents: Uint8Array, count: number) => [number, number]][] = [
  ...aeads.map((aead) =>
    [`v2 ${aead.name}`, (c: Uint8Array, n: number) => packetRound(aead, c, n)] as [
      string,
      (contents: Uint8Array, count: number) => [number, number],
    ]
  ),
  ["v1 framing", frameRound],
];
const packetBest = paths.map(() => SIZES.map(() => [0, 0]));
for (let round = 0; round < ROUNDS; round++) {
  SIZES.forEach((size, s) => {
    const contents = cryptoRandom.bytes(size);
    paths.forEach(([, run], p) => {
      const count = BATCH[size];
      const [enc, dec] = run(contents, count);
      const mb = size * count / 1e6;
      const best = packetBest[p][s];
      best[0] = Math.max(best[0], mb / (enc / 1000));
      best[1] = Math.max(best[1], mb / (dec / 1000));
    });
  });
}

const clockName = CPU_CLOCK ? "CPU time" : "wall clock";
console.log(
  `\nBIP324 packets — ${runtime} (MB/s of contents, ${clockName}, best of ${ROUNDS} rounds)`,
);
const header = ["path", ...SIZES.flatMap((n) => [`enc ${label(n)}`, `dec ${label(n)}`])];
const rows = paths.map(([name], p) => [
  name,
  ...packetBest[p].flatMap(([enc, dec]) => [enc.toFixed(1), dec.toFixed(1)]),
]);
table(header, rows);

/** "100 B", "1 KB", "1 MB". */
function label(n: number): string {
  return n >= 1e6 ? `${n / 1e6} MB` : n >= 1e3 ? `${n / 1e3} KB` : `${n} B`;
}

function table(head: string[], body: string[][]): void {
  const widths = head.map((c, i) => Math.max(c.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of body) console.log(line(r));
}

// Handshake key work.
/** Peers' encodings to answer (a few, so no single input is special). */
const peers: Bip324Key[] = Array.from({ length: 8 }, () => newBip324Key(cryptoRandom, chosenCurve));
/** Their x coordinates, for the ECDH-only figure. */
const peerXs = peers.map((p) => ellswiftDecode(p.ellswift));
const someX = chosenCurve.keyPair(cryptoRandom.bytes(32).map((v, i) => i === 0 ? v & 0x7f : v))
  .publicX;

/** One responder handshake's key work with `curve`; returns the session id's first byte. */
function handshake(curve: Secp256k1, i: number): number {
  const key = newBip324Key(cryptoRandom, curve);
  const theirs = peers[i % peers.length].ellswift;
  const keys = deriveBip324Keys(key.sharedSecret(theirs, false), MAGIC, false);
  return new Bip324Cipher(keys, { aead: chosenAead }).sessionId[0];
}

const secretKeys = Array.from(
  { length: 8 },
  () => cryptoRandom.bytes(32).map((v, i) => i === 0 ? v & 0x7f : v),
);
const pairs = curves.map((curve) => secretKeys.map((k) => curve.keyPair(k)));
const sharedSecret = new Uint8Array(cryptoRandom.bytes(32));
const salt = new Uint8Array([...new TextEncoder().encode("bitcoin_v2_shared_secret"), ...MAGIC]);
const INFOS = [
  "initiator_L",
  "initiator_P",
  "responder_L",
  "responder_P",
  "garbage_terminators",
  "session_id",
];

// Cross-checks: the curves agree; node:crypto's HKDF gives what ours does.
for (let i = 0; i < secretKeys.length; i++) {
  const xs = pairs.map((p) => p[i].sharedX(peerXs[i]));
  if (!xs.every((x) => bytesEqual(x, xs[0]))) throw new Error("the curves disagree on ECDH");
}
if (
  !bytesEqual(
    new Uint8Array(hkdfSync("sha256", sharedSecret, salt, "session_id", 32)),
    deriveBip324Keys(sharedSecret, MAGIC, true).sessionId,
  )
) throw new Error("node:crypto's HKDF disagrees");

/** Synchronous figures: name → fn(i). */
const syncCells: [string, (i: number) => number][] = [
  ...curves.map((curve) =>
    [`handshake key work, ${curve.name} curve`, (i: number) => handshake(curve, i)] as [
      string,
      (i: number) => number,
    ]
  ),
  ["ElligatorSwift encode", (i) => ellswiftEncode(someX, cryptoRandom)[i & 31]],
  ["ElligatorSwift decode", (i) => ellswiftDecode(peers[i % peers.length].ellswift)[0]],
  ...curves.flatMap((curve, c) =>
    [
      [`key pair, ${curve.name}`, (i: number) => curve.keyPair(secretKeys[i & 7]).publicX[0]],
      [`x-only ECDH, ${curve.name}`, (i: number) => pairs[c][i & 7].sharedX(peerXs[i & 7])[0]],
    ] as [string, (i: number) => number][]
  ),
  ["HKDF (6 keys), @noble/hashes", () => deriveBip324Keys(sharedSecret, MAGIC, true).sendL[0]],
  ["HKDF (6 keys), node:crypto hkdfSync", () => {
    let x = 0;
    for (const info of INFOS) {
      x ^= new Uint8Array(hkdfSync("sha256", sharedSecret, salt, info, 32))[0];
    }
    return x;
  }],
];

/** WebCrypto's HKDF, async: one import and six derivations. */
async function webCryptoHkdf(): Promise<number> {
  const key = await crypto.subtle.importKey("raw", sharedSecret, "HKDF", false, ["deriveBits"]);
  let x = 0;
  for (const info of INFOS) {
    const bits = await crypto.subtle.deriveBits(
      { name: "HKDF", hash: "SHA-256", salt, info: new TextEncoder().encode(info) },
      key,
      256,
    );
    x ^= new Uint8Array(bits)[0];
  }
  return x;
}

const perSecond = syncCells.map(() => 0);
let webCryptoPerSecond = 0;
let sink = 0;
for (let round = 0; round < ROUNDS; round++) {
  syncCells.forEach(([, fn], c) => {
    for (let i = 0; i < 3; i++) sink ^= fn(i); // warm-up
    let n = 0;
    const begin = now();
    let at = begin;
    while (at - begin < CELL_MS) {
      sink ^= fn(n++);
      at = now();
    }
    perSecond[c] = Math.max(perSecond[c], n / ((at - begin) / 1000));
  });
  let n = 0;
  const begin = now();
  let at = begin;
  while (at - begin < CELL_MS) {
    sink ^= await webCryptoHkdf();
    n++;
    at = now();
  }
  webCryptoPerSecond = Math.max(webCryptoPerSecond, n / ((at - begin) / 1000));
}
if (sink === -1) console.log(sink);

console.log(`\nBIP324 handshake — ${runtime} (per second, ${clockName}, best of ${ROUNDS} rounds)`);
table(
  ["work", "/s", "µs each"],
  [
    ...syncCells.map((
      [name],
      c,
    ) => [name, perSecond[c].toFixed(0), (1e6 / perSecond[c]).toFixed(1)]),
    [
      "HKDF (6 keys), WebCrypto (async)",
      webCryptoPerSecond.toFixed(0),
      (1e6 / webCryptoPerSecond).toFixed(1),
    ],
  ],
);
console.log(
  `\nChosen here: AEAD ${chosenAead.name}, secp256k1 ${chosenCurve.name}, HKDF @noble/hashes`,
);

const mbs = (p: number, s: number) => {
  const [enc, dec] = packetBest[p][s];
  return 1 / (1 / enc + 1 / dec); // encrypt then decrypt, MB of contents per second
};
printResult("bip324_crypto", [
  ...SIZES.flatMap((size, s) =>
    paths.map(([name], p) => ({
      name: `bip324: ${name} encrypt+decrypt ${label(size)}`,
      unit: "MB/s",
      value: mbs(p, s),
    }))
  ),
  ...syncCells.map(([name], c) => ({
    name: `bip324: ${name}`,
    unit: "/s",
    value: perSecond[c],
  })),
]);
