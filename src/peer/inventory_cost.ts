/**
 * What a large inventory message costs its sender. Each `inv` or `getdata`
 * adds transient misbehaviour points in proportion to its entries (btcd
 * charges `getdata` this way): a message at the 50,000-entry limit costs 99,
 * so two of them within a half-life (60 s) ban a peer, while the few entries
 * an honest peer announces or asks for round down to nothing. This bounds
 * the work and the memory a flood can make us spend on inventory, whatever
 * mix of block and transaction entries it carries.
 */
import { MAX_INV_ENTRIES } from "../wire/messages/inv.ts";

/** Transient points of a message at `MAX_INV_ENTRIES`: just under the ban threshold. */
export const FULL_INVENTORY_POINTS = 99;

/** Transient points an inventory message of `entries` entries costs (0 below ~506). */
export function inventoryPoints(entries: number): number {
  return Math.floor((entries * FULL_INVENTORY_POINTS) / MAX_INV_ENTRIES);
}
