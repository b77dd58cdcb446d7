import { modulus } from './eigenvalues';

/**
 * Small dense tools on an m×m upper Hessenberg matrix H (row-major, row stride `stride`), for the implicitly
 * restarted Arnoldi method: implicit shifted QR steps that accumulate their orthogonal factor, and the
 * eigenvector of a given eigenvalue by inverse iteration.
 *
 * An implicit QR step with shift polynomial p (p(z) = z − μ, or z² − s z + t for a pair of shifts) computes
 * H⁺ = Qᵀ H Q where p(H) = Q R, without forming p(H): a reflector P₀ maps the first column of p(H) to a
 * multiple of e₁, and H ← P₀ H P₀ leaves a bulge below the subdiagonal that further reflectors chase down and
 * out (Golub & Van Loan, Algorithm 7.5.1; implicit Q theorem). A complex-conjugate pair μ, μ̄ uses the real
 * polynomial z² − 2 Re μ · z + |μ|², so everything stays real.
 */

/** Reflector P = I − β v vᵀ (length 2 or 3) with P u = α e₁; beta 0 when u is already a multiple of e₁. */
function reflector(u: readonly number[]): { v: number[]; beta: number } {
  const norm = Math.sqrt(u.reduce((sum, x) => sum + x * x, 0));
  const u0 = u[0] as number;
  if (norm === 0 || norm === Math.abs(u0)) return { v: u.map(() => 0), beta: 0 };
  const alpha = u0 >= 0 ? -norm : norm;
  const v = [u0 - alpha, ...u.slice(1)];
  return { v, beta: 2 / v.reduce((sum, x) => sum + x * x, 0) };
}

/** Applies P from the left to rows k.. of columns c0..m−1 and from the right to columns k.. of rows 0..r1 of H, and to Q. */
function reflect(h: Float64Array, stride: number, m: number, q: Float64Array, k: number, v: readonly number[], beta: number, c0: number, r1: number): void {
  const width = v.length;
  for (let c = c0; c < m; c++) {
    let s = 0;
    for (let i = 0; i < width; i++) s += (v[i] as number) * (h[(k + i) * stride + c] as number);
    s *= beta;
    for (let i = 0; i < width; i++) h[(k + i) * stride + c] = (h[(k + i) * stride + c] as number) - s * (v[i] as number);
  }
  for (let r = 0; r <= r1; r++) {
    let s = 0;
    for (let j = 0; j < width; j++) s += (h[r * stride + k + j] as number) * (v[j] as number);
    s *= beta;
    for (let j = 0; j < width; j++) h[r * stride + k + j] = (h[r * stride + k + j] as number) - s * (v[j] as number);
  }
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < width; j++) s += (q[r * m + k + j] as number) * (v[j] as number);
    s *= beta;
    for (let j = 0; j < width; j++) q[r * m + k + j] = (q[r * m + k + j] as number) - s * (v[j] as number);
  }
}

/**
 * One implicit QR step whose shift polynomial has degree `degree` (1 or 2) and whose first column of p(H)
 * is `first`; updates H and accumulates Q ← Q·P₀·P₁···.
 */
function chase(h: Float64Array, stride: number, m: number, q: Float64Array, first: readonly number[], degree: number): void {
  let u = first.slice(0, Math.min(degree + 1, m));
  for (let k = 0; k <= m - 2; k++) {
    const { v, beta } = reflector(u);
    if (beta !== 0) reflect(h, stride, m, q, k, v, beta, Math.max(0, k - 1), Math.min(k + degree + 1, m - 1));
    if (k > 0) for (let i = 1; i < v.length; i++) h[(k + i) * stride + k - 1] = 0;
    const width = Math.min(degree + 1, m - k - 1);
    u = Array.from({ length: width }, (_, i) => h[(k + 1 + i) * stride + k] as number);
  }
}

export interface Shift {
  readonly re: number;
  /** A complex shift is given as a conjugate pair: +im immediately followed by −im. */
  readonly im: number;
}

/**
 * Applies the shifts to the leading m×m block of H in place (H ← Qᵀ H Q) and returns Q (m×m, row-major),
 * orthogonal with lower bandwidth equal to the number of shifts. Real shifts are applied two at a time.
 */
export function applyShifts(h: Float64Array, stride: number, m: number, shifts: readonly Shift[]): Float64Array {
  const q = new Float64Array(m * m);
  for (let i = 0; i < m; i++) q[i * m + i] = 1;
  const at = (r: number, c: number): number => (r < m && c < m ? (h[r * stride + c] as number) : 0);
  // First column of H² − s H + t I (only three non-zeros for a Hessenberg H).
  const doubleStep = (s: number, t: number): void => {
    const h00 = at(0, 0);
    const h10 = at(1, 0);
    chase(h, stride, m, q, [h00 * h00 + at(0, 1) * h10 - s * h00 + t, h10 * (h00 + at(1, 1) - s), h10 * at(2, 1)], 2);
  };
  const reals: number[] = [];
  for (let i = 0; i < shifts.length; i++) {
    const shift = shifts[i] as Shift;
    if (shift.im > 0) {
      doubleStep(2 * shift.re, shift.re * shift.re + shift.im * shift.im);
      i += 1; // its conjugate
    } else {
      reals.push(shift.re);
    }
  }
  for (let i = 0; i + 1 < reals.length; i += 2) doubleStep((reals[i] as number) + (reals[i + 1] as number), (reals[i] as number) * (reals[i + 1] as number));
  if (reals.length % 2 === 1) chase(h, stride, m, q, [at(0, 0) - (reals[reals.length - 1] as number), at(1, 0)], 1);
  // Rounding leaves tiny entries below the subdiagonal; H⁺ is Hessenberg in exact arithmetic.
  for (let r = 2; r < m; r++) for (let c = 0; c < r - 1; c++) h[r * stride + c] = 0;
  return q;
}

/**
 * An eigenvector y of the m×m upper Hessenberg H for its (computed) eigenvalue θ = tr + i·ti, by inverse
 * iteration: two solves of (H − θ I) y ← y from y = (1, …, 1), each normalised. The solve is Gaussian
 * elimination in complex arithmetic with partial pivoting between neighbouring rows (which keeps the
 * Hessenberg structure, O(m²)); a zero pivot becomes ε‖H‖. Since θ is an eigenvalue to rounding, the
 * solution is dominated by its eigenvector. Unlike back substitution up the subdiagonal, this stays
 * accurate when restarts have driven subdiagonal entries to zero (converged, deflated parts of H).
 */
export function hessenbergEigenvector(h: Float64Array, stride: number, m: number, tr: number, ti: number): { re: Float64Array; im: Float64Array } {
  // M = H − θ I, complex, as two row-major m×m arrays; eliminated in place into U.
  const mr = new Float64Array(m * m);
  const mi = new Float64Array(m * m);
  let norm = 0;
  for (let r = 0; r < m; r++) {
    for (let c = Math.max(0, r - 1); c < m; c++) {
      mr[r * m + c] = h[r * stride + c] as number;
      norm = Math.max(norm, Math.abs(h[r * stride + c] as number));
    }
    mr[r * m + r] = (mr[r * m + r] as number) - tr;
    mi[r * m + r] = -ti;
  }
  const tiny = Math.max(norm, modulus(tr, ti), Number.MIN_VALUE) * 2 ** -52;
  const swapped = new Uint8Array(m);
  const lr = new Float64Array(m);
  const li = new Float64Array(m);
  const swapRows = (r: number, from: number): void => {
    for (let c = from; c < m; c++) {
      const [ar, ai] = [mr[r * m + c] as number, mi[r * m + c] as number];
      mr[r * m + c] = mr[(r + 1) * m + c] as number;
      mi[r * m + c] = mi[(r + 1) * m + c] as number;
      mr[(r + 1) * m + c] = ar;
      mi[(r + 1) * m + c] = ai;
    }
  };
  const ensurePivot = (k: number): void => {
    if (mr[k * m + k] === 0 && mi[k * m + k] === 0) mr[k * m + k] = tiny;
  };
  for (let k = 0; k < m - 1; k++) {
    if (modulus(mr[(k + 1) * m + k] as number, mi[(k + 1) * m + k] as number) > modulus(mr[k * m + k] as number, mi[k * m + k] as number)) {
      swapRows(k, k);
      swapped[k] = 1;
    }
    ensurePivot(k);
    // l = M[k+1][k] / M[k][k]
    const [pr, pi] = [mr[k * m + k] as number, mi[k * m + k] as number];
    const [qr, qi] = [mr[(k + 1) * m + k] as number, mi[(k + 1) * m + k] as number];
    const d = pr * pr + pi * pi;
    lr[k] = (qr * pr + qi * pi) / d;
    li[k] = (qi * pr - qr * pi) / d;
    for (let c = k + 1; c < m; c++) {
      const [ur, ui] = [mr[k * m + c] as number, mi[k * m + c] as number];
      mr[(k + 1) * m + c] = (mr[(k + 1) * m + c] as number) - ((lr[k] as number) * ur - (li[k] as number) * ui);
      mi[(k + 1) * m + c] = (mi[(k + 1) * m + c] as number) - ((lr[k] as number) * ui + (li[k] as number) * ur);
    }
    mr[(k + 1) * m + k] = 0;
    mi[(k + 1) * m + k] = 0;
  }
  ensurePivot(m - 1);

  const re = new Float64Array(m).fill(1);
  const im = new Float64Array(m);
  for (let iteration = 0; iteration < 2; iteration++) {
    // Forward: the same row swaps and eliminations on the right-hand side.
    for (let k = 0; k < m - 1; k++) {
      if (swapped[k]) {
        [re[k], re[k + 1]] = [re[k + 1] as number, re[k] as number];
        [im[k], im[k + 1]] = [im[k + 1] as number, im[k] as number];
      }
      const [br, bi] = [re[k] as number, im[k] as number];
      re[k + 1] = (re[k + 1] as number) - ((lr[k] as number) * br - (li[k] as number) * bi);
      im[k + 1] = (im[k + 1] as number) - ((lr[k] as number) * bi + (li[k] as number) * br);
    }
    // Back substitution with U.
    for (let r = m - 1; r >= 0; r--) {
      let sr = re[r] as number;
      let si = im[r] as number;
      for (let c = r + 1; c < m; c++) {
        const [ur, ui] = [mr[r * m + c] as number, mi[r * m + c] as number];
        sr -= ur * (re[c] as number) - ui * (im[c] as number);
        si -= ur * (im[c] as number) + ui * (re[c] as number);
      }
      const [pr, pi] = [mr[r * m + r] as number, mi[r * m + r] as number];
      const d = pr * pr + pi * pi;
      re[r] = (sr * pr + si * pi) / d;
      im[r] = (si * pr - sr * pi) / d;
    }
    let size = 0;
    for (let r = 0; r < m; r++) size = Math.max(size, Math.abs(re[r] as number), Math.abs(im[r] as number));
    for (let r = 0; r < m; r++) {
      re[r] = (re[r] as number) / size;
      im[r] = (im[r] as number) / size;
    }
  }
  return { re, im };
}
