/**
 * The optional features a remote turns on with a message of its own:
 * BIP339 `wtxidrelay` and BIP155 `sendaddrv2` (between `version` and
 * `verack`; `handshake.ts` enforces when), BIP130 `sendheaders` and BIP133
 * `feefilter`. Each counts only from the protocol version that defines it
 * (`sendaddrv2` from any: BIP155 ties it to no version, and Core accepts it
 * whatever the version), and a fee rate only within range; otherwise the
 * message is ignored, and the reason says why. Pure: the peer keeps the
 * value and logs the reason.
 */
import type { EmptyCommand } from "../wire/messages/simple.ts";
import type { FeeFilterMessage } from "../wire/messages/feefilter.ts";
import { FEEFILTER_VERSION, SENDHEADERS_VERSION, WTXID_RELAY_VERSION } from "./handshake.ts";
import type { PeerFeatures } from "./peer_stats.ts";

/** Highest valid `feefilter` rate: 21 million BTC in satoshis (Core MAX_MONEY). */
const MAX_MONEY = 2_100_000_000_000_000n;

/** A peer's features before the remote asked for any. */
export const NO_FEATURES: PeerFeatures = Object.freeze({
  sendHeaders: false,
  addrV2: false,
  wtxidRelay: false,
  feeFilter: null,
});

/** The messages that turn a feature on. */
export type FeatureMessage =
  | { readonly command: Extract<EmptyCommand, "wtxidrelay" | "sendaddrv2" | "sendheaders"> }
  | FeeFilterMessage;

/**
 * `features` with the one `msg` asks for, as a new object (`negotiated`: the
 * protocol version both sides speak), or why `msg` is ignored instead.
 */
export function withFeature(
  features: PeerFeatures,
  msg: FeatureMessage,
  negotiated: number,
): PeerFeatures | string {
  switch (msg.command) {
    case "wtxidrelay":
      if (negotiated < WTXID_RELAY_VERSION) {
        return `wtxidrelay below protocol ${WTXID_RELAY_VERSION}`;
      }
      return { ...features, wtxidRelay: true };
    case "sendaddrv2":
      return { ...features, addrV2: true };
    case "sendheaders":
      if (negotiated < SENDHEADERS_VERSION) {
        return `sendheaders below protocol ${SENDHEADERS_VERSION}`;
      }
      return { ...features, sendHeaders: true };
    case "feefilter":
      if (negotiated < FEEFILTER_VERSION) return `feefilter below protocol ${FEEFILTER_VERSION}`;
      if (msg.feeRate < 0n || msg.feeRate > MAX_MONEY) {
        return `fee rate ${msg.feeRate} out of range`;
      }
      return { ...features, feeFilter: Number(msg.feeRate) };
  }
}
