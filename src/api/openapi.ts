/**
 * `GET /openapi.json`: an OpenAPI 3.1 document generated from the route
 * table (`routes.ts`) with `z.toJSONSchema`, from the same zod schemas the
 * routes validate with. Everything is rendered as zod's input side: for
 * requests that is what is accepted (before coercion and canonicalisation);
 * for responses it leaves objects open to added fields, since answers are
 * not stripped by a parse.
 */
import { z } from "zod";
import type { RouteSpec } from "./routes.ts";
import { errorResponse } from "./schemas.ts";

/** Name of the bearer security scheme in the document. */
const BEARER = "bearerToken";

/** A JSON Schema object (2020-12, which OpenAPI 3.1 uses). */
type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  });
  return rest;
}

/** `/peers/:id` → `/peers/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function parameters(route: RouteSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (where: "path" | "query", schema: z.ZodObject | undefined) => {
    if (schema === undefined) return;
    const object = jsonSchema(schema);
    const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((object.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...propertySchema } = property;
      out.push({
        name,
        in: where,
        required: where === "path" || required.has(name),
        ...(description === undefined ? {} : { description }),
        schema: propertySchema,
      });
    }
  };
  add("path", route.params);
  add("query", route.query);
  return out;
}

/** `get /peers/{id}` → `getPeersId`. */
function operationId(route: RouteSpec): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

function operation(route: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    const contentType = answer.contentType ?? "application/json";
    const content = answer.schema
      ? { [contentType]: { schema: jsonSchema(answer.schema) } }
      : { [contentType]: {} };
    responses[status] = { description: answer.description, content };
  }
  responses["403"] = {
    description: "The request's Host is not on the allowlist (--api-allowed-hosts)",
    content: { "application/json": { schema: jsonSchema(errorResponse) } },
  };
  responses["500"] = {
    description: "Internal error (logged; no details in the body)",
    content: { "application/json": { schema: jsonSchema(errorResponse) } },
  };
  const op: JsonSchema = {
    operationId: operationId(route),
    summary: route.summary,
    tags: [route.control ? "control" : "read"],
    parameters: parameters(route),
    responses,
  };
  if (route.body !== undefined) {
    op.requestBody = {
      required: true,
      content: { "application/json": { schema: jsonSchema(route.body) } },
    };
  }
  if (route.control) op.security = [{ [BEARER]: [] }];
  return op;
}

/** The OpenAPI 3.1 document of `routes`, for btc-edge `version`. */
export function buildOpenApi(routes: readonly RouteSpec[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "btc-edge status API",
      version,
      description: "Read routes are open; control routes need `Authorization: Bearer <token>` " +
        "(--api-token, or the token generated into <datadir>/api.cookie).",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      securitySchemes: { [BEARER]: { type: "http", scheme: "bearer" } },
    },
  };
}
