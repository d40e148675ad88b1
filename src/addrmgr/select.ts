/**
 * Choosing an address to connect to (Core AddrMan::Select): first a table,
 * then random slots of that table until an entry passes a coin flip weighted
 * by its chance (`getChance`), the weight growing 1.2× after each refusal so
 * the walk always ends. Each draw takes a uniform bucket among the occupied
 * ones (`BucketFill`), which is Core's uniform bucket with the empty ones
 * redrawn, without paying for them in a sparse table.
 *
 * Unlike Core's even coin between the tables, the table is chosen by how
 * many outbound peers we already have (`triedShare`): a node with few peers
 * wants addresses known to work, a node near its target can afford to
 * explore the new table.
 */
import type { Random } from "../platform/random.ts";
import type { Network } from "../wire/address.ts";
import { BUCKET_SIZE } from "./buckets.ts";
import { type AddrEntry, getChance, type TableNetwork } from "./entry.ts";
import type { AddrTables } from "./tables.ts";

/** Share of selections drawn from the tried table with no outbound peer. */
export const TRIED_SHARE_NO_PEERS = 0.9;
/** Share of selections drawn from the tried table once the outbound target is met. */
export const TRIED_SHARE_FULL = 0.5;
/** Default outbound target (Core MAX_OUTBOUND_FULL_RELAY_CONNECTIONS). */
export const DEFAULT_OUTBOUND_TARGET = 8;
/** Growth of the acceptance weight after each refused candidate (Core: 1.2). */
const CHANCE_GROWTH = 1.2;
/**
 * Bucket draws after which `select` gives up. Never reached while the counts
 * are right (the least likely entry, tried just now after 8 failures, is
 * taken within ~45 refusals; a lone entry of a wanted network among 1,024
 * occupied buckets within ~50,000 draws); it keeps a counting bug from
 * hanging the node.
 */
const MAX_SELECT_DRAWS = 1_000_000;

/** What `select` may return. */
export interface SelectOptions {
  /** Only the new table (feeler connections test unknown addresses). */
  readonly newOnly?: boolean;
  /** Only addresses on these networks. */
  readonly networks?: ReadonlySet<Network>;
  /** Outbound peers connected now (0 when omitted). */
  readonly outbound?: number;
  /** The outbound target (`DEFAULT_OUTBOUND_TARGET` when omitted). */
  readonly outboundTarget?: number;
}

/**
 * The probability of drawing from the tried table when both tables have
 * candidates: 0.9 with no outbound peer, falling linearly to 0.5 as
 * `outbound` reaches `target`, and 0.5 beyond it:
 *
 *   triedShare(n, t) = 0.5 + 0.4 × (1 − min(n, t) / t)
 *
 * With few peers, tried addresses (ones that answered before) get the node
 * connected quickly; as the outbound set fills, new addresses get an even
 * chance, so the node keeps learning which of them work.
 */
export function triedShare(outbound: number, target: number): number {
  if (target <= 0) return TRIED_SHARE_FULL;
  const filled = Math.min(Math.max(outbound, 0), target) / target;
  return TRIED_SHARE_FULL + (TRIED_SHARE_NO_PEERS - TRIED_SHARE_FULL) * (1 - filled);
}

/** Candidates in one table, restricted to `networks` when given. */
function available(t: AddrTables, tried: boolean, networks?: ReadonlySet<Network>): number {
  if (networks === undefined) return tried ? t.triedCount : t.newCount;
  let n = 0;
  for (const net of networks) {
    const c = t.counts[net as TableNetwork];
    if (c !== undefined) n += tried ? c.tried : c.new;
  }
  return n;
}

/**
 * An entry to try connecting to, or `undefined` when there is none (empty
 * tables, or none on the wanted networks). `now` is Unix seconds.
 */
export function select(
  t: AddrTables,
  random: Random,
  now: number,
  options: SelectOptions = {},
): AddrEntry | undefined {
  const { newOnly = false, networks } = options;
  const newAvail = available(t, false, networks);
  const triedAvail = newOnly ? 0 : available(t, true, networks);
  if (newAvail === 0 && triedAvail === 0) return undefined;
  let useTried: boolean;
  if (triedAvail === 0) useTried = false;
  else if (newAvail === 0) useTried = true;
  else {
    const share = triedShare(
      options.outbound ?? 0,
      options.outboundTarget ?? DEFAULT_OUTBOUND_TARGET,
    );
    useTried = random.float() < share;
  }
  const slots = useTried ? t.triedSlots : t.newSlots;
  const fill = useTried ? t.triedFill : t.newFill;
  if (fill.occupied === 0) return undefined;
  let weight = 1.0;
  for (let draw = 0; draw < MAX_SELECT_DRAWS; draw++) {
    const bucket = fill.draw(random);
    const base = bucket * BUCKET_SIZE;
    const start = random.int(BUCKET_SIZE);
    let found: AddrEntry | undefined;
    for (let i = 0; i < BUCKET_SIZE; i++) {
      const e = slots.at(base + ((start + i) % BUCKET_SIZE));
      if (e !== undefined && (networks === undefined || networks.has(e.network))) {
        found = e;
        break;
      }
    }
    if (found === undefined) continue;
    if (random.float() < weight * getChance(found, now)) return found;
    weight *= CHANCE_GROWTH;
  }
  return undefined;
}
