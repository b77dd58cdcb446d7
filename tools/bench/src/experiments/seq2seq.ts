// Encoder–decoder learning (issue 11's acceptance): string reversal over lengths 5–20 with and without
// attention (then tested on lengths 21–30), and 3-digit addition written as text (plain and zero-padded);
// greedy and beam search exact match on held-out pairs. One seed per run, a fixed budget per task, one tfjs
// wasm thread. Writes tools/bench/results/<EXPERIMENT_OUTPUT, default seq2seq>.{json,md}; EXPERIMENT_RUNS
// picks runs (reversal-attention,reversal-no-attention,addition,addition-padded).
import { cells } from '@unfold/cells/all';
import { attentionScorers, heads, layers } from '@unfold/architectures';
import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { additionTask, createModel, encodeTextPairs, exactMatch, fit, losses, reversalTask, schedules, translate, type Model, type TextPairs } from '@unfold/training';
// @ts-expect-error: plain ESM helpers without types
import { writeResults } from '../stats.mjs';

const STEP_SCALE = Number(process.env.EXPERIMENT_STEP_SCALE ?? 1);
const H = Number(process.env.EXPERIMENT_HIDDEN ?? 64);
const only = process.env.EXPERIMENT_RUNS?.split(',');

await setupBackend({ backend: 'wasm' });
const registry = createRegistry([...cells, ...layers, ...heads, ...losses, ...attentionScorers]);

function spec(sourceVocabulary: number, targetVocabulary: number, attention: boolean): ModelSpec {
  return {
    kind: 'seq2seq',
    config: { bridge: 'projection' },
    children: {
      source: { kind: 'embedding', config: { vocabularySize: sourceVocabulary, embeddingSize: 16 } },
      encoder: { kind: 'bidirectional', config: { merge: 'concat' }, children: { forward: { kind: 'gru', config: { inputSize: 16, hiddenSize: H / 2 } }, backward: { kind: 'gru', config: { inputSize: 16, hiddenSize: H / 2 } } } },
      target: { kind: 'embedding', config: { vocabularySize: targetVocabulary, embeddingSize: 16 } },
      decoder: [{ kind: 'gru', config: { inputSize: 16, hiddenSize: H } }],
      ...(attention ? { attention: { kind: 'general', config: { querySize: H, memorySize: H } } } : {}),
      output: { kind: 'dense', config: { inputSize: H, outputSize: targetVocabulary } },
    },
  };
}

async function score(model: Model, test: TextPairs, strategy: 'greedy' | 'beam'): Promise<number> {
  const outputs: string[] = [];
  for (let start = 0; start < test.sources.length; start += 50) {
    const found = await translate(model, test.sources.slice(start, start + 50), strategy === 'beam' ? { strategy: 'beam', beamWidth: 4 } : {});
    outputs.push(...found.map((t) => t.text ?? ''));
  }
  return exactMatch(outputs, test.targets);
}

interface Run {
  readonly name: string;
  /** Adam steps and batch size. */
  readonly steps: number;
  readonly batch: number;
  readonly task: string;
  readonly attention: boolean;
  readonly train: TextPairs;
  readonly tests: Readonly<Record<string, TextPairs>>;
}

/** Held-out pairs: none of their sources is among the training sources. */
function heldOut(pairs: TextPairs, train: TextPairs): TextPairs {
  const seen = new Set(train.sources);
  const keep = pairs.sources.map((s, i) => (seen.has(s) ? -1 : i)).filter((i) => i >= 0);
  return { sources: keep.map((i) => pairs.sources[i] as string), targets: keep.map((i) => pairs.targets[i] as string) };
}

const reversalTrain = reversalTask({ count: 8000, minLength: 5, maxLength: 20, seed: 1 });
const reversalTests = {
  'lengths 5–20': heldOut(reversalTask({ count: 300, minLength: 5, maxLength: 20, seed: 101 }), reversalTrain),
  'lengths 21–30': reversalTask({ count: 200, minLength: 21, maxLength: 30, seed: 102 }),
};
const additionTrain = additionTask({ count: 20000, digits: 3, seed: 1 });
const paddedTrain = additionTask({ count: 20000, digits: 3, seed: 1, zeroPadded: true });
const runs: Run[] = [
  { name: 'reversal-attention', steps: 1600, batch: 32, task: 'reversal', attention: true, train: reversalTrain, tests: reversalTests },
  { name: 'reversal-no-attention', steps: 1600, batch: 32, task: 'reversal', attention: false, train: reversalTrain, tests: reversalTests },
  { name: 'addition', steps: 6000, batch: 64, task: '3-digit addition', attention: true, train: additionTrain, tests: { 'held-out sums': heldOut(additionTask({ count: 500, digits: 3, seed: 103 }), additionTrain) } },
  { name: 'addition-padded', steps: 6000, batch: 64, task: '3-digit addition, zero-padded ("007+045" → "0052")', attention: true, train: paddedTrain, tests: { 'held-out sums': heldOut(additionTask({ count: 500, digits: 3, seed: 103, zeroPadded: true }), paddedTrain) } },
];

const rows: Record<string, unknown>[] = [];
for (const run of runs.filter((r) => !only || only.includes(r.name))) {
  const encoded = encodeTextPairs(run.train.sources, run.train.targets);
  const model = createModel(registry, { ...spec(encoded.sourceTokenizer.tokens.length, encoded.targetTokenizer.tokens.length, run.attention), metadata: encoded.metadata }, { seed: 1 });
  const parameters = [...model.variables.values()].reduce((n, v) => n + v.size, 0);
  const started = Date.now();
  const steps = Math.round(run.steps * STEP_SCALE);
  const result = await fit(model, encoded.data, { epochs: 1000, maxSteps: steps, batchSize: run.batch, loss: 'cross-entropy', optimizer: { kind: 'adam', learningRate: schedules.cosine(5e-3, 1e-4, steps) }, clipNorm: 5, buckets: 'auto', seed: 1, progress: 'none' });
  const seconds = (Date.now() - started) / 1000;
  for (const [test, pairs] of Object.entries(run.tests)) {
    const row = { run: run.name, task: run.task, attention: run.attention, parameters, steps: result.stepLosses.length, batch: run.batch, trainSeconds: seconds, finalLoss: result.finalLoss, test, pairs: pairs.sources.length, greedy: await score(model, pairs, 'greedy'), beam4: await score(model, pairs, 'beam') };
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  model.dispose();
}

const percent = (v: unknown) => `${(100 * (v as number)).toFixed(1)}%`;
writeResults(`${process.env.UNFOLD_RESULTS_DIR}${process.env.EXPERIMENT_OUTPUT ?? 'seq2seq'}`, 'Encoder–decoder learning: exact match of greedy and beam search (width 4) on held-out pairs', rows, [
  { label: 'task', format: (r: Record<string, unknown>) => String(r.task) },
  { label: 'attention', format: (r: Record<string, unknown>) => (r.attention ? 'general (Luong)' : 'none') },
  { label: 'params', format: (r: Record<string, unknown>) => String(r.parameters) },
  { label: 'steps × batch', format: (r: Record<string, unknown>) => `${r.steps} × ${r.batch}` },
  { label: 'train s', format: (r: Record<string, unknown>) => (r.trainSeconds as number).toFixed(0) },
  { label: 'final loss', format: (r: Record<string, unknown>) => (r.finalLoss as number).toFixed(4) },
  { label: 'test', format: (r: Record<string, unknown>) => `${r.test} (${r.pairs})` },
  { label: 'greedy exact', format: (r: Record<string, unknown>) => percent(r.greedy) },
  { label: 'beam-4 exact', format: (r: Record<string, unknown>) => percent(r.beam4) },
], {
  command: `${only ? `EXPERIMENT_RUNS=${only.join(',')} ` : ''}${process.env.EXPERIMENT_OUTPUT ? `EXPERIMENT_OUTPUT=${process.env.EXPERIMENT_OUTPUT} ` : ''}node tools/bench/src/experiments/run.mjs seq2seq`,
  model: `embedding 16 → bidirectional GRU 2×${H / 2} → projection bridge → GRU ${H} decoder (+ general attention) → dense over the target characters`,
  training: 'Adam with a cosine learning rate 5e-3 → 1e-4 over the run, clipNorm 5, length buckets, teacher forcing, seed 1; steps and batch per row',
  data: 'reversal: 8000 random strings over a–j, lengths 5–20; addition: 20000 "a+b" with a, b < 1000; test sources never seen in training',
  budget: 'one tfjs wasm thread; seconds include whatever else ran on the 2-core machine',
});
