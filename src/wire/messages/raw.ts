/**
 * Messages kept as raw payload bytes: `block` and `tx` (parsed on demand by
 * `../block.ts` and `../tx.ts`, so relaying never re-serializes them) and any
 * command this node does not know.
 */

/** A `block` or `tx` message: its payload, unparsed. */
export interface PayloadMessage {
  readonly command: "block" | "tx";
  /** The serialized block or transaction (a view into the frame). */
  readonly raw: Uint8Array;
}

/**
 * A message whose command this node does not know. Its discriminant is the
 * literal "unknown" (so `switch (msg.command)` narrows the known ones); the
 * wire command is `name`.
 */
export interface UnknownMessage {
  readonly command: "unknown";
  /** The command name from the header (e.g. "sendtxrcncl"). */
  readonly name: string;
  /** The payload, unparsed. */
  readonly raw: Uint8Array;
}
