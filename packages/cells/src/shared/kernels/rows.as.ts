/**
 * AssemblyScript (WebAssembly SIMD): small whole-buffer helpers the cell kernels share.
 */
import { storeLanes } from './simd.as';

/** dst[r, c] = src[c, r]: src is R × C row-major, dst C × R. */
export function transpose(R: i32, C: i32, src: usize, dst: usize): void {
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) store<f32>(dst + ((<usize>(c * R + r)) << 2), load<f32>(src + ((<usize>(r * C + c)) << 2)));
  }
}

/** out[n] = Σ_r src[r, n] over R rows of N values, row stride ld (a bias gradient). */
export function columnSums(R: i32, N: i32, src: usize, ld: i32, out: usize): void {
  for (let n = 0; n < N; n += 4) {
    let sum = f32x4.splat(0);
    let p = src + ((<usize>n) << 2);
    const step = (<usize>ld) << 2;
    for (let r = 0; r < R; r++) {
      sum = f32x4.add(sum, v128.load(p));
      p += step;
    }
    storeLanes(out + ((<usize>n) << 2), sum, min(4, N - n));
  }
}

/** Each of R rows of dst (N values) = bias (or 0 when bias is 0), then + second (when not 0). */
export function fillRows(R: i32, N: i32, bias: usize, second: usize, dst: usize): void {
  const rowBytes = (<usize>N) << 2;
  for (let n = 0; n < N; n += 4) {
    let v = bias ? v128.load(bias + ((<usize>n) << 2)) : f32x4.splat(0);
    if (second) v = f32x4.add(v, v128.load(second + ((<usize>n) << 2)));
    const count = min(4, N - n);
    let p = dst + ((<usize>n) << 2);
    for (let r = 0; r < R; r++) {
      storeLanes(p, v, count);
      p += rowBytes;
    }
  }
}
