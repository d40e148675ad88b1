/** Shared test helpers for wire tests: wire-vectors.json typed, the mainnet magic, IP text. */
import { vectorJson } from "../support/vectors.ts";

/** One entry of wire-vectors.json `vectors`. */
export interface WireVector {
  name: string;
  command: string;
  payload_hex: string;
  payload_len: number;
  // deno-lint-ignore no-explicit-any
  fields: Record<string, any>;
  message_hex: string;
  message_magic: string;
  checksum: string;
}

/** One entry of wire-vectors.json `invalid`. */
export interface InvalidWireVector {
  name: string;
  command: string;
  payload_hex?: string;
  message_hex?: string;
  reason: string;
}

/** wire-vectors.json. */
export const WIRE: { vectors: WireVector[]; invalid: InvalidWireVector[] } = vectorJson(
  "wire-vectors.json",
);

/** Mainnet magic, wire order. */
export const MAINNET_MAGIC = new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9]);

/** The bytes of an IPv4 ("a.b.c.d") or IPv6 (RFC 4291 text, "::" allowed) literal. */
export function ipBytes(text: string): Uint8Array {
  if (text.includes(".")) return new Uint8Array(text.split(".").map(Number));
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
