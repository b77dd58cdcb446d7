import { DataError } from '@unfold/core';

/**
 * Ridge regression in float64, solved in closed form through the normal equations and a Cholesky
 * factorisation (Lukoševičius 2012, §4.1: the standard ESN readout):
 *
 *   W = (X̃ᵀX̃ + λI)⁻¹ X̃ᵀỸ,   b = ȳ − W x̄        X̃, Ỹ centred; the bias is not regularised
 *
 * X [rows, features] and Y [rows, outputs] row-major. Returns W [features, outputs] and b [outputs].
 */
export function ridgeRegression(X: Float64Array, Y: Float64Array, rows: number, features: number, outputs: number, lambda: number): { W: Float64Array; b: Float64Array } {
  const xMean = new Float64Array(features);
  const yMean = new Float64Array(outputs);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) xMean[f] = (xMean[f] as number) + (X[r * features + f] as number) / rows;
    for (let o = 0; o < outputs; o++) yMean[o] = (yMean[o] as number) + (Y[r * outputs + o] as number) / rows;
  }
  // A = X̃ᵀX̃ + λI (symmetric, lower triangle filled), C = X̃ᵀỸ.
  const A = new Float64Array(features * features);
  const C = new Float64Array(features * outputs);
  const centred = new Float64Array(features);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) centred[f] = (X[r * features + f] as number) - (xMean[f] as number);
    for (let i = 0; i < features; i++) {
      const xi = centred[i] as number;
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) A[i * features + j] = (A[i * features + j] as number) + xi * (centred[j] as number);
      for (let o = 0; o < outputs; o++) C[i * outputs + o] = (C[i * outputs + o] as number) + xi * ((Y[r * outputs + o] as number) - (yMean[o] as number));
    }
  }
  for (let i = 0; i < features; i++) A[i * features + i] = (A[i * features + i] as number) + lambda;
  const W = choleskySolve(A, C, features, outputs);
  const b = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    let dot = 0;
    for (let f = 0; f < features; f++) dot += (W[f * outputs + o] as number) * (xMean[f] as number);
    b[o] = (yMean[o] as number) - dot;
  }
  return { W, b };
}

/** Solves A Z = C for symmetric positive-definite A [n, n] (lower triangle used) and C [n, m], in place of copies. */
export function choleskySolve(A: Float64Array, C: Float64Array, n: number, m: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (L[i * n + k] as number) * (L[j * n + k] as number);
      if (i === j) {
        if (!(sum > 0)) {
          throw new DataError('the ridge system is not positive definite', { where: `ridge regression, pivot ${i}`, expected: 'a positive pivot', got: String(sum), fix: 'increase the ridge parameter, or check the features for NaN' });
        }
        L[i * n + i] = Math.sqrt(sum);
      } else {
        L[i * n + j] = sum / (L[j * n + j] as number);
      }
    }
  }
  const Z = Float64Array.from(C);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let sum = Z[i * m + c] as number;
      for (let k = 0; k < i; k++) sum -= (L[i * n + k] as number) * (Z[k * m + c] as number);
      Z[i * m + c] = sum / (L[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = Z[i * m + c] as number;
      for (let k = i + 1; k < n; k++) sum -= (L[k * n + i] as number) * (Z[k * m + c] as number);
      Z[i * m + c] = sum / (L[i * n + i] as number);
    }
  }
  return Z;
}
