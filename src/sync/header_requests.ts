/**
 * Our header requests to one peer: when our `getheaders` went out (at most
 * one outstanding, unless forced), the re-ask after it announces a block we
 * lack while that request is unanswered (at most one a second however many
 * announcements arrive), the last block it announced whose header we lacked
 * (Core's hashLastUnknownBlock), and whether we sent it `sendheaders`. The
 * block manager decides when to ask; this keeps the per-peer facts and
 * sends the messages.
 */
import { SENDHEADERS_VERSION } from "../peer/handshake.ts";
import type { Clock } from "../platform/clock.ts";
import { PROTOCOL_VERSION } from "../version.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { SyncPeer } from "./sync_peer.ts";

/**
 * A block announcement from a peer whose getheaders is unanswered re-asks
 * after this long (bounds the getheaders an inv flood can draw out of us).
 */
export const REASK_AFTER_INV_MS = 1_000;

/** `getheaders`' "no stop" hash. */
const ZERO_HASH = new Uint8Array(32);

/** What `HeaderRequests` needs. */
export interface HeaderRequestsOptions {
  readonly peer: SyncPeer;
  /** Our chain: locators come from it. */
  readonly chain: HeaderChain;
  readonly clock: Clock;
  /** Aborting cancels the re-ask timer (the peer leaving, the manager stopping). */
  readonly signal: AbortSignal;
  /** How long a `getheaders` stays outstanding before another may be sent. */
  readonly timeoutMs: number;
}

/** The header-request bookkeeping of one peer. */
export class HeaderRequests {
  readonly #o: HeaderRequestsOptions;
  /** Clock time of our outstanding `getheaders`, or null. */
  #askedAt: number | null = null;
  /** A re-ask is scheduled (see `askAfterAnnouncement`). */
  #reaskPending = false;
  /** The last block it announced whose header we lacked. */
  #lastUnknown: Uint8Array | null = null;
  #sentSendHeaders = false;
  #everAsked = false;

  constructor(options: HeaderRequestsOptions) {
    this.#o = options;
  }

  /**
   * Sends `getheaders` (locator from `from`, default our best header) unless
   * one is outstanding to this peer (`force` sends anyway). True when sent.
   */
  request(from?: Uint8Array, force = false): boolean {
    if (!force && this.outstanding) return false;
    return this.requestLocator(this.#o.chain.locator(from));
  }

  /** True while our last `getheaders` is unanswered and younger than the timeout. */
  get outstanding(): boolean {
    return this.#askedAt !== null && this.#o.clock.now() - this.#askedAt < this.#o.timeoutMs;
  }

  /** Sends `getheaders` with `locator` (a presync's), outstanding or not. True when sent. */
  requestLocator(locator: Uint8Array[]): boolean {
    const sent = this.#o.peer.send({
      command: "getheaders",
      version: PROTOCOL_VERSION,
      locator,
      hashStop: ZERO_HASH,
    });
    if (sent) {
      this.#askedAt = this.#o.clock.now();
      this.#everAsked = true;
    }
    return sent;
  }

  /** True once any `getheaders` went to this peer (header sync with it has started). */
  get everAsked(): boolean {
    return this.#everAsked;
  }

  /**
   * The peer announced a block we lack, so it has new headers for us. If our
   * last getheaders to it is still unanswered (some peers, bcoin among them,
   * send nothing when they had no headers to give), ask again once it is
   * `REASK_AFTER_INV_MS` old: at once, or from a timer (one per peer) that
   * asks only if `mayAsk()` still says so then.
   */
  askAfterAnnouncement(mayAsk: () => boolean): void {
    if (this.#askedAt === null) {
      this.request();
      return;
    }
    const waited = this.#o.clock.now() - this.#askedAt;
    if (waited >= REASK_AFTER_INV_MS) {
      this.request(undefined, true);
      return;
    }
    if (this.#reaskPending) return;
    this.#reaskPending = true;
    this.#o.clock.setTimer(REASK_AFTER_INV_MS - waited, () => {
      this.#reaskPending = false;
      if (this.#askedAt !== null && mayAsk()) this.request(undefined, true);
    }, this.#o.signal);
  }

  /** A `headers` message arrived: our request is answered. */
  answered(): void {
    this.#askedAt = null;
  }

  /** Notes a block it announced whose header we lack. */
  announcedUnknown(hash: Uint8Array): void {
    this.#lastUnknown = hash.slice();
  }

  /**
   * The last unknown block it announced, once `known(hash)` says we have its
   * header now (it is then forgotten); null otherwise.
   */
  takeLastUnknown(known: (hash: Uint8Array) => boolean): Uint8Array | null {
    const hash = this.#lastUnknown;
    if (hash === null || !known(hash)) return null;
    this.#lastUnknown = null;
    return hash;
  }

  /** Sends `sendheaders` (BIP130) once, when the peer's version knows it. */
  sendSendHeaders(): void {
    if (this.#sentSendHeaders || this.#o.peer.negotiatedVersion < SENDHEADERS_VERSION) return;
    this.#sentSendHeaders = this.#o.peer.send({ command: "sendheaders" });
  }
}
