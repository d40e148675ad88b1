/**
 * Which `Host` a request to the status API may be addressed to: the guard
 * against DNS rebinding. A web page on `evil.example` whose name is made to
 * resolve to 127.0.0.1 reaches the API with its own origin, so the browser
 * lets it read the answers; its requests still say `Host: evil.example`.
 * Answering only names on a list (geth's `--http.vhosts`, Core's RPC has no
 * such list since it always needs credentials) closes that door.
 *
 * An entry is a host name or IP literal (IPv6 in brackets), optionally with
 * `:PORT`; without a port it matches any port, since a rebinding page reaches
 * the API's own port anyway and the name is what it cannot choose. `*`
 * allows every host. Names compare case-insensitively, a trailing dot
 * ignored.
 */
import { ANY_HOST, type HostEntry, parseHostEntry } from "../config/allowed_host.ts";

/** Names every API answers to: the loopback names, which no other site can take. */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** Decides which `Host` values are answered. */
export class HostAllowlist {
  readonly #entries: readonly HostEntry[];
  readonly #any: boolean;
  /** What the 403 lists as allowed. */
  readonly described: string;

  /**
   * `entries`: the loopback names are always included; add the API's own
   * bind host and the user's `--api-allowed-hosts`.
   */
  constructor(entries: readonly string[]) {
    const all = [...LOOPBACK_HOSTS, ...entries];
    this.#any = all.includes(ANY_HOST);
    const parsed: HostEntry[] = [];
    for (const text of all) {
      const entry = text === ANY_HOST ? undefined : parseHostEntry(text);
      if (entry !== undefined) parsed.push(entry);
    }
    this.#entries = parsed;
    this.described = [...new Set(all)].join(", ");
  }

  /**
   * True when a request with this `Host` header may be answered. A request
   * without one never came from a browser (every browser sends it), so it
   * cannot be a rebinding attack: in-process requests (`app.request`) have none.
   */
  allows(hostHeader: string | undefined): boolean {
    if (this.#any || hostHeader === undefined) return true;
    const host = parseHostEntry(hostHeader);
    if (host === undefined) return false;
    return this.#entries.some((e) =>
      e.name === host.name && (e.port === null || e.port === (host.port ?? 80))
    );
  }
}
