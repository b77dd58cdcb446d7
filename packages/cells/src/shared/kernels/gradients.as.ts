/**
 * AssemblyScript (WebAssembly SIMD): the parameter gradients every cell kernel takes after its
 * backward loop, summed over all N = T·B rows at once.
 *
 *   weight used as pre = operand · Wᵀ:   dW [G, K] = dPreᵀ · operand = (operandᵀ · dPre)ᵀ
 *
 * dPre [N, G] (read with row stride ldd, so a block of a wider row works) is packed into 8-column
 * panels once (packColumns) and can serve several weights; the product runs as operandᵀ · dPre (the
 * narrow operand as the strided left side, K ≤ G rows of output) and the small [K, G] result is
 * transposed into place.
 */
import { gemm, packB } from './gemm.as';
import { transpose } from './rows.as';

/** Packs G columns of dPre (row stride ldd) for weightGradientPacked: N · ceil8(G) values. */
export function packColumns(N: i32, G: i32, dPre: usize, ldd: i32, packed: usize): void {
  packB(N, G, dPre, ldd, 1, packed);
}

/** dW [G, K] from packed dPre columns and operand [N, K]; tmp holds K · G values. */
export function weightGradientPacked(N: i32, G: i32, K: i32, packed: usize, operand: usize, dW: usize, tmp: usize): void {
  gemm(K, G, N, operand, 1, K, packed, tmp, G, false);
  transpose(K, G, tmp, dW);
}

/** dW [G, K] = dPreᵀ · operand; packed holds N · ceil8(G) values, tmp K · G. */
export function weightGradient(N: i32, G: i32, K: i32, dPre: usize, ldd: i32, operand: usize, dW: usize, packed: usize, tmp: usize): void {
  packColumns(N, G, dPre, ldd, packed);
  weightGradientPacked(N, G, K, packed, operand, dW, tmp);
}

/** dx [N, I] = dPre · W for a weight W [G, I] used as pre = x · Wᵀ; packed holds G · ceil8(I) values. */
export function inputGradient(N: i32, G: i32, I: i32, dPre: usize, ldd: i32, W: usize, dx: usize, packed: usize): void {
  packB(G, I, W, I, 1, packed);
  gemm(N, I, G, dPre, ldd, 1, packed, dx, I, false);
}
