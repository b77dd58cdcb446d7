import { setupBackend, type CellPlugin } from '@unfold/core';
import { expectClose, makeCellCase, runCellHost, type CellCase } from '@unfold/testing';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gruCell, lstmCell, rnnCell, useKernels } from '../../src/index';
import { activeKernels, gruForward, lstmForward, rnnForward, type Kernels, type SequenceOutputs } from '../../src/kernels';

/**
 * `@unfold/cells/kernels`, the entry other packages (the compact engine, the optimizer updates) use: it
 * bundles without tfjs, and its forward-only runs from host arrays in ONNX layout equal the cells' tfjs
 * path on the same weights, with and without padded sequences.
 */
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };
const SHAPE = { T: 9, B: 6, I: 5 };

function data(c: CellCase, name: string): Float32Array | undefined {
  return c.weights[name]?.data as Float32Array | undefined;
}

function runEntry(kernels: Kernels, c: CellCase, mask: Float32Array | undefined): SequenceOutputs {
  const config = c.config as Record<string, unknown>;
  const common = { T: SHAPE.T, B: SHAPE.B, I: SHAPE.I, H: config.hiddenSize as number, x: c.x.data as Float32Array, W: data(c, 'W') as Float32Array, R: data(c, 'R') as Float32Array, bias: data(c, 'B'), h0: c.state0[0]?.data as Float32Array, mask };
  switch (c.plugin.kind) {
    case lstmCell.kind:
      return lstmForward(kernels, { ...common, c0: c.state0[1]?.data as Float32Array, P: data(c, 'P'), clip: config.clip as number | undefined, inputForget: config.inputForget as boolean });
    case gruCell.kind:
      return gruForward(kernels, { ...common, linearBeforeReset: config.linearBeforeReset as boolean });
    default:
      return rnnForward(kernels, { ...common, activation: config.activation as 'tanh' | 'relu' });
  }
}

const CASES: readonly { readonly plugin: CellPlugin; readonly options: readonly Readonly<Record<string, unknown>>[] }[] = [
  { plugin: lstmCell as CellPlugin, options: [{}, { bias: false }, { peepholes: true, clip: 0.6 }, { peepholes: true, inputForget: true }] },
  { plugin: gruCell as CellPlugin, options: [{}, { linearBeforeReset: false }, { bias: false }] },
  { plugin: rnnCell as CellPlugin, options: [{}, { activation: 'relu' }, { bias: false }] },
];

describe('@unfold/cells/kernels', () => {
  let kernels: Kernels;
  beforeAll(async () => {
    await setupBackend();
    useKernels('auto');
    kernels = activeKernels() as Kernels;
  });
  afterAll(() => useKernels('auto'));

  it('bundles without tfjs', async () => {
    const result = await build({ entryPoints: [fileURLToPath(new URL('../../src/kernels.ts', import.meta.url))], bundle: true, write: false, format: 'esm', platform: 'neutral', conditions: ['@unfold/source'], metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => path.includes('tensorflow'))).toEqual([]);
    expect(inputs.length).toBeGreaterThan(5);
  });

  it('loads a kernel build here', () => {
    expect(kernels).toBeDefined();
  });

  for (const { plugin, options } of CASES) {
    for (const config of options) {
      for (const masked of [false, true]) {
        it(`${plugin.kind} ${JSON.stringify(config)}${masked ? ' padded' : ''}: forward from host arrays equals the tfjs path`, () => {
          const lengths = Array.from({ length: SHAPE.B }, (_, b) => [SHAPE.T, 0, 4, 1][b % 4] as number);
          const c = makeCellCase(plugin, { inputSize: SHAPE.I, hiddenSize: 7, ...config }, { seed: 5, T: SHAPE.T, B: SHAPE.B, lengths });
          useKernels('off');
          const reference = runCellHost(c, 'sequence', masked ? { mask: c.mask } : {});
          useKernels('auto');
          const got = runEntry(kernels, c, masked ? (c.mask.data as Float32Array) : undefined);
          expectClose(got.y, reference.outputs.data as Float32Array, { ...TOLERANCE, label: `${plugin.kind} outputs` });
          expectClose(got.h, reference.state[0]?.data as Float32Array, { ...TOLERANCE, label: `${plugin.kind} final h` });
          if (got.c) expectClose(got.c, reference.state[1]?.data as Float32Array, { ...TOLERANCE, label: `${plugin.kind} final c` });
        });
      }
    }
  }
});

describe('@unfold/cells/kernels with cacheWeights', () => {
  beforeAll(async () => {
    await setupBackend();
    useKernels('auto');
  });

  it('packs W and R once per memory and offset, and gives what packing every call gives', () => {
    const kernels = activeKernels() as Kernels;
    const [T, B, I, H] = [5, 3, 4, 6];
    const G = 4 * H;
    const rng = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const next = rng(11);
    // Two directions' weights in one buffer, as an ONNX bidirectional node stores them: [D, G, I] and [D, G, H].
    const W = Float32Array.from({ length: 2 * G * I }, next);
    const R = Float32Array.from({ length: 2 * G * H }, next);
    const x = Float32Array.from({ length: T * B * I }, next);
    const run = (d: number, cacheWeights: boolean) => lstmForward(kernels, { T, B, I, H, x, W: W.subarray(d * G * I, (d + 1) * G * I), R: R.subarray(d * G * H, (d + 1) * G * H), h0: new Float32Array(B * H), c0: new Float32Array(B * H), cacheWeights });
    const live = kernels.heap.live;
    const first = [run(0, true), run(1, true)];
    expect(kernels.heap.live).toBe(live + 4);
    const again = [run(0, true), run(1, true)];
    expect(kernels.heap.live).toBe(live + 4);
    const uncached = [run(0, false), run(1, false)];
    expect(kernels.heap.live).toBe(live + 4);
    for (const d of [0, 1]) {
      expect(Array.from(again[d]!.y)).toEqual(Array.from(first[d]!.y));
      expect(Array.from(uncached[d]!.y)).toEqual(Array.from(first[d]!.y));
    }
    expect(Array.from(first[0]!.y)).not.toEqual(Array.from(first[1]!.y));
  });
});
