/**
 * Service bits a node announces in `version` and `addr` (the `NODE_*` flags
 * of Core's protocol.h), and helpers to test and print them.
 */

/** No services: what a node that serves nothing announces. */
export const NODE_NONE = 0n;
/** Serves the complete block chain. */
export const NODE_NETWORK = 1n << 0n;
/** Serves BIP37 bloom-filtered connections. */
export const NODE_BLOOM = 1n << 2n;
/** Serves witness data (BIP144). */
export const NODE_WITNESS = 1n << 3n;
/** Serves compact block filters (BIP157). */
export const NODE_COMPACT_FILTERS = 1n << 6n;
/** Serves the last 288 blocks only (BIP159). */
export const NODE_NETWORK_LIMITED = 1n << 10n;
/** Supports v2 encrypted transport (BIP324). */
export const NODE_P2P_V2 = 1n << 11n;

const NAMES: ReadonlyArray<readonly [bigint, string]> = [
  [NODE_NETWORK, "NETWORK"],
  [NODE_BLOOM, "BLOOM"],
  [NODE_WITNESS, "WITNESS"],
  [NODE_COMPACT_FILTERS, "COMPACT_FILTERS"],
  [NODE_NETWORK_LIMITED, "NETWORK_LIMITED"],
  [NODE_P2P_V2, "P2P_V2"],
];

/** True when `services` has every bit of `required`. */
export function hasServices(services: bigint, required: bigint): boolean {
  return (services & required) === required;
}

/** The names of the known bits in `services` (Core's `servicesnames`), e.g. `["NETWORK", "WITNESS"]`. */
export function serviceNames(services: bigint): string[] {
  return NAMES.filter(([bit]) => (services & bit) !== 0n).map(([, name]) => name);
}

/** `services` as 16 hex digits, as Core's getpeerinfo prints it. */
export function servicesHex(services: bigint): string {
  return BigInt.asUintN(64, services).toString(16).padStart(16, "0");
}
