// Bundled by runtimes.test.ts and run under Node, Bun and Deno: a few seeded training steps of a small
// LSTM forecaster on the WebAssembly kernels, printing the kernels' build and threads and the step losses
// as JSON on stdout.
import { createRegistry, setupBackend } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { kernelBuild, kernelThreads, lstmCell } from '@unfold/cells';
import { createModel, fit, forecastingWindows, losses, mackeyGlass, normalisationOf } from '@unfold/training';

const backend = await setupBackend({ backend: 'wasm' });
const registry = createRegistry([lstmCell, ...layers, ...heads, ...losses]);
const series = mackeyGlass({ length: 400 });
const data = forecastingWindows(series, { window: 12, stride: 4, normalisation: normalisationOf(series) });
const model = createModel(registry, {
  kind: 'sequence-model',
  config: { readout: 'last' },
  children: { body: { kind: 'lstm', config: { inputSize: 1, hiddenSize: 16 } }, output: { kind: 'dense', config: { inputSize: 16, outputSize: 1 } } },
}, { seed: 7 });
const result = await fit(model, data, { epochs: 2, batchSize: 16, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 3, progress: 'none' });
console.log(JSON.stringify({ backend, kernels: kernelBuild(), threads: kernelThreads(), losses: result.stepLosses }));
