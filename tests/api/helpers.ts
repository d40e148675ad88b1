/**
 * Helpers of the API tests: an app over a source (the fake one of
 * tests/support/fake_api_source.ts in these tests), and the compile-time
 * check that the response schemas agree with the node's types.
 */
import type { z } from "zod";
import { createApp } from "../../src/api/app.ts";
import type { ApiSource } from "../../src/api/source.ts";
import { banResponse, peerResponse, statusResponse } from "../../src/api/schemas.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import type { NodeStatus } from "../../src/node/status.ts";
import type { BanEntry } from "../../src/peer/ban_list.ts";
import type { PeerStats } from "../../src/peer/peer_stats.ts";

// Compile-time checks that the response schemas and the node's types agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
const statusAgrees: Same<Mutable<z.output<typeof statusResponse>>, Mutable<NodeStatus>> = true;
const peerAgrees: Same<Mutable<z.output<typeof peerResponse>>, Mutable<PeerStats>> = true;
const banAgrees: Same<z.output<typeof banResponse>, BanEntry> = true;
/** True when the schema/type agreement checks compiled (they fail `deno check` otherwise). */
export const TYPES_AGREE = statusAgrees && peerAgrees && banAgrees;

/** An app over `source` with `token`, logging into `records`. */
export function appFor(
  source: ApiSource,
  options: {
    token?: string;
    records?: LogRecord[];
    keepAliveMs?: number;
    maxEventStreams?: number;
    onServerError?: (error: unknown) => void;
  } = {},
) {
  const records = options.records ?? [];
  const logger = createLogger({ sink: (r) => records.push(r), level: "debug", category: "api" });
  return createApp(source, {
    token: options.token,
    logger,
    keepAliveMs: options.keepAliveMs,
    maxEventStreams: options.maxEventStreams,
    onServerError: options.onServerError,
  });
}
