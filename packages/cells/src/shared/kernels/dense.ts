/**
 * The affine map of a dense layer on the kernels, from host arrays, and its gradients:
 *
 *   y  = x · Wᵀ + b          x [N, I], W [O, I] (nn.Linear's layout), b [O] or none
 *   dx = dy · W              dW = dyᵀ · x              db = Σ_rows dy
 *
 * The products are gradients.as.ts's `project` (rows split between the threads) and, backward, the
 * shared parameterGradients (dx by rows, dW and db by output columns). Nothing is kept between the two
 * calls: the backward puts x and W again (the caller holds them), which costs less than keeping them.
 */
import type { Kernels } from './module';
import { parameterGradients } from './parameter-gradients';
import { KernelSession, offset, panels } from './session';

export interface DenseShape {
  readonly N: number;
  readonly I: number;
  readonly O: number;
}

/** y [N, O] = x · Wᵀ + b. */
export function denseForward(kernels: Kernels, { N, I, O }: DenseShape, x: Float32Array, W: Float32Array, bias: Float32Array | undefined): Float32Array {
  if (N === 0) return new Float32Array(0);
  const s = new KernelSession(kernels);
  const at = { x: s.put(x), W: s.put(W), bias: bias ? s.put(bias) : 0, WP: s.alloc(I * panels(O)), y: s.alloc(N * O) };
  s.call('packB', I, O, at.W, 1, I, at.WP); // B(k = i, n = o) = W[o, i]
  s.parallel(s.split(N, 4).map((r) => [{ fn: 'project', args: [r.size, O, I, offset(at.x, r.start * I), at.WP, at.bias, 0, offset(at.y, r.start * O)] }]));
  return s.read(at.y, N * O);
}

/** dx [N, I], dW [O, I] and, with a bias, db [O], from dy [N, O]. */
export function denseBackward(kernels: Kernels, { N, I, O }: DenseShape, x: Float32Array, W: Float32Array, dy: Float32Array, withBias: boolean): { dx: Float32Array; dW: Float32Array; db?: Float32Array } {
  if (N === 0) return { dx: new Float32Array(0), dW: new Float32Array(O * I), ...(withBias ? { db: new Float32Array(O) } : {}) };
  const s = new KernelSession(kernels);
  const at = { x: s.put(x), W: s.put(W), dy: s.put(dy), dx: s.alloc(N * I), dW: s.alloc(O * I), db: s.alloc(O) };
  parameterGradients(s, N, { dPre: at.dy, ld: O, G: O, I, W: at.W, dx: at.dx }, [{ dPre: at.dy, ld: O, cols: O, targets: [{ operand: at.x, K: I, dW: at.dW }], dbias: at.db }]);
  return { dx: s.read(at.dx, N * I), dW: s.read(at.dW, O * I), ...(withBias ? { db: s.read(at.db, O) } : {}) };
}

/**
 * C [M, N] = A [M, K] · B, with B read as B(k, n) = b[k·sk + n·sn]: a [K, N] row-major matrix is sk = N,
 * sn = 1, a [N, K] one used transposed (ONNX Gemm's transB) sk = 1, sn = K. With `cacheB` (B is a fixed
 * weight: the compact engine's initializers) B is packed once and kept while its memory lives.
 */
export function matmul(kernels: Kernels, M: number, K: number, N: number, a: Float32Array, b: Float32Array, sk: number, sn: number, cacheB: boolean): Float32Array {
  if (M === 0 || N === 0) return new Float32Array(M * N);
  const s = new KernelSession(kernels);
  const BP = s.packed(b, K, N, sk, sn, cacheB);
  const at = { a: s.put(a), c: s.alloc(M * N) };
  s.parallel(s.split(M, 4).map((r) => [{ fn: 'gemm', args: [r.size, N, K, offset(at.a, r.start * K), K, 1, BP, offset(at.c, r.start * N), N, 0] }]));
  return s.read(at.c, M * N);
}
