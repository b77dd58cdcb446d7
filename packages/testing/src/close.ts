/**
 * Element-wise closeness of two arrays of numbers, in the form numpy's `allclose` and PyTorch's
 * `assert_close` use: element i passes iff |actual[i] − expected[i]| <= atol + rtol·|expected[i]|.
 * The tolerance is asymmetric on purpose: `expected` is the reference, so its magnitude sets the scale.
 * NaN anywhere fails (a NaN difference is never within tolerance), and so does a length mismatch.
 */
export interface CloseOptions {
  /** Absolute tolerance. Default 1e-5 (float32 rounding of O(1) values after a few dozen operations). */
  readonly atol?: number;
  /** Relative tolerance, scaled by |expected|. Default 1e-5. */
  readonly rtol?: number;
  /** Names the compared quantity in the failure message (`"lstm outputs"`). */
  readonly label?: string;
}

/** Just the tolerances of CloseOptions. */
export type Tolerance = Pick<CloseOptions, 'atol' | 'rtol'>;

/** The outcome of a comparison: how many elements failed and the worst one. */
export interface CloseReport {
  readonly length: number;
  /** Number of elements outside tolerance (NaN counts as outside). */
  readonly failures: number;
  /** The element with the largest |diff| / allowed ratio (NaN ranks first), or undefined when empty. */
  readonly worst: { readonly index: number; readonly actual: number; readonly expected: number; readonly diff: number; readonly allowed: number } | undefined;
}

export const DEFAULT_ATOL = 1e-5;
export const DEFAULT_RTOL = 1e-5;

function formatNumber(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(8) : String(value);
}

/** Compares element-wise without throwing; lengths must match (throws otherwise). */
export function compareClose(actual: ArrayLike<number>, expected: ArrayLike<number>, options: CloseOptions = {}): CloseReport {
  const atol = options.atol ?? DEFAULT_ATOL;
  const rtol = options.rtol ?? DEFAULT_RTOL;
  if (!(atol >= 0) || !(rtol >= 0)) {
    throw new RangeError(`compareClose: expected non-negative atol and rtol, got atol ${atol}, rtol ${rtol}`);
  }
  if (actual.length !== expected.length) {
    throw new Error(`${options.label ?? 'values'}: length mismatch; expected ${expected.length} values, got ${actual.length}. Fix: compare tensors of the same shape`);
  }
  let failures = 0;
  let worst: CloseReport['worst'];
  let worstRatio = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const b = expected[i] as number;
    const diff = Math.abs(a - b);
    const allowed = atol + rtol * Math.abs(b);
    const ok = diff <= allowed;
    if (!ok) failures++;
    // A failing element always has ratio > 1 (NaN and zero-tolerance misses rank as Infinity); ties keep the first index.
    const ratio = Number.isNaN(diff) || Number.isNaN(allowed) ? Infinity : allowed > 0 ? diff / allowed : diff > 0 ? Infinity : 0;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: i, actual: a, expected: b, diff, allowed };
    }
  }
  return { length: actual.length, failures, worst };
}

/**
 * Throws an Error (so the test runner reports it) unless every element is within
 * atol + rtol·|expected|. The message names the label, the worst index, both values, the allowed
 * tolerance and how many elements failed.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, options: CloseOptions = {}): void {
  const label = options.label ?? 'values';
  const report = compareClose(actual, expected, options);
  if (report.failures === 0 || report.worst === undefined) return;
  const { index, actual: a, expected: b, diff, allowed } = report.worst;
  const atol = options.atol ?? DEFAULT_ATOL;
  const rtol = options.rtol ?? DEFAULT_RTOL;
  throw new Error(
    `${label}: ${report.failures} of ${report.length} elements differ beyond tolerance; ` +
      `worst at index ${index}: actual ${formatNumber(a)}, expected ${formatNumber(b)}, |diff| ${formatNumber(diff)} > allowed ${formatNumber(allowed)} ` +
      `(atol ${atol} + rtol ${rtol}·|expected|)`,
  );
}

/** The largest |a[i] − b[i]|; NaN if any difference is NaN, 0 for empty arrays. Lengths must match. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: length mismatch; got ${a.length} and ${b.length} values`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs((a[i] as number) - (b[i] as number));
    if (Number.isNaN(diff)) return NaN;
    if (diff > max) max = diff;
  }
  return max;
}

/**
 * Throws unless both arrays hold exactly the same float32 values bit for bit (NaN payloads and the sign
 * of zero included): for determinism and save/load round trips, where any difference is a bug.
 */
export function expectBitEqual(actual: Float32Array, expected: Float32Array, label = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length mismatch; expected ${expected.length} values, got ${actual.length}`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  let first = -1;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count > 0) {
    throw new Error(`${label}: ${count} of ${a.length} elements are not bit-identical; first at index ${first}: actual ${actual[first]}, expected ${expected[first]}`);
  }
}
