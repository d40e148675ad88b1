/**
 * The error value of a refused v2 packet: what the packet cipher and the
 * message type decoder return (never throw) for bad input from the peer, so
 * the transport can disconnect cleanly and say why.
 */

/** Why a received packet was refused. */
export type Bip324PacketErrorKind =
  /** Its length is past the bound (`MAX_CONTENTS_LEN` by default). */
  | "length"
  /** Its tag does not match: altered bytes, other aad, or a stream out of step. */
  | "tag"
  /** Its contents start with no message type we know (an unknown short id, a bad long type). */
  | "type";

/** A refused packet: returned, never thrown. */
export class Bip324PacketError extends Error {
  /** The failure class. */
  readonly kind: Bip324PacketErrorKind;

  constructor(kind: Bip324PacketErrorKind, message: string) {
    super(message);
    this.name = "Bip324PacketError";
    this.kind = kind;
  }
}
