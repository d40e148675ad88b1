/**
 * BIP152 differentially encoded transaction indexes (`getblocktxn` and the
 * prefilled transactions of `cmpctblock`): each index travels as a
 * CompactSize gap after the previous one, first = index, next = index −
 * previous − 1, so a list is strictly increasing by construction.
 */
import type { ByteReader, ByteWriter } from "./bytes.ts";
import { DecodeError } from "./errors.ts";

/**
 * Highest transaction index these messages carry: Core keeps them in
 * `uint16_t` and refuses a list that climbs past it ("differential value
 * overflow", blockencodings.h DifferenceFormatter).
 */
export const MAX_TX_INDEX = 0xffff;

/**
 * Reads the index after `previous` (−1 before the first). Past
 * `MAX_TX_INDEX` is `DecodeError("bound")` naming `command`.
 */
export function readDifferentialIndex(r: ByteReader, previous: number, command: string): number {
  const index = previous + 1 + r.varint();
  if (index > MAX_TX_INDEX) {
    throw new DecodeError(
      "bound",
      `transaction index ${index} exceeds the limit of ${MAX_TX_INDEX}`,
      { command, bound: MAX_TX_INDEX },
    );
  }
  return index;
}

/**
 * Appends `index` after `previous` (−1 before the first). Throws
 * `RangeError` unless `previous < index <= MAX_TX_INDEX`.
 */
export function writeDifferentialIndex(
  w: ByteWriter,
  index: number,
  previous: number,
  command: string,
): void {
  if (!Number.isInteger(index) || index <= previous || index > MAX_TX_INDEX) {
    throw new RangeError(
      `${command}: index ${index} after ${previous} is not increasing within 0..${MAX_TX_INDEX}`,
    );
  }
  w.varint(index - previous - 1);
}
