import { createRegistry, setupBackend } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { it } from 'vitest';
import { addingProblem, createModel, fit, losses } from '../../src/index';
it('probe', async () => {
  await setupBackend();
  const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
  for (const [lr, fb, hidden, batch, seed, kind] of [[0.01, 1, 32, 64, 3, 'adam'], [0.02, 1, 32, 128, 3, 'adam'], [0.003, 1, 32, 64, 3, 'rmsprop']] as const) {
    const model = createModel(registry, { kind: 'sequence-model', config: { readout: 'last' }, children: { body: { kind: 'lstm', config: { inputSize: 2, hiddenSize: hidden, forgetBias: fb } }, output: { kind: 'dense', config: { inputSize: hidden, outputSize: 1 } } } }, { seed });
    const r = await fit(model, addingProblem({ count: 4096, length: 50, seed: 1 }), { epochs: 12, batchSize: batch, loss: 'mse', optimizer: { kind, learningRate: lr }, clipNorm: 1, seed: 4, progress: 'none', targetLoss: 0.005, validation: addingProblem({ count: 300, length: 50, seed: 2 }) });
    process.stderr.write(`PROBE lstm ${kind} lr ${lr} fb ${fb} h ${hidden} b ${batch} seed ${seed}: ${r.seconds.toFixed(1)}s ${r.steps} steps ${r.history.map((h) => h.validationLoss!.toExponential(2)).join(' ')}\n`);
  }
}, 900000);
