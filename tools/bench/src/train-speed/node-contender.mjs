// A JavaScript contender of the training bench, run as a child process (see protocol.mjs). argv[2]:
//   unfold       unfold's trainStep on the tfjs wasm backend; the environment decides the path
//                (UNFOLD_KERNELS=off forces the tfjs path; the parent sets it before this process starts);
//   tfjs-layers  tf.layers.lstm / tf.layers.gru + dense, model.trainOnBatch, on the same backend.
// Requests: setup {cell, hidden, input, steps, batch} → {stepSeconds} after warm-up; round {steps} →
// {seqPerSec, seconds}; ceiling {shapes} → tfjs-wasm matMul rates (matmul-ceiling.mjs); exit.
import * as tf from '@tensorflow/tfjs';
import { setupBackend, trainingContext } from '@unfold/core';
import { createModel, createOptimizer, makeBatch, mse, readExamples, trainStep } from '@unfold/training';
import { builtInRegistry } from '@unfold/cli';
import { benchBatch } from './data.mjs';
import { measureCeiling } from './matmul-ceiling.mjs';
import { serve } from './protocol.mjs';

const kind = process.argv[2];
const LEARNING_RATE = 1e-3;
/** Warm-up: at least this many steps and this long (JIT, XNNPACK operand packing, allocator). */
const WARM_STEPS = 2, WARM_SECONDS = 0.5;

function unfoldTrainer({ cell, hidden: H, input: I, steps: T, batch: B }) {
  // tf.layers.gru only resets before the recurrent product (ONNX linear_before_reset = 0): compare like with like.
  const cellConfig = cell === 'gru' ? { inputSize: I, hiddenSize: H, linearBeforeReset: false } : { inputSize: I, hiddenSize: H };
  const spec = { kind: 'sequence-model', config: { readout: 'last' }, children: { body: { kind: cell, config: cellConfig }, output: { kind: 'dense', config: { inputSize: H, outputSize: 1 } } } };
  const model = createModel(builtInRegistry(), spec, { seed: 1 });
  const optimizer = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
  const shape = { input: model.input, target: { readout: 'last', kind: 'values', size: 1 } };
  const batch = makeBatch(readExamples(benchBatch(B, T, I), shape), Int32Array.from({ length: B }, (_, i) => i), shape);
  return () => trainStep(model, mse, {}, optimizer, batch, LEARNING_RATE, {}, 'bench', trainingContext());
}

function layersTrainer({ cell, hidden: H, input: I, steps: T, batch: B }) {
  const k = 1 / Math.sqrt(H);
  const init = () => tf.initializers.randomUniform({ minval: -k, maxval: k, seed: 1 });
  const options = { units: H, inputShape: [T, I], kernelInitializer: init(), recurrentInitializer: init(), biasInitializer: init(), recurrentActivation: 'sigmoid' };
  const model = tf.sequential();
  model.add(cell === 'lstm' ? tf.layers.lstm(options) : tf.layers.gru(options));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'meanSquaredError' });
  const data = benchBatch(B, T, I);
  const x = tf.tensor3d(data.x);
  const y = tf.tensor2d(data.y);
  return () => model.trainOnBatch(x, y);
}

const trainers = { unfold: unfoldTrainer, 'tfjs-layers': layersTrainer };
if (!trainers[kind]) throw new Error(`node-contender: expected one of ${Object.keys(trainers).join(', ')} as argv[2], got ${JSON.stringify(kind)}`);

await setupBackend({ backend: 'wasm' });
let step = null;

async function timeSteps(count) {
  const start = performance.now();
  for (let i = 0; i < count; i++) await step();
  return (performance.now() - start) / 1000;
}

serve(async (request) => {
  switch (request.op) {
    case 'setup': {
      step = trainers[kind](request);
      let steps = 0, seconds = 0, fastest = Infinity;
      while (steps < WARM_STEPS || seconds < WARM_SECONDS) {
        const one = await timeSteps(1);
        fastest = Math.min(fastest, one);
        seconds += one;
        steps++;
      }
      // The fastest warm step sizes the rounds (the first steps pay for compilation and packing).
      return { stepSeconds: fastest, warmSteps: steps, backend: tf.getBackend(), unfoldKernels: process.env.UNFOLD_KERNELS ?? null };
    }
    case 'round': {
      const seconds = await timeSteps(request.steps);
      return { seconds, seqPerSec: (request.steps * request.batch) / seconds };
    }
    case 'ceiling':
      return measureCeiling(request.shapes);
    case 'exit':
      return {};
    default:
      throw new Error(`unknown request ${JSON.stringify(request.op)}`);
  }
});
