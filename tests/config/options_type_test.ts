/**
 * The written-out option types (`Options`, `OptionsInput`, explicit for the
 * public API and JSR) agree with what the option schema outputs and takes:
 * a disagreement fails `deno check`, and the test reports the check compiled.
 */
import { describe, expect, test } from "bun:test";
import type { z } from "zod";
import { type Options, type OptionsInput, optionsSchema } from "../../src/config/options.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const outputAgrees: Same<z.output<typeof optionsSchema>, Options> = true;
const sameKeys: Same<keyof z.input<typeof optionsSchema>, keyof OptionsInput> = true;
const inputAccepted: [OptionsInput] extends [z.input<typeof optionsSchema>] ? true : false = true;

describe("option types", () => {
  test("Options and OptionsInput agree with the schema", () => {
    expect(outputAgrees && sameKeys && inputAccepted).toBe(true);
    expect(Object.keys(optionsSchema.shape).length).toBeGreaterThan(20);
  });
});
