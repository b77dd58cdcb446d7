import { describeValue, RuntimeError } from './errors';

/**
 * Reading single numbers out of untrusted request values (parsed JSON, or anything a JavaScript caller
 * passes). JSON has no NaN or Infinity: `JSON.stringify(NaN)` writes `null`, and a literal like `1e999`
 * parses to Infinity, so null, "NaN"/"Infinity" strings and numbers beyond float32's range are all
 * reported as E_NON_FINITE rather than as a type error.
 */
const NON_FINITE_STRINGS = new Set(['NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf']);

function nonFinite(where: string, got: string): RuntimeError {
  return new RuntimeError('E_NON_FINITE', 'a value is not a finite number', { where, expected: 'a finite number within float32 range (|x| < 3.4e38)', got, fix: 'replace NaN / Infinity (JSON null) with a real value, or drop the step' });
}

/** A finite float32 value; `transform` (normalisation) is applied before the range check. */
export function readFloat(value: unknown, where: string, transform?: (x: number) => number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw nonFinite(where, String(value));
    const x = transform ? transform(value) : value;
    if (!Number.isFinite(Math.fround(x))) throw nonFinite(where, transform ? `${value} (${x} after normalisation)` : String(value));
    return x;
  }
  if (value === null) throw nonFinite(where, 'null (JSON writes NaN and Infinity as null)');
  if (typeof value === 'string' && NON_FINITE_STRINGS.has(value)) throw nonFinite(where, JSON.stringify(value));
  throw new RuntimeError('E_DTYPE', 'a value is not a number', { where, expected: 'a number', got: describeValue(value) });
}

/** An integer in [min, max]; `code` says which error a value out of range is (E_TOKEN_RANGE for ids). */
export function readInteger(value: unknown, where: string, min: number, max: number, code: 'E_TOKEN_RANGE' | 'E_DTYPE' = 'E_DTYPE'): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    if (typeof value === 'number' && !Number.isFinite(value)) throw nonFinite(where, String(value));
    if (value === null) throw nonFinite(where, 'null (JSON writes NaN and Infinity as null)');
    throw new RuntimeError('E_DTYPE', 'a value is not an integer', { where, expected: 'an integer', got: describeValue(value) });
  }
  if (value < min || value > max) {
    const what = code === 'E_TOKEN_RANGE' ? 'a token id is out of range' : 'an integer is out of range';
    throw new RuntimeError(code, what, { where, expected: `an integer in [${min}, ${max}]`, got: String(value), ...(code === 'E_TOKEN_RANGE' ? { fix: 'map unknown tokens to an id the model knows' } : {}) });
  }
  return value;
}

/** An array, or E_SHAPE naming what was expected at that place. */
export function readArray(value: unknown, where: string, expected: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new RuntimeError('E_SHAPE', 'expected an array', { where, expected, got: describeValue(value) });
  return value;
}
