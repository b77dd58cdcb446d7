import * as tf from '@tensorflow/tfjs-core';
import { bindNode, ConfigError, type BoundNode, createRegistry, DECODER_INPUT_PORT, deserializeModel, inferenceContext, initWeights, resolveModel, serializeModel, setupBackend, trainingContext, type ForwardContext, type ModelSpec, type WeightMap } from '@unfold/core';
import { lstmCell } from '@unfold/cells/lstm';
import { rnnCell } from '@unfold/cells/rnn';
import { checkGradients } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionScorers, heads, layers, runSeq2seq } from '../../src/index';
import { referenceSeq2seq, type ReferenceSpec } from './reference';

beforeAll(() => setupBackend());

const registry = createRegistry([rnnCell, lstmCell, ...layers, ...heads, ...attentionScorers]);
const SOURCE_VOCABULARY = 7;
const TARGET_VOCABULARY = 6;
const DS = 3;
const DT = 4;
const E = 5;

/** A spec and the matching reference description. */
function model(reference: ReferenceSpec): ModelSpec {
  const A = reference.attention ? (reference.attentionSize ?? (reference.decoder.at(-1)?.hidden as number)) : 0;
  const attention: Record<string, ModelSpec> = reference.attention
    ? { attention: { kind: reference.attention, config: { querySize: reference.decoder.at(-1)?.hidden as number, memorySize: E, ...(reference.attention === 'additive' ? { attentionSize: 3 } : {}) } } }
    : {};
  return {
    kind: 'seq2seq',
    config: { bridge: reference.bridge, ...(reference.bridgeActivation ? { bridgeActivation: reference.bridgeActivation } : {}), inputFeeding: reference.inputFeeding, ...(reference.attentionSize ? { attentionSize: reference.attentionSize } : {}) },
    children: {
      source: { kind: 'embedding', config: { vocabularySize: SOURCE_VOCABULARY, embeddingSize: DS } },
      encoder: { kind: reference.encoder.kind, config: { inputSize: DS, hiddenSize: E } },
      target: { kind: 'embedding', config: { vocabularySize: TARGET_VOCABULARY, embeddingSize: DT } },
      decoder: reference.decoder.map((cell) => ({ kind: cell.kind, config: { inputSize: cell.input, hiddenSize: cell.hidden } })),
      ...attention,
      output: { kind: 'dense', config: { inputSize: reference.attention ? A : (reference.decoder.at(-1)?.hidden as number), outputSize: TARGET_VOCABULARY } },
    },
  };
}

const CASES: Record<string, ReferenceSpec> = {
  'additive attention, input feeding, projection bridge, rnn+lstm decoder (step by step)': {
    encoder: { kind: 'rnn', hidden: E },
    decoder: [
      { kind: 'rnn', input: DT + 4, hidden: 6 },
      { kind: 'lstm', input: 6, hidden: 5 },
    ],
    attention: 'additive',
    attentionSize: 4,
    bridge: 'projection',
    inputFeeding: true,
  },
  'general attention, zeros bridge, lstm decoder (all steps at once)': {
    encoder: { kind: 'lstm', hidden: E },
    decoder: [{ kind: 'lstm', input: DT, hidden: 4 }],
    attention: 'general',
    bridge: 'zeros',
    inputFeeding: false,
  },
  'dot attention, copy bridge, lstm → lstm': {
    encoder: { kind: 'lstm', hidden: E },
    decoder: [{ kind: 'lstm', input: DT, hidden: E }],
    attention: 'dot',
    bridge: 'copy',
    inputFeeding: false,
  },
  'no attention, projection bridge, rnn decoder': {
    encoder: { kind: 'rnn', hidden: E },
    decoder: [{ kind: 'rnn', input: DT, hidden: 6 }],
    bridge: 'projection',
    inputFeeding: false,
  },
  'no attention, linear projection bridge, lstm decoder': {
    encoder: { kind: 'lstm', hidden: E },
    decoder: [{ kind: 'lstm', input: DT, hidden: 6 }],
    bridge: 'projection',
    bridgeActivation: 'linear',
    inputFeeding: false,
  },
};

/** A fixed batch: 3 sources of lengths 4, 2 and 0 (padded to 4), decoder inputs of lengths 3, 5, 1 (padded to 5). */
const SOURCE = [
  [1, 5, 2, 6],
  [3, 4, 0, 0],
  [0, 0, 0, 0],
];
const SOURCE_LENGTHS = [4, 2, 0];
const INPUTS = [
  [2, 4, 5, 0, 0],
  [2, 1, 1, 3, 5],
  [2, 0, 0, 0, 0],
];
const INPUT_LENGTHS = [3, 5, 1];

/** The model on the fixed batch (inside the caller's tidy). */
function decodeBatch(bound: BoundNode, context: ForwardContext): ReturnType<typeof runSeq2seq> {
  return runSeq2seq(bound, tf.tensor2d(SOURCE, undefined, 'int32'), Int32Array.from(SOURCE_LENGTHS), { x: tf.tensor2d(INPUTS, undefined, 'int32'), lengths: Int32Array.from(INPUT_LENGTHS) }, context);
}

function run(spec: ModelSpec, weights: WeightMap, context: ForwardContext = inferenceContext()): { logits: number[][][]; attention: number[][][] | undefined } {
  return tf.tidy(() => {
    const root = resolveModel(registry, spec);
    const tensors = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.tensor(w.data, [...w.shape])]));
    const decoded = decodeBatch(bindNode(root, tensors), context);
    return { logits: decoded.logits.arraySync(), attention: decoded.attention?.arraySync() };
  });
}

function worstRelative(actual: readonly number[], expected: readonly number[]): number {
  return Math.max(0, ...actual.map((a, i) => Math.abs(a - (expected[i] as number)) / Math.max(1, Math.abs(expected[i] as number))));
}

describe.each(Object.entries(CASES))('seq2seq: %s', (_name, reference) => {
  const spec = model(reference);

  it('equals a float64 step-by-step reference (1e-6 relative), zero at padded target steps', () => {
    const weights = initWeights(resolveModel(registry, spec), 3);
    const got = run(spec, weights);
    let worst = 0;
    SOURCE.forEach((source, b) => {
      const want = referenceSeq2seq(reference, weights, source.slice(0, SOURCE_LENGTHS[b]), source.length, (INPUTS[b] as number[]).slice(0, INPUT_LENGTHS[b]));
      want.logits.forEach((logits, t) => (worst = Math.max(worst, worstRelative(got.logits[b]?.[t] as number[], logits))));
      if (reference.attention) want.attention.forEach((weights, t) => (worst = Math.max(worst, worstRelative(got.attention?.[b]?.[t] as number[], weights))));
      for (let t = INPUT_LENGTHS[b] as number; t < 5; t++) expect(got.logits[b]?.[t]?.every((z) => z === 0)).toBe(true);
    });
    expect(worst).toBeLessThan(1e-6);
  });

  it('gives the same logits step by step as all steps at once (scheduled sampling with ε = 1 feeds the truth)', () => {
    const weights = initWeights(resolveModel(registry, spec), 4);
    const fused = run(spec, weights).logits.flat(2);
    const stepwise = run(spec, weights, trainingContext({ decoderInputs: { kind: 'scheduled-sampling', truthProbability: 1 } })).logits.flat(2);
    expect(worstRelative(stepwise, fused)).toBeLessThan(1e-5);
  });

  it('has gradients that pass the finite-difference check', () => {
    const root = resolveModel(registry, spec);
    const point = initWeights(root, 5);
    const G = Array.from({ length: 3 * 5 * TARGET_VOCABULARY }, (_, i) => Math.fround(Math.sin(i * 1.7)));
    const result = checkGradients({
      point,
      samples: 4,
      analytic: (at) =>
        tf.tidy(() => {
          const variables = Object.fromEntries(Object.entries(at).map(([k, w]) => [k, tf.variable(tf.tensor(w.data, [...w.shape]), true)]));
          const bound = bindNode(root, variables);
          const { grads } = tf.variableGrads(() => {
            const decoded = decodeBatch(bound, inferenceContext());
            return tf.sum(tf.mul(decoded.logits, tf.tensor3d(G, [3, 5, TARGET_VOCABULARY])));
          }, Object.values(variables));
          const out = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, (grads[v.name] as tf.Tensor).dataSync() as Float32Array]));
          Object.values(variables).forEach((v) => v.dispose());
          return out;
        }),
      reference: (at) => {
        const weights: WeightMap = Object.fromEntries(Object.entries(at).map(([k, data]) => [k, { shape: point[k]?.shape ?? [], data: data as unknown as Float32Array }]));
        let loss = 0;
        SOURCE.forEach((source, b) => {
          const want = referenceSeq2seq(reference, weights, source.slice(0, SOURCE_LENGTHS[b]), source.length, (INPUTS[b] as number[]).slice(0, INPUT_LENGTHS[b]));
          want.logits.forEach((logits, t) => logits.forEach((z, v) => (loss += z * (G[(b * 5 + t) * TARGET_VOCABULARY + v] as number))));
        });
        return loss;
      },
    });
    expect(result.checked).toBeGreaterThan(10);
  });

  it('survives a save/load round trip with identical outputs', () => {
    const weights = initWeights(resolveModel(registry, spec), 6);
    const loaded = deserializeModel(registry, serializeModel(registry, { spec, weights }));
    expect(run(loaded.spec, loaded.weights).logits).toEqual(run(spec, weights).logits);
  });
});

describe('attention scorers', () => {
  it.each([
    ['dot', { querySize: 4, memorySize: 4 }],
    ['general', { querySize: 3, memorySize: 5 }],
    ['additive', { querySize: 3, memorySize: 5, attentionSize: 6 }],
  ])('%s: keys have the declared keySize, scores are [B, T, S]', (kind, config) => {
    const node = resolveModel(registry, { kind, config });
    const weights = initWeights(node, 2);
    tf.tidy(() => {
      const params = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.tensor(w.data, [...w.shape])]));
      const plugin = node.plugin as (typeof attentionScorers)[number];
      const keys = plugin.keys(params, tf.randomNormal([2, 7, config.memorySize]), node.config as never);
      expect(keys.shape).toEqual([2, 7, plugin.keySize(node.config as never)]);
      expect(plugin.score(params, tf.randomNormal([2, 3, config.querySize]), keys, node.config as never).shape).toEqual([2, 3, 7]);
    });
  });
});

describe('seq2seq configuration errors', () => {
  const base = CASES['additive attention, input feeding, projection bridge, rnn+lstm decoder (step by step)'] as ReferenceSpec;
  const typed = (spec: ModelSpec, pattern: RegExp) => {
    const error = (() => {
      try {
        resolveModel(registry, spec);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(pattern);
  };
  const edit = (change: (children: Record<string, any>) => void, config: Record<string, unknown> = {}): ModelSpec => {
    const spec = JSON.parse(JSON.stringify(model(base)));
    change(spec.children);
    Object.assign(spec.config, config);
    return spec;
  };

  it('rejects mismatched sizes between encoder, attention, decoder and output with the fix', () => {
    typed(edit((c) => (c.decoder[0].config.inputSize = 5)), /decoder cell input size/);
    typed(edit((c) => (c.attention.config.memorySize = 9)), /memory size/);
    typed(edit((c) => (c.attention.config.querySize = 9)), /query size/);
    typed(edit((c) => (c.output.config.inputSize = 9)), /output head input size/);
    typed(edit((c) => (c.output.config.outputSize = 9)), /target vocabulary/);
    typed(edit((c) => (c.encoder.config.inputSize = 9)), /encoder input size/);
  });

  it('rejects a copy bridge between different states, attention options without attention, an unknown attention kind', () => {
    typed(edit(() => {}, { bridge: 'copy' }), /copy bridge/);
    typed(edit((c) => delete c.attention), /attention options without attention/);
    expect(() => resolveModel(registry, edit((c) => (c.attention.kind = 'multiplicative')))).toThrow(/multiplicative/);
    typed(edit((c) => (c.attention = { kind: 'dot', config: { querySize: 5, memorySize: 4 } })), /dot attention/);
  });

  it('asks for the decoder inputs when a forward pass has none', () => {
    const spec = model(base);
    const root = resolveModel(registry, spec);
    const weights = initWeights(root, 1);
    tf.tidy(() => {
      const bound = bindNode(root, Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.tensor(w.data, [...w.shape])])));
      expect(() => (root.plugin as (typeof layers)[number]).forward(bound as never, { x: tf.tensor2d(SOURCE, undefined, 'int32') }, inferenceContext())).toThrow(new RegExp(`ports.${DECODER_INPUT_PORT}`));
    });
  });
});
