/**
 * Network groups (Core NetGroupManager::GetGroup without an asmap): the key
 * that says which addresses are "close" so connections and the address book
 * spread across operators. The first byte is the net class id; then IPv4 /16
 * (also for IPv4 carried in IPv6), IPv6 /32 (/36 for Hurricane Electric),
 * 4 bits for Tor and I2P, 12 bits for CJDNS (its first byte is fixed), the
 * whole 10 bytes of an internal name; local and unroutable addresses are one
 * group each.
 */
import type { NetAddress } from "./address.ts";
import {
  isHeNet,
  isLocal,
  isRoutable,
  linkedIpv4,
  NET_CLASS_ID,
  netClassOf,
} from "./routability.ts";

/** The group of `a`: a net-class byte, then the prefix bits that identify its group. */
export function networkGroup(a: NetAddress): Uint8Array {
  const cls = NET_CLASS_ID[netClassOf(a)];
  if (isLocal(a)) return Uint8Array.of(cls);
  if (a.network === "internal") return Uint8Array.of(cls, ...a.bytes);
  if (!isRoutable(a)) return Uint8Array.of(cls);
  const v4 = linkedIpv4(a);
  if (v4 !== null) return Uint8Array.of(cls, v4[0], v4[1]);
  let bits: number;
  if (a.network === "onion" || a.network === "i2p") bits = 4;
  else if (a.network === "cjdns") bits = 12;
  else if (isHeNet(a)) bits = 36;
  else bits = 32;
  const whole = bits >> 3;
  const out = [cls, ...a.bytes.subarray(0, whole)];
  const rest = bits & 7;
  // A partial last byte keeps its top `rest` bits and has the others set to 1.
  if (rest > 0) out.push(a.bytes[whole] | ((1 << (8 - rest)) - 1));
  return Uint8Array.from(out);
}
