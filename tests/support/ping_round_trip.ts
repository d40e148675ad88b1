/**
 * A round trip on a live connection: a ping from our `Peer`, and its pong.
 * Messages on a connection arrive in order, so once the pong is back,
 * everything the other side sent before it has arrived too: the later event
 * a "nothing else came" check waits for instead of a fixed sleep.
 */
import type { Peer } from "../../src/peer/peer.ts";
import { waitFor } from "./wait.ts";

/** Distinct nonces for our pings (the liveness pings use random ones). */
let nextNonce = 0x7e57_0000n;

/**
 * Once `peer`'s handshake is complete, pings the remote through it and
 * resolves when a pong came back (each wait bounded by `waitFor`'s timeout).
 * Our nonce is not the liveness ping's, so the peer ignores the pong beyond
 * counting it.
 */
export async function pingRoundTrip(peer: Peer): Promise<void> {
  await waitFor(() => peer.state === "ready", `${peer} ready`);
  const pongs = () => peer.stats().received.perCommand.pong?.messages ?? 0;
  const before = pongs();
  if (!peer.send({ command: "ping", nonce: nextNonce++ })) throw new Error(`cannot ping ${peer}`);
  await waitFor(() => pongs() > before, `a pong from ${peer}`);
}
