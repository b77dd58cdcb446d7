import { Rng } from '@unfold/core';
import { describe, expect, it } from 'vitest';
import { dominantEigenvalue } from '../../src/esn/arnoldi';
import { eigenvalues, largestModulus } from '../../src/esn/eigenvalues';
import { hessenbergEigenvector } from '../../src/esn/shifted-qr';
import { spectralRadius } from '../../src/esn/spectral-radius';
import { blockDiagonal, companion, randomSparse, similar, spectrumDistance, type Complex } from './matrices';

/** log|det A| by LU with partial pivoting (float64). */
function logAbsDeterminant(matrix: Float64Array, n: number): number {
  const a = Float64Array.from(matrix);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k] as number) > Math.abs(a[pivot * n + k] as number)) pivot = i;
    for (let j = 0; j < n; j++) [a[k * n + j], a[pivot * n + j]] = [a[pivot * n + j] as number, a[k * n + j] as number];
    const p = a[k * n + k] as number;
    sum += Math.log(Math.abs(p));
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k] as number) / p;
      for (let j = k; j < n; j++) a[i * n + j] = (a[i * n + j] as number) - f * (a[k * n + j] as number);
    }
  }
  return sum;
}

describe('eigenvalues (balance + Hessenberg + Francis double-shift QR)', () => {
  it('finds rotation blocks: complex-conjugate pairs, including the dominant one', () => {
    const { matrix, n, spectrum } = blockDiagonal([{ r: 1.3, theta: 0.7 }, 0.5, { r: 0.9, theta: 2.5 }, -1.1, { r: 1.3, theta: 2.9 }, 0]);
    expect(spectrumDistance(eigenvalues(matrix, n), spectrum)).toBeLessThan(1e-12);
    // The same spectrum hidden by a non-orthogonal similarity.
    expect(spectrumDistance(eigenvalues(similar(matrix, n, 1), n), spectrum)).toBeLessThan(1e-9);
    expect(largestModulus(eigenvalues(similar(matrix, n, 2), n))).toBeCloseTo(1.3, 10);
  });

  it('reads a triangular matrix off its diagonal', () => {
    const rng = new Rng(3);
    const n = 12;
    const matrix = new Float64Array(n * n);
    const spectrum: Complex[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) matrix[i * n + j] = rng.uniformIn(-2, 2);
      spectrum.push({ re: matrix[i * n + i] as number, im: 0 });
    }
    expect(spectrumDistance(eigenvalues(matrix, n), spectrum)).toBeLessThan(1e-10);
    const lower = new Float64Array(n * n).map((_, k) => matrix[(k % n) * n + Math.floor(k / n)] as number);
    expect(spectrumDistance(eigenvalues(lower, n), spectrum)).toBeLessThan(1e-10);
  });

  it('finds the roots of polynomials from their companion matrices', () => {
    const roots: Complex[] = [
      { re: 3, im: 0 },
      { re: -1, im: 2 },
      { re: -1, im: -2 },
      { re: 0.5, im: 0 },
      { re: 0.25, im: 0.75 },
      { re: 0.25, im: -0.75 },
      { re: -2.5, im: 0 },
      { re: 0, im: 1.5 },
      { re: 0, im: -1.5 },
    ];
    const { matrix, n } = companion(roots);
    expect(spectrumDistance(eigenvalues(matrix, n), roots)).toBeLessThan(1e-9);
    // Coefficients spanning many orders of magnitude (needs the balancing step to stay accurate).
    const spread: Complex[] = [100, 10, 1, 0.1, 0.01].map((re) => ({ re, im: 0 }));
    const wide = companion(spread);
    const found = eigenvalues(wide.matrix, wide.n);
    for (const root of spread) {
      const nearest = Math.min(...Array.from(found.re, (re, i) => Math.hypot(re - root.re, found.im[i] as number)));
      expect(nearest / root.re).toBeLessThan(1e-8);
    }
  });

  it('keeps trace and determinant: Σλ = tr A, Σ ln|λ| = ln|det A| on a random dense matrix', () => {
    const n = 60;
    const rng = new Rng(4);
    const matrix = new Float64Array(n * n).map(() => rng.normal());
    const { re, im } = eigenvalues(matrix, n);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += matrix[i * n + i] as number;
    expect(re.reduce((sum, value) => sum + value, 0)).toBeCloseTo(trace, 9);
    expect(im.reduce((sum, value) => sum + value, 0)).toBeCloseTo(0, 12);
    const logModuli = Array.from(re, (value, i) => Math.log(Math.hypot(value, im[i] as number))).reduce((sum, value) => sum + value, 0);
    expect(logModuli).toBeCloseTo(logAbsDeterminant(matrix, n), 8);
    // Complex eigenvalues come in conjugate pairs.
    const positive = Array.from(im).filter((v) => v > 0).sort();
    const negative = Array.from(im).filter((v) => v < 0).map((v) => -v).sort();
    expect(positive).toEqual(negative);
  });

  it('handles the edge cases: empty, 1×1, zero, and rejects bad input', () => {
    expect(eigenvalues([], 0).re).toHaveLength(0);
    expect(Array.from(eigenvalues([-4], 1).re)).toEqual([-4]);
    expect(largestModulus(eigenvalues(new Float64Array(16), 4))).toBe(0);
    expect(() => eigenvalues([1, 2, 3], 2)).toThrow(/expected a row-major n×n matrix with n = 2 \(4 values\), got 3/);
    expect(() => eigenvalues([1, NaN, 0, 1], 2)).toThrow(/expected finite entries, got NaN at row 0, column 1/);
  });
});

describe('dominantEigenvalue (implicitly restarted Arnoldi)', () => {
  const product = (matrix: Float64Array, n: number) => (x: Float64Array, y: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += (matrix[i * n + j] as number) * (x[j] as number);
      y[i] = sum;
    }
  };
  const start = (n: number) => {
    const rng = new Rng(5);
    return new Float64Array(n).map(() => rng.uniformIn(-1, 1));
  };

  it('finds a dominant complex pair where power iteration would oscillate', () => {
    const blocks = [{ r: 1, theta: 0.3 }, ...Array.from({ length: 60 }, (_, k) => ({ r: 0.5 + 0.45 * Math.sin(k), theta: k }))];
    const { matrix, n } = blockDiagonal(blocks);
    const hidden = similar(matrix, n, 6, 0.05);
    const found = dominantEigenvalue(product(hidden, n), n, start(n), { dimension: 20 });
    expect(found.re).toBeCloseTo(Math.cos(0.3), 8);
    expect(found.im).toBeCloseTo(Math.sin(0.3), 8);
    expect(found.restarts).toBeGreaterThan(0);
  });

  it('agrees with the dense QR on random sparse reservoirs', () => {
    for (const [n, perRow, seed] of [[300, 10, 7], [300, 3, 8], [260, 60, 9]] as const) {
      const matrix = randomSparse(n, perRow, seed);
      const exact = largestModulus(eigenvalues(matrix, n));
      const found = dominantEigenvalue(product(matrix, n), n, start(n));
      expect(Math.abs(Math.hypot(found.re, found.im) - exact) / exact).toBeLessThan(1e-8);
      expect(found.residual).toBeLessThan(1e-8);
      expect(spectralRadius(matrix, n, { exactUpTo: 0 }) / exact).toBeCloseTo(1, 8);
    }
  });

  it('returns the exact answer when the Krylov space becomes invariant', () => {
    const { matrix, n } = blockDiagonal([2, { r: 3, theta: 1 }, -1]);
    const found = dominantEigenvalue(product(matrix, n), n, start(n));
    expect(found.residual).toBe(0);
    expect(Math.hypot(found.re, found.im)).toBeCloseTo(3, 12);
  });
});

describe('hessenbergEigenvector (inverse iteration)', () => {
  /** ‖(H − θI) y‖ / (‖H‖·‖y‖) in complex arithmetic. */
  function relativeResidual(h: Float64Array, m: number, theta: Complex, y: { re: Float64Array; im: Float64Array }): number {
    let sum = 0;
    let size = 0;
    for (let r = 0; r < m; r++) {
      let sr = -theta.re * (y.re[r] as number) + theta.im * (y.im[r] as number);
      let si = -theta.re * (y.im[r] as number) - theta.im * (y.re[r] as number);
      for (let c = 0; c < m; c++) {
        sr += (h[r * m + c] as number) * (y.re[c] as number);
        si += (h[r * m + c] as number) * (y.im[c] as number);
      }
      sum += sr * sr + si * si;
      size += (y.re[r] as number) ** 2 + (y.im[r] as number) ** 2;
    }
    return Math.sqrt(sum / size) / Math.max(...Array.from(h, Math.abs));
  }

  it('finds eigenvectors of a Hessenberg matrix split by a zero subdiagonal (a deflated Arnoldi H)', () => {
    // Leading block: a rotation by 0.4 scaled by 2 (eigenvalues 2e^{±0.4i}); trailing block: random Hessenberg.
    const m = 8;
    const rng = new Rng(12);
    const h = new Float64Array(m * m);
    for (let r = 0; r < m; r++) for (let c = Math.max(0, r - 1); c < m; c++) h[r * m + c] = rng.uniformIn(-1, 1);
    h[0] = 2 * Math.cos(0.4);
    h[1] = -2 * Math.sin(0.4);
    h[m] = 2 * Math.sin(0.4);
    h[m + 1] = 2 * Math.cos(0.4);
    h[2 * m + 1] = 0; // the split
    const leading = { re: 2 * Math.cos(0.4), im: 2 * Math.sin(0.4) };
    const y = hessenbergEigenvector(h, m, m, leading.re, leading.im);
    expect(relativeResidual(h, m, leading, y)).toBeLessThan(1e-13);
    // Its eigenvector lives in the leading block: e_mᵀ y = 0, so an Arnoldi Ritz pair there has converged.
    expect(Math.hypot(y.re[m - 1] as number, y.im[m - 1] as number)).toBeLessThan(1e-13);
    const { re, im } = eigenvalues(h, m);
    for (let i = 0; i < m; i++) {
      const theta = { re: re[i] as number, im: im[i] as number };
      expect(relativeResidual(h, m, theta, hessenbergEigenvector(h, m, m, theta.re, theta.im))).toBeLessThan(1e-12);
    }
  });
});
