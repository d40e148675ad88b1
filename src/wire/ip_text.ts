/**
 * Numeric IP text: strict dotted-quad IPv4 and RFC 4291 IPv6 (with `::`, an
 * IPv4 tail and a numeric `%zone`), and RFC 5952 canonical IPv6 output. No
 * name resolution and none of inet_aton's legacy forms ("127.1", "0x7f.1").
 */

/** Largest IPv6 zone id (`%N`): an unsigned 32-bit interface index. */
const MAX_SCOPE_ID = 0xffffffff;

/** The 4 bytes of a dotted-quad IPv4 text (`1.2.3.4`), or `null`. No leading zeros. */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Dotted-quad text of 4 IPv4 bytes. */
export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** A parsed IPv6 text: 16 bytes and the zone id (0 when none was given). */
export interface Ipv6Text {
  /** The 16 address bytes. */
  readonly bytes: Uint8Array;
  /** The numeric zone id after `%`, 0 when absent. */
  readonly scopeId: number;
}

/**
 * Parses IPv6 text: eight groups of 1-4 hex digits, at most one `::` standing
 * for one or more zero groups, optionally a dotted-quad IPv4 tail in place of
 * the last two groups, and an optional decimal zone id (`fe80::1%32`).
 * Returns `null` for anything else.
 */
export function parseIpv6(text: string): Ipv6Text | null {
  let scopeId = 0;
  const pct = text.indexOf("%");
  if (pct >= 0) {
    const zone = text.slice(pct + 1);
    if (!/^[0-9]{1,10}$/.test(zone) || Number(zone) > MAX_SCOPE_ID) return null;
    scopeId = Number(zone);
    text = text.slice(0, pct);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1], true) : [];
  if (head === null || tail === null) return null;
  const explicit = head.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const bytes = new Uint8Array(16);
  head.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  tail.forEach((g, i) => {
    const at = 2 * (8 - tail.length + i);
    bytes[at] = g >> 8;
    bytes[at + 1] = g & 0xff;
  });
  return { bytes, scopeId };
}

/**
 * The 16-bit groups of a colon-separated run ("" gives none). A dotted-quad
 * IPv4 is allowed as the final piece only when `last` (it ends the address).
 */
function groupsOf(run: string, last: boolean): number[] | null {
  if (run === "") return [];
  const pieces = run.split(":");
  const out: number[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      out.push(parseInt(p, 16));
      continue;
    }
    const v4 = last && i === pieces.length - 1 ? parseIpv4(p) : null;
    if (v4 === null) return null;
    out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
  }
  return out;
}

/**
 * RFC 5952 text of 16 IPv6 bytes: lowercase hex without leading zeros, the
 * longest run of two or more zero groups (the first, on a tie) as `::`, and
 * `%scopeId` appended when the zone id is non-zero.
 */
export function formatIpv6(bytes: Uint8Array, scopeId = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let text: string;
  if (bestLen >= 2) {
    const left = groups.slice(0, bestStart).map((g) => g.toString(16)).join(":");
    const right = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(":");
    text = `${left}::${right}`;
  } else {
    text = groups.map((g) => g.toString(16)).join(":");
  }
  return scopeId !== 0 ? `${text}%${scopeId}` : text;
}
