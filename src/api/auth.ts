/**
 * Bearer-token checks for the control routes. The token is compared in
 * constant time (every byte of the expected token is looked at whatever the
 * input), so response timing does not reveal how much of a guess was right.
 */

const encoder = new TextEncoder();

/** Why a request was refused, or `null` when its token is right. */
export type AuthFailure = "no-token-configured" | "missing" | "wrong";

/** True when `given` equals `expected`; the time taken depends only on their lengths. */
export function constantTimeEqual(expected: string, given: string): boolean {
  const x = encoder.encode(expected);
  const y = encoder.encode(given);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Checks an `Authorization` header against `token`: `null` when it carries
 * `Bearer <token>`, otherwise why not. With no token configured every
 * request fails.
 */
export function checkBearer(
  token: string | undefined,
  header: string | undefined,
): AuthFailure | null {
  if (token === undefined || token === "") return "no-token-configured";
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (match === null) return "missing";
  return constantTimeEqual(token, match[1]) ? null : "wrong";
}

/** The 401 message for each failure: what was wrong and what to do. */
export const AUTH_MESSAGES: Readonly<Record<AuthFailure, string>> = {
  "no-token-configured": "control routes are disabled: no API token is set; start the node " +
    "with --api-token (or BTC_EDGE_API_TOKEN), or use the token in <datadir>/api.cookie",
  missing: "this route needs an Authorization: Bearer <token> header",
  wrong: "the bearer token is wrong",
};
