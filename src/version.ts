/** The node's version and the identity it announces on the wire. */

/** Semantic version of btc-edge (kept equal to package.json and deno.json). */
export const VERSION = "0.1.0";

/** BIP14 user agent announced in `version` messages. */
export const USER_AGENT = `/btc-edge:${VERSION}/`;

/** The protocol version we speak (70016: wtxidrelay, BIP339). */
export const PROTOCOL_VERSION = 70016;
