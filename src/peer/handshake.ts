/**
 * The version handshake as an explicit state machine: a pure transition
 * function from (state, received command) to the next state and what the
 * peer must do, the `version` we send, and the checks on a received one. No
 * I/O here; the peer (`peer.ts`) performs the actions.
 *
 * ```
 * outbound: version-sent     --version--> awaiting-verack --verack--> ready
 * inbound:  awaiting-version --version--> awaiting-verack --verack--> ready
 * ```
 *
 * Before the remote `version`, everything else is ignored (and counted).
 * Between `version` and `verack`, `wtxidrelay` and `sendaddrv2` negotiate
 * features; other messages are ignored. After `verack`, a second `version`
 * is misbehaviour, and `wtxidrelay`/`sendaddrv2` are misbehaviour that ends
 * the connection (they are only meaningful before `verack`, BIP339/BIP155).
 *
 * This node is blocks-only: its `version` says relay=false (BIP37), so peers
 * do not announce loose transactions to it. It announces `PROTOCOL_VERSION`
 * (70016) and, as Core does, `::` as its own address.
 */
import { PROTOCOL_VERSION } from "../version.ts";
import type { AddressPort } from "../wire/host_port.ts";
import type { VersionMessage } from "../wire/messages/version.ts";
import { hasServices, servicesHex } from "./services.ts";

/** Who opened the connection: the remote (`inbound`) or we (`outbound`). */
export type PeerDirection = "inbound" | "outbound";

/** Where a peer is in the handshake. */
export type HandshakeState =
  /** Inbound: waiting for the remote `version` (we answer after it). */
  | "awaiting-version"
  /** Outbound: our `version` is sent; waiting for theirs. */
  | "version-sent"
  /** Versions exchanged and our `verack` sent; waiting for theirs. */
  | "awaiting-verack"
  /** Handshake complete: messages flow to the owner. */
  | "ready"
  /** Disconnected: nothing more is sent or handled. */
  | "closed";

/** A feature a peer can negotiate between `version` and `verack`. */
export type HandshakeFeature = "wtxidrelay" | "sendaddrv2";

/** What the peer must do with a received message. */
export type HandshakeAction =
  /** Check the `version` (`checkVersion`), answer it, send `verack`. */
  | { readonly kind: "accept-version" }
  /** The remote `verack`: the handshake is complete. */
  | { readonly kind: "complete" }
  /** Record a negotiated feature. */
  | { readonly kind: "feature"; readonly feature: HandshakeFeature }
  /** Drop the message and count it (not allowed in this state, harmless). */
  | { readonly kind: "ignore"; readonly why: string }
  /** A protocol violation: add misbehaviour; `disconnect` ends the connection too. */
  | {
    readonly kind: "violation";
    readonly violation: HandshakeViolation;
    readonly reason: string;
    readonly disconnect: boolean;
  }
  /** A post-handshake message for normal handling. */
  | { readonly kind: "deliver" };

/** The handshake rules a peer can break (scored in `misbehaviour.ts`). */
export type HandshakeViolation = "duplicate-version" | "late-feature";

/** The next state and the action for one received command. */
export interface HandshakeStep {
  readonly next: HandshakeState;
  readonly action: HandshakeAction;
}

/** The state a new peer starts in. */
export function initialHandshakeState(direction: PeerDirection): HandshakeState {
  return direction === "outbound" ? "version-sent" : "awaiting-version";
}

/** The transition for receiving `command` in `state`. Pure. */
export function handshakeStep(state: HandshakeState, command: string): HandshakeStep {
  switch (state) {
    case "awaiting-version":
    case "version-sent":
      if (command === "version") return { next: "awaiting-verack", action: ACCEPT_VERSION };
      return { next: state, action: ignore(`${command} before version`) };
    case "awaiting-verack":
      return { next: command === "verack" ? "ready" : state, action: beforeVerack(command) };
    case "ready":
      return { next: state, action: afterVerack(command) };
    case "closed":
      return { next: state, action: ignore(`${command} after disconnect`) };
  }
}

/** Between the remote `version` and its `verack`. */
function beforeVerack(command: string): HandshakeAction {
  switch (command) {
    case "verack":
      return COMPLETE;
    case "wtxidrelay":
    case "sendaddrv2":
      return { kind: "feature", feature: command };
    case "version":
      return DUPLICATE_VERSION;
    default:
      return ignore(`${command} before verack`);
  }
}

/** Once the handshake is complete. */
function afterVerack(command: string): HandshakeAction {
  switch (command) {
    case "version":
      return DUPLICATE_VERSION;
    case "verack":
      return ignore("duplicate verack");
    case "wtxidrelay":
    case "sendaddrv2":
      return {
        kind: "violation",
        violation: "late-feature",
        reason: `${command} after verack`,
        disconnect: true,
      };
    default:
      return DELIVER;
  }
}

const ACCEPT_VERSION: HandshakeAction = { kind: "accept-version" };
const COMPLETE: HandshakeAction = { kind: "complete" };
const DELIVER: HandshakeAction = { kind: "deliver" };
const DUPLICATE_VERSION: HandshakeAction = {
  kind: "violation",
  violation: "duplicate-version",
  reason: "duplicate version message",
  disconnect: false,
};

function ignore(why: string): HandshakeAction {
  return { kind: "ignore", why };
}

/** The unspecified address `::`, sent as our own address in `version`. */
const UNSPECIFIED = { network: "ipv6", bytes: new Uint8Array(16) } as const;

/** What our `version` says that is not fixed. */
export interface OurVersion {
  /** Services we announce. */
  readonly services: bigint;
  /** Our clock, seconds since the epoch. */
  readonly timestamp: number;
  /** The remote as we reach it. */
  readonly remote: AddressPort;
  /** Services the remote announced (0 when its `version` has not arrived). */
  readonly remoteServices: bigint;
  /** Detects a connection to ourselves (see `VersionCheck.localNonces`). */
  readonly nonce: bigint;
  readonly userAgent: string;
  /** Our best height. */
  readonly startHeight: number;
}

/** Our `version` message: protocol `PROTOCOL_VERSION`, `::` as our address, relay=false. */
export function ourVersion(v: OurVersion): VersionMessage {
  return {
    command: "version",
    version: PROTOCOL_VERSION,
    services: v.services,
    timestamp: v.timestamp,
    addrRecv: { services: v.remoteServices, addr: v.remote.address, port: v.remote.port },
    addrFrom: { services: v.services, addr: UNSPECIFIED, port: 0 },
    nonce: v.nonce,
    userAgent: v.userAgent,
    startHeight: v.startHeight,
    relay: false,
  };
}

/**
 * Services an outbound peer must announce: a fixed set, or a function of
 * what it announced (Core's `GetDesirableServiceFlags`).
 */
export type RequiredServices = bigint | ((services: bigint) => bigint);

/** What `checkVersion` needs to judge a remote `version`. */
export interface VersionCheck {
  readonly direction: PeerDirection;
  /** Nonces of our own `version` messages still in flight, node-wide. */
  readonly localNonces: ReadonlySet<bigint>;
  /** Lowest protocol version we talk to. */
  readonly minProtocolVersion: number;
  /**
   * Services an outbound peer must have (inbound peers are not held to it),
   * or the function giving them for what the peer announced.
   */
  readonly requiredServices: RequiredServices;
}

/** `null` when the remote `version` is acceptable, else why the peer must be dropped. */
export function checkVersion(msg: VersionMessage, check: VersionCheck): string | null {
  if (check.localNonces.has(msg.nonce)) return "connected to ourselves (our own version nonce)";
  if (msg.version < check.minProtocolVersion) {
    return `protocol version ${msg.version} is below the minimum ${check.minProtocolVersion}`;
  }
  if (check.direction === "outbound") {
    const rule = check.requiredServices;
    const required = typeof rule === "bigint" ? rule : rule(msg.services);
    if (!hasServices(msg.services, required)) {
      return `services ${servicesHex(msg.services)} lack required ${servicesHex(required)}`;
    }
  }
  return null;
}

/** The version both sides speak: the lower of the two. */
export function negotiatedVersion(ours: number, theirs: number): number {
  return Math.min(ours, theirs);
}

/** Protocol version from which `sendheaders` is understood (BIP130). */
export const SENDHEADERS_VERSION = 70012;
/** Protocol version from which `feefilter` is understood (BIP133). */
export const FEEFILTER_VERSION = 70013;
/**
 * Protocol version from which `wtxidrelay` is negotiated (BIP339), and from
 * which we send `sendaddrv2` (BIP155 names no version; as Core, we accept
 * it from any peer, but send it only to peers this recent).
 */
export const WTXID_RELAY_VERSION = 70016;
/**
 * Default lowest protocol version we talk to: 70001 is the first with the
 * BIP37 relay flag, so every peer we keep honours our relay=false.
 */
export const DEFAULT_MIN_PROTOCOL_VERSION = 70001;
