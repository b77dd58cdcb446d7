import * as tf from '@tensorflow/tfjs-core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { createRegistry, setupBackend, type ModelSpec, type Registry } from '@unfold/core';
import { exportModel, type ExportOptions } from '@unfold/onnx';
import { createModel, type Model } from '@unfold/training';

/**
 * Small unfold models exported for the runtime and edge tests, with unfold's own forward pass (tfjs,
 * through the checked `runSequence`) as the reference every served answer is compared with.
 */
export const FORECASTER_METADATA = { task: 'mackey-glass', window: 6, normalisation: { mean: 0.9, std: 0.25 } };

/** The character LM's vocabulary: the four specials, then a, b and space. */
export const CHARLM_TOKENIZER = { kind: 'char', tokens: ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', ' '] };

export const SPECS = {
  /** A one-step-ahead forecaster as `unfold train` makes it: LSTM, dense readout at the last step, normalisation. */
  forecaster: {
    kind: 'sequence-model',
    config: { readout: 'last' },
    children: { body: { kind: 'lstm', config: { inputSize: 1, hiddenSize: 8 } }, output: { kind: 'dense', config: { inputSize: 8, outputSize: 1 } } },
    metadata: FORECASTER_METADATA,
  },
  /** An LSTM with an output at every step; O = I, so its outputs can be fed back. */
  tagger: {
    kind: 'sequence-model',
    config: { readout: 'sequence' },
    children: { body: { kind: 'lstm', config: { inputSize: 3, hiddenSize: 5 } }, output: { kind: 'dense', config: { inputSize: 5, outputSize: 3 } } },
  },
  /** A character-level language model: embedding, GRU, softmax over the vocabulary; its tokenizer travels in the file (generate). */
  charlm: {
    kind: 'sequence-model',
    config: { readout: 'sequence' },
    children: {
      input: { kind: 'embedding', config: { vocabularySize: 7, embeddingSize: 4 } },
      body: { kind: 'gru', config: { inputSize: 4, hiddenSize: 6 } },
      output: { kind: 'dense', config: { inputSize: 6, outputSize: 7, activation: 'softmax' } },
    },
    metadata: { tokenizer: CHARLM_TOKENIZER },
  },
} satisfies Record<string, ModelSpec>;

export type ModelName = keyof typeof SPECS;

export function testRegistry(): Registry {
  return createRegistry([...cells, ...layers, ...heads]);
}

export interface ReferenceModel {
  readonly model: Model;
  readonly bytes: Uint8Array;
  /** unfold's forward on a batch of sequences: outputs cut to each length, final states by path order. */
  forward(sequences: readonly (readonly (number | readonly number[])[])[], initialState?: readonly number[][][]): { outputs: number[][][]; states: number[][][] };
}

/** Exports `SPECS[name]` with seeded weights; call `disposeAll` after the tests. */
export async function referenceModel(name: ModelName, seed = 5, options: ExportOptions = {}): Promise<ReferenceModel> {
  await setupBackend({ backend: 'cpu' });
  const registry = testRegistry();
  const model = createModel(registry, SPECS[name] as ModelSpec, { seed });
  const bytes = exportModel(registry, model.toModelData(), options);
  return { model, bytes, forward: (sequences, initialState) => unfoldForward(model, sequences, initialState) };
}

function unfoldForward(model: Model, sequences: readonly (readonly (number | readonly number[])[])[], initialState?: readonly number[][][]): { outputs: number[][][]; states: number[][][] } {
  const lengths = Int32Array.from(sequences, (s) => s.length);
  const time = Math.max(...lengths);
  const tokens = model.input.kind === 'tokens';
  const size = tokens ? 1 : model.input.size;
  const flat = new Float32Array(sequences.length * time * size);
  sequences.forEach((steps, b) => steps.forEach((step, t) => flat.set(typeof step === 'number' ? [step] : step, (b * time + t) * size)));
  return tf.tidy(() => {
    const x = tokens ? tf.tensor(Int32Array.from(flat), [sequences.length, time], 'int32') : tf.tensor3d(flat, [sequences.length, time, size]);
    const initial = initialState?.map((rows) => tf.tensor2d(rows));
    const result = model.forward(x as tf.Tensor3D, { lengths, ...(initial ? { initialState: initial } : {}) });
    const out = result.outputs.arraySync() as number[][][];
    const steps = result.outputs.shape[1];
    return {
      outputs: out.map((rows, b) => rows.slice(0, Math.min(lengths[b] as number, steps))),
      states: result.finalState.map((s) => s.arraySync() as number[][]),
    };
  });
}

/** |a − b| <= atol + rtol·|b| over nested arrays of the same shape; returns the worst excess (≤ 0 passes). */
export function worstExcess(actual: unknown, expected: unknown, atol = 1e-5, rtol = 1e-5): number {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return Infinity;
    return expected.reduce((worst: number, e, i) => Math.max(worst, worstExcess(actual[i], e, atol, rtol)), -Infinity);
  }
  if (typeof actual !== 'number' || typeof expected !== 'number') return Infinity;
  return Math.abs(actual - expected) - (atol + rtol * Math.abs(expected));
}

/** Uniform values in [-1, 1) from a small deterministic generator (the tests' inputs). */
export function randomSequences(seed: number, lengths: readonly number[], size: number): number[][][] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  };
  return lengths.map((length) => Array.from({ length }, () => Array.from({ length: size }, next)));
}
