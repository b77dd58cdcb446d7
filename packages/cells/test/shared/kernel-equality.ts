import { setupBackend, type CellPlugin } from '@unfold/core';
import { cellGradients, differentiableNames, expectClose, expectResultsClose, makeCellCase, runCellHost } from '@unfold/testing';
import { afterEach, beforeAll, describe, it } from 'vitest';
import { esnCell, gruCell, leakyCell, lstmCell, rnnCell, useKernels } from '../../src/index';

/**
 * The WebAssembly SIMD kernels against the tfjs implementation of the same fused op, forced one after
 * the other on the same case: outputs, final states and every gradient within 1e-5 + 1e-5·|b|. The
 * shapes are chosen to reach every code path of the kernels: batch rows in blocks of 4 and left over,
 * gate widths that fill 8-column panels and that leave a partial one, H not a multiple of 4 (partial
 * vectors), T·B > 256 rows (the products' K blocks), masks with empty and partial sequences, clip,
 * peepholes and the coupled input-forget gate.
 */
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

const SHAPES = [
  { T: 3, B: 1, I: 1, H: 1 },
  { T: 7, B: 5, I: 3, H: 6 },
  { T: 40, B: 9, I: 13, H: 37 },
];

const CASES: readonly { readonly plugin: CellPlugin; readonly options: readonly Readonly<Record<string, unknown>>[] }[] = [
  {
    plugin: lstmCell as CellPlugin,
    options: [{}, { bias: false }, { peepholes: true, clip: 0.6 }, { peepholes: true, inputForget: true, forgetBias: 1 }],
  },
  { plugin: gruCell as CellPlugin, options: [{}, { bias: false }, { linearBeforeReset: false }, { linearBeforeReset: false, bias: false }] },
  { plugin: rnnCell as CellPlugin, options: [{}, { bias: false }, { activation: 'relu' }] },
  { plugin: leakyCell as CellPlugin, options: [{}, { learnAlpha: true }, { alpha: 0.3, learnAlpha: true, bias: false }, { activation: 'relu', alphaRange: [0.05, 0.8], learnAlpha: true }] },
  { plugin: esnCell as CellPlugin, options: [{}, { feedbackSize: 2, leakRate: 0.6 }] },
];

function compareOnBothPaths(plugin: CellPlugin, config: Record<string, unknown>, shape: { T: number; B: number }, masked: boolean): void {
  const lengths = Array.from({ length: shape.B }, (_, b) => [shape.T, 0, Math.ceil(shape.T / 2), 1][b % 4] as number);
  const c = makeCellCase(plugin, config, { seed: 3, T: shape.T, B: shape.B, lengths });
  const inputs = masked ? { mask: c.mask } : {};
  const run = (mode: 'auto' | 'off') => {
    useKernels(mode);
    return { result: runCellHost(c, 'sequence', inputs), grads: cellGradients(c, 'sequence', { masked }) };
  };
  const kernel = run('auto');
  const tfjs = run('off');
  expectResultsClose(kernel.result, tfjs.result, c, `${plugin.kind} kernel vs tfjs forward`, TOLERANCE);
  for (const name of differentiableNames(c)) {
    expectClose(kernel.grads.gradients[name] as Float32Array, tfjs.grads.gradients[name] as Float32Array, { ...TOLERANCE, label: `${plugin.kind} kernel vs tfjs d loss / d ${name}${masked ? ' (mask)' : ''}` });
  }
}

/** Every cell × option set × shape × mask: the kernels (as loaded in this process) against the tfjs path. */
export function describeKernelEquality(title: string): void {
  describe(title, () => {
    beforeAll(async () => {
      await setupBackend();
    });
    afterEach(() => useKernels('auto'));
    for (const { plugin, options } of CASES) {
      for (const shape of SHAPES) {
        for (const extra of options) {
          const config = { inputSize: shape.I, hiddenSize: shape.H, ...extra };
          for (const masked of [false, true]) {
            it(`${plugin.kind} ${JSON.stringify(extra)} T ${shape.T} B ${shape.B} I ${shape.I} H ${shape.H}${masked ? ' masked' : ''}: equal to the tfjs path`, () => {
              compareOnBothPaths(plugin, config, shape, masked);
            });
          }
        }
      }
    }
  });
}
