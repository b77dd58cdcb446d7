/**
 * AssemblyScript (WebAssembly SIMD): C = A·B or C += A·B, the one matrix product every kernel calls.
 *
 *   C[m, n] (+)= Σ_k a(m, k) · B[k, n]      m < M, n < N, k < K
 *
 * a(m, k) = A[m·ams + k·aks] reads A through two strides, so the same code runs A·B (ams = K, aks = 1)
 * and Aᵀ·B (ams = 1, aks = M: the weight gradients, summed over all T·B rows). B is row-major with row
 * stride ldb, C with row stride ldc; all pointers are byte addresses of f32 data.
 *
 * Blocking: B is packed (packB) into panels of 8 columns, each K × 8 contiguous, so a panel streams
 * through L1 in order (unpacked, a weight [512, 2048] read 8 columns at a time hits one cache set with
 * every row: 19 against 27 GFLOP/s measured here). For each panel, kept in L1 while every row block
 * uses it, the rows go in blocks of 4; one 4 × 8 tile holds its 32 sums in 8 vector registers over the
 * whole K loop (per k: two loads of B, four broadcasts of A, eight multiply-adds). Left-over rows use a
 * 1 × 8 tile; the last panel, padded with zero columns, stores only its real columns.
 */
import { madd } from './simd.as';

@inline
function addStore(p: usize, v: v128, accumulate: bool): void {
  v128.store(p, accumulate ? f32x4.add(v128.load(p), v) : v);
}

/** Stores the first `count` (1–8) of the 8 sums in (v0, v1) at c, adding to what is there when accumulating. */
@inline
function addStoreLanes(c: usize, v0: v128, v1: v128, count: i32, accumulate: bool): void {
  if (count == 8) {
    addStore(c, v0, accumulate);
    addStore(c + 16, v1, accumulate);
    return;
  }
  for (let j = 0; j < count; j++) {
    const v = j < 4 ? v0 : v1;
    const lane = j & 3;
    const x = lane == 0 ? f32x4.extract_lane(v, 0) : lane == 1 ? f32x4.extract_lane(v, 1) : lane == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    const p = c + ((<usize>j) << 2);
    store<f32>(p, accumulate ? load<f32>(p) + x : x);
  }
}

@inline
function tile4x8(K: i32, a: usize, rowStep: usize, kStep: usize, b: usize, bStep: usize, c: usize, cStep: usize, width: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = a;
  const a1 = rowStep, a2 = rowStep * 2, a3 = rowStep * 3;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const x0 = v128.load32_splat(a0);
    const x1 = v128.load32_splat(a0 + a1);
    const x2 = v128.load32_splat(a0 + a2);
    const x3 = v128.load32_splat(a0 + a3);
    c00 = madd(x0, b0, c00);
    c01 = madd(x0, b1, c01);
    c10 = madd(x1, b0, c10);
    c11 = madd(x1, b1, c11);
    c20 = madd(x2, b0, c20);
    c21 = madd(x2, b1, c21);
    c30 = madd(x3, b0, c30);
    c31 = madd(x3, b1, c31);
    a0 += kStep;
    b += bStep;
  }
  addStoreLanes(c, c00, c01, width, accumulate);
  addStoreLanes(c + cStep, c10, c11, width, accumulate);
  addStoreLanes(c + cStep * 2, c20, c21, width, accumulate);
  addStoreLanes(c + cStep * 3, c30, c31, width, accumulate);
}

/**
 * One row: with only two sums, each multiply-add waits for the previous one into the same register, so
 * four k in a row go to four pairs of sums (added at the end) and the loads, not that wait, set the pace.
 * This is the whole product at batch 1 (inference's recurrent step): M 1, K 128, N 512 runs at 16.4 GFLOP/s
 * (8 µs, 32 GB/s of packed B from L2) measured here; the LSTM 128 forward at batch 1 went from 0.905 to 0.79 ms of CPU.
 */
@inline
function tile1x8(K: i32, a: usize, kStep: usize, b: usize, bStep: usize, c: usize, width: i32, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
  let e0 = f32x4.splat(0), e1 = f32x4.splat(0), f0 = f32x4.splat(0), f1 = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const x0 = v128.load32_splat(a);
    const x1 = v128.load32_splat(a + kStep);
    const x2 = v128.load32_splat(a + kStep * 2);
    const x3 = v128.load32_splat(a + kStep * 3);
    c0 = madd(x0, v128.load(b), c0);
    c1 = madd(x0, v128.load(b, 16), c1);
    d0 = madd(x1, v128.load(b + bStep), d0);
    d1 = madd(x1, v128.load(b + bStep, 16), d1);
    e0 = madd(x2, v128.load(b + bStep * 2), e0);
    e1 = madd(x2, v128.load(b + bStep * 2, 16), e1);
    f0 = madd(x3, v128.load(b + bStep * 3), f0);
    f1 = madd(x3, v128.load(b + bStep * 3, 16), f1);
    a += kStep * 4;
    b += bStep * 4;
  }
  for (; k < K; k++) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    a += kStep;
    b += bStep;
  }
  c0 = f32x4.add(f32x4.add(c0, d0), f32x4.add(e0, f0));
  c1 = f32x4.add(f32x4.add(c1, d1), f32x4.add(e1, f1));
  addStoreLanes(c, c0, c1, width, accumulate);
}

/**
 * Packs B (K × N, read as B(k, n) = src[k·sk + n·sn], so a transposed matrix packs as well) into
 * panels of 8 columns, panel after panel, each K rows of 8 contiguous values; the last panel's missing
 * columns are 0. The packed size is K · ceil(N / 8) · 8 values.
 */
export function packB(K: i32, N: i32, src: usize, sk: i32, sn: i32, P: usize): void {
  for (let n0 = 0; n0 < N; n0 += 8) {
    if (sn == 1 && n0 + 8 <= N) {
      // Rows of 8 contiguous values: two vector copies per row.
      let from = src + ((<usize>n0) << 2);
      const step = (<usize>sk) << 2;
      for (let k = 0; k < K; k++) {
        v128.store(P, v128.load(from));
        v128.store(P, v128.load(from, 16), 16);
        from += step;
        P += 32;
      }
      continue;
    }
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < 8; j++) {
        const n = n0 + j;
        store<f32>(P, n < N ? load<f32>(src + ((<usize>(k * sk + n * sn)) << 2)) : 0);
        P += 4;
      }
    }
  }
}

/** Rows of B a block of the product reads at once: a panel's 256 × 8 values (8 KB) stay in L1. */
const KC: i32 = 256;

/**
 * C (+)= A·B with B packed by packB. Every panel is 8 wide; the last panel's stores keep to the N columns.
 * K is cut into blocks of KC rows (the panels' rows for one block are contiguous), each block adding to C.
 */
export function gemm(M: i32, N: i32, K: i32, A: usize, ams: i32, aks: i32, P: usize, C: usize, ldc: i32, accumulate: bool): void {
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    gemmBlock(M, N, kc, K, A + ((<usize>(k0 * aks)) << 2), ams, aks, P + ((<usize>k0) << 5), C, ldc, accumulate || k0 > 0);
  }
  if (K == 0 && !accumulate) {
    for (let m = 0; m < M; m++) memory.fill(C + ((<usize>(m * ldc)) << 2), 0, (<usize>N) << 2);
  }
}

/** One K block: kc rows of every panel, whose full height is K. */
function gemmBlock(M: i32, N: i32, kc: i32, K: i32, A: usize, ams: i32, aks: i32, P: usize, C: usize, ldc: i32, accumulate: bool): void {
  const rowStep = (<usize>ams) << 2;
  const kStep = (<usize>aks) << 2;
  const cStep = (<usize>ldc) << 2;
  const panelBytes = (<usize>K) << 5;
  const M4 = M & ~3;
  for (let n = 0; n < N; n += 8) {
    const b = P + panelBytes * (<usize>(n >> 3));
    const width = min(8, N - n);
    const c0 = C + ((<usize>n) << 2);
    let m = 0;
    for (; m < M4; m += 4) tile4x8(kc, A + rowStep * m, rowStep, kStep, b, 32, c0 + cStep * m, cStep, width, accumulate);
    for (; m < M; m++) tile1x8(kc, A + rowStep * m, kStep, b, 32, c0 + cStep * m, width, accumulate);
  }
}
