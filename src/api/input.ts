/**
 * Request input: reading a JSON body under a size bound, and turning zod
 * failures into the API's `{field, message}` issues (one per invalid or
 * unknown field).
 */
import type { z } from "zod";

/** Largest request body accepted: control bodies are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** One invalid field. */
export interface FieldIssue {
  /** Dotted path of the field (`address`, `limit`); `body` for the body itself. */
  readonly field: string;
  readonly message: string;
}

/** How reading a body went. */
export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly tooLarge: true }
  | { readonly ok: false; readonly tooLarge: false; readonly issue: FieldIssue };

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads `request`'s body as JSON, refusing more than `limit` bytes (by
 * Content-Length when given, and while streaming otherwise). An empty body
 * reads as `{}` so bodies whose fields are all optional may be omitted.
 */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return { ok: false, tooLarge: true };
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { ok: false, tooLarge: true };
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, tooLarge: false, issue: { field: "body", message: "expected UTF-8 text" } };
  }
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      tooLarge: false,
      issue: { field: "body", message: "expected a JSON object (the body is not valid JSON)" },
    };
  }
}

/** The field issues of a zod failure; `prefix` names where a root-level issue applies. */
export function fieldIssues(error: z.ZodError, prefix: string): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: path ? `${path}.${key}` : key,
        message: "unknown field",
      }));
    }
    return [{ field: path || prefix, message: issue.message }];
  });
}
