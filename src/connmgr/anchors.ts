/**
 * Anchors: on a clean shutdown the two longest-lived outbound peers are
 * written to `anchors.json`; the next start reads and deletes the file and
 * dials them first (Core's anchors, which make an eclipse by restart harder).
 * Deleting on read means a crash leaves no anchors behind: only a clean stop
 * writes them, so a node that crashed does not trust stale ones.
 */
import type { Logger } from "../log/logger.ts";
import { getJson, type KvStore, setJson } from "../platform/storage.ts";
import { type AddressPort, formatHostPort, parseHostPort } from "../wire/host_port.ts";

/** Storage key of the anchors. */
export const ANCHORS_KEY = "anchors.json";
/** Anchors kept (Core MAX_BLOCK_RELAY_ONLY_ANCHORS). */
export const MAX_ANCHORS = 2;
/** Version of the file layout. */
const FILE_VERSION = 1;

/** A connection that may become an anchor. */
export interface AnchorCandidate {
  readonly address: AddressPort;
  /** When its handshake completed (ms). */
  readonly readySince: number;
}

/** The `max` longest-lived candidates, oldest first. */
export function chooseAnchors(
  candidates: readonly AnchorCandidate[],
  max: number = MAX_ANCHORS,
): AddressPort[] {
  return [...candidates].sort((a, b) => a.readySince - b.readySince).slice(0, max)
    .map((c) => c.address);
}

/**
 * Reads and deletes `anchors.json`. A missing file gives none; an unreadable
 * one gives none with a warning (and is deleted too). The network's default
 * port fills in for entries without one.
 */
export async function takeAnchors(
  store: KvStore,
  defaultPort: number,
  logger: Logger,
): Promise<AddressPort[]> {
  let data: unknown;
  try {
    data = await getJson(store, ANCHORS_KEY);
  } catch (error) {
    logger.warn("anchors.json is unreadable; ignored", { error: (error as Error).message });
    await store.delete(ANCHORS_KEY);
    return [];
  }
  if (data === undefined) return [];
  await store.delete(ANCHORS_KEY);
  const list = (data as { version?: unknown; anchors?: unknown }).anchors;
  if ((data as { version?: unknown }).version !== FILE_VERSION || !Array.isArray(list)) {
    logger.warn("anchors.json has an unknown layout; ignored", {});
    return [];
  }
  const out: AddressPort[] = [];
  for (const text of list.slice(0, MAX_ANCHORS)) {
    try {
      out.push(parseHostPort(String(text), defaultPort));
    } catch (error) {
      logger.warn("anchors.json entry ignored", { entry: text, error: (error as Error).message });
    }
  }
  return out;
}

/** Writes the anchors (none: the file is removed). */
export async function saveAnchors(store: KvStore, anchors: readonly AddressPort[]): Promise<void> {
  if (anchors.length === 0) return store.delete(ANCHORS_KEY);
  await setJson(store, ANCHORS_KEY, {
    version: FILE_VERSION,
    anchors: anchors.map((a) => formatHostPort(a.address, a.port)),
  });
}
