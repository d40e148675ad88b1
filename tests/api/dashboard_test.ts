/**
 * The dashboard page: self-contained (no external URLs), with the stable
 * ids and data attributes browser tests rely on, and data inserted only as
 * text.
 */
import { describe, expect, test } from "bun:test";
import { DASHBOARD_HTML } from "../../src/api/dashboard.ts";
import { NODE_EVENT_TYPES } from "../../src/api/schemas.ts";
import { appFor } from "./helpers.ts";
import { FakeSource } from "../support/fake_api_source.ts";

describe("dashboard", () => {
  test("GET / serves the page as HTML", async () => {
    const res = await appFor(new FakeSource()).request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toBe(DASHBOARD_HTML);
  });

  test("has no external URLs or assets", () => {
    expect(DASHBOARD_HTML).not.toMatch(/https?:\/\//i);
    expect(DASHBOARD_HTML).not.toMatch(/\s(src|href)\s*=/i);
    expect(DASHBOARD_HTML).not.toMatch(/<link\b|@import|url\(/i);
    expect(DASHBOARD_HTML).not.toMatch(/["']\/\//);
  });

  test("has the stable hooks", () => {
    for (
      const id of [
        "peers",
        "peers-empty",
        "addrman",
        "blocks",
        "events",
        "header-height",
        "best-peer-height",
        "sync-progress",
        "sync-rate",
        "best-hash",
        "node-network",
        "node-state",
        "live",
        "error",
      ]
    ) {
      expect(DASHBOARD_HTML).toContain(`id="${id}"`);
    }
    for (const count of ["inbound", "outbound", "persistent", "feeler"]) {
      expect(DASHBOARD_HTML).toContain(`data-count="${count}"`);
    }
    expect(DASHBOARD_HTML).toContain('setAttribute("data-peer"');
    expect(DASHBOARD_HTML).toContain('setAttribute("data-network"');
    expect(DASHBOARD_HTML).toContain('setAttribute("data-block"');
    expect(DASHBOARD_HTML).toMatch(/<table id="peers">[\s\S]*<tbody><\/tbody>/);
  });

  test("uses the API with relative URLs and listens to every event type", () => {
    for (const path of ['"status"', '"peers"', '"addresses?limit=0"', '"inventory"', '"events"']) {
      expect(DASHBOARD_HTML).toContain(path);
    }
    expect(DASHBOARD_HTML).toContain(`var EVENT_TYPES = ${JSON.stringify(NODE_EVENT_TYPES)};`);
    expect(DASHBOARD_HTML).toContain("new EventSource(");
  });

  test("inserts data as text only", () => {
    const script = DASHBOARD_HTML.slice(DASHBOARD_HTML.indexOf("<script>"));
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(script).toContain("textContent");
    expect(script.indexOf("</script>")).toBe(script.lastIndexOf("</script>"));
  });

  test("the inline script parses", () => {
    const start = DASHBOARD_HTML.indexOf("<script>") + "<script>".length;
    const script = DASHBOARD_HTML.slice(start, DASHBOARD_HTML.indexOf("</script>"));
    expect(() => new Function(script)).not.toThrow();
  });
});
