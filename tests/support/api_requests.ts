/**
 * Requests to the API and checks of its answers, for the API and node tests:
 * a valid token and a request init carrying it, a checker that validates a
 * response against the route table (the status must be one the route
 * documents, and a JSON body must match that status's schema), and the
 * error-body parser.
 */
import { expect } from "bun:test";
import type { z } from "zod";
import { type RouteName, ROUTES } from "../../src/api/routes.ts";
import { errorResponse } from "../../src/api/schemas.ts";

/** A valid token (≥ 16 characters, as the options require). */
export const TOKEN = "0123456789abcdef0123456789abcdef";

/**
 * Checks `response` against route `name`: its status is documented, and a
 * JSON body parses with that status's schema (errors with the error schema).
 * Returns the parsed body (or the text for non-JSON answers).
 */
export async function checked(name: RouteName, response: Response): Promise<unknown> {
  const documented: Record<number, { schema?: z.ZodType; contentType?: string }> =
    ROUTES[name].responses;
  const answer = documented[response.status];
  if (answer === undefined) {
    throw new Error(
      `${name} answered ${response.status}, not documented: ${await response.clone().text()}`,
    );
  }
  if (answer.schema === undefined) {
    const type = response.headers.get("content-type") ?? "";
    expect(type.startsWith(answer.contentType!.split(";")[0])).toBe(true);
    return await response.text();
  }
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = await response.json();
  const result = answer.schema.safeParse(body);
  if (!result.success) {
    throw new Error(`${name} ${response.status} body does not match: ${result.error.message}`);
  }
  return body;
}

/** Parses a JSON error body with the error schema. */
export async function errorBody(response: Response): Promise<z.output<typeof errorResponse>> {
  expect(response.headers.get("content-type")).toContain("application/json");
  return errorResponse.parse(await response.json());
}

/** A request init that type-checks against both the DOM and undici `RequestInit`. */
export interface PlainInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** `init` with the bearer header for `token` and a JSON body (a string is sent as is). */
export function authed(
  method: string,
  body?: unknown,
  token: string = TOKEN,
): PlainInit {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  };
}
