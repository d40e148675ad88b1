/**
 * A peer over a transport with a handshake of its own, the shape BIP324 v2
 * has: the transport writes bytes before any message and opens only once the
 * remote's bytes arrived. Here a toy one (a 4-byte key each way, then v1
 * framing) shows the peer needs no branch for it: the transport's bytes go
 * out first, nothing is encoded before `open`, and the version handshake then
 * runs over it as over v1.
 */
import { describe, expect, test } from "bun:test";
import { memoryPipe } from "../../adapters/memory/pipe.ts";
import { newOutboundPeer } from "../../src/peer/peer.ts";
import type { Transport, TransportFactory } from "../../src/transport/transport.ts";
import { V1Transport } from "../../src/transport/v1_transport.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { within } from "../support/cli_process.ts";
import { MAGIC, peerOptions, recordEvents, ScriptedPeer } from "../support/scripted_peer.ts";
import { WAIT_MS, waitFor } from "../support/wait.ts";

/** The toy transport's handshake bytes, the same both ways. */
const KEY = new TextEncoder().encode("KEY!");

/** Counts what the toy transport saw. */
interface ToyCounts {
  encodedBeforeOpen: number;
  opened: boolean;
}

/** A transport that sends `KEY`, waits for the remote's, then frames as v1. */
function toyTransport(counts: ToyCounts): TransportFactory {
  return (owner, signal): Transport => {
    let keyBytes = 0;
    const inner = new V1Transport(MAGIC, peerOptions().sha256, {
      ...owner,
      open: () => {
        counts.opened = true;
        owner.open();
      },
    }, signal);
    return {
      start: () => owner.write([KEY.slice()]),
      receive: (chunk) => {
        if (keyBytes < KEY.length) {
          const take = Math.min(KEY.length - keyBytes, chunk.length);
          keyBytes += take;
          if (keyBytes === KEY.length) inner.start();
          chunk = chunk.subarray(take);
        }
        if (chunk.length > 0) inner.receive(chunk);
      },
      encode: (command, payload) => {
        if (!counts.opened) counts.encodedBeforeOpen++;
        return inner.encode(command, payload);
      },
      info: () => inner.info(),
    };
  };
}

describe("a transport with its own handshake", () => {
  test("its bytes go out first, our version waits for open, and the handshake completes over it", async () => {
    const { client, server } = memoryPipe();
    const counts: ToyCounts = { encodedBeforeOpen: 0, opened: false };
    const peer = newOutboundPeer(
      { address: parseAddress(client.remote.host), port: client.remote.port },
      client,
      peerOptions({ transport: toyTransport(counts) }),
    );
    const events = recordEvents(peer);
    peer.start();

    const reader = server.readable.getReader();
    const first = await within(reader.read(), WAIT_MS, "the transport's own bytes");
    expect(toHex(first.value!)).toBe(toHex(KEY));
    reader.releaseLock();
    expect(counts.opened).toBe(false);
    expect(peer.stats().sent.messages).toBe(0);

    await server.write(KEY.slice());
    const remote = new ScriptedPeer(server);
    const { ours } = await remote.acceptHandshake();
    expect(ours.command).toBe("version");
    await waitFor(() => events.ready === 1, "ready");
    expect(counts.encodedBeforeOpen).toBe(0);
    expect(peer.state).toBe("ready");

    await peer.disconnect("test over");
  });
});
