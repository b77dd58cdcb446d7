/**
 * All eigenvalues of a dense real square matrix, in float64: the classical EISPACK/LAPACK route.
 *
 *   1. Balance (Parlett–Reinsch): D⁻¹ A D with D a diagonal of powers of two, so rows and columns have
 *      comparable norms. A similarity done exactly in binary; it shrinks ‖A‖ and with it the rounding
 *      error of every later step (companion matrices with coefficients of very different size need it).
 *   2. Reduce to upper Hessenberg form H = Qᵀ A Q with Householder reflectors (10/3·n³ flops).
 *   3. Francis' implicit double-shift QR on H (eigenvalues only, about 6·n³ flops): each sweep applies the
 *      two shifts given by the trailing 2×2 block at once, so a complex-conjugate pair is found in real
 *      arithmetic. The matrix splits when a subdiagonal entry falls below machine precision relative to
 *      its neighbours; a 1×1 block is a real eigenvalue, a 2×2 block a real or complex-conjugate pair.
 *      Exceptional shifts after 10 and 20 sweeps without a split break the rare cycles.
 *
 * References: Golub & Van Loan, Matrix Computations (4th ed.), §7.4–7.5; Wilkinson & Reinsch, Handbook
 * for Automatic Computation II (procedures balance, orthes, hqr); Numerical Recipes §11.5–11.6.
 *
 * Plain loops over row-major Float64Arrays: no tfjs (float32 is not enough for a spectral radius).
 */

/** Eigenvalues λ = re + i·im; complex ones come in conjugate pairs (+im first). */
export interface Eigenvalues {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

const EPSILON = 2 ** -52;
const MAX_SWEEPS_PER_EIGENVALUE = 60;

/** Scales rows and columns by powers of two until their off-diagonal 1-norms are within a factor 2 (in place). */
function balance(a: Float64Array, n: number): void {
  const RADIX = 2;
  let converged = false;
  while (!converged) {
    converged = true;
    for (let i = 0; i < n; i++) {
      let columnNorm = 0;
      let rowNorm = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        columnNorm += Math.abs(a[j * n + i] as number);
        rowNorm += Math.abs(a[i * n + j] as number);
      }
      if (columnNorm === 0 || rowNorm === 0) continue;
      const total = columnNorm + rowNorm;
      let f = 1;
      let c = columnNorm;
      while (c < rowNorm / RADIX) {
        f *= RADIX;
        c *= RADIX * RADIX;
      }
      while (c > rowNorm * RADIX) {
        f /= RADIX;
        c /= RADIX * RADIX;
      }
      if ((c + rowNorm) / f < 0.95 * total) {
        converged = false;
        const g = 1 / f;
        for (let j = 0; j < n; j++) a[i * n + j] = (a[i * n + j] as number) * g;
        for (let j = 0; j < n; j++) a[j * n + i] = (a[j * n + i] as number) * f;
      }
    }
  }
}

/** Householder reduction to upper Hessenberg form, in place: A ← Pᵀ A P with P = P₁···P_{n−2}. */
function hessenberg(a: Float64Array, n: number): void {
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // v = x − α e₁ for the column x = A[k+1:, k], with α = −sign(x₁)·‖x‖ to avoid cancellation.
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale += Math.abs(a[i * n + k] as number);
    if (scale === 0) continue;
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) {
      const x = (a[i * n + k] as number) / scale;
      v[i] = x;
      norm2 += x * x;
    }
    const x1 = v[k + 1] as number;
    const alpha = x1 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    v[k + 1] = x1 - alpha;
    const vv = norm2 - x1 * x1 + (v[k + 1] as number) ** 2;
    if (vv === 0) continue;
    const beta = 2 / vv;
    // Left: A[k+1:, k+1:] ← (I − β v vᵀ) A[k+1:, k+1:]; w = β vᵀ A accumulated row by row.
    w.fill(0, k + 1);
    for (let i = k + 1; i < n; i++) {
      const vi = v[i] as number;
      if (vi === 0) continue;
      const row = i * n;
      for (let j = k + 1; j < n; j++) w[j] = (w[j] as number) + vi * (a[row + j] as number);
    }
    for (let i = k + 1; i < n; i++) {
      const bvi = beta * (v[i] as number);
      if (bvi === 0) continue;
      const row = i * n;
      for (let j = k + 1; j < n; j++) a[row + j] = (a[row + j] as number) - bvi * (w[j] as number);
    }
    // Right: A[:, k+1:] ← A[:, k+1:] (I − β v vᵀ).
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += (a[row + j] as number) * (v[j] as number);
      s *= beta;
      if (s === 0) continue;
      for (let j = k + 1; j < n; j++) a[row + j] = (a[row + j] as number) - s * (v[j] as number);
    }
    a[(k + 1) * n + k] = alpha * scale;
    for (let i = k + 2; i < n; i++) a[i * n + k] = 0;
  }
}

/**
 * Francis double-shift QR on an upper Hessenberg matrix (destroyed), eigenvalues only. The active block is
 * rows/columns l..last; `shift` accumulates the exceptional shifts subtracted from the diagonal.
 */
function hessenbergEigenvalues(a: Float64Array, n: number): Eigenvalues {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const at = (i: number, j: number): number => a[i * n + j] as number;
  const set = (i: number, j: number, value: number): void => {
    a[i * n + j] = value;
  };
  let norm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) norm += Math.abs(at(i, j));
  let last = n - 1;
  let shift = 0;
  while (last >= 0) {
    let sweeps = 0;
    let l: number;
    for (;;) {
      // Find the start l of the trailing unreduced block: the lowest negligible subdiagonal entry.
      for (l = last; l >= 1; l--) {
        let s = Math.abs(at(l - 1, l - 1)) + Math.abs(at(l, l));
        if (s === 0) s = norm;
        if (Math.abs(at(l, l - 1)) <= EPSILON * s) {
          set(l, l - 1, 0);
          break;
        }
      }
      const x = at(last, last);
      if (l === last) {
        re[last] = x + shift;
        im[last] = 0;
        last -= 1;
        break;
      }
      const y = at(last - 1, last - 1);
      const w = at(last, last - 1) * at(last - 1, last);
      if (l === last - 1) {
        // A trailing 2×2 block: its eigenvalues are x + p ± √(p² + w).
        const p = 0.5 * (y - x);
        const q = p * p + w;
        const z = Math.sqrt(Math.abs(q));
        const base = x + shift;
        if (q >= 0) {
          const zz = p + (p >= 0 ? z : -z);
          re[last - 1] = base + zz;
          re[last] = zz !== 0 ? base - w / zz : base + zz;
          im[last - 1] = 0;
          im[last] = 0;
        } else {
          re[last - 1] = base + p;
          re[last] = base + p;
          im[last - 1] = z;
          im[last] = -z;
        }
        last -= 2;
        break;
      }
      if (sweeps === MAX_SWEEPS_PER_EIGENVALUE) {
        throw new Error(`eigenvalues: the QR iteration did not converge after ${sweeps} sweeps on the block ending at row ${last}; the matrix holds NaN, Infinity or values near overflow`);
      }
      shift += sweep(a, n, l, last, sweeps);
      sweeps += 1;
    }
  }
  return { re, im };
}

/**
 * One implicit double-shift sweep over the active block l..last. At sweeps 10, 20, ... it first makes an
 * exceptional shift: subtracts the last diagonal entry from the diagonal and returns it (else returns 0).
 */
function sweep(a: Float64Array, n: number, l: number, last: number, sweeps: number): number {
  const at = (i: number, j: number): number => a[i * n + j] as number;
  const set = (i: number, j: number, value: number): void => {
    a[i * n + j] = value;
  };
  let x = at(last, last);
  let y = at(last - 1, last - 1);
  let w = at(last, last - 1) * at(last - 1, last);
  let exceptional = 0;
  if (sweeps > 0 && sweeps % 10 === 0) {
    exceptional = x;
    for (let i = 0; i <= last; i++) set(i, i, at(i, i) - x);
    const s = Math.abs(at(last, last - 1)) + Math.abs(at(last - 1, last - 2));
    x = 0.75 * s;
    y = x;
    w = -0.4375 * s * s;
  }
  // Look for two consecutive small subdiagonal entries, to start the bulge as low as possible.
  let m = last - 2;
  let p = 0;
  let q = 0;
  let r = 0;
  for (; m >= l; m--) {
    const z = at(m, m);
    const rr = x - z;
    const ss = y - z;
    p = (rr * ss - w) / at(m + 1, m) + at(m, m + 1);
    q = at(m + 1, m + 1) - z - rr - ss;
    r = at(m + 2, m + 1);
    const s = Math.abs(p) + Math.abs(q) + Math.abs(r);
    p /= s;
    q /= s;
    r /= s;
    if (m === l) break;
    const u = Math.abs(at(m, m - 1)) * (Math.abs(q) + Math.abs(r));
    const v = Math.abs(p) * (Math.abs(at(m - 1, m - 1)) + Math.abs(z) + Math.abs(at(m + 1, m + 1)));
    if (u <= EPSILON * v) break;
  }
  for (let i = m + 2; i <= last; i++) {
    set(i, i - 2, 0);
    if (i !== m + 2) set(i, i - 3, 0);
  }
  // Chase the bulge down with 3×3 Householder reflectors (2×2 at the end).
  for (let k = m; k <= last - 1; k++) {
    let scale = 1;
    if (k !== m) {
      p = at(k, k - 1);
      q = at(k + 1, k - 1);
      r = k !== last - 1 ? at(k + 2, k - 1) : 0;
      scale = Math.abs(p) + Math.abs(q) + Math.abs(r);
      if (scale === 0) continue;
      p /= scale;
      q /= scale;
      r /= scale;
    }
    const s = (p >= 0 ? 1 : -1) * Math.sqrt(p * p + q * q + r * r);
    if (s === 0) continue;
    if (k === m) {
      if (l !== m) set(k, k - 1, -at(k, k - 1));
    } else {
      set(k, k - 1, -s * scale);
    }
    p += s;
    const vx = p / s;
    const vy = q / s;
    const vz = r / s;
    q /= p;
    r /= p;
    for (let j = k; j <= last; j++) {
      let t = at(k, j) + q * at(k + 1, j);
      if (k !== last - 1) {
        t += r * at(k + 2, j);
        set(k + 2, j, at(k + 2, j) - t * vz);
      }
      set(k + 1, j, at(k + 1, j) - t * vy);
      set(k, j, at(k, j) - t * vx);
    }
    const iEnd = Math.min(last, k + 3);
    for (let i = l; i <= iEnd; i++) {
      let t = vx * at(i, k) + vy * at(i, k + 1);
      if (k !== last - 1) {
        t += vz * at(i, k + 2);
        set(i, k + 2, at(i, k + 2) - t * r);
      }
      set(i, k + 1, at(i, k + 1) - t * q);
      set(i, k, at(i, k) - t);
    }
  }
  return exceptional;
}

/**
 * Every eigenvalue of the row-major n×n matrix `matrix` (not modified), in no particular order.
 * Throws on a non-square length or non-finite entries.
 */
export function eigenvalues(matrix: ArrayLike<number>, n: number): Eigenvalues {
  if (!Number.isSafeInteger(n) || n < 0 || matrix.length !== n * n) {
    throw new RangeError(`eigenvalues: expected a row-major n×n matrix with n = ${n} (${n * n} values), got ${matrix.length} values`);
  }
  const a = Float64Array.from(matrix);
  const bad = a.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new RangeError(`eigenvalues: expected finite entries, got ${a[bad]} at row ${Math.floor(bad / n)}, column ${bad % n}`);
  balance(a, n);
  hessenberg(a, n);
  return hessenbergEigenvalues(a, n);
}

/**
 * |re + i·im| = √(re² + im²). Written out rather than Math.hypot, whose rounding the language leaves to the
 * engine: with only +, −, ×, ÷ and √ (all correctly rounded), a seeded reservoir is bit-identical on every
 * JavaScript engine.
 */
export function modulus(re: number, im: number): number {
  return Math.sqrt(re * re + im * im);
}

/** max |λ| over the eigenvalues. */
export function largestModulus(values: Eigenvalues): number {
  let max = 0;
  for (let i = 0; i < values.re.length; i++) max = Math.max(max, modulus(values.re[i] as number, values.im[i] as number));
  return max;
}
