/**
 * Typed decode errors. Every malformed input ends as a `DecodeError` whose
 * `kind` the peer layer switches on (to score misbehaviour) and whose message
 * names the message and the bound that was broken.
 */

/** What went wrong while decoding. */
export type DecodeErrorKind =
  /** The input ended before the structure did. */
  | "truncated"
  /** A count or length exceeded a protocol bound (`bound` says which). */
  | "bound"
  /** A value is not allowed (bad enum, non-canonical encoding, bad checksum...). */
  | "invalid"
  /** Bytes were left over after the structure ended. */
  | "trailing"
  /** The frame's magic is not this network's. */
  | "magic"
  /** The frame's checksum does not match its payload. */
  | "checksum";

/** A decode failure: the input is bad, not our code. */
export class DecodeError extends Error {
  /** The failure class. */
  readonly kind: DecodeErrorKind;
  /** The command being decoded, when known (e.g. "addr"). */
  readonly command: string | undefined;
  /** For `kind === "bound"`: the limit that was exceeded. */
  readonly bound: number | undefined;

  constructor(
    kind: DecodeErrorKind,
    message: string,
    options: { command?: string; bound?: number } = {},
  ) {
    super(options.command ? `${options.command}: ${message}` : message);
    this.name = "DecodeError";
    this.kind = kind;
    this.command = options.command;
    this.bound = options.bound;
  }
}
