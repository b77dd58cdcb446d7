// Bundled by kernels.browser.test.ts for a headless Chromium page (no cross-origin isolation, so no
// SharedArrayBuffer: one thread, as a browser gives by default): trains-style forward + backward of an
// LSTM and a GRU through the cells' fused op on the WebAssembly kernels and on the tfjs path.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@unfold/core';
import { gruCell, kernelBuild, kernelThreads, loadKernels, lstmCell, useKernels } from '../../src/index';

interface Run {
  readonly values: number[];
}

function run(plugin: typeof lstmCell | typeof gruCell, config: Record<string, unknown>, T: number, B: number, I: number): Run {
  const validated = plugin.config.validate(config, 'page') as never;
  const H = (config as { hiddenSize: number }).hiddenSize;
  let seed = 11;
  const random = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.6), shape);
  const params = Object.fromEntries(plugin.parameters(validated).map((p) => [p.name, tf.variable(random([...p.shape]))]));
  const x = random([T, B, I]) as tf.Tensor3D;
  const state = plugin.state(validated).map(() => random([B, H]) as tf.Tensor2D);
  const mask = tf.tensor2d(Array.from({ length: T * B }, (_, i) => (Math.floor(i / B) < T - (i % B) ? 1 : 0)), [T, B]);
  const { value, grads } = tf.variableGrads(() => {
    const result = plugin.sequence!(params, x, state, validated, { mask });
    return tf.add(tf.sum(tf.mul(result.outputs, result.outputs)), tf.sum(result.state[0] as tf.Tensor)) as tf.Scalar;
  });
  return { values: [value.dataSync()[0] as number, ...Object.values(grads).flatMap((g) => Array.from(g.dataSync()))] };
}

export async function runInBrowser(): Promise<unknown> {
  await setupBackend({ backend: 'cpu' });
  const before = kernelBuild(); // where a main thread refuses a synchronous compile: 'none' (the tfjs path) until loadKernels()
  const loaded = await loadKernels();
  const cases = [
    { plugin: lstmCell, config: { inputSize: 5, hiddenSize: 12, peepholes: true } },
    { plugin: gruCell, config: { inputSize: 5, hiddenSize: 10 } },
  ] as const;
  const results = cases.map(({ plugin, config }) => {
    useKernels('auto');
    const kernels = run(plugin, config, 9, 6, 5);
    useKernels('off');
    const tfjs = run(plugin, config, 9, 6, 5);
    useKernels('auto');
    const worst = kernels.values.reduce((w, v, i) => Math.max(w, Math.abs(v - (tfjs.values[i] as number)) - 1e-5 - 1e-5 * Math.abs(tfjs.values[i] as number)), 0);
    return { kind: plugin.kind, count: kernels.values.length, worstExcess: worst, loss: [kernels.values[0], tfjs.values[0]] };
  });
  return { before, loaded, build: kernelBuild(), threads: kernelThreads(), crossOriginIsolated: globalThis.crossOriginIsolated, results };
}
