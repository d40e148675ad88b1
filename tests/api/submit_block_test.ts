/**
 * `POST /blocks`: a control route (401 without the token) that hands the
 * decoded block bytes to the source and answers what became of it; hex is
 * validated (400 naming `hex`), a rejection is a 400 with the reason, the
 * body bound is 8 MiB for this route only (other routes keep 64 KiB), and
 * the OpenAPI document lists it as a protected operation.
 */
import { describe, expect, test } from "bun:test";
import { MAX_BLOCK_BODY_BYTES } from "../../src/api/routes.ts";
import { MAX_BLOCK_HEX } from "../../src/api/schemas.ts";
import { ApiRequestError } from "../../src/api/source.ts";
import { appFor } from "./helpers.ts";
import { FakeSource, HASH_B } from "../support/fake_api_source.ts";
import { authed, checked, errorBody, TOKEN } from "../support/api_requests.ts";

/** `n` bytes of a recognisable pattern, as hex. */
function hexOf(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += (i & 0xff).toString(16).padStart(2, "0");
  return s;
}

describe("POST /blocks", () => {
  test("needs the bearer token", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const res = await app.request("/blocks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hex: "00" }),
    });
    expect(res.status).toBe(401);
    await checked("submitBlock", res);
    expect(source.calls).toEqual([]);
  });

  test("passes the decoded bytes and answers the source's result", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const res = await app.request("/blocks", authed("POST", { hex: "00ffAB10" }));
    expect(res.status).toBe(200);
    expect(await checked("submitBlock", res)).toEqual(source.submitResult);
    expect(source.calls).toEqual([{
      method: "submitBlock",
      args: [Uint8Array.of(0x00, 0xff, 0xab, 0x10)],
    }]);

    source.submitResult = { hash: HASH_B, height: null, status: "orphan" };
    const orphan = await app.request("/blocks", authed("POST", { hex: "00" }));
    expect(await checked("submitBlock", orphan)).toEqual({
      hash: HASH_B,
      height: null,
      status: "orphan",
    });
  });

  test("hex that is missing, odd, not hex or over the limit is 400 naming hex", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    for (
      const body of [{}, { hex: "" }, { hex: "abc" }, { hex: "zz" }, { hex: 12 }, {
        hex: "00".repeat(MAX_BLOCK_HEX / 2 + 1),
      }]
    ) {
      const res = await app.request("/blocks", authed("POST", body));
      expect(res.status).toBe(400);
      await checked("submitBlock", res.clone());
      expect((await errorBody(res)).issues!.map((i) => i.field)).toEqual(["hex"]);
    }
    const extra = await app.request("/blocks", authed("POST", { hex: "00", more: 1 }));
    expect((await errorBody(extra)).issues!.map((i) => i.field)).toEqual(["more"]);
    expect(source.calls).toEqual([]);
  });

  test("a rejected block is 400 with the reason; a stopped node is 503", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    source.failure = new ApiRequestError(400, "block rejected (bad-pow): proof of work fails");
    const bad = await app.request("/blocks", authed("POST", { hex: "00" }));
    expect(bad.status).toBe(400);
    await checked("submitBlock", bad.clone());
    expect((await errorBody(bad)).error).toContain("bad-pow");

    source.failure = new ApiRequestError(503, "the node is not running");
    const stopped = await app.request("/blocks", authed("POST", { hex: "00" }));
    expect(stopped.status).toBe(503);
    await checked("submitBlock", stopped);
  });

  test("a block of the largest size is read (bodies over 64 KiB are allowed on this route)", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const hex = hexOf(MAX_BLOCK_HEX / 2);
    const res = await app.request("/blocks", authed("POST", { hex }));
    expect(res.status).toBe(200);
    const bytes = source.calls[0].args[0] as Uint8Array;
    expect(bytes.length).toBe(MAX_BLOCK_HEX / 2);
    expect(bytes[257]).toBe(1);

    // The other control routes keep their 64 KiB bound.
    const big = await app.request(
      "/bans",
      authed("POST", { address: "203.0.113.5", reason: "x".repeat(70 * 1024) }),
    );
    expect(big.status).toBe(413);
  });

  test("a body over 8 MiB is 413", async () => {
    const source = new FakeSource();
    const app = appFor(source, { token: TOKEN });
    const res = await app.request(
      "/blocks",
      authed("POST", JSON.stringify({ hex: "0".repeat(MAX_BLOCK_BODY_BYTES) })),
    );
    expect(res.status).toBe(413);
    await checked("submitBlock", res.clone());
    expect((await errorBody(res)).error).toContain("8192 KiB");
    expect(source.calls).toEqual([]);
  });

  test("the OpenAPI document lists it as a protected operation with its body", async () => {
    const res = await appFor(new FakeSource()).request("/openapi.json");
    const doc = await res.json();
    const op = doc.paths["/blocks"].post;
    expect(op.security).toEqual([{ bearerToken: [] }]);
    const body = op.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["hex"]);
    expect(body.properties.hex.maxLength).toBe(MAX_BLOCK_HEX);
    expect(Object.keys(op.responses).sort()).toEqual([
      "200",
      "400",
      "401",
      "403",
      "413",
      "500",
      "503",
    ]);
  });
});
