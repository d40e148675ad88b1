/**
 * "Internal" addresses: a stand-in `NetAddress` for a name (a DNS seed or
 * "fixedseeds") so the address book can record which seed an address came
 * from. The 10 bytes are SHA-256(name)[0:10]; they are never valid hosts.
 */
import type { Sha256 } from "../platform/hash.ts";
import type { NetAddress } from "./address.ts";
import { ADDRESS_SIZE } from "./address.ts";
import { DecodeError } from "./errors.ts";

/** The internal address standing for `name` (Core SetInternal). `name` must not be empty. */
export function internalAddress(sha256: Sha256, name: string): NetAddress {
  if (name === "") throw new DecodeError("invalid", "an internal address needs a non-empty name");
  const hash = sha256(new TextEncoder().encode(name));
  return { network: "internal", bytes: hash.slice(0, ADDRESS_SIZE.internal) };
}
