/**
 * Child process of bench/inv_retained.ts: connects to the node on
 * 127.0.0.1:<port>, completes the handshake, sends <messages> `inv` of
 * <per message> random block/tx entries, waits for the socket to drain and
 * exits, printing "sent <n>". Kept out of the measured process so that only
 * the node's memory is measured. The leading underscore keeps
 * bench/run_all.ts from running it as a bench.
 *
 * Run: node bench/_inv_attacker.ts <port> <messages> <per message>
 */
import process from "node:process";
import { platform } from "#platform";
import { encodeMessageFrame } from "../tests/support/message_frame.ts";
import { MSG_BLOCK, MSG_TX } from "../src/wire/messages/inv.ts";
import { MAGIC, ScriptedPeer } from "./_flood_peer.ts";

/** Longest wait for the handshake and for the socket to drain. */
const WAIT_MS = 10_000;
/** Time for the node to read the tail before the connection closes. */
const SETTLE_MS = 1_000;

const [port, messages, perMessage] = process.argv.slice(2).map(Number);
const peer = new ScriptedPeer(port, "127.0.0.1");
if (!(await peer.waitReady(WAIT_MS))) throw new Error("handshake failed");
let sent = 0;
for (; sent < messages && peer.closedAt === null; sent++) {
  const hashes = crypto.getRandomValues(new Uint8Array(perMessage * 32));
  const items = Array.from({ length: perMessage }, (_, i) => ({
    type: i % 2 === 0 ? MSG_TX : MSG_BLOCK,
    hash: hashes.subarray(i * 32, i * 32 + 32),
  }));
  if (!peer.sendRaw(encodeMessageFrame(MAGIC, { command: "inv", items }, platform.sha256))) {
    await peer.drained(WAIT_MS);
  }
}
await peer.drained(WAIT_MS);
await new Promise((r) => setTimeout(r, SETTLE_MS));
console.log(`sent ${sent}`);
peer.close();
process.exit(0);
