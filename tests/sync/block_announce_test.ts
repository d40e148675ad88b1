/** Announcements: headers for sendheaders peers (with the ancestors they lack, up to 8), inv otherwise. */
import { describe, expect, test } from "bun:test";
import {
  blockAnnouncement,
  headersToAnnounce,
  MAX_BLOCKS_TO_ANNOUNCE,
} from "../../src/sync/block_announce.ts";
import { encodeBlockHeader } from "../../src/wire/block_header.ts";
import { hexToHash } from "../../src/wire/bytes.ts";
import { MSG_BLOCK } from "../../src/wire/messages/inv.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { fakePeer } from "./fake_peer.ts";
import { hashOf, mineRun, newChain, REGTEST_GENESIS_TIME } from "./helpers.ts";

/** A regtest chain of 12 headers; returns it and their hashes (index = height − 1). */
function chainOf12() {
  const params = NETWORKS.regtest;
  const chain = newChain(params);
  const raws = mineRun(
    hexToHash(params.genesisHash),
    12,
    REGTEST_GENESIS_TIME + 600,
    params.powLimitBits,
  );
  for (const raw of raws) chain.acceptHeader(raw);
  return { chain, raws, hashes: raws.map(hashOf) };
}

describe("headersToAnnounce", () => {
  test("the ancestors a peer lacks come first when they connect to one it has", () => {
    const { chain, raws, hashes } = chainOf12();
    const known = hashes[8]; // height 9
    const out = headersToAnnounce(chain, hashes[11], (h) => h.every((b, i) => b === known[i]));
    expect(out).toEqual(raws.slice(9, 12));
  });

  test("near genesis everything after genesis is sent", () => {
    const { chain, raws, hashes } = chainOf12();
    expect(headersToAnnounce(chain, hashes[2], () => false)).toEqual(raws.slice(0, 3));
  });

  test("more than MAX_BLOCKS_TO_ANNOUNCE missing: only the block's own header", () => {
    const { chain, raws, hashes } = chainOf12();
    expect(MAX_BLOCKS_TO_ANNOUNCE).toBe(8);
    expect(headersToAnnounce(chain, hashes[11], () => false)).toEqual([raws[11]]);
    expect(headersToAnnounce(chain, new Uint8Array(32), () => false)).toEqual([]);
  });
});

describe("blockAnnouncement", () => {
  test("headers to a sendheaders peer, inv to the others", () => {
    const { chain, raws, hashes } = chainOf12();
    const withHeaders = fakePeer(1, { features: { sendHeaders: true } });
    withHeaders.known.add(hashes[10]);
    const msg = blockAnnouncement(chain, hashes[11], withHeaders);
    expect(msg.command).toBe("headers");
    if (msg.command === "headers") {
      expect(msg.headers.map(encodeBlockHeader)).toEqual([raws[11]]);
    }
    expect(blockAnnouncement(chain, hashes[11], fakePeer(2))).toEqual({
      command: "inv",
      items: [{ type: MSG_BLOCK, hash: hashes[11] }],
    });
  });
});
