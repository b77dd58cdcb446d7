import { eigenvalues, modulus } from './eigenvalues';
import { applyShifts, hessenbergEigenvector } from './shifted-qr';

/**
 * The eigenvalue of largest modulus of a large (sparse) real matrix A, by the implicitly restarted Arnoldi
 * method (Sorensen 1992; the method of ARPACK's `dnaupd` with `which = "LM"`), in float64.
 *
 * Arnoldi: A V_m = V_m H_m + f e_mᵀ, with V_m an orthonormal basis of the Krylov space
 * span{v₁, A v₁, …, A^{m−1} v₁} (Gram–Schmidt run twice per vector, "twice is enough"), H_m the m×m upper
 * Hessenberg projection and f ⟂ V_m. The eigenvalues of H_m (Ritz values, from the dense Francis QR of
 * ./eigenvalues) approximate the outer eigenvalues of A. Unlike power iteration this works when the dominant
 * eigenvalues are a complex-conjugate pair, or many eigenvalues of nearly equal modulus, which is the rule
 * for random reservoirs (their spectrum fills a disk).
 *
 * Restart: keep the k Ritz values of largest modulus (k grows by one rather than split a conjugate pair) and
 * apply the other p = m − k as exact shifts by implicit QR steps on H_m, H⁺ = Qᵀ H_m Q. Then
 * V_k ← V_m Q[:, :k], f ← V_m Q[:, k]·H⁺[k, k−1] + f·Q[m−1, k−1], and Arnoldi extends the factorisation from
 * k back to m: the start vector has been filtered by the polynomial ∏(A − μⱼ I), which damps the unwanted part
 * of the spectrum while the wanted directions are kept.
 *
 * Convergence: the Ritz pair (θ, y) of largest modulus has residual ‖A V y − θ V y‖ = ‖f‖·|e_mᵀ y|; it is
 * accepted when that, relative to |θ|·‖y‖, is below `tolerance`, and the residual is then recomputed from A
 * itself. A Ritz value far outside the spectrum (possible for non-normal A) has a large residual, so it is
 * never accepted. When the Krylov space becomes invariant (f = 0), its Ritz values are exact eigenvalues.
 */
export interface ArnoldiOptions {
  /** Relative residual accepted. Default 1e-9. */
  readonly tolerance?: number;
  /** Krylov dimension m. Default 40 (at most n). */
  readonly dimension?: number;
  /** Ritz values kept at a restart. Default m/2. */
  readonly kept?: number;
  /** Restart cycles before giving up. Default 300. */
  readonly maxRestarts?: number;
}

export interface DominantEigenvalue {
  readonly re: number;
  /** >= 0: of a conjugate pair, the one with positive imaginary part. */
  readonly im: number;
  /** ‖A x − λ x‖ / (|λ|·‖x‖) of the returned pair, recomputed with A (0 for an exact invariant subspace). */
  readonly residual: number;
  /** Matrix–vector products used. */
  readonly products: number;
  readonly restarts: number;
}

/** y = A x for a linear operator on vectors of length n. */
export type MatVec = (x: Float64Array, y: Float64Array) => void;

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) + alpha * (x[i] as number);
}

/**
 * Eigenvalues of the leading j×j block of H (row stride `stride`) and their indices ordered by modulus,
 * largest first, each conjugate pair adjacent with +im first (the QR stores a pair as +im, −im in a row).
 */
function ritzValues(h: Float64Array, stride: number, j: number): { re: Float64Array; im: Float64Array; order: number[] } {
  const block = new Float64Array(j * j);
  for (let r = 0; r < j; r++) for (let c = 0; c < j; c++) block[r * j + c] = h[r * stride + c] as number;
  const { re, im } = eigenvalues(block, j);
  const size = (i: number): number => modulus(re[i] as number, im[i] as number);
  const order = Array.from({ length: j }, (_, i) => i)
    .filter((i) => (im[i] as number) >= 0)
    .sort((a, b) => size(b) - size(a) || (re[b] as number) - (re[a] as number))
    .flatMap((i) => ((im[i] as number) > 0 ? [i, i + 1] : [i]));
  return { re, im, order };
}

/** ‖A x − θ x‖ / (|θ|·‖x‖) for complex x = xr + i·xi and θ = tr + i·ti. */
function relativeResidual(multiply: MatVec, xr: Float64Array, xi: Float64Array, tr: number, ti: number): number {
  const n = xr.length;
  const ar = new Float64Array(n);
  const ai = new Float64Array(n);
  multiply(xr, ar);
  multiply(xi, ai);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const rr = (ar[i] as number) - tr * (xr[i] as number) + ti * (xi[i] as number);
    const ri = (ai[i] as number) - tr * (xi[i] as number) - ti * (xr[i] as number);
    sum += rr * rr + ri * ri;
  }
  const scale = Math.sqrt(dot(xr, xr) + dot(xi, xi)) * modulus(tr, ti);
  if (scale > 0) return Math.sqrt(sum) / scale;
  return sum === 0 ? 0 : Infinity;
}

/** The dominant eigenvalue of the n×n operator `multiply`, from the start vector `start` (deterministic). */
export function dominantEigenvalue(multiply: MatVec, n: number, start: Float64Array, options: ArnoldiOptions = {}): DominantEigenvalue {
  const tolerance = options.tolerance ?? 1e-9;
  const m = Math.min(n, Math.max(3, options.dimension ?? 40));
  const wantedKept = Math.max(1, Math.min(m - 1, options.kept ?? Math.floor(m / 2)));
  const maxRestarts = options.maxRestarts ?? 300;
  const stride = m;
  const h = new Float64Array((m + 1) * stride); // (m+1)×m: row m holds ‖f‖ at column m−1
  const basis: Float64Array[] = [];
  const w = new Float64Array(n);
  let products = 0;

  const norm0 = Math.sqrt(dot(start, start));
  if (!(norm0 > 0) || !Number.isFinite(norm0)) throw new RangeError('dominantEigenvalue: the start vector must be finite and non-zero');
  basis.push(start.map((x) => x / norm0));
  let from = 0;

  for (let restarts = 0; ; restarts++) {
    // Extend the Arnoldi factorisation from `from` to m columns.
    for (let j = from; j < m; j++) {
      multiply(basis[j] as Float64Array, w);
      products += 1;
      const before = Math.sqrt(dot(w, w));
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i <= j; i++) {
          const vi = basis[i] as Float64Array;
          const c = dot(vi, w);
          h[i * stride + j] = (h[i * stride + j] as number) + c;
          axpy(-c, vi, w);
        }
      }
      const beta = Math.sqrt(dot(w, w));
      h[(j + 1) * stride + j] = beta;
      if (beta <= 1e-12 * before) {
        // Invariant subspace: the Ritz values of H_{j+1} are eigenvalues of A.
        const { re, im, order } = ritzValues(h, stride, j + 1);
        const top = order[0] as number;
        return { re: re[top] as number, im: Math.abs(im[top] as number), residual: 0, products, restarts };
      }
      basis[j + 1] = w.map((x) => x / beta);
    }
    const { re, im, order } = ritzValues(h, stride, m);
    const top = order[0] as number;
    const theta = { re: re[top] as number, im: Math.abs(im[top] as number) };
    const y = hessenbergEigenvector(h, stride, m, theta.re, theta.im);
    const beta = h[m * stride + m - 1] as number;
    const estimate = (beta * modulus(y.re[m - 1] as number, y.im[m - 1] as number)) / (Math.sqrt(dot(y.re, y.re) + dot(y.im, y.im)) * modulus(theta.re, theta.im));
    if (estimate <= tolerance) {
      const x = { re: new Float64Array(n), im: new Float64Array(n) };
      for (let i = 0; i < m; i++) {
        axpy(y.re[i] as number, basis[i] as Float64Array, x.re);
        axpy(y.im[i] as number, basis[i] as Float64Array, x.im);
      }
      const residual = relativeResidual(multiply, x.re, x.im, theta.re, theta.im);
      products += 2;
      if (residual <= 10 * tolerance) return { ...theta, residual, products, restarts };
    }
    if (restarts === maxRestarts) {
      throw new Error(`dominantEigenvalue: no convergence after ${maxRestarts} restarts (${products} products); last residual estimate ${estimate.toExponential(2)}, expected <= ${tolerance}`);
    }
    // Keep k Ritz values, never splitting a conjugate pair; shift by the other m − k.
    let k = wantedKept;
    if ((im[order[k - 1] as number] as number) > 0) k += k + 1 < m ? 1 : -1;
    const shifts = order.slice(k).map((i) => ({ re: re[i] as number, im: im[i] as number }));
    const q = applyShifts(h, stride, m, shifts);
    // V_k ← V_m Q[:, :k]; f ← V_m Q[:, k]·H⁺[k, k−1] + f·Q[m−1, k−1].
    const f = (basis[m] as Float64Array).map((x) => x * beta);
    const fScale = h[k * stride + k - 1] as number;
    const kept: Float64Array[] = [];
    for (let c = 0; c <= k; c++) {
      const v = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        const qic = q[i * m + c] as number;
        if (qic !== 0) axpy(qic, basis[i] as Float64Array, v);
      }
      kept.push(v);
    }
    const residualVector = (kept[k] as Float64Array).map((x) => x * fScale);
    axpy(q[(m - 1) * m + k - 1] as number, f, residualVector);
    // f ⟂ V_k in exact arithmetic; one more Gram–Schmidt pass keeps it so (the corrections join H).
    for (let i = 0; i < k; i++) {
      const c = dot(kept[i] as Float64Array, residualVector);
      h[i * stride + k - 1] = (h[i * stride + k - 1] as number) + c;
      axpy(-c, kept[i] as Float64Array, residualVector);
    }
    const newBeta = Math.sqrt(dot(residualVector, residualVector));
    basis.length = 0;
    basis.push(...kept.slice(0, k));
    for (let r = 0; r <= m; r++) for (let c = 0; c < m; c++) if (r >= k || c >= k) h[r * stride + c] = 0;
    h[k * stride + k - 1] = newBeta;
    if (newBeta === 0) {
      const ritz = ritzValues(h, stride, k);
      const best = ritz.order[0] as number;
      return { re: ritz.re[best] as number, im: Math.abs(ritz.im[best] as number), residual: 0, products, restarts };
    }
    basis.push(residualVector.map((x) => x / newBeta));
    from = k;
  }
}
