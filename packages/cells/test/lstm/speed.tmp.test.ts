import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, initWeights, resolveModel, setupBackend } from '@unfold/core';
import { runStepLoop, weightsToTensors } from '@unfold/testing';
import { it } from 'vitest';
import { lstmCell } from '../../src/lstm/lstm';

it('speed', async () => {
  const backend = await setupBackend({ backend: (process.env.BACKEND as 'wasm' | 'cpu') ?? 'wasm' });
  const I = 32, H = 128, T = 64, B = 32;
  const raw = { inputSize: I, hiddenSize: H };
  const config = lstmCell.validate(raw);
  const node = resolveModel(createRegistry([lstmCell]), { kind: 'lstm', config: raw });
  const consts = weightsToTensors(initWeights(node, 1));
  const vars = Object.fromEntries(Object.entries(consts).map(([k, v]) => [k, tf.variable(v, true, `lstm_${k}_${Math.random()}`)]));
  const x = tf.randomNormal<tf.Rank.R3>([T, B, I]);
  const state = [tf.zeros<tf.Rank.R2>([B, H]), tf.zeros<tf.Rank.R2>([B, H])];
  const target = tf.randomNormal([T, B, H]);
  const loss = (run: () => { outputs: tf.Tensor }) => () => tf.mean(tf.square(tf.sub(run().outputs, target))) as tf.Scalar;
  const fused = () => lstmCell.sequence!(vars, x, state, config, {});
  const loop = () => runStepLoop(lstmCell, vars, x, state, config);
  const time = (name: string, fn: () => void, reps: number) => {
    fn();
    const times: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      fn();
      const c1 = process.cpuUsage(c0);
      times.push(performance.now() - t0);
      cpu.push((c1.user + c1.system) / 1000);
    }
    cpu.sort((a, b) => a - b);
    console.info(`cpu time median ${cpu[Math.floor(reps / 2)]!.toFixed(1)} ms min ${cpu[0]!.toFixed(1)}`);
    times.sort((a, b) => a - b);
    const median = times[Math.floor(reps / 2)] as number;
    console.info(times.map((t) => t.toFixed(0)).join(' '));
    console.info(`${backend} ${name}: median ${median.toFixed(1)} ms (min ${times[0]!.toFixed(1)}), ${(B / median * 1000).toFixed(0)} seq/s`);
  };
  const before = tf.memory().numTensors;
  time('fused forward', () => tf.tidy(() => { fused().outputs.dataSync(); }), 15);
  time('fused forward+backward', () => tf.tidy(() => { const { grads } = tf.variableGrads(loss(fused)); Object.values(grads)[0]!.dataSync(); }), 15);
  time('step loop forward', () => tf.tidy(() => { loop().outputs.dataSync(); }), 5);
  time('step loop forward+backward (autodiff)', () => tf.tidy(() => { const { grads } = tf.variableGrads(loss(loop)); Object.values(grads)[0]!.dataSync(); }), 5);
  console.info('tensors leaked', tf.memory().numTensors - before);
}, 600_000);
