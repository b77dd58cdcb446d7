import { isUnfoldError } from '../src/index';

/** The code and message of the unfold error `fn` throws (any other error is rethrown; none fails). */
export function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (!isUnfoldError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('expected an error');
}
