/** Shared helpers for the mgmt-util driver tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { ParseError } from '#core/errors.ts';

export const TRANSCRIPTS = join(import.meta.dirname, '..', '..', 'fixtures', 'transcripts');

export function transcript(name: string): string {
  return readFileSync(join(TRANSCRIPTS, name), 'utf8');
}

/** Drops the documented echo line (`aws-cloudhsm> listUsers`) from a transcript. */
export function withoutEcho(text: string): string {
  return text.replace(/^aws-cloudhsm>.*\n/, '');
}

/** Runs `fn`, expects a ParseError, returns it. */
export function parseErrorOf(fn: () => unknown): ParseError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ParseError);
  return caught as ParseError;
}
