/**
 * The vendored uPlot (`src/api/vendor_uplot.ts`) is the npm devDependency's
 * bundle and stylesheet as installed: after a `uplot` upgrade this fails
 * until `node scripts/vendor_uplot.ts` is run again.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { UPLOT_CSS, UPLOT_JS, UPLOT_NOTICE, UPLOT_VERSION } from "../../src/api/vendor_uplot.ts";
import { ROOT } from "../runtime_command.ts";

const PKG = `${ROOT}node_modules/uplot/`;

describe("vendored uPlot", () => {
  test("matches node_modules/uplot", () => {
    const { version } = JSON.parse(readFileSync(`${PKG}package.json`, "utf8"));
    expect(UPLOT_VERSION).toBe(version);
    const bundle = readFileSync(`${PKG}dist/uPlot.iife.min.js`, "utf8");
    // The copy is the bundle without its banner comment.
    expect(bundle.endsWith(UPLOT_JS)).toBe(true);
    expect(bundle.slice(0, bundle.length - UPLOT_JS.length)).toMatch(/^\/\*![^]*\*\/\s*$/);
    expect(UPLOT_CSS).toBe(readFileSync(`${PKG}dist/uPlot.min.css`, "utf8").trim());
    expect(UPLOT_NOTICE).toContain(`uPlot ${version}, MIT License, Copyright (c)`);
  });

  test("is small: under 64 KiB of script and style", () => {
    expect(UPLOT_JS.length + UPLOT_CSS.length).toBeLessThan(64 * 1024);
  });
});
