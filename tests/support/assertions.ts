/** Assertion helpers shared by the tests: what a decoder throws, checked as a DecodeError. */
import { expect } from "bun:test";
import { DecodeError } from "../../src/wire/errors.ts";

/** The DecodeError `fn` throws (fails the test if it throws nothing or something else). */
export function decodeErrorOf(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("expected a DecodeError, nothing was thrown");
}

/** Expects `fn` to throw a DecodeError, of `kind` when given (one or two expects). */
export function expectDecodeError(fn: () => unknown, kind?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DecodeError);
  if (kind) expect((caught as DecodeError).kind).toBe(kind);
}
