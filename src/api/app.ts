/**
 * The status API as a hono app over an `ApiSource`. Every adapter serves
 * the same app with its runtime's own HTTP server; embedders can mount
 * `node.app` themselves.
 *
 * Every request is first checked against the `Host` allowlist (403 naming
 * the allowed hosts: the guard against DNS rebinding, `host_allowlist.ts`);
 * CORS headers are sent only for the configured origins (none by default,
 * so a web page of another origin cannot read any answer).
 *
 * Each route comes from the route table (`routes.ts`): control routes check
 * the bearer token first (401), then the body is read under the route's
 * bound (64 KiB; 8 MiB for a submitted block; 413 above), then path
 * parameters, query and body are validated with the route's zod schemas
 * (400 naming every invalid field). Unknown routes are 404 JSON;
 * a thrown `ApiRequestError` becomes its status; anything else thrown is a
 * logged 500 whose body carries no detail.
 */
import { errorText } from "../util/error_text.ts";
import type { Context } from "hono";
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { z } from "zod";
import { type Logger, silentLogger } from "../log/logger.ts";
import { VERSION } from "../version.ts";
import { fromHex } from "../wire/bytes.ts";
import { AUTH_MESSAGES, checkBearer } from "./auth.ts";
import { DASHBOARD_CSP, DASHBOARD_HTML } from "./dashboard.ts";
import { type FieldIssue, fieldIssues, MAX_BODY_BYTES, readJsonBody } from "./input.ts";
import { HostAllowlist } from "./host_allowlist.ts";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
import { buildOpenApi } from "./openapi.ts";
import { ROUTES, type RouteSpec } from "./routes.ts";
import { ApiRequestError, type ApiSource } from "./source.ts";
import { eventStream, SSE_KEEPALIVE_MS } from "./sse.ts";

/** Most `GET /events` streams open at once; each holds a subscription in the node. */
export const MAX_EVENT_STREAMS = 32;

/** How long a browser may cache a CORS preflight answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 600;

/** Options of `createApp`. */
export interface AppOptions {
  /** Bearer token of the control routes; without one they all answer 401. */
  readonly token?: string;
  /** Where the API logs (control actions, refused tokens, 500s); default silent. */
  readonly logger?: Logger;
  /** Keep-alive period of `GET /events`; default `SSE_KEEPALIVE_MS`. */
  readonly keepAliveMs?: number;
  /** Most event streams open at once; default `MAX_EVENT_STREAMS`. */
  readonly maxEventStreams?: number;
  /**
   * `Host` values answered besides localhost, 127.0.0.1 and [::1]: the API's
   * own bind host and `--api-allowed-hosts` (`*`: any). Others get 403.
   */
  readonly allowedHosts?: readonly string[];
  /** Origins whose pages may read the API (CORS; `*`: any). Default none. */
  readonly corsOrigins?: readonly string[];
  /** Called for every request answered with a 500 (the node counts them). */
  readonly onServerError?: (error: unknown) => void;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A route's validated input. */
interface RouteInput<R extends RouteSpec> {
  readonly params: Parsed<R["params"]>;
  readonly query: Parsed<R["query"]>;
  readonly body: Parsed<R["body"]>;
}

type Handler<R extends RouteSpec> = (
  c: Context,
  input: RouteInput<R>,
) => Response | Promise<Response>;

/** Builds the hono app over `source`. Without options, control routes are refused (no token). */
export function createApp(source: ApiSource, options: AppOptions = {}): Hono {
  const app = new Hono();
  const log = options.logger ?? silentLogger;
  const keepAliveMs = options.keepAliveMs ?? SSE_KEEPALIVE_MS;
  const maxStreams = options.maxEventStreams ?? MAX_EVENT_STREAMS;
  let openStreams = 0;
  let openApi: Record<string, unknown> | undefined;

  app.use(async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "no-store");
  });

  /**
   * Before answering without reading the whole body: the connection must
   * not be reused (its unread bytes would be parsed as the next request).
   */
  const refuseRest = (c: Context): void => {
    c.header("Connection", "close");
    c.req.raw.body?.cancel().catch(() => {});
  };

  const hosts = new HostAllowlist(options.allowedHosts ?? []);
  app.use(async (c, next) => {
    const host = c.req.header("host");
    if (hosts.allows(host)) return await next();
    refuseRest(c);
    return c.json({
      error: `Host ${JSON.stringify(host)} is not allowed (a guard against DNS rebinding): ` +
        `this API answers requests addressed to ${hosts.described}; ` +
        "add the name with --api-allowed-hosts",
    }, 403);
  });
  const origins = options.corsOrigins ?? [];
  if (origins.length > 0) {
    app.use(cors({
      origin: origins.includes("*") ? "*" : [...origins],
      allowMethods: ["GET", "POST", "DELETE"],
      allowHeaders: ["Authorization", "Content-Type"],
      maxAge: CORS_MAX_AGE_SECONDS,
    }));
  }

  const route = <R extends RouteSpec>(spec: R, handler: Handler<R>): void => {
    app.on(spec.method.toUpperCase(), spec.path, async (c) => {
      if (spec.control) {
        const failure = checkBearer(options.token, c.req.header("authorization"));
        if (failure !== null) {
          if (failure === "wrong") {
            log.warn("control request with a wrong token", { path: c.req.path });
          }
          c.header("WWW-Authenticate", 'Bearer realm="btc-edge"');
          refuseRest(c);
          return c.json({ error: AUTH_MESSAGES[failure] }, 401);
        }
      }
      const issues: FieldIssue[] = [];
      const parse = (schema: z.ZodType | undefined, value: unknown, where: string): unknown => {
        if (schema === undefined) return undefined;
        const result = schema.safeParse(value);
        if (result.success) return result.data;
        issues.push(...fieldIssues(result.error, where));
        return undefined;
      };
      const params = parse(spec.params, c.req.param(), "params");
      const query = parse(spec.query, c.req.query(), "query");
      let body: unknown;
      if (spec.body !== undefined) {
        const limit = spec.maxBodyBytes ?? MAX_BODY_BYTES;
        const read = await readJsonBody(c.req.raw, limit);
        if (read.ok) body = parse(spec.body, read.value, "body");
        else if (read.tooLarge) {
          refuseRest(c);
          return c.json({ error: `request body is over ${limit / 1024} KiB` }, 413);
        } else issues.push(read.issue);
      }
      if (issues.length > 0) return c.json({ error: "invalid request", issues }, 400);
      return handler(c, { params, query, body } as RouteInput<R>);
    });
  };

  route(ROUTES.dashboard, (c) => {
    c.header("Content-Security-Policy", DASHBOARD_CSP);
    return c.html(DASHBOARD_HTML);
  });
  route(ROUTES.health, (c) => c.json({ ok: true }));
  route(ROUTES.ready, (c) => {
    const readiness = source.ready();
    return c.json(readiness, readiness.ready ? 200 : 503);
  });
  route(ROUTES.status, (c) => c.json(source.status()));
  route(ROUTES.peers, (c) => c.json(source.peers()));
  route(ROUTES.peer, (c, { params }) => {
    const peer = source.peer(params.id);
    return peer ? c.json(peer) : c.json({ error: `no peer with id ${params.id}` }, 404);
  });
  route(ROUTES.addresses, (c, { query }) => c.json(source.addresses(query)));
  route(ROUTES.bans, (c) => c.json(source.bans()));
  route(ROUTES.chain, (c) => c.json(source.chain()));
  route(ROUTES.inventory, (c) => c.json(source.inventory()));
  route(ROUTES.metrics, (c) => {
    c.header("Content-Type", METRICS_CONTENT_TYPE);
    return c.body(renderMetrics(source.metrics()));
  });
  route(ROUTES.events, (c) => {
    if (openStreams >= maxStreams) {
      return c.json({ error: `too many event streams open (at most ${maxStreams})` }, 503);
    }
    openStreams++;
    const stream = eventStream((signal) => source.events(signal), {
      signal: c.req.raw.signal,
      keepAliveMs,
      onClose: () => openStreams--,
      onError: (error) => log.error("event stream failed", { error: errorText(error) }),
    });
    return c.body(stream, 200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "X-Accel-Buffering": "no",
    });
  });
  route(ROUTES.openapi, (c) => {
    openApi ??= buildOpenApi(Object.values(ROUTES), VERSION);
    return c.json(openApi);
  });

  route(ROUTES.connect, async (c, { body }) => {
    log.info("connect requested", { target: body.address, persistent: body.persistent });
    const result = await source.connect(body.address, body.persistent);
    return c.json(result, result.status === "connected" ? 200 : 202);
  });
  route(ROUTES.disconnect, async (c, { params }) => {
    if (!(await source.disconnectPeer(params.id))) {
      return c.json({ error: `no peer with id ${params.id}` }, 404);
    }
    log.info("peer disconnected on request", { id: params.id });
    return c.json({ ok: true });
  });
  route(ROUTES.ban, async (c, { body }) => {
    const entry = await source.ban(body.address, body.durationSeconds, body.reason);
    log.info("address banned on request", { address: body.address, until: entry.until });
    return c.json(entry);
  });
  route(ROUTES.unban, async (c, { params }) => {
    if (!(await source.unban(params.address))) {
      return c.json({ error: `${params.address} is not banned` }, 404);
    }
    log.info("ban lifted on request", { address: params.address });
    return c.json({ ok: true });
  });

  route(ROUTES.submitBlock, async (c, { body }) => {
    const result = await source.submitBlock(fromHex(body.hex));
    log.info("block submitted", result);
    return c.json(result);
  });

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof ApiRequestError) {
      if (error.status === 400 && error.field !== undefined) {
        return c.json(
          { error: "invalid request", issues: [{ field: error.field, message: error.message }] },
          400,
        );
      }
      return c.json({ error: error.message }, error.status);
    }
    log.error("request failed", {
      method: c.req.method,
      path: c.req.path,
      error: errorText(error),
    });
    options.onServerError?.(error);
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
