/**
 * `GET /openapi.json`: an OpenAPI 3.1 document with every route of the
 * route table, generated from the same zod schemas the routes validate with.
 */
import { describe, expect, test } from "bun:test";
import { ROUTES } from "../../src/api/routes.ts";
import { appFor } from "./helpers.ts";
import { FakeSource } from "../support/fake_api_source.ts";
import { checked } from "../support/api_requests.ts";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { securitySchemes: Record<string, unknown> };
};

async function fetchDoc(): Promise<Doc> {
  const res = await appFor(new FakeSource()).request("/openapi.json");
  expect(res.status).toBe(200);
  return JSON.parse(await checked("openapi", res) as string) as Doc;
}

describe("openapi", () => {
  test("documents every route with its method and every status it answers", async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe("3.1.0");
    const expected = Object.values(ROUTES).map((r) =>
      `${r.method} ${r.path.replace(/:([a-z]+)/g, "{$1}")}`
    ).sort();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`)
    ).sort();
    expect(documented).toEqual(expected);
    for (
      const path of [
        "/status",
        "/peers",
        "/peers/{id}",
        "/addresses",
        "/bans",
        "/bans/{address}",
        "/chain",
        "/inventory",
        "/health",
        "/ready",
        "/metrics",
        "/events",
        "/openapi.json",
        "/",
      ]
    ) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    for (const route of Object.values(ROUTES)) {
      const op = doc.paths[route.path.replace(/:([a-z]+)/g, "{$1}")][route.method];
      const statuses = Object.keys(op.responses as object).sort();
      expect(statuses).toEqual([...Object.keys(route.responses), "403", "500"].sort());
    }
  });

  test("parameters and bodies come from the validating schemas", async () => {
    const doc = await fetchDoc();
    const addresses = doc.paths["/addresses"].get as {
      parameters: {
        name: string;
        in: string;
        required: boolean;
        schema: Record<string, unknown>;
      }[];
    };
    const byName = Object.fromEntries(addresses.parameters.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(["cursor", "limit", "network", "table"]);
    expect(byName.limit).toMatchObject({
      in: "query",
      required: false,
      schema: { type: "integer", minimum: 0, maximum: 1000, default: 100 },
    });
    expect(byName.network.schema.enum).toEqual(["ipv4", "ipv6", "onion", "i2p", "cjdns"]);

    const peer = doc.paths["/peers/{id}"].get as { parameters: Record<string, unknown>[] };
    expect(peer.parameters).toEqual([{
      name: "id",
      in: "path",
      required: true,
      description: "Peer id (from GET /peers)",
      schema: { type: "string", pattern: "^[1-9][0-9]{0,14}$" },
    }]);

    const ban = doc.paths["/bans"].post as {
      requestBody: { content: { "application/json": { schema: Record<string, unknown> } } };
      security: unknown[];
    };
    const body = ban.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["address"]);
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties as object).sort()).toEqual([
      "address",
      "durationSeconds",
      "reason",
    ]);
    expect(ban.security).toEqual([{ bearerToken: [] }]);
    expect(doc.components.securitySchemes.bearerToken).toEqual({ type: "http", scheme: "bearer" });
  });

  test("control routes need the token; read routes do not", async () => {
    const doc = await fetchDoc();
    for (const route of Object.values(ROUTES)) {
      const op = doc.paths[route.path.replace(/:([a-z]+)/g, "{$1}")][route.method];
      expect(op.security !== undefined).toBe("control" in route && route.control === true);
    }
  });

  test("response schemas describe the status body", async () => {
    const doc = await fetchDoc();
    const status = doc.paths["/status"].get as {
      responses: { 200: { content: { "application/json": { schema: { required: string[] } } } } };
    };
    expect(status.responses[200].content["application/json"].schema.required).toContain("sync");
  });
});
