/**
 * Attention scorers: how well each source position matches the decoder's current output.
 *
 * Legend: B batch, S source steps, T decoder steps, E memory size (the encoder's output), Q query size
 * (the top decoder cell's output), A attention size; memory m [B, S, E], queries q [B, T, Q].
 *
 *   dot      (Luong et al. 2015)     e_{t,s} = q_t · m_s                                 Q = E, no parameters
 *   general  (Luong et al. 2015)     e_{t,s} = q_t W m_s                                 W [Q, E]
 *   additive (Bahdanau et al. 2015)  e_{t,s} = vᵀ tanh(W_q q_t + W_m m_s + b)            W_q [A, Q], W_m [A, E], b [A], v [A]
 *
 * Work that depends on the memory only is done once per source by `keys` (the memory itself for dot,
 * m Wᵀ [B, S, Q] for general, m W_mᵀ + b [B, S, A] for additive); `score` then takes the queries of any
 * number of decoder steps (T = 1 when decoding step by step, all T under teacher forcing) to e [B, T, S].
 * The softmax over s, the source mask and the context vector are the decoder's (decoder.ts), the same for
 * every scorer. A third party adds a scorer with `attentionFamily.define({...})` and registers it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { ConfigError, defineConfig, defineFamily, field, uniform, type OnnxGraphBuilder, type HostTensor, type ParamSpec, type ParamTensors, type Plugin } from '@unfold/core';
import { ARCHITECTURES_META } from '../meta';
import { additiveOnnx, dotOnnx, generalOnnx } from './onnx-attention';

/** What an attention scorer's ONNX mapping is handed: value names and the exported weights. */
export interface AttentionOnnxContext<C> {
  readonly graph: OnnxGraphBuilder;
  readonly config: C;
  readonly weights: Readonly<Record<string, HostTensor>>;
}

export interface AttentionOnnx<C> {
  /** memory [B, S, E] → keys [B, S, K]. */
  keys(context: AttentionOnnxContext<C>, memory: string): string;
  /** query [B, 1, Q] and keys [B, S, K] → scores [B, 1, S]. */
  score(context: AttentionOnnxContext<C>, query: string, keys: string): string;
}

export interface AttentionPlugin<K extends string = string, C = any> extends Plugin<'attention', K, C> {
  /** Q, the size of the decoder output it compares. */
  querySize(config: C): number;
  /** E, the size of the encoder outputs it attends over. */
  memorySize(config: C): number;
  /** K, the width of the keys `keys` returns (what an exported `memory_keys` holds). */
  keySize(config: C): number;
  parameters(config: C): readonly ParamSpec[];
  /** memory [B, S, E] → keys [B, S, K], computed once per source. */
  keys(params: ParamTensors, memory: Tensor3D, config: C): Tensor3D;
  /** queries [B, T, Q], keys [B, S, K] → scores e [B, T, S] (before the mask and softmax). */
  score(params: ParamTensors, queries: Tensor3D, keys: Tensor3D, config: C): Tensor3D;
  readonly onnx?: AttentionOnnx<C>;
}

export const attentionFamily = defineFamily({
  name: 'attention',
  summary: 'scores source positions against a decoder output (seq2seq attention)',
  role: 'component',
  required: ['querySize', 'memorySize', 'keySize', 'parameters', 'keys', 'score'],
  exportedBy: ['onnx'],
});

const sizes = {
  querySize: field.int({ doc: 'query size Q (the top decoder cell’s output size)', min: 1 }),
  memorySize: field.int({ doc: 'memory size E (the encoder’s output size)', min: 1 }),
};

/** e = queries · keysᵀ: [B, T, K] × [B, S, K] → [B, T, S]. */
function dotScores(queries: Tensor3D, keys: Tensor3D): Tensor3D {
  return tf.matMul(queries, tf.transpose(keys, [0, 2, 1]));
}

/** x Wᵀ over the last axis of [B, S, I] with W [O, I]. */
function projectLast(x: Tensor3D, W: Tensor2D): Tensor3D {
  const [batch, steps, size] = x.shape;
  return tf.reshape(tf.matMul(tf.reshape(x, [batch * steps, size]), tf.transpose(W)), [batch, steps, W.shape[0]]);
}

export interface DotConfig {
  readonly querySize: number;
  readonly memorySize: number;
}

export const dotAttention = attentionFamily.define<AttentionPlugin<'dot', DotConfig>>({
  kind: 'dot',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'Luong dot attention: e = q · m (no parameters; Q = E)',
  config: defineConfig(sizes),
  check(config, where) {
    if (config.querySize !== config.memorySize) {
      throw new ConfigError('dot attention needs the query and memory sizes to agree', { where, expected: `querySize = memorySize (${config.memorySize})`, got: `querySize ${config.querySize}`, fix: 'make the top decoder cell as wide as the encoder output, or use "general" or "additive" attention' });
    }
  },
  querySize: (c) => c.querySize,
  memorySize: (c) => c.memorySize,
  keySize: (c) => c.memorySize,
  parameters: () => [],
  keys: (_params, memory) => memory,
  score: (_params, queries, keys) => dotScores(queries, keys),
  onnx: dotOnnx,
});

export const generalAttention = attentionFamily.define<AttentionPlugin<'general', DotConfig>>({
  kind: 'general',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'Luong general attention: e = q W m',
  config: defineConfig(sizes),
  querySize: (c) => c.querySize,
  memorySize: (c) => c.memorySize,
  keySize: (c) => c.querySize,
  parameters: (c) => {
    const k = 1 / Math.sqrt(c.memorySize);
    return [{ name: 'W', shape: [c.querySize, c.memorySize], init: uniform(-k, k), doc: 'bilinear weights [Q, E]' }];
  },
  keys: (params, memory) => projectLast(memory, params.W as Tensor2D), // m Wᵀ [B, S, Q]
  score: (_params, queries, keys) => dotScores(queries, keys),
  onnx: generalOnnx,
});

export interface AdditiveConfig extends DotConfig {
  readonly attentionSize: number;
}

export const additiveAttention = attentionFamily.define<AttentionPlugin<'additive', AdditiveConfig>>({
  kind: 'additive',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'Bahdanau additive attention: e = vᵀ tanh(W_q q + W_m m + b)',
  config: defineConfig({ ...sizes, attentionSize: field.int({ doc: 'attention size A (the hidden layer of the scorer)', min: 1 }) }),
  querySize: (c) => c.querySize,
  memorySize: (c) => c.memorySize,
  keySize: (c) => c.attentionSize,
  parameters: (c) => {
    const kq = 1 / Math.sqrt(c.querySize);
    const km = 1 / Math.sqrt(c.memorySize);
    const ka = 1 / Math.sqrt(c.attentionSize);
    return [
      { name: 'Wq', shape: [c.attentionSize, c.querySize], init: uniform(-kq, kq), doc: 'query projection [A, Q]' },
      { name: 'Wm', shape: [c.attentionSize, c.memorySize], init: uniform(-km, km), doc: 'memory projection [A, E]' },
      { name: 'b', shape: [c.attentionSize], init: uniform(-km, km), doc: 'bias [A]' },
      { name: 'v', shape: [c.attentionSize], init: uniform(-ka, ka), doc: 'score vector [A]' },
    ];
  },
  keys: (params, memory) => tf.add(projectLast(memory, params.Wm as Tensor2D), params.b as tf.Tensor1D),
  score(params, queries, keys, config) {
    const [batch, steps] = queries.shape;
    const sources = keys.shape[1];
    const A = config.attentionSize;
    const q = projectLast(queries, params.Wq as Tensor2D); // [B, T, A]
    const hidden = tf.tanh(tf.add(tf.reshape(q, [batch, steps, 1, A]), tf.reshape(keys, [batch, 1, sources, A]))); // [B, T, S, A]
    return tf.reshape(tf.matMul(tf.reshape(hidden, [batch * steps * sources, A]), tf.reshape(params.v as tf.Tensor1D, [A, 1])), [batch, steps, sources]);
  },
  onnx: additiveOnnx,
});

/** The attention scorers of this package. */
export const attentionScorers = Object.freeze([dotAttention, generalAttention, additiveAttention] as const);
