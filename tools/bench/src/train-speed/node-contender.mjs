// A JavaScript contender of the training bench, run as a child process (see protocol.mjs). argv[2]:
//   unfold       unfold's trainStep on the tfjs wasm backend; the environment decides the path
//                (UNFOLD_KERNELS=off forces the tfjs path; the parent sets it before this process starts);
//   tfjs-layers  tf.layers.lstm / tf.layers.gru + dense, model.trainOnBatch, on the same backend.
// Requests: setup {cell, hidden, input, steps, batch} → {stepSeconds, kernelBuild, threads} after warm-up;
// round {steps} → {seqPerSec, seconds, maxRssMiB}; split {steps, repeats} (unfold only) → the time of a
// training step and of the cell's sequence op alone, forward and backward (sequence-split.mjs); exit.
// maxRssMiB is the process's peak resident set so far: the ceilings run elsewhere (ceiling-child.mjs)
// and the split runs after the rounds, so the last round's figure is the training's own peak.
import * as tf from '@tensorflow/tfjs';
import { setupBackend, trainingContext } from '@unfold/core';
import { createModel, createOptimizer, makeBatch, mse, readExamples, trainStep } from '@unfold/training';
import { builtInRegistry } from '@unfold/cli';
import { kernelBuild, kernelThreads } from '@unfold/cells';
import { benchBatch } from './data.mjs';
import { serve } from './protocol.mjs';
import { sequenceOnly, timeSplit } from './sequence-split.mjs';

const kind = process.argv[2];
const LEARNING_RATE = 1e-3;
/** Warm-up: at least this many steps and this long (JIT, XNNPACK operand packing, allocator). */
const WARM_STEPS = 2, WARM_SECONDS = 0.5;

/** The cell's spec; tf.layers.gru only resets before the recurrent product (ONNX linear_before_reset = 0): compare like with like. */
function cellSpec({ cell, hidden: H, input: I }) {
  return { kind: cell, config: cell === 'gru' ? { inputSize: I, hiddenSize: H, linearBeforeReset: false } : { inputSize: I, hiddenSize: H } };
}

function unfoldTrainer({ cell, hidden: H, input: I, steps: T, batch: B }) {
  const spec = { kind: 'sequence-model', config: { readout: 'last' }, children: { body: cellSpec({ cell, hidden: H, input: I }), output: { kind: 'dense', config: { inputSize: H, outputSize: 1 } } } };
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
let configuration = null;
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;

async function timeSteps(count) {
  const start = performance.now();
  for (let i = 0; i < count; i++) await step();
  return (performance.now() - start) / 1000;
}

serve(async (request) => {
  switch (request.op) {
    case 'setup': {
      configuration = request;
      step = trainers[kind](request);
      let steps = 0, seconds = 0, fastest = Infinity;
      while (steps < WARM_STEPS || seconds < WARM_SECONDS) {
        const one = await timeSteps(1);
        fastest = Math.min(fastest, one);
        seconds += one;
        steps++;
      }
      // The fastest warm step sizes the rounds (the first steps pay for compilation and packing).
      const kernels = kind === 'unfold' ? { kernelBuild: kernelBuild(), threads: kernelThreads() } : {};
      return { stepSeconds: fastest, warmSteps: steps, backend: tf.getBackend(), unfoldKernels: process.env.UNFOLD_KERNELS ?? null, ...kernels };
    }
    case 'round': {
      const seconds = await timeSteps(request.steps);
      return { seconds, seqPerSec: (request.steps * request.batch) / seconds, maxRssMiB: maxRssMiB() };
    }
    case 'split': {
      if (kind !== 'unfold') throw new Error(`node-contender: split times unfold's sequence op, not ${kind}'s`);
      return timeSplit(() => timeSteps(request.steps), sequenceOnly(builtInRegistry(), cellSpec(configuration), configuration), request);
    }
    case 'exit':
      return {};
    default:
      throw new Error(`unknown request ${JSON.stringify(request.op)}`);
  }
});
