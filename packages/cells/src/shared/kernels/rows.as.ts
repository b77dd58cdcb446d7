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

/** out[n] = Σ_r src[r, n] over R rows of N values, row stride ld (a bias gradient); rows read in order. */
export function columnSums(R: i32, N: i32, src: usize, ld: i32, out: usize): void {
  fillRows(1, N, 0, 0, out);
  const step = (<usize>ld) << 2;
  let row = src;
  for (let r = 0; r < R; r++) {
    for (let n = 0; n < N; n += 4) {
      const o = out + ((<usize>n) << 2);
      storeLanes(o, f32x4.add(v128.load(o), v128.load(row + ((<usize>n) << 2))), min(4, N - n));
    }
    row += step;
  }
}

/** Each of R rows of dst (N values) = bias (or 0 when bias is 0), then + second (when not 0); rows written in order. */
export function fillRows(R: i32, N: i32, bias: usize, second: usize, dst: usize): void {
  if (R <= 0) return;
  const rowBytes = (<usize>N) << 2;
  for (let n = 0; n < N; n += 4) {
    let v = bias ? v128.load(bias + ((<usize>n) << 2)) : f32x4.splat(0);
    if (second) v = f32x4.add(v, v128.load(second + ((<usize>n) << 2)));
    storeLanes(dst + ((<usize>n) << 2), v, min(4, N - n));
  }
  for (let r = 1; r < R; r++) memory.copy(dst + rowBytes * r, dst, rowBytes);
}
