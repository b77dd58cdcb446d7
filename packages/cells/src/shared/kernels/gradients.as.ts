/**
 * AssemblyScript (WebAssembly SIMD): the products every cell kernel shares around its step loops,
 * each over a block of rows or of gate columns so that two threads can split the work (the host
 * offsets the pointers; ld· are the full row strides).
 *
 *   project:          out = bias (+ bias2) + x · Wᵀ            the input projection of all T·B rows
 *   inputGradient:    dx  = dPre · W                          W used as pre = x · Wᵀ
 *   weightGradient:   dW  = dPreᵀ · operand = (operandᵀ · dPre)ᵀ, summed over all N rows
 *
 * For a weight gradient the block of dPre's columns is packed into 8-column panels once (packColumns)
 * and can serve several weights; the product runs as operandᵀ · dPre (the narrow operand as the
 * strided left side) and the small [K, Gs] result is transposed into rows g0 … g0 + Gs of dW.
 */
import { gemm, packB } from './gemm.as';
import { fillRows, transpose } from './rows.as';

/** out [N, G] = bias (+ bias2; either may be 0) + x [N, I] · Wᵀ, with WP = packB(I, G, W, 1, I). */
export function project(N: i32, G: i32, I: i32, x: usize, WP: usize, bias: usize, bias2: usize, out: usize): void {
  fillRows(N, G, bias, bias2, out);
  gemm(N, G, I, x, I, 1, WP, out, G, true);
}

/** dx [N, I] = dPre [N, G] (row stride ldd) · W, with WP = packB(G, I, W, I, 1). */
export function inputGradient(N: i32, G: i32, I: i32, dPre: usize, ldd: i32, WP: usize, dx: usize): void {
  gemm(N, I, G, dPre, ldd, 1, WP, dx, I, false);
}

/** Packs Gs columns of dPre (row stride ldd) for weightGradient: N · ceil8(Gs) values. */
export function packColumns(N: i32, Gs: i32, dPre: usize, ldd: i32, packed: usize): void {
  packB(N, Gs, dPre, ldd, 1, packed);
}

/** Gs rows of dW ([·, K]) from packed dPre columns and operand [N, K]; tmp holds K · Gs values. */
export function weightGradient(N: i32, Gs: i32, K: i32, packed: usize, operand: usize, dW: usize, tmp: usize): void {
  gemm(K, Gs, N, operand, 1, K, packed, tmp, Gs, false);
  transpose(K, Gs, tmp, dW);
}
