import { isUnfoldError } from '@unfold/core';

/**
 * The unfold error a call throws, as `{ code, message }`, for asserting on both. Fails the test with a
 * clear message when the call does not throw, or throws something that is not an unfold error.
 */
export function unfoldErrorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isUnfoldError(error)) return { code: error.code, message: error.message };
    throw new Error(`expected an unfold error, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  throw new Error('expected an unfold error, but the call returned normally');
}
