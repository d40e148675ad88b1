/**
 * Feature messages: each from the protocol version that defines it
 * (sendaddrv2 from any), fee rates within range.
 */
import { describe, expect, test } from "bun:test";
import { NO_FEATURES, withFeature } from "../../src/peer/features.ts";
import {
  FEEFILTER_VERSION,
  SENDHEADERS_VERSION,
  WTXID_RELAY_VERSION,
} from "../../src/peer/handshake.ts";

const MAX_MONEY = 2_100_000_000_000_000n;

describe("withFeature", () => {
  test("each feature turns on from its protocol version, as a new value", () => {
    expect(withFeature(NO_FEATURES, { command: "wtxidrelay" }, WTXID_RELAY_VERSION))
      .toEqual({ ...NO_FEATURES, wtxidRelay: true });
    expect(withFeature(NO_FEATURES, { command: "sendaddrv2" }, WTXID_RELAY_VERSION))
      .toEqual({ ...NO_FEATURES, addrV2: true });
    expect(withFeature(NO_FEATURES, { command: "sendheaders" }, SENDHEADERS_VERSION))
      .toEqual({ ...NO_FEATURES, sendHeaders: true });
    expect(withFeature(NO_FEATURES, { command: "feefilter", feeRate: 1000n }, FEEFILTER_VERSION))
      .toEqual({ ...NO_FEATURES, feeFilter: 1000 });
    expect(NO_FEATURES).toEqual({
      sendHeaders: false,
      addrV2: false,
      wtxidRelay: false,
      feeFilter: null,
    });
  });

  test("below its protocol version a feature message is ignored, saying which version", () => {
    expect(withFeature(NO_FEATURES, { command: "wtxidrelay" }, WTXID_RELAY_VERSION - 1))
      .toBe(`wtxidrelay below protocol ${WTXID_RELAY_VERSION}`);
    expect(withFeature(NO_FEATURES, { command: "sendheaders" }, SENDHEADERS_VERSION - 1))
      .toBe(`sendheaders below protocol ${SENDHEADERS_VERSION}`);
    expect(withFeature(NO_FEATURES, { command: "feefilter", feeRate: 1n }, FEEFILTER_VERSION - 1))
      .toBe(`feefilter below protocol ${FEEFILTER_VERSION}`);
  });

  test("sendaddrv2 counts whatever the protocol version (BIP155 names none)", () => {
    for (const version of [70001, SENDHEADERS_VERSION, WTXID_RELAY_VERSION - 1]) {
      expect(withFeature(NO_FEATURES, { command: "sendaddrv2" }, version))
        .toEqual({ ...NO_FEATURES, addrV2: true });
    }
  });

  test("a fee rate counts from 0 to MAX_MONEY; outside that it is ignored", () => {
    const rate = (feeRate: bigint) =>
      withFeature(NO_FEATURES, { command: "feefilter", feeRate }, FEEFILTER_VERSION);
    expect(rate(0n)).toEqual({ ...NO_FEATURES, feeFilter: 0 });
    expect(rate(MAX_MONEY)).toEqual({ ...NO_FEATURES, feeFilter: Number(MAX_MONEY) });
    expect(rate(-1n)).toBe("fee rate -1 out of range");
    expect(rate(MAX_MONEY + 1n)).toBe(`fee rate ${MAX_MONEY + 1n} out of range`);
  });
});
