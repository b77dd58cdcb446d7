import { activeKernels, matmul } from '@unfold/cells/kernels';
import { shapeError } from '../errors';
import { Tensor } from '../tensor';
import { floatAttr, intAttr } from './attributes';
import { broadcastShape } from './broadcast';
import type { Operator } from './operator';
import { sizeOf } from '../tensor';

/**
 * MatMul (numpy semantics: 1-D operands promoted and the added dim removed, batch dims broadcast) and
 * Gemm, on float32: each matrix product on the WebAssembly SIMD GEMM of `@unfold/cells/kernels` where the
 * kernels load and the product is large enough to pay for the copies (B packed once when it is an
 * initializer), else in plain loops in i-k-j order (the inner loop walks a row of B and a row of C, both
 * contiguous).
 */
function floats(t: Tensor, where: string): Float32Array {
  if (t.type !== 'float32') throw shapeError(where, 'a float32 operand', 'float32', t.type);
  return t.data as Float32Array;
}

/** C[m×n] += A[m×k]·B[k×n] for one matrix pair at the given offsets. */
export function gemmInto(a: Float32Array, ao: number, b: Float32Array, bo: number, c: Float32Array, co: number, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = co + i * n;
    for (let p = 0; p < k; p++) {
      const v = a[ao + i * k + p] as number;
      const brow = bo + p * n;
      for (let j = 0; j < n; j++) c[row + j]! += v * (b[brow + j] as number);
    }
  }
}

/** Below this many multiply-adds the plain loops beat the copies into and out of the kernels' memory. */
const KERNEL_MIN_PRODUCT = 4096;

/**
 * C[m×n] = A[m×k]·B into c at co (c holds zeros there), B read as B(p, j) = b[bo + p·n + j], or with
 * `transposedB` as b[bo + j·k + p] (B stored [n, k]). `fixedB`: B is an initializer (the same values every run).
 */
function product(a: Float32Array, ao: number, b: Float32Array, bo: number, c: Float32Array, co: number, m: number, k: number, n: number, fixedB: boolean, transposedB = false): void {
  const kernels = m * k * n >= KERNEL_MIN_PRODUCT ? activeKernels() : undefined;
  if (kernels) {
    const [sk, sn] = transposedB ? [1, k] : [n, 1];
    c.set(matmul(kernels, m, k, n, a.subarray(ao, ao + m * k), b.subarray(bo, bo + k * n), sk, sn, fixedB), co);
    return;
  }
  gemmInto(a, ao, transposedB ? transposed(b.subarray(bo, bo + k * n), n, k) : b, transposedB ? 0 : bo, c, co, m, k, n);
}

export const MatMul: Operator = {
  since: 13,
  until: 17,
  run([x, y], { where, isInitializer }) {
    const [a, b] = [x as Tensor, y as Tensor];
    const aDims = a.dims.length === 1 ? [1, a.dims[0] as number] : a.dims;
    const bDims = b.dims.length === 1 ? [b.dims[0] as number, 1] : b.dims;
    if (aDims.length < 2 || bDims.length < 2) throw shapeError(where, 'MatMul of a scalar', 'tensors of rank ≥ 1', `[${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
    const [m, k] = aDims.slice(-2) as [number, number];
    const [k2, n] = bDims.slice(-2) as [number, number];
    if (k !== k2) throw shapeError(where, 'the inner dims differ', `A's last dim equal to B's second-to-last`, `[${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
    const batch = broadcastShape([aDims.slice(0, -2), bDims.slice(0, -2)], where);
    const count = sizeOf(batch);
    const out = new Float32Array(count * m * n);
    const [av, bv] = [floats(a, where), floats(b, where)];
    const aBatch = sizeOf(aDims.slice(0, -2));
    const bBatch = sizeOf(bDims.slice(0, -2));
    // Batch index → operand batch index under broadcasting: row-major over `batch`, stretched dims stay 0.
    const operandIndex = (dims: readonly number[], flat: number) => {
      let index = 0;
      let stride = 1;
      for (let d = batch.length - 1, rest = flat, o = dims.length - 1; d >= 0; d--, o--) {
        const coordinate = rest % (batch[d] as number);
        rest = Math.floor(rest / (batch[d] as number));
        if (o >= 0) {
          if ((dims[o] as number) !== 1) index += coordinate * stride;
          stride *= dims[o] as number;
        }
      }
      return index;
    };
    for (let i = 0; i < count; i++) {
      const ai = aBatch === count ? i : operandIndex(aDims.slice(0, -2), i);
      const bi = bBatch === count ? i : operandIndex(bDims.slice(0, -2), i);
      product(av, ai * m * k, bv, bi * k * n, out, i * m * n, m, k, n, isInitializer(1));
    }
    const dims = [...batch, ...(a.dims.length === 1 ? [] : [m]), ...(b.dims.length === 1 ? [] : [n])];
    return [new Tensor('float32', out, dims)];
  },
};

/** Y = alpha·A'·B' + beta·C, A' and B' optionally transposed, C broadcast to [M, N]. */
export const Gemm: Operator = {
  since: 13,
  until: 17,
  run([x, y, z], { node, where, isInitializer }) {
    const [a, b] = [x as Tensor, y as Tensor];
    const transA = intAttr(node, 'transA', 0) === 1;
    const transB = intAttr(node, 'transB', 0) === 1;
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    if (a.dims.length !== 2 || b.dims.length !== 2) throw shapeError(where, 'Gemm takes matrices', 'A and B of rank 2', `[${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
    const [m, k] = (transA ? [a.dims[1], a.dims[0]] : a.dims) as [number, number];
    const [k2, n] = (transB ? [b.dims[1], b.dims[0]] : b.dims) as [number, number];
    if (k !== k2) throw shapeError(where, 'the inner dims differ', 'equal inner dims after transA/transB', `[${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
    const av = transA ? transposed(floats(a, where), k, m) : floats(a, where);
    const out = new Float32Array(m * n);
    product(av, 0, floats(b, where), 0, out, 0, m, k, n, isInitializer(1), transB);
    if (alpha !== 1) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * alpha;
    if (z && beta !== 0) {
      const c = floats(z, where);
      const cDims = z.dims;
      broadcastShape([cDims, [m, n]], where);
      const rows = cDims.length === 2 ? (cDims[0] as number) : 1;
      const cols = cDims.length >= 1 ? (cDims[cDims.length - 1] as number) : 1;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j]! += beta * (c[(rows === 1 ? 0 : i) * cols + (cols === 1 ? 0 : j)] as number);
    }
    return [new Tensor('float32', out, [m, n])];
  },
};

/** The transpose of a rows×cols matrix. */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] as number;
  return out;
}
