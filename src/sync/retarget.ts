/**
 * The difficulty rules: which nBits the next block must carry.
 *
 * - Every `difficultyAdjustmentInterval` blocks (2,016) the target is scaled
 *   by how long the last period took, the time clamped to [timespan/4,
 *   timespan×4], and the result capped at the proof-of-work limit.
 * - Between retargets the nBits stays the same, except on networks with
 *   `powAllowMinDifficultyBlocks` (testnet3, testnet4): a block more than
 *   twice the spacing (20 minutes) after its parent may use the limit, and
 *   otherwise must carry the nBits of the last block that was not such a
 *   minimum-difficulty block (or that starts a period).
 * - BIP94 (testnet4) scales the target of the period's first block rather
 *   than the last block's, so a minimum-difficulty last block cannot reset it.
 * - `powNoRetargeting` (regtest) keeps the nBits forever.
 *
 * Block contents are reached through `AncestorReader`, so this file knows no
 * header storage.
 */
import type { NetworkParams } from "../wire/params.ts";
import { decodeCompact, encodeCompact } from "./compact_target.ts";

/** The parameters the difficulty rules read. */
export type PowParams = Pick<
  NetworkParams,
  | "powLimit"
  | "powLimitBits"
  | "powTargetTimespan"
  | "powTargetSpacing"
  | "difficultyAdjustmentInterval"
  | "powAllowMinDifficultyBlocks"
  | "powNoRetargeting"
  | "enforceBip94"
>;

/** Read access to the blocks of one branch, by height. */
export interface AncestorReader {
  /** nBits of the branch's block at `height`. */
  bitsAt(height: number): number;
  /** Timestamp (Unix seconds) of the branch's block at `height`. */
  timeAt(height: number): number;
}

/** The two ends of a finished retarget period. */
export interface RetargetPeriod {
  /** nBits of the period's last block. */
  readonly lastBits: number;
  /** Timestamp of the period's last block. */
  readonly lastTime: number;
  /** nBits of the period's first block (used under BIP94). */
  readonly firstBits: number;
  /** Timestamp of the period's first block. */
  readonly firstTime: number;
}

/** `value` × `factor` / `divisor` capped at `limit`, with 256-bit wrap-around like Core. */
function scaleTarget(bits: number, factor: number, divisor: number, limit: bigint): bigint {
  const scaled = ((decodeCompact(bits).target * BigInt(factor)) & ((1n << 256n) - 1n)) /
    BigInt(divisor);
  return scaled > limit ? limit : scaled;
}

/**
 * The nBits that follows a completed period (Core's CalculateNextWorkRequired):
 * the target scaled by (lastTime − firstTime) / timespan, the ratio clamped
 * to [1/4, 4], capped at the limit. Regtest returns `lastBits` unchanged.
 */
export function calculateNextWorkRequired(params: PowParams, period: RetargetPeriod): number {
  if (params.powNoRetargeting) return period.lastBits;
  const timespan = params.powTargetTimespan;
  let actual = period.lastTime - period.firstTime;
  if (actual < timespan / 4) actual = Math.floor(timespan / 4);
  if (actual > timespan * 4) actual = timespan * 4;
  const base = params.enforceBip94 ? period.firstBits : period.lastBits;
  return encodeCompact(scaleTarget(base, actual, timespan, params.powLimit));
}

/**
 * The nBits a block at height `lastHeight + 1` with timestamp `newTime` must
 * carry, given its ancestors (Core's GetNextWorkRequired).
 */
export function getNextWorkRequired(
  params: PowParams,
  lastHeight: number,
  chain: AncestorReader,
  newTime: number,
): number {
  const interval = params.difficultyAdjustmentInterval;
  const lastBits = chain.bitsAt(lastHeight);
  if ((lastHeight + 1) % interval !== 0) {
    if (!params.powAllowMinDifficultyBlocks) return lastBits;
    if (newTime > chain.timeAt(lastHeight) + params.powTargetSpacing * 2) {
      return params.powLimitBits;
    }
    // Back to the last block that was not a minimum-difficulty exception.
    let height = lastHeight;
    let bits = lastBits;
    while (height > 0 && height % interval !== 0 && bits === params.powLimitBits) {
      height--;
      bits = chain.bitsAt(height);
    }
    return bits;
  }
  const firstHeight = lastHeight - (interval - 1);
  return calculateNextWorkRequired(params, {
    lastBits,
    lastTime: chain.timeAt(lastHeight),
    firstBits: chain.bitsAt(firstHeight),
    firstTime: chain.timeAt(firstHeight),
  });
}

/**
 * Whether a header chain could go from `oldBits` to `newBits` at `height`
 * without knowing timestamps (Core's PermittedDifficultyTransition): at a
 * retarget height the new target must lie within the clamped range (after
 * compact rounding); elsewhere it must not change. Always true on networks
 * that allow minimum-difficulty blocks.
 */
export function permittedDifficultyTransition(
  params: PowParams,
  height: number,
  oldBits: number,
  newBits: number,
): boolean {
  if (params.powAllowMinDifficultyBlocks) return true;
  if (height % params.difficultyAdjustmentInterval !== 0) return oldBits === newBits;
  const timespan = params.powTargetTimespan;
  const observed = decodeCompact(newBits).target;
  const roundTrip = (target: bigint) => decodeCompact(encodeCompact(target)).target;
  const largest = roundTrip(scaleTarget(oldBits, timespan * 4, timespan, params.powLimit));
  if (observed > largest) return false;
  const smallest = roundTrip(
    scaleTarget(oldBits, Math.floor(timespan / 4), timespan, params.powLimit),
  );
  return observed >= smallest;
}
