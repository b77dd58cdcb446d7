import { Rng } from '@unfold/core';

/** Test matrices with known spectra, row-major float64, and a matcher for eigenvalue sets. */

export interface Complex {
  readonly re: number;
  readonly im: number;
}

/** Block diagonal of r·[[cos θ, −sin θ], [sin θ, cos θ]] blocks (eigenvalues r e^{±iθ}) and 1×1 blocks. */
export function blockDiagonal(blocks: readonly ({ r: number; theta: number } | number)[]): { matrix: Float64Array; n: number; spectrum: Complex[] } {
  const n = blocks.reduce<number>((sum, block) => sum + (typeof block === 'number' ? 1 : 2), 0);
  const matrix = new Float64Array(n * n);
  const spectrum: Complex[] = [];
  let at = 0;
  for (const block of blocks) {
    if (typeof block === 'number') {
      matrix[at * n + at] = block;
      spectrum.push({ re: block, im: 0 });
      at += 1;
      continue;
    }
    const c = block.r * Math.cos(block.theta);
    const s = block.r * Math.sin(block.theta);
    matrix[at * n + at] = c;
    matrix[at * n + at + 1] = -s;
    matrix[(at + 1) * n + at] = s;
    matrix[(at + 1) * n + at + 1] = c;
    spectrum.push({ re: c, im: s }, { re: c, im: -s });
    at += 2;
  }
  return { matrix, n, spectrum };
}

/**
 * S A S⁻¹ with S unit upper triangular with U(−scale, scale) entries: same spectrum, no longer normal.
 * The condition number of S (and of the eigenvalues) grows quickly with n·scale.
 */
export function similar(matrix: Float64Array, n: number, seed: number, scale = 1): Float64Array {
  const rng = new Rng(seed);
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    S[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) S[i * n + j] = rng.uniformIn(-scale, scale);
  }
  // S⁻¹ by back substitution, column by column (S is unit upper triangular).
  const inverse = new Float64Array(n * n);
  for (let col = 0; col < n; col++) {
    for (let i = n - 1; i >= 0; i--) {
      let value = i === col ? 1 : 0;
      for (let k = i + 1; k < n; k++) value -= (S[i * n + k] as number) * (inverse[k * n + col] as number);
      inverse[i * n + col] = value;
    }
  }
  return multiply(multiply(S, matrix, n), inverse, n);
}

export function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const aik = a[i * n + k] as number;
    if (aik !== 0) for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + aik * (b[k * n + j] as number);
  }
  return out;
}

/** The companion matrix of ∏(z − rootᵢ) (complex roots given as conjugate pairs), and the roots. */
export function companion(roots: readonly Complex[]): { matrix: Float64Array; n: number } {
  // Coefficients of the monic polynomial, complex arithmetic; the imaginary parts cancel for conjugate pairs.
  let re = [1];
  let im = [0];
  for (const root of roots) {
    const nextRe = new Array<number>(re.length + 1).fill(0);
    const nextIm = new Array<number>(re.length + 1).fill(0);
    for (let k = 0; k < re.length; k++) {
      nextRe[k + 1] = (nextRe[k + 1] as number) + (re[k] as number);
      nextIm[k + 1] = (nextIm[k + 1] as number) + (im[k] as number);
      nextRe[k] = (nextRe[k] as number) - ((re[k] as number) * root.re - (im[k] as number) * root.im);
      nextIm[k] = (nextIm[k] as number) - ((re[k] as number) * root.im + (im[k] as number) * root.re);
    }
    re = nextRe;
    im = nextIm;
  }
  const n = roots.length;
  const matrix = new Float64Array(n * n);
  for (let i = 1; i < n; i++) matrix[i * n + i - 1] = 1;
  for (let i = 0; i < n; i++) matrix[i * n + n - 1] = -(re[i] as number);
  return { matrix, n };
}

/** Largest distance between each expected eigenvalue and its partner in a one-to-one greedy matching. */
export function spectrumDistance(actual: { re: Float64Array; im: Float64Array }, expected: readonly Complex[]): number {
  if (actual.re.length !== expected.length) return Infinity;
  const free = Array.from({ length: expected.length }, (_, i) => i);
  let worst = 0;
  for (const target of expected) {
    let best = -1;
    let bestDistance = Infinity;
    for (const i of free) {
      const distance = Math.hypot((actual.re[i] as number) - target.re, (actual.im[i] as number) - target.im);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    }
    free.splice(free.indexOf(best), 1);
    worst = Math.max(worst, bestDistance);
  }
  return worst;
}

/** A random matrix with `perRow` U(−1, 1) non-zeros per row. */
export function randomSparse(n: number, perRow: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < perRow; k++) matrix[i * n + rng.int(n)] = rng.uniformIn(-1, 1);
  return matrix;
}
