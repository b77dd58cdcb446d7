import { useKernels } from '@unfold/cells/kernels';
import { createModelBuilder, serializeGraph } from '@unfold/onnx';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createChecked } from '../../onnx/test/ort';

/**
 * MatMul and Gemm large enough for the WebAssembly SIMD GEMM (and small enough for the plain loops), B as
 * a graph input and as an initializer (packed once and kept), Gemm with transB, alpha, beta and a bias,
 * batched MatMul with a broadcast B: the engine against onnxruntime-node within 1e-5 (createChecked runs
 * both on every call), on both paths, each model run twice so a kept B is read again.
 */
function values(count: number, seed: number, scale = 0.2): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * scale);
}

interface Case {
  readonly name: string;
  readonly op: 'MatMul' | 'Gemm';
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly bias?: readonly number[];
  readonly constantB: boolean;
  readonly attributes?: Readonly<Record<string, number | { float: number }>>;
}

const CASES: readonly Case[] = [
  { name: 'MatMul [70, 33]·[33, 21], B an input', op: 'MatMul', a: [70, 33], b: [33, 21], constantB: false },
  { name: 'MatMul [70, 33]·[33, 21], B an initializer', op: 'MatMul', a: [70, 33], b: [33, 21], constantB: true },
  { name: 'MatMul [2, 3, 50, 40]·[40, 17] (B broadcast over the batch), B an initializer', op: 'MatMul', a: [2, 3, 50, 40], b: [40, 17], constantB: true },
  { name: 'MatMul [3, 1, 300]·[3, 300, 9] (one row each, K past a block)', op: 'MatMul', a: [3, 1, 300], b: [3, 300, 9], constantB: false },
  { name: 'MatMul [4, 5]·[5, 3] (the plain loops)', op: 'MatMul', a: [4, 5], b: [5, 3], constantB: true },
  { name: 'Gemm transB with alpha, beta and a bias row, B an initializer', op: 'Gemm', a: [64, 48], b: [29, 48], bias: [29], constantB: true, attributes: { transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } } },
  { name: 'Gemm transA, B an input', op: 'Gemm', a: [48, 64], b: [48, 29], bias: [64, 29], constantB: false, attributes: { transA: 1 } },
];

function model(c: Case): { bytes: Uint8Array; feeds: Record<string, Float32Array> } {
  const names = ['A', ...(c.constantB ? [] : ['B']), ...(c.bias ? ['C'] : []), 'Y'];
  const graph = createModelBuilder(names);
  const size = (dims: readonly number[]) => dims.reduce((x, y) => x * y, 1);
  const feeds: Record<string, Float32Array> = { A: values(size(c.a), 3) };
  const A = graph.input('A', { dtype: 'float32', shape: [...c.a] });
  const bData = values(size(c.b), 5);
  const B = c.constantB ? graph.constant('B', { shape: [...c.b], data: bData }) : graph.input('B', { dtype: 'float32', shape: [...c.b] });
  if (!c.constantB) feeds.B = bData;
  const inputs = [A, B];
  if (c.bias) {
    inputs.push(graph.input('C', { dtype: 'float32', shape: [...c.bias] }));
    feeds.C = values(size(c.bias), 7);
  }
  const [y] = graph.node(c.op, inputs, c.attributes ?? {});
  graph.output('Y', y as string, { dtype: 'float32' });
  return { bytes: serializeGraph(graph, { name: c.name }), feeds };
}

for (const mode of ['auto', 'off'] as const) {
  describe(`MatMul and Gemm against onnxruntime-node (${mode === 'auto' ? 'WebAssembly kernels' : 'plain loops'})`, () => {
    beforeAll(() => useKernels(mode));
    afterAll(() => useKernels('auto'));
    for (const c of CASES) {
      it(c.name, async () => {
        const { bytes, feeds } = model(c);
        const dims = { A: c.a, B: c.b, C: c.bias ?? [] } as Record<string, readonly number[]>;
        // Every run of the checked session runs the engine's session for the same bytes too and compares.
        const checked = await createChecked(bytes);
        for (let round = 0; round < 2; round++) await checked.run(Object.fromEntries(Object.entries(feeds).map(([name, data]) => [name, new ort.Tensor('float32', data, [...(dims[name] as number[])])])));
        await checked.release();
      });
    }
  });
}
