/**
 * The dashboard page: self-contained (no external URLs), with the stable
 * ids and data attributes browser tests rely on, and data inserted only as
 * text.
 */
import { describe, expect, test } from "bun:test";
import { DASHBOARD_HISTORY_MS, DASHBOARD_HTML, PEER_GROUPING } from "../../src/api/dashboard.ts";
import { UPLOT_CSS, UPLOT_JS, UPLOT_NOTICE } from "../../src/api/vendor_uplot.ts";
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
    const script = pageScript();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(script).toContain("textContent");
  });

  test("each inline script parses", () => {
    const scripts = inlineScripts();
    expect(scripts.length).toBe(2);
    for (const script of scripts) expect(() => new Function(script)).not.toThrow();
  });

  test("inlines the vendored uPlot (no CDN) and draws four charts from the API", () => {
    const [library] = inlineScripts();
    expect(library).toContain(UPLOT_JS);
    expect(library).toContain(UPLOT_NOTICE);
    expect(DASHBOARD_HTML).toContain(UPLOT_CSS);
    for (const chart of ["peers", "traffic", "blocks", "height"]) {
      expect(DASHBOARD_HTML).toContain(`<figure class="chart" data-chart="${chart}"`);
    }
    const script = pageScript();
    expect(script).toContain("new uPlot(");
    expect(script).toContain('"metrics"');
    expect(script).toContain(`var PEER_GROUPING = ${JSON.stringify(PEER_GROUPING)};`);
    expect(script).toContain(`var HISTORY_MS = ${DASHBOARD_HISTORY_MS};`);
    expect(DASHBOARD_HTML).toContain(`Peers by ${PEER_GROUPING.field}`);
  });
});

/** The bodies of the page's inline scripts, in order (uPlot, then the page's own). */
function inlineScripts(): string[] {
  return [...DASHBOARD_HTML.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
}

/** The page's own script (the last one). */
function pageScript(): string {
  return inlineScripts().at(-1) ?? "";
}
