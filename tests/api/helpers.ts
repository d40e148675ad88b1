/**
 * Helpers of the API tests: an app over a source (the fake one of
 * tests/support/fake_api_source.ts in these tests).
 */
import { createApp } from "../../src/api/app.ts";
import type { ApiSource } from "../../src/api/source.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";

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
