/** What a call throws, checked to be of the expected class (so a test cannot pass on the wrong error). */
import { expect } from '@jest/globals';
import { ParseError } from '#core/errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: any error class, whatever its constructor takes.
export function errorOf<T>(type: new (...args: any[]) => T, fn: () => unknown): T {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  return caught as T;
}

/** Runs `fn`, expects a ParseError, returns it. */
export function parseErrorOf(fn: () => unknown): ParseError {
  return errorOf(ParseError, fn);
}
