/**
 * The status API as a hono app. Every adapter serves the same app (Deno.serve,
 * Bun.serve, @hono/node-server); embedders can mount `node.app` themselves.
 */
import { Hono } from "hono";
import type { NodeStatus } from "../node/status.ts";

/** What the API reads from the node. */
export interface ApiSource {
  status(): NodeStatus;
}

/** Builds the hono app over a running node. */
export function createApp(source: ApiSource): Hono {
  const app = new Hono();
  app.get("/health", (c) => c.json({ ok: true }));
  app.get("/status", (c) => c.json(source.status()));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => c.json({ error: err.message }, 500));
  return app;
}
